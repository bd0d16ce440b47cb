"""The sections of lexicon.yml that are word lists and numbers rather than phrases.

``tuning`` (every number that sets how far or how loosely the parser reads),
durations, parts of the diameter, scores, and the words of answers. ``lexicon``
compiles the phrases; ``quantities`` and ``scores`` read with these lists.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from typing import Any

from .fields import FALSE, FIELD_VALUES, TRUE
from .tokens import canon, expand, expanded_keys, normalize, phrase_keys

Phrase = tuple[str, ...]


class Qualifier(Enum):
    """What a word before or after a quantity says of it."""

    LT = "lt"  # "moins de"
    LE = "le"  # "au plus"
    GT = "gt"  # "plus de"
    GE = "ge"  # "au moins"
    APPROX = "approx"  # "environ"


@dataclass(frozen=True)
class Tuning:
    """The numbers of lexicon.yml's ``tuning`` block (documented there)."""

    fuzzy_min_length: int
    fuzzy_cutoff: float
    cue_window_after: int
    cue_window_before: int
    negation_window: int
    doubt_window: int
    duration_window_after: int
    duration_window_before: int
    vague_range: tuple[float, float]
    approx_margin: float
    unit_tolerance: float
    past_min_days: float
    lesion_size_tolerance: float

    @classmethod
    def from_yaml(cls, raw: Mapping[str, Any]) -> Tuning:
        kinds = typing.get_type_hints(cls)
        if set(raw) != set(kinds):
            raise ValueError(f"lexicon: tuning needs exactly {sorted(kinds)}, got {sorted(raw)}")
        values: dict[str, Any] = {
            name: tuple(float(v) for v in raw[name]) if kind == tuple[float, float] else kind(raw[name])
            for name, kind in kinds.items()
        }
        return cls(**values)


@dataclass(frozen=True)
class DurationWords:
    """Words of durations (``life_expectancy_durations``)."""

    units: dict[str, tuple[float, str]]  # matching key -> (days, unit family)
    half: list[Phrase]
    vague: list[Phrase]
    intro_to: set[str]
    intro_and: set[str]
    intro_to_separators: set[str]
    range_separators: set[str]
    range_gap_chars: set[str]
    qualifiers_before: list[tuple[Qualifier, Phrase]]
    qualifiers_after_at: dict[str, list[tuple[Qualifier, Phrase]]]  # by first key
    qualifiers_before_at: dict[str, list[tuple[Qualifier, Phrase]]]  # by first key
    allowed_before: set[str]
    past_before: list[Phrase]
    exclude_before: list[Phrase]
    exclude_after: list[Phrase]
    starts: frozenset[str]  # first keys of the words that may open a duration


@dataclass(frozen=True)
class SizeWords:
    """Words of a part of the diameter (``lesion_size_quantities``)."""

    units: dict[str, float]  # "tiers" -> 1/3: "deux tiers"
    wholes: dict[str, float]  # "moitie" -> 1/2: "la moitié"
    articles: set[str]  # may stand before a whole ("la moitié")
    denominators: frozenset[str]
    percent: list[Phrase]
    exclude_before: list[Phrase]


@dataclass(frozen=True)
class ScoreWords:
    """Words around a score's number (``performance_status``)."""

    joiners: list[Phrase]  # between the name and the number ("OMS : 2", "PS à 1")
    qualifiers: list[Phrase]  # a bound instead of a value ("PS ≤ 2"): unclear
    range_words: set[str]  # "OMS 1 à 2", "PS 1 ou 2": unclear
    maximum: int


@dataclass(frozen=True)
class AnswerWords:
    """Words that make sense only as an answer to a question (``answers``)."""

    yes: list[str]
    no: list[str]
    yes_no: list[tuple[Phrase, str]]  # the keys of yes and no, with "true" / "false"
    dont_know: list[str]
    whole: dict[Phrase, str]  # yes/no words only when they are the whole answer ("o", "n")
    fields: dict[str, dict[str, list[str]]]  # field -> value -> phrases


def as_phrases(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"lexicon: {where} must be a list of strings, got {value!r}")
    return value


def word_set(value: Any, where: str) -> set[str]:
    """Matching forms of every word of a list of phrases."""
    return {k for p in as_phrases(value, where) for v in expand(p) for k in phrase_keys(v)}


def keyed(value: Any, where: str) -> list[Phrase]:
    """Matching keys of every variant of a list of phrases."""
    return expanded_keys(as_phrases(value, where))


def qualifiers(raw: Mapping[str, Any], where: str) -> list[tuple[Qualifier, Phrase]]:
    return [(Qualifier(kind), keys) for kind, phrases in raw.items() for keys in keyed(phrases, f"{where}.{kind}")]


