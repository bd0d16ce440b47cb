"""The compiled vocabulary: ``lexicon.yml`` as entries the analysis can match.

Each phrase of the file becomes an ``Entry``: its matching keys, the role it
plays (a value, a cue, a negation…) and, for values, the contract field and
code it carries. Every field and code is checked against the contract on load,
so a typo in the file fails at start-up rather than in a consultation.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from .fields import BOOLEAN_FIELDS, FALSE, FIELD_VALUES, TRUE, UNKNOWN
from .spelling import Speller
from .tokens import Token, Tokenized, canon, expand, expanded_keys, normalize, phrase_keys, scan

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")


class Role(Enum):
    """What a matched phrase does in a message."""

    FACT = "fact"                  # states a value
    CUED = "cued"                  # states a value only near a cue of its field ("légère" after "douleur")
    CUE = "cue"                    # announces a field's value ("douleur", "espérance de vie")
    NAME = "name"                  # names a field ("l'espérance de vie")
    NEG = "neg"                    # negates what follows ("pas de")
    NEG_AFTER = "neg_after"        # negates what precedes ("atteinte articulaire : non")
    HEDGE = "hedge"                # makes what follows uncertain ("suspicion de")
    HEDGE_AFTER = "hedge_after"    # makes what precedes uncertain ("à confirmer")
    HEDGE_CLAUSE = "hedge_clause"  # puts its clause in the past or on the other side
    QUESTION = "question"          # opens a yes/no question ("est-ce que")
    BREAK = "break"                # ends the reach of negations and cues ("mais")
    IGNORE = "ignore"              # consumed with no fact ("nerf radial")
    REF = "ref"                    # announces a reference number
    UPGRADE = "upgrade"            # turns an earlier value into another ("étendu au massif trochantérien")
    CHANGE = "change"              # asks to change an answer ("modifier")
    CONTEXT = "context"            # a value that holds for one bone only

    # Members are singletons: hash them by identity, in C (Enum's own __hash__
    # hashes the name in Python, and roles are looked up in sets for every phrase).
    __hash__ = object.__hash__


VALUE_ROLES = (Role.FACT, Role.CUED, Role.CONTEXT)


class Qualifier(Enum):
    """What a word before or after a quantity says of it."""

    LT = "lt"          # "moins de"
    LE = "le"          # "au plus"
    GT = "gt"          # "plus de"
    GE = "ge"          # "au moins"
    APPROX = "approx"  # "environ"


@dataclass(frozen=True)
class Entry:
    """One phrase variant of the lexicon."""

    keys: tuple[str, ...]
    emit_start: int          # the words carrying the value: keys[emit_start:emit_end]
    emit_end: int
    role: Role
    field: str = ""
    value: str = ""
    strict: bool = False     # NEG_AFTER that counts only at the end of a clause
    upgrade_from: str = ""   # UPGRADE: the earlier value it turns into `value`
    fallback: str = ""       # UPGRADE: its value when there is none
    bone: str = ""           # CONTEXT: the value holds only when this is the message's bone


# Entries by first key: (one-word entries, longer entries by their second key).
Index = dict[str, tuple[list[Entry], dict[str, list[Entry]]]]
Phrase = tuple[str, ...]
# bone -> (field, value) -> (field, value) it means on that bone
BoneConversions = dict[str, dict[tuple[str, str], tuple[str, str]]]


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
            for name, kind in kinds.items()}
        return cls(**values)


@dataclass(frozen=True)
class DurationWords:
    """Words of durations (``life_expectancy_durations``)."""

    units: dict[str, tuple[float, str]]   # matching key -> (days, unit family)
    half: list[Phrase]
    vague: list[Phrase]
    intro_to: set[str]
    intro_and: set[str]
    intro_to_separators: set[str]
    range_separators: set[str]
    range_gap_chars: set[str]
    qualifiers_before: list[tuple[Qualifier, Phrase]]
    qualifiers_after_at: dict[str, list[tuple[Qualifier, Phrase]]]   # by first key
    qualifiers_before_at: dict[str, list[tuple[Qualifier, Phrase]]]  # by first key
    allowed_before: set[str]
    past_before: list[Phrase]
    exclude_before: list[Phrase]
    exclude_after: list[Phrase]
    starts: frozenset[str]   # first keys of the words that may open a duration


@dataclass(frozen=True)
class SizeWords:
    """Words of a part of the diameter (``lesion_size_quantities``)."""

    units: dict[str, float]     # "tiers" -> 1/3: "deux tiers"
    wholes: dict[str, float]    # "moitie" -> 1/2: "la moitié"
    articles: set[str]          # may stand before a whole ("la moitié")
    denominators: frozenset[str]
    percent: list[Phrase]
    exclude_before: list[Phrase]


@dataclass(frozen=True)
class AnswerWords:
    """Words that make sense only as an answer to a question (``answers``)."""

    yes: list[str]
    no: list[str]
    dont_know: list[str]
    whole: dict[Phrase, str]                   # yes/no words only when they are the whole answer ("o", "n")
    fields: dict[str, dict[str, list[str]]]    # field -> value -> phrases


def _as_phrases(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"lexicon: {where} must be a list of strings, got {value!r}")
    return value


def _word_set(value: Any, where: str) -> set[str]:
    """Matching forms of every word of a list of phrases."""
    return {k for p in _as_phrases(value, where) for v in expand(p) for k in phrase_keys(v)}


def _keys(value: Any, where: str) -> list[Phrase]:
    return expanded_keys(_as_phrases(value, where))


def _qualifiers(raw: Mapping[str, Any], where: str) -> list[tuple[Qualifier, Phrase]]:
    return [(Qualifier(kind), keys) for kind, phrases in raw.items() for keys in _keys(phrases, f"{where}.{kind}")]


def _by_first_key(qualifiers: list[tuple[Qualifier, Phrase]]) -> dict[str, list[tuple[Qualifier, Phrase]]]:
    out: dict[str, list[tuple[Qualifier, Phrase]]] = {}
    for kind, keys in qualifiers:
        out.setdefault(keys[0], []).append((kind, keys))
    return out


def _check_field(fname: str) -> None:
    if fname not in FIELD_VALUES:
        raise ValueError(f"lexicon: unknown field {fname!r}")


def _check_value(fname: str, value: str) -> None:
    if value not in FIELD_VALUES[fname]:
        raise ValueError(f"lexicon: {value!r} is not a code of {fname}")


def _entries(phrase: str, role: Role, fname: str = "", value: str = "") -> list[Entry]:
    """The entries of a phrase: one per variant, with its "[...]" emitted part."""
    out = []
    for variant in expand(phrase):
        if "[" in variant:
            before, rest = variant.split("[", 1)
            inside, after = rest.split("]", 1)
        else:
            before, inside, after = "", variant, ""
        head, body, tail = phrase_keys(before), phrase_keys(inside), phrase_keys(after)
        if not body:
            raise ValueError(f"lexicon: empty phrase {phrase!r}")
        out.append(Entry(head + body + tail, len(head), len(head) + len(body), role, fname, value))
    return out


def _all_entries(phrases: Any, where: str, role: Role, fname: str = "", value: str = "") -> list[Entry]:
    return [e for p in _as_phrases(phrases, where) for e in _entries(p, role, fname, value)]


def _check_conflicts(entries: Iterable[Entry]) -> None:
    """No phrase may state two different values."""
    seen: dict[tuple[Any, ...], tuple[str, str]] = {}
    for e in entries:
        if e.role not in (Role.FACT, Role.CUED):
            continue
        ident = (e.role, e.keys, e.emit_start, e.emit_end) + ((e.field,) if e.role is Role.CUED else ())
        previous = seen.setdefault(ident, (e.field, e.value))
        if previous != (e.field, e.value):
            raise ValueError(f"lexicon: {' '.join(e.keys)!r} means both {previous} and {(e.field, e.value)}")


def _index(entries: Iterable[Entry]) -> Index:
    """Entries by first word, then (for longer phrases) by second word."""
    index: Index = {}
    for e in dict.fromkeys(entries):  # drop duplicates, keep order
        singles, by_second = index.setdefault(e.keys[0], ([], {}))
        if len(e.keys) == 1:
            singles.append(e)
        else:
            by_second.setdefault(e.keys[1], []).append(e)
    return index


class Lexicon:
    """Compiled lexicon.yml: one ``_compile_<section>`` method per section."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.tuning = Tuning.from_yaml(raw["tuning"])
        grammar, negation, hedges = raw["grammar"], raw["negation"], raw["hedges"]
        self.skip = frozenset(_word_set(grammar["skip_words"], "skip_words"))
        self.alone_fillers = frozenset(_word_set(grammar["alone_fillers"], "alone_fillers"))
        self.complement_words = _word_set(negation["complement_words"], "complement_words")
        self.clause_exempt = set(_as_phrases(hedges["clause_exempt"], "clause_exempt"))
        reference = raw["reference"]
        self.ref_fillers = _word_set(reference["fillers"], "reference.fillers")
        self.ref_range = (int(reference["min"]), int(reference["max"]))

        context_entries, self.bone_conversions = self._compile_bone_context(raw["bone_context"])
        self.base_entries: list[Entry] = [
            *self._compile_grammar(grammar, negation, hedges, raw["ignore"], raw["change_cues"]),
            *context_entries,
            *self._compile_upgrades(raw["upgrades"]),
            *_all_entries(reference["cues"], "reference.cues", Role.REF),
            *self._compile_field_names(raw["field_names"]),
            *self._compile_entities(raw["entities"]),
        ]
        _check_conflicts(self.base_entries)
        self.base_index = _index(self.base_entries)
        self.durations = self._compile_durations(raw["life_expectancy_durations"])
        self.sizes = self._compile_sizes(raw["lesion_size_quantities"])
        self.answers = self._compile_answers(raw["answers"])
        self.speller = self._compile_speller(raw["fuzzy"])
        # Entries to match in a message, by the field it answers (None: no question pending).
        self.index_for: Callable[[str | None], Index] = functools.lru_cache(maxsize=None)(self._index_for)

    # -- sections

    @staticmethod
    def _compile_grammar(grammar: Mapping[str, Any], negation: Mapping[str, Any], hedges: Mapping[str, Any],
                         ignore: Any, change_cues: Any) -> list[Entry]:
        strict = set(_keys(negation["after_strict"], "after_strict"))
        neg_after = [dataclasses.replace(e, strict=e.keys in strict)
                     for e in _all_entries(negation["after"], "negation.after", Role.NEG_AFTER)]
        return [
            *_all_entries(grammar["breakers"], "breakers", Role.BREAK),
            *_all_entries(negation["before"], "negation.before", Role.NEG),
            *neg_after,
            *_all_entries(hedges["before"], "hedges.before", Role.HEDGE),
            *_all_entries(hedges["after"], "hedges.after", Role.HEDGE_AFTER),
            *_all_entries(hedges["clause"], "hedges.clause", Role.HEDGE_CLAUSE),
            *_all_entries(hedges["question"], "hedges.question", Role.QUESTION),
            *_all_entries(ignore, "ignore", Role.IGNORE),
            *_all_entries(change_cues, "change_cues", Role.CHANGE),
        ]

    @staticmethod
    def _compile_bone_context(rules: Iterable[Mapping[str, Any]]) -> tuple[list[Entry], BoneConversions]:
        """Phrases that hold for one bone, and the facts read differently on it."""
        out: list[Entry] = []
        by_bone: BoneConversions = {}
        for rule in rules:
            bone = rule["bone"]
            _check_value("bone", bone)
            conversions = by_bone.setdefault(bone, {})
            for conversion in rule.get("convert", []):
                (f1, v1), (f2, v2) = conversion["from"], conversion["to"]
                for fname, value in ((f1, v1), (f2, v2)):
                    _check_field(fname)
                    _check_value(fname, value)
                conversions[(f1, v1)] = (f2, v2)
            for fname, values in (rule.get("phrases") or {}).items():
                _check_field(fname)
                for value, phrases in values.items():
                    _check_value(fname, value)
                    where = f"bone_context.{fname}.{value}"
                    out.extend(dataclasses.replace(e, bone=bone)
                               for e in _all_entries(phrases, where, Role.CONTEXT, fname, value))
        return out, by_bone

    @staticmethod
    def _compile_upgrades(rules: Iterable[Mapping[str, Any]]) -> list[Entry]:
        out: list[Entry] = []
        for rule in rules:
            fname = rule["field"]
            _check_field(fname)
            for value in (rule["from"], rule["to"], rule["fallback"]):
                _check_value(fname, value)
            out.extend(dataclasses.replace(e, upgrade_from=rule["from"], fallback=rule["fallback"])
                       for e in _all_entries(rule["phrases"], "upgrades.phrases", Role.UPGRADE, fname, rule["to"]))
        return out

    @staticmethod
    def _compile_field_names(field_names: Mapping[str, Any]) -> list[Entry]:
        out: list[Entry] = []
        for fname, phrases in field_names.items():
            _check_field(fname)
            out.extend(_all_entries(phrases, f"field_names.{fname}", Role.NAME, fname))
        return out

    @staticmethod
    def _compile_entities(entities: Mapping[str, Any]) -> list[Entry]:
        out: list[Entry] = []
        for fname, spec in entities.items():
            _check_field(fname)
            out.extend(_all_entries(spec.get("cues", []), f"{fname}.cues", Role.CUE, fname))
            for role, key in ((Role.FACT, "phrases"), (Role.CUED, "cued")):
                for value, phrases in (spec.get(key) or {}).items():
                    _check_value(fname, value)
                    out.extend(_all_entries(phrases, f"{fname}.{key}.{value}", role, fname, value))
        return out

    @staticmethod
    def _compile_durations(d: Mapping[str, Any]) -> DurationWords:
        units = {canon(normalize(word)): (float(days), str(family)) for word, (days, family) in d["units"].items()}
        qualifiers_before = _qualifiers(d["qualifiers_before"], "qualifiers_before")
        vague = _keys(d["vague"], "vague")
        intro_to = _word_set(d["range_intro_to"], "range_intro_to")
        intro_and = _word_set(d["range_intro_and"], "range_intro_and")
        starts = {k[0] for _, k in qualifiers_before} | {k[0] for k in vague} | intro_to | intro_and
        return DurationWords(
            units=units,
            half=_keys(d["half"], "half"),
            vague=vague,
            intro_to=intro_to,
            intro_and=intro_and,
            intro_to_separators=_word_set(d["range_intro_to_separators"], "range_intro_to_separators"),
            range_separators=_word_set(d["range_separators"], "range_separators"),
            range_gap_chars=set(str(d["range_gap_chars"])),
            qualifiers_before=qualifiers_before,
            qualifiers_before_at=_by_first_key(qualifiers_before),
            qualifiers_after_at=_by_first_key(_qualifiers(d["qualifiers_after"], "qualifiers_after")),
            allowed_before=_word_set(d["allowed_before"], "allowed_before"),
            past_before=_keys(d["past_before"], "past_before"),
            exclude_before=_keys(d["exclude_before"], "exclude_before"),
            exclude_after=_keys(d["exclude_after"], "exclude_after"),
            starts=frozenset(starts),
        )

    @staticmethod
    def _compile_sizes(d: Mapping[str, Any]) -> SizeWords:
        def fractions(raw: Mapping[str, Any]) -> dict[str, float]:
            return {canon(normalize(word)): float(Fraction(str(value))) for word, value in raw.items()}

        return SizeWords(
            units=fractions(d["units"]),
            wholes=fractions(d["wholes"]),
            articles=_word_set(d["articles"], "lesion_size_quantities.articles"),
            denominators=frozenset(str(int(v)) for v in d["denominators"]),
            percent=_keys(d["percent"], "lesion_size_quantities.percent"),
            exclude_before=_keys(d["exclude_before"], "lesion_size_quantities.exclude_before"),
        )

    @staticmethod
    def _compile_answers(answers: Mapping[str, Any]) -> AnswerWords:
        whole: dict[Phrase, str] = {}
        for value, key in ((TRUE, "whole_yes"), (FALSE, "whole_no")):
            for keys in _keys(answers[key], f"answers.{key}"):
                whole[keys] = value
        fields: dict[str, dict[str, list[str]]] = {}
        for fname, values in answers["fields"].items():
            _check_field(fname)
            for value, phrases in values.items():
                _check_value(fname, value)
                _as_phrases(phrases, f"answers.fields.{fname}.{value}")
            fields[fname] = values
        return AnswerWords(
            yes=_as_phrases(answers["yes"], "answers.yes"),
            no=_as_phrases(answers["no"], "answers.no"),
            dont_know=_as_phrases(answers["dont_know"], "answers.dont_know"),
            whole=whole,
            fields=fields,
        )

    def _compile_speller(self, fuzzy: Mapping[str, Any]) -> Speller:
        """A word of the lexicon is never corrected; a misspelt word may become a
        word of a value or cue phrase (not of the grammar, change or answer
        phrases), unless that word is common French."""
        vocab: set[str] = set(self.durations.units)
        targets: set[str] = set(self.durations.units)
        for entry in self.base_entries:
            vocab.update(entry.keys)
            if entry.role in (Role.FACT, Role.CUED, Role.CONTEXT, Role.UPGRADE, Role.CUE):
                targets.update(entry.keys)
        for fname in FIELD_VALUES:
            for entry in self.answer_entries(fname):
                vocab.update(entry.keys)
        protected = {canon(normalize(w)) for w in _as_phrases(fuzzy["protected"], "protected")}
        not_targets = {canon(normalize(w)) for w in _as_phrases(fuzzy["not_targets"], "not_targets")}
        return Speller(frozenset(vocab), targets - not_targets, frozenset(protected),
                       self.tuning.fuzzy_min_length, self.tuning.fuzzy_cutoff)

    # -- use

    def answer_entries(self, fname: str) -> list[Entry]:
        """Phrases that make sense only as an answer to the question about ``fname``."""
        out: list[Entry] = []
        for value, phrases in self.answers.fields.get(fname, {}).items():
            for p in phrases:
                out.extend(_entries(p, Role.FACT, fname, value))
        if fname in BOOLEAN_FIELDS:
            out.extend(e for p in self.answers.yes for e in _entries(p, Role.FACT, fname, TRUE))
            out.extend(e for p in self.answers.no for e in _entries(p, Role.FACT, fname, FALSE))
        # « pas sûr » says there is a doubt when the question is about one: the
        # field's own reading of a phrase wins over « I don't know ».
        own = {e.keys for e in out}
        out.extend(e for p in self.answers.dont_know for e in _entries(p, Role.FACT, fname, UNKNOWN)
                   if e.keys not in own)
        return out

    def _index_for(self, answer_field: str | None) -> Index:
        """Entries to match in a message: the base ones, plus, in an answer to the
        question about ``answer_field``, its answer phrases and its cued values as facts."""
        if answer_field is None:
            return self.base_index
        return _index(self.answer_entries(answer_field) + [
            Entry(e.keys, e.emit_start, e.emit_end, Role.FACT, e.field, e.value)
            if e.role is Role.CUED and e.field == answer_field else e
            for e in self.base_entries])

    def tokenize(self, text: str) -> list[Token]:
        """Tokens of ``text``, words keyed by their typo-corrected matching form."""
        return scan(text, self.speller.key)

    def read(self, text: str) -> Tokenized:
        return Tokenized(text, self.tokenize(text), self.skip, self.alone_fillers)


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon, compiled once per process."""
    with LEXICON_PATH.open(encoding="utf-8") as handle:
        return Lexicon(yaml.safe_load(handle))
