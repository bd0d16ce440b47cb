"""The compiled vocabulary: ``lexicon.yml`` as entries the analysis can match.

Each phrase of the file becomes an ``Entry``: its matching keys, the role it
plays (a value, a cue, a negation…) and, for values, the contract field and
code it carries. Every field and code is checked against the contract on load,
so a typo in the file fails at start-up rather than in a consultation.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from decision import knowledge

from .fields import BOOLEAN_FIELDS, FALSE, FIELD_VALUES, TRUE, UNKNOWN
from .spelling import Speller
from .tokens import ANY_NUMBER, Token, Tokenized, canon, expand, normalize, phrase_keys, scan, words_in
from .wordlists import (
    Phrase,
    Tuning,
    as_phrases,
    check_field,
    check_value,
    compile_abbreviations,
    compile_answers,
    compile_durations,
    compile_scores,
    compile_sizes,
    keyed,
    word_set,
)

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")


class Role(Enum):
    """What a matched phrase does in a message."""

    FACT = "fact"  # states a value
    CUED = "cued"  # states a value only near a cue of its field ("légère" after "douleur")
    CUE = "cue"  # announces a field's value ("douleur", "espérance de vie")
    NAME = "name"  # names a field ("l'espérance de vie")
    NEG = "neg"  # negates what follows ("pas de")
    NEG_AFTER = "neg_after"  # negates what precedes ("atteinte articulaire : non")
    HEDGE = "hedge"  # makes what follows uncertain ("suspicion de")
    HEDGE_AFTER = "hedge_after"  # makes what precedes uncertain ("à confirmer")
    HEDGE_CLAUSE = "hedge_clause"  # puts its clause in the past or on the other side
    QUESTION = "question"  # opens a yes/no question ("est-ce que")
    QUESTION_OPEN = "question_open"  # opens a question or a hypothesis, "?" or not ("pourquoi", "et si")
    BREAK = "break"  # ends the reach of negations and cues ("mais")
    NEG_END = "neg_end"  # ends the reach of negations only ("c'est", "pardon")
    IGNORE = "ignore"  # consumed with no fact ("nerf radial")
    REF = "ref"  # announces a reference number
    UPGRADE = "upgrade"  # turns an earlier value into another ("étendu au massif trochantérien")
    CHANGE = "change"  # asks to change an answer ("modifier")
    CONTEXT = "context"  # a value that holds for one bone only
    ELSEWHERE = "elsewhere"  # another site than the lesion's, after its field's value ("RT [encéphalique]")

    # Members are singletons: hash them by identity, in C (Enum's own __hash__
    # hashes the name in Python, and roles are looked up in sets for every phrase).
    __hash__ = object.__hash__


VALUE_ROLES = (Role.FACT, Role.CUED, Role.CONTEXT)


@dataclass(frozen=True)
class Entry:
    """One phrase variant of the lexicon."""

    keys: tuple[str, ...]
    emit_start: int  # the words carrying the value: keys[emit_start:emit_end]
    emit_end: int
    role: Role
    field: str = ""
    value: str = ""
    strict: bool = False  # NEG_AFTER that counts only at the end of a clause
    upgrade_from: str = ""  # UPGRADE: the earlier value it turns into `value`
    fallback: str = ""  # UPGRADE: its value when there is none
    bone: str = ""  # CONTEXT: the value holds only when this is the message's bone
    any_number: bool = False  # a key is "#", which matches any number

    def matches(self, msg: Tokenized, i: int) -> bool:
        """Whether the phrase is at token i."""
        found = msg.keys[i : i + len(self.keys)]
        if not self.any_number:
            return tuple(found) == self.keys
        return len(found) == len(self.keys) and all(
            k == key or (k == ANY_NUMBER and token.is_number)
            for k, key, token in zip(self.keys, found, msg.tokens[i : i + len(self.keys)], strict=True)
        )


@dataclass(frozen=True)
class Combination:
    """Two or more of ``values`` of ``field`` in one message mean ``means`` (lytic + blastic: mixed)."""

    field: str
    values: frozenset[str]
    means: str


# Entries by first key: (one-word entries, longer entries by their second key).
Index = dict[str, tuple[list[Entry], dict[str, list[Entry]]]]
# bone -> (field, value) -> (field, value) it means on that bone
BoneConversions = dict[str, dict[tuple[str, str], tuple[str, str]]]


@functools.cache
def _variants(phrase: str) -> tuple[tuple[Phrase, int, int], ...]:
    """(keys, emit start, emit end) of every variant of a phrase: its "[...]" part is emitted.
    Cached: the answer phrases (« je ne sais pas »…) serve every field."""
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
        out.append((head + body + tail, len(head), len(head) + len(body)))
    return tuple(dict.fromkeys(out))  # "soulagee|soulagees" are one key: a plural's s is dropped


def _entries(phrase: str, role: Role, fname: str = "", value: str = "") -> list[Entry]:
    """The entries of a phrase, one per variant."""
    return [
        Entry(keys, start, end, role, fname, value, any_number=ANY_NUMBER in keys)
        for keys, start, end in _variants(phrase)
    ]


def _all_entries(phrases: Any, where: str, role: Role, fname: str = "", value: str = "") -> list[Entry]:
    return [e for p in as_phrases(phrases, where) for e in _entries(p, role, fname, value)]


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
        self.skip = frozenset(word_set(grammar["skip_words"], "skip_words"))
        self.alone_fillers = frozenset(word_set(grammar["alone_fillers"], "alone_fillers"))
        self.complement_words = word_set(negation["complement_words"], "complement_words")
        self.clause_exempt = set(as_phrases(hedges["clause_exempt"], "clause_exempt"))
        self.clause_fallback = set(as_phrases(hedges["clause_fallback"], "clause_fallback"))
        reference = raw["reference"]
        self.ref_fillers = word_set(reference["fillers"], "reference.fillers")
        # Numbers of the chapter's bibliography: 1 to its size, read from the bibliography itself.
        numbers = sorted(knowledge.references())
        self.ref_range = (numbers[0], numbers[-1])

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
        self.durations = compile_durations(raw["life_expectancy_durations"])
        self.sizes = compile_sizes(raw["lesion_size_quantities"])
        self.scores = compile_scores(raw["performance_status"], self.durations)
        self.answers = compile_answers(raw["answers"])
        self.dont_know_keys = keyed(raw["answers"]["dont_know"], "answers.dont_know")
        self.write_down_keys = keyed(raw["answers"]["write_down"], "answers.write_down")
        self.unsure_keys = keyed(raw["answers"]["unsure"], "answers.unsure")
        self.unsure_opener_keys = keyed(raw["answers"]["unsure_openers"], "answers.unsure_openers")
        self.dont_know_tail_keys = keyed(raw["answers"]["dont_know_tail"], "answers.dont_know_tail")
        self.combined = self._compile_combined(raw["combined"]["rules"])
        self.alternatives = frozenset(word_set(raw["combined"]["alternatives"], "combined.alternatives"))
        self.speller = self._compile_speller(raw["fuzzy"], compile_abbreviations(raw["abbreviations"]))
        # Entries to match in a message, by the field it answers (None: no question pending).
        self.index_for: Callable[[str | None, bool], Index] = functools.lru_cache(maxsize=None)(self._index_for)

    # -- sections

    @staticmethod
    def _compile_grammar(
        grammar: Mapping[str, Any],
        negation: Mapping[str, Any],
        hedges: Mapping[str, Any],
        ignore: Any,
        change_cues: Any,
    ) -> list[Entry]:
        strict = set(keyed(negation["after_strict"], "after_strict"))
        neg_after = [
            dataclasses.replace(e, strict=e.keys in strict)
            for e in _all_entries(negation["after"], "negation.after", Role.NEG_AFTER)
        ]
        return [
            *_all_entries(grammar["breakers"], "breakers", Role.BREAK),
            *_all_entries(negation["before"], "negation.before", Role.NEG),
            *_all_entries(negation["enders"], "negation.enders", Role.NEG_END),
            *neg_after,
            *_all_entries(hedges["before"], "hedges.before", Role.HEDGE),
            *_all_entries(hedges["after"], "hedges.after", Role.HEDGE_AFTER),
            *_all_entries(hedges["clause"], "hedges.clause", Role.HEDGE_CLAUSE),
            *_all_entries(hedges["question"], "hedges.question", Role.QUESTION),
            *_all_entries(hedges["question_open"], "hedges.question_open", Role.QUESTION_OPEN),
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
            check_value("bone", bone)
            conversions = by_bone.setdefault(bone, {})
            for conversion in rule.get("convert", []):
                (f1, v1), (f2, v2) = conversion["from"], conversion["to"]
                for fname, value in ((f1, v1), (f2, v2)):
                    check_field(fname)
                    check_value(fname, value)
                conversions[(f1, v1)] = (f2, v2)
            for fname, values in (rule.get("phrases") or {}).items():
                check_field(fname)
                for value, phrases in values.items():
                    check_value(fname, value)
                    where = f"bone_context.{fname}.{value}"
                    out.extend(
                        dataclasses.replace(e, bone=bone)
                        for e in _all_entries(phrases, where, Role.CONTEXT, fname, value)
                    )
        return out, by_bone

    @staticmethod
    def _compile_upgrades(rules: Iterable[Mapping[str, Any]]) -> list[Entry]:
        out: list[Entry] = []
        for rule in rules:
            fname = rule["field"]
            check_field(fname)
            for value in (rule["from"], rule["to"], rule["fallback"]):
                check_value(fname, value)
            out.extend(
                dataclasses.replace(e, upgrade_from=rule["from"], fallback=rule["fallback"])
                for e in _all_entries(rule["phrases"], "upgrades.phrases", Role.UPGRADE, fname, rule["to"])
            )
        return out

    @staticmethod
    def _compile_combined(rules: Iterable[Mapping[str, Any]]) -> list[Combination]:
        out = []
        for rule in rules:
            fname = rule["field"]
            check_field(fname)
            for value in (*rule["values"], rule["means"]):
                check_value(fname, value)
            out.append(Combination(fname, frozenset(rule["values"]), rule["means"]))
        return out

    @staticmethod
    def _compile_field_names(field_names: Mapping[str, Any]) -> list[Entry]:
        out: list[Entry] = []
        for fname, phrases in field_names.items():
            check_field(fname)
            out.extend(_all_entries(phrases, f"field_names.{fname}", Role.NAME, fname))
        return out

    @staticmethod
    def _compile_entities(entities: Mapping[str, Any]) -> list[Entry]:
        out: list[Entry] = []
        for fname, spec in entities.items():
            check_field(fname)
            out.extend(_all_entries(spec.get("cues", []), f"{fname}.cues", Role.CUE, fname))
            out.extend(_all_entries(spec.get("elsewhere", []), f"{fname}.elsewhere", Role.ELSEWHERE, fname))
            for role, key in ((Role.FACT, "phrases"), (Role.CUED, "cued")):
                for value, phrases in (spec.get(key) or {}).items():
                    check_value(fname, value)
                    out.extend(_all_entries(phrases, f"{fname}.{key}.{value}", role, fname, value))
        return out

    def _compile_speller(self, fuzzy: Mapping[str, Any], abbreviations: dict[str, str]) -> Speller:
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
        protected = {canon(normalize(w)) for w in as_phrases(fuzzy["protected"], "protected")}
        not_targets = {canon(normalize(w)) for w in as_phrases(fuzzy["not_targets"], "not_targets")}
        written_short = vocab & set(abbreviations)
        if written_short:
            raise ValueError(f"lexicon: write {sorted(written_short)} in full in the phrases (see abbreviations)")
        return Speller(
            frozenset(vocab),
            targets - not_targets,
            frozenset(protected),
            self.tuning.fuzzy_min_length,
            self.tuning.fuzzy_cutoff,
            abbreviations,
        )

    # -- use

    def answer_entries(self, fname: str, generic: bool = True) -> list[Entry]:
        """Phrases that make sense only as an answer to the question about ``fname``:
        its own (« le pilon » for the bone) and, if ``generic``, the yes, no and
        « je ne sais pas » that answer any question."""
        out: list[Entry] = []
        for value, phrases in self.answers.fields.get(fname, {}).items():
            for p in phrases:
                out.extend(_entries(p, Role.FACT, fname, value))
        if not generic:
            return out
        if fname in BOOLEAN_FIELDS:
            out.extend(e for p in self.answers.yes for e in _entries(p, Role.FACT, fname, TRUE))
            out.extend(e for p in self.answers.no for e in _entries(p, Role.FACT, fname, FALSE))
        # « pas sûr » says there is a doubt when the question is about one: the
        # field's own reading of a phrase wins over « I don't know ».
        own = {e.keys for e in out}
        out.extend(
            e for p in self.answers.dont_know for e in _entries(p, Role.FACT, fname, UNKNOWN) if e.keys not in own
        )
        return out

    def _index_for(self, answer_field: str | None, generic: bool = True) -> Index:
        """Entries to match in a message: the base ones, plus, in an answer to the
        question about ``answer_field``, its answer phrases (``generic``: with the
        yes, no and « je ne sais pas ») and its cued values as facts."""
        if answer_field is None:
            return self.base_index
        return _index(
            self.answer_entries(answer_field, generic)
            + [
                dataclasses.replace(e, role=Role.FACT) if e.role is Role.CUED and e.field == answer_field else e
                for e in self.base_entries
            ]
        )

    def tokenize(self, text: str) -> list[Token]:
        """Tokens of ``text``, words keyed by their typo-corrected matching form."""
        return scan(text, self.speller.key)

    def read(self, text: str) -> Tokenized:
        return Tokenized(text, self.tokenize(text), self.skip, self.alone_fillers)


@functools.lru_cache(maxsize=1)
def words() -> frozenset[str]:
    """Every word of lexicon.yml, its keys included, as written: the words the
    parser reads (the privacy screen never takes them for a name)."""
    with LEXICON_PATH.open(encoding="utf-8") as handle:
        return words_in(yaml.safe_load(handle))


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon, compiled once per process."""
    with LEXICON_PATH.open(encoding="utf-8") as handle:
        return Lexicon(yaml.safe_load(handle))