def by_first_key(found: list[tuple[Qualifier, Phrase]]) -> dict[str, list[tuple[Qualifier, Phrase]]]:
    out: dict[str, list[tuple[Qualifier, Phrase]]] = {}
    for kind, keys in found:
        out.setdefault(keys[0], []).append((kind, keys))
    return out


def check_field(fname: str) -> None:
    if fname not in FIELD_VALUES:
        raise ValueError(f"lexicon: unknown field {fname!r}")


def check_value(fname: str, value: str) -> None:
    if value not in FIELD_VALUES[fname]:
        raise ValueError(f"lexicon: {value!r} is not a code of {fname}")


def compile_durations(d: Mapping[str, Any]) -> DurationWords:
    units = {canon(normalize(word)): (float(days), str(family)) for word, (days, family) in d["units"].items()}
    qualifiers_before = qualifiers(d["qualifiers_before"], "qualifiers_before")
    vague = keyed(d["vague"], "vague")
    intro_to = word_set(d["range_intro_to"], "range_intro_to")
    intro_and = word_set(d["range_intro_and"], "range_intro_and")
    starts = {k[0] for _, k in qualifiers_before} | {k[0] for k in vague} | intro_to | intro_and
    return DurationWords(
        units=units,
        half=keyed(d["half"], "half"),
        vague=vague,
        intro_to=intro_to,
        intro_and=intro_and,
        intro_to_separators=word_set(d["range_intro_to_separators"], "range_intro_to_separators"),
        range_separators=word_set(d["range_separators"], "range_separators"),
        range_gap_chars=set(str(d["range_gap_chars"])),
        qualifiers_before=qualifiers_before,
        qualifiers_before_at=by_first_key(qualifiers_before),
        qualifiers_after_at=by_first_key(qualifiers(d["qualifiers_after"], "qualifiers_after")),
        allowed_before=word_set(d["allowed_before"], "allowed_before"),
        past_before=keyed(d["past_before"], "past_before"),
        exclude_before=keyed(d["exclude_before"], "exclude_before"),
        exclude_after=keyed(d["exclude_after"], "exclude_after"),
        starts=frozenset(starts),
    )


def compile_sizes(d: Mapping[str, Any]) -> SizeWords:
    def fractions(raw: Mapping[str, Any]) -> dict[str, float]:
        return {canon(normalize(word)): float(Fraction(str(value))) for word, value in raw.items()}

    return SizeWords(
        units=fractions(d["units"]),
        wholes=fractions(d["wholes"]),
        articles=word_set(d["articles"], "lesion_size_quantities.articles"),
        denominators=frozenset(str(int(v)) for v in d["denominators"]),
        percent=keyed(d["percent"], "lesion_size_quantities.percent"),
        exclude_before=keyed(d["exclude_before"], "lesion_size_quantities.exclude_before"),
    )


def compile_abbreviations(raw: Mapping[str, str]) -> dict[str, str]:
    """Matching form of an abbreviation -> matching form of its full word."""
    return {canon(normalize(short)): canon(normalize(full)) for short, full in raw.items()}


def compile_scores(d: Mapping[str, Any], durations: DurationWords) -> ScoreWords:
    return ScoreWords(
        joiners=keyed(d["joiners"], "performance_status.joiners"),
        qualifiers=[p for _, p in durations.qualifiers_before],
        range_words=word_set(d["range_words"], "performance_status.range_words"),
        maximum=int(d["maximum"]),
    )


def compile_answers(answers: Mapping[str, Any]) -> AnswerWords:
    whole: dict[Phrase, str] = {}
    for value, key in ((TRUE, "whole_yes"), (FALSE, "whole_no")):
        for phrase in keyed(answers[key], f"answers.{key}"):
            whole[phrase] = value
    fields: dict[str, dict[str, list[str]]] = {}
    for fname, values in answers["fields"].items():
        check_field(fname)
        for value, phrases in values.items():
            check_value(fname, value)
            as_phrases(phrases, f"answers.fields.{fname}.{value}")
        fields[fname] = values
    return AnswerWords(
        yes=as_phrases(answers["yes"], "answers.yes"),
        no=as_phrases(answers["no"], "answers.no"),
        yes_no=[(k, TRUE) for k in keyed(answers["yes"], "answers.yes")]
        + [(k, FALSE) for k in keyed(answers["no"], "answers.no")],
        dont_know=as_phrases(answers["dont_know"], "answers.dont_know"),
        whole=whole,
        fields=fields,
    )
