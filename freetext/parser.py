"""Extraction of case facts from French clinical free text.

Pure Python (stdlib, PyYAML, text2num): no Rasa, no spaCy. Every French word
lives in ``lexicon.yml``; the codes are those of
``../shared/spec/decision-contract.md`` and the entity rules those of
``docs/nlu-conventions.md``.

Two entry points:

- ``extract_facts(text)`` reads a message without context and returns every
  fact it states, with character spans into the original text;
- ``interpret_answer(text, field)`` reads a short answer to the question about
  ``field`` ("4 mois", "la moitié", "oui") and returns one code or ``None``.

The parser is conservative: a negated, hedged, ambiguous or contradictory
statement gives nothing rather than a guess.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

import yaml
from text_to_num import text2num

from decision.contract import BOOLEAN as CONTRACT_BOOLEAN
from decision.contract import FIELDS as CONTRACT_FIELDS
from decision.contract import SITES_BY_BONE as CONTRACT_SITES

__all__ = ["Fact", "FIELD_VALUES", "extract_facts", "interpret_answer"]

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")

_BOOL = ("true", "false")

# Fields and codes of the decision contract (entity values are strings:
# booleans as "true" / "false"), and the sites allowed per bone: taken from
# the decision module, the contract's single definition.
FIELD_VALUES: dict[str, tuple[str, ...]] = {
    name: _BOOL if values == CONTRACT_BOOLEAN else tuple(values) for name, values in CONTRACT_FIELDS.items()
}
BOOLEAN_FIELDS = frozenset(f for f, v in FIELD_VALUES.items() if v == _BOOL)
SITES_BY_BONE: dict[str, frozenset[str]] = {bone: frozenset(sites) for bone, sites in CONTRACT_SITES.items()}

FIELD_ENTITY = "field"
REFERENCE_ENTITY = "reference_number"
UNKNOWN = "unknown"

# Life-expectancy classes (conventions): bounds in days, whether a value equal
# to the bound belongs to the upper class, and the unit family in which the
# bound is exact (6 weeks for days/weeks, 6 and 12 months for months/years).
_LE_CLASSES = ("lt_6_weeks", "6_weeks_to_6_months", "6_to_12_months", "gt_12_months")
_LE_BOUNDS = ((42.0, True, "short"), (182.625, True, "long"), (365.25, False, "long"))
# Lesion size (Mirels): fraction of the diameter; "1/3-2/3" is the middle class.
_SIZE_CLASSES = ("lt_one_third", "one_to_two_thirds", "gt_two_thirds")
_SIZE_BOUNDS = ((1 / 3, True, "exact"), (2 / 3, False, "exact"))


@dataclass(frozen=True)
class Fact:
    """One entity: a contract field (or ``field`` / ``reference_number``) and its code."""

    field: str
    value: str
    start: int
    end: int
    text: str


# --------------------------------------------------------------------------
# Tokens

_TOKEN_RE = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?)"
    r"|(?P<w>(?:[^\W\d_]|[\u0300-\u036f])+)"
    r"|(?P<s>[<>≤≥~/%+=])"
    r"|(?P<b>[.;!?:,\n\r])"
)


@dataclass(frozen=True)
class _Token:
    kind: str   # "w" word, "n" number, "s" symbol, "b" boundary (punctuation)
    norm: str   # lower case, no accents (numbers: canonical digits)
    key: str    # form used for matching: singular, typo-corrected
    start: int
    end: int


@functools.lru_cache(maxsize=65536)
def _normalize(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("œ", "oe").replace("æ", "ae")


def _canon(norm: str) -> str:
    """Matching form of a normalized word: a final plural s/x is dropped."""
    return norm[:-1] if len(norm) >= 4 and norm[-1] in "sx" else norm


def _number_key(raw: str) -> str:
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return raw
    if value.is_integer() and value < 1e15:
        return str(int(value))
    return repr(value)


@functools.lru_cache(maxsize=8192)
def _word_number(words: str) -> Optional[int]:
    """Value of French number words ("trois", "vingt et un"), else None."""
    try:
        value = text2num(words, "fr")
    except Exception:  # text2num raises ValueError and, on odd input, others
        return None
    return value if isinstance(value, int) else None


def _is_number_word(norm: str) -> bool:
    return norm.isalpha() and _word_number(norm) is not None


def _scan(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, normalized form, start, end) for every token of ``text``."""
    out = []
    for m in _TOKEN_RE.finditer(text):
        kind, raw = m.lastgroup or "", m.group()
        if kind == "w":
            norm = _normalize(raw)
            if not norm:
                continue
        elif kind == "n":
            norm = _number_key(raw)
        elif kind == "b":
            norm = "\n" if raw == "\r" else raw
        else:
            norm = raw
        out.append((kind, norm, m.start(), m.end()))
    return out


def _phrase_keys(text: str) -> tuple[str, ...]:
    keys = []
    for kind, norm, _, _ in _scan(text):
        if kind == "b":
            raise ValueError(f"punctuation in lexicon phrase {text!r}")
        keys.append(_canon(norm) if kind == "w" else norm)
    return tuple(keys)


_ALTERNATION_RE = re.compile(r"\(([^()]*)\)")


def _expand(phrase: str) -> list[str]:
    """Expand "(a|b|)" alternations of a lexicon phrase."""
    m = _ALTERNATION_RE.search(phrase)
    if not m:
        return [phrase]
    out: list[str] = []
    for alternative in m.group(1).split("|"):
        out.extend(_expand(f"{phrase[:m.start()]} {alternative} {phrase[m.end():]}"))
    return out


# --------------------------------------------------------------------------
# Lexicon

# Roles a phrase can play.
FACT, CUED, CUE, NAME = "fact", "cued", "cue", "name"
NEG, NEG_AFTER, HEDGE, HEDGE_AFTER, HEDGE_CLAUSE = "neg", "neg_after", "hedge", "hedge_after", "hedge_clause"
QUESTION = "question"
BREAK, IGNORE, REF, UPGRADE, CHANGE, CONTEXT = "break", "ignore", "ref", "upgrade", "change", "context"
_VALUE_ROLES = (FACT, CUED, CONTEXT)


@dataclass(frozen=True)
class _Entry:
    keys: tuple[str, ...]
    emit_start: int          # the words carrying the value: keys[emit_start:emit_end]
    emit_end: int
    role: str
    field: str = ""
    value: str = ""
    strict: bool = False     # NEG_AFTER that counts only at the end of a clause
    upgrade_from: str = ""   # UPGRADE: the earlier value it turns into `value`
    fallback: str = ""       # UPGRADE: its value when there is none
    bone: str = ""           # CONTEXT: the value holds only when this is the message's bone


_Index = dict[str, tuple[list[_Entry], dict[str, list[_Entry]]]]


@dataclass
class _Group:
    """Accepted match: token span [start, end) and the roles it plays."""

    start: int
    end: int
    entries: list[_Entry]

    def has(self, role: str) -> bool:
        return any(e.role == role for e in self.entries)

    def fields(self, *roles: str) -> set[str]:
        return {e.field for e in self.entries if e.role in roles}


@dataclass
class _Item:
    """A value found in the text (before negation and conflict checks)."""

    start: int
    end: int
    field: str
    value: Optional[str]     # None: the words give a value we cannot settle
    cue: Optional[int] = None  # index of the cue group it is bound to


@dataclass
class _Duration:
    start: int
    end: int
    value: Optional[str]     # life-expectancy class, or None if ambiguous
    excluded: bool           # "depuis 3 mois": not a life expectancy
    past: bool = False       # "il y a 2 ans": its clause is about the past


@dataclass
class _Analysis:
    facts: list[Fact]
    ambiguous: set[str]      # fields named with a value we could not settle


def _as_phrases(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"lexicon: {where} must be a list of strings, got {value!r}")
    return value


def _word_set(value: Any, where: str) -> set[str]:
    """Matching forms of every word of a list of phrases."""
    return {k for p in _as_phrases(value, where) for v in _expand(p) for k in _phrase_keys(v)}


class _Lexicon:
    """Compiled lexicon.yml."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        fuzzy = raw["fuzzy"]
        self.fuzzy_min = int(fuzzy["min_length"])
        self.fuzzy_cutoff = float(fuzzy["cutoff"])
        self.protected = {_canon(_normalize(w)) for w in _as_phrases(fuzzy["protected"], "protected")}
        not_targets = {_canon(_normalize(w)) for w in _as_phrases(fuzzy["not_targets"], "not_targets")}

        grammar = raw["grammar"]
        self.skip = _word_set(grammar["skip_words"], "skip_words")
        self.cue_window_after = int(grammar["cue_window_after"])
        self.cue_window_before = int(grammar["cue_window_before"])
        self.alone_fillers = _word_set(grammar["alone_fillers"], "alone_fillers")
        negation = raw["negation"]
        self.neg_window = int(negation["window"])
        self.doubt_window = int(negation["doubt_window"])
        self.complement_words = _word_set(negation["complement_words"], "complement_words")

        base: list[_Entry] = []
        add = functools.partial(self._add, base)
        for p in _as_phrases(grammar["breakers"], "breakers"):
            add(p, BREAK)
        strict = {_phrase_keys(p) for p in _as_phrases(negation["after_strict"], "after_strict")}
        for p in _as_phrases(negation["before"], "negation.before"):
            add(p, NEG)
        for p in _as_phrases(negation["after"], "negation.after"):
            for variant in _expand(p):
                keys = _phrase_keys(variant)
                base.append(_Entry(keys, 0, len(keys), NEG_AFTER, strict=keys in strict))
        for p in _as_phrases(raw["hedges"]["before"], "hedges.before"):
            add(p, HEDGE)
        for p in _as_phrases(raw["hedges"]["after"], "hedges.after"):
            add(p, HEDGE_AFTER)
        for p in _as_phrases(raw["hedges"]["clause"], "hedges.clause"):
            add(p, HEDGE_CLAUSE)
        self.clause_exempt = set(_as_phrases(raw["hedges"]["clause_exempt"], "clause_exempt"))
        for p in _as_phrases(raw["hedges"]["question"], "hedges.question"):
            add(p, QUESTION)
        for p in _as_phrases(raw["ignore"], "ignore"):
            add(p, IGNORE)
        for p in _as_phrases(raw["change_cues"], "change_cues"):
            add(p, CHANGE)
        self.bone_conversions: dict[str, dict[tuple[str, str], tuple[str, str]]] = {}
        for rule in raw["bone_context"]:
            bone = rule["bone"]
            self._check_value("bone", bone)
            conversions = self.bone_conversions.setdefault(bone, {})
            for conversion in rule.get("convert", []):
                (f1, v1), (f2, v2) = conversion["from"], conversion["to"]
                self._check_field(f1), self._check_value(f1, v1)
                self._check_field(f2), self._check_value(f2, v2)
                conversions[(f1, v1)] = (f2, v2)
            for fname, values in (rule.get("phrases") or {}).items():
                self._check_field(fname)
                for value, phrases in values.items():
                    self._check_value(fname, value)
                    found: list[_Entry] = []
                    for p in _as_phrases(phrases, f"bone_context.{fname}.{value}"):
                        self._add(found, p, CONTEXT, fname, value)
                    base.extend(_Entry(e.keys, e.emit_start, e.emit_end, CONTEXT, fname, value, bone=bone)
                                for e in found)
        for rule in raw["upgrades"]:
            fname = rule["field"]
            self._check_field(fname)
            for value in (rule["from"], rule["to"], rule["fallback"]):
                self._check_value(fname, value)
            upgrades: list[_Entry] = []
            for p in _as_phrases(rule["phrases"], "upgrades.phrases"):
                self._add(upgrades, p, UPGRADE, fname, rule["to"])
            base.extend(_Entry(e.keys, e.emit_start, e.emit_end, UPGRADE, fname, rule["to"],
                               upgrade_from=rule["from"], fallback=rule["fallback"]) for e in upgrades)

        reference = raw["reference"]
        for p in _as_phrases(reference["cues"], "reference.cues"):
            add(p, REF)
        self.ref_fillers = _word_set(reference["fillers"], "reference.fillers")
        self.ref_range = (int(reference["min"]), int(reference["max"]))

        for fname, phrases in raw["field_names"].items():
            self._check_field(fname)
            for p in _as_phrases(phrases, f"field_names.{fname}"):
                add(p, NAME, fname)
        for fname, spec in raw["entities"].items():
            self._check_field(fname)
            for p in _as_phrases(spec.get("cues", []), f"{fname}.cues"):
                add(p, CUE, fname)
            for role, key in ((FACT, "phrases"), (CUED, "cued")):
                for value, phrases in (spec.get(key) or {}).items():
                    self._check_value(fname, value)
                    for p in _as_phrases(phrases, f"{fname}.{key}.{value}"):
                        add(p, role, fname, value)
        self._check_conflicts(base)
        self.base_index = self._index(base)

        self._load_durations(raw["life_expectancy_durations"])

        answers = raw["answers"]
        self.answer_yes = _as_phrases(answers["yes"], "answers.yes")
        self.answer_no = _as_phrases(answers["no"], "answers.no")
        self.dont_know = _as_phrases(answers["dont_know"], "answers.dont_know")
        self.whole_answers: dict[tuple[str, ...], str] = {}
        for value, key in (("true", "whole_yes"), ("false", "whole_no")):
            for p in _as_phrases(answers[key], f"answers.{key}"):
                for variant in _expand(p):
                    self.whole_answers[_phrase_keys(variant)] = value
        self.answer_fields: dict[str, dict[str, list[str]]] = {}
        for fname, values in answers["fields"].items():
            self._check_field(fname)
            for value, phrases in values.items():
                if value != UNKNOWN:  # UNKNOWN: words that leave the field open
                    self._check_value(fname, value)
                _as_phrases(phrases, f"answers.fields.{fname}.{value}")
            self.answer_fields[fname] = values
        self.size_tolerance = float(answers["lesion_size_tolerance"])
        self.percent_words = [_phrase_keys(v) for p in _as_phrases(answers["percent_words"], "percent_words")
                              for v in _expand(p)]
        self.base_entries = base
        self._answer_indexes: dict[str, _Index] = {}

        # Typo correction: a word of the lexicon is never corrected; a misspelt
        # word may become a word of a value or cue phrase (not of the grammar,
        # change or answer phrases), unless that word is common French.
        vocab: set[str] = set(self.units)
        targets: set[str] = set(self.units)
        for entry in base:
            vocab.update(entry.keys)
            if entry.role in (FACT, CUED, CONTEXT, UPGRADE, CUE):
                targets.update(entry.keys)
        for entry in self._answer_entries_all():
            vocab.update(entry.keys)
        self.vocab = frozenset(vocab)
        self.vocab_by_len: dict[int, list[str]] = {}
        for word in sorted(targets - not_targets):
            if word.isalpha() and len(word) >= self.fuzzy_min:
                self.vocab_by_len.setdefault(len(word), []).append(word)
        self._key_cache: dict[str, str] = {}

    # -- construction helpers

    @staticmethod
    def _check_field(fname: str) -> None:
        if fname not in FIELD_VALUES:
            raise ValueError(f"lexicon: unknown field {fname!r}")

    @staticmethod
    def _check_value(fname: str, value: str) -> None:
        if value not in FIELD_VALUES[fname]:
            raise ValueError(f"lexicon: {value!r} is not a code of {fname}")

    @staticmethod
    def _add(out: list[_Entry], phrase: str, role: str, fname: str = "", value: str = "") -> None:
        for variant in _expand(phrase):
            if "[" in variant:
                before, rest = variant.split("[", 1)
                inside, after = rest.split("]", 1)
            else:
                before, inside, after = "", variant, ""
            head, body, tail = _phrase_keys(before), _phrase_keys(inside), _phrase_keys(after)
            if not body:
                raise ValueError(f"lexicon: empty phrase {phrase!r}")
            out.append(_Entry(head + body + tail, len(head), len(head) + len(body), role, fname, value))

    @staticmethod
    def _check_conflicts(entries: Iterable[_Entry]) -> None:
        seen: dict[tuple[Any, ...], tuple[str, str]] = {}
        for e in entries:
            if e.role not in (FACT, CUED):
                continue
            ident = (e.role, e.keys, e.emit_start, e.emit_end) + ((e.field,) if e.role == CUED else ())
            previous = seen.setdefault(ident, (e.field, e.value))
            if previous != (e.field, e.value):
                raise ValueError(f"lexicon: {' '.join(e.keys)!r} means both {previous} and {(e.field, e.value)}")

    @staticmethod
    def _index(entries: Iterable[_Entry]) -> _Index:
        """Entries by first word, then (for longer phrases) by second word."""
        index: _Index = {}
        for e in dict.fromkeys(entries):  # drop duplicates, keep order
            singles, by_second = index.setdefault(e.keys[0], ([], {}))
            if len(e.keys) == 1:
                singles.append(e)
            else:
                by_second.setdefault(e.keys[1], []).append(e)
        return index

    def _load_durations(self, d: Mapping[str, Any]) -> None:
        self.le_window_after = int(d["window_after"])
        self.le_window_before = int(d["window_before"])
        self.le_allowed_before = _word_set(d["allowed_before"], "allowed_before")
        self.units: dict[str, tuple[float, str]] = {}
        for word, (days, family) in d["units"].items():
            self.units[_canon(_normalize(word))] = (float(days), str(family))
        keys = lambda name: [_phrase_keys(v) for p in _as_phrases(d[name], name) for v in _expand(p)]  # noqa: E731
        self.half = keys("half")
        self.vague = keys("vague")
        self.vague_range = (float(d["vague_range"][0]), float(d["vague_range"][1]))
        self.intro_to = _word_set(d["range_intro_to"], "range_intro_to")
        self.intro_and = _word_set(d["range_intro_and"], "range_intro_and")
        self.intro_to_separators = _word_set(d["range_intro_to_separators"], "range_intro_to_separators")
        self.range_separators = _word_set(d["range_separators"], "range_separators")
        self.range_gap_chars = set(str(d["range_gap_chars"]))
        self.qual_before = [(kind, _phrase_keys(v)) for kind, ps in d["qualifiers_before"].items()
                            for p in _as_phrases(ps, kind) for v in _expand(p)]
        self.qual_after = [(kind, _phrase_keys(v)) for kind, ps in d["qualifiers_after"].items()
                           for p in _as_phrases(ps, kind) for v in _expand(p)]
        self.approx_margin = float(d["approx_margin"])
        self.unit_tolerance = float(d["unit_tolerance"])
        self.exclude_before = keys("exclude_before")
        self.past_before = keys("past_before")
        self.past_min_days = float(d["past_min_days"])
        self.exclude_after = keys("exclude_after")
        self.qual_before_at: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for kind, p in self.qual_before:
            self.qual_before_at.setdefault(p[0], []).append((kind, p))
        self.qual_after_at: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for kind, p in self.qual_after:
            self.qual_after_at.setdefault(p[0], []).append((kind, p))
        starts = {k[0] for _, k in self.qual_before} | {k[0] for k in self.vague}
        self.duration_starts = frozenset(starts | self.intro_to | self.intro_and)

    def _answer_entries(self, fname: str) -> list[_Entry]:
        out: list[_Entry] = []
        for value, phrases in self.answer_fields.get(fname, {}).items():
            for p in phrases:
                self._add(out, p, FACT, fname, value)
        if fname in BOOLEAN_FIELDS:
            for p in self.answer_yes:
                self._add(out, p, FACT, fname, "true")
            for p in self.answer_no:
                self._add(out, p, FACT, fname, "false")
        for p in self.dont_know:
            self._add(out, p, FACT, fname, UNKNOWN)
        return out

    def _answer_entries_all(self) -> Iterable[_Entry]:
        for fname in FIELD_VALUES:
            yield from self._answer_entries(fname)

    def index_for(self, answer_field: Optional[str]) -> _Index:
        if answer_field is None:
            return self.base_index
        index = self._answer_indexes.get(answer_field)
        if index is None:
            entries = self._answer_entries(answer_field) + [
                _Entry(e.keys, e.emit_start, e.emit_end, FACT, e.field, e.value)
                if e.role == CUED and e.field == answer_field else e
                for e in self.base_entries]
            index = self._answer_indexes[answer_field] = self._index(entries)
        return index

    # -- tokens

    def tokenize(self, text: str) -> list[_Token]:
        out = []
        for kind, norm, start, end in _scan(text):
            key = self._word_key(norm) if kind == "w" else norm
            out.append(_Token(kind, norm, key, start, end))
        return out

    def _word_key(self, norm: str) -> str:
        key = self._key_cache.get(norm)
        if key is None:
            key = self._correct(_canon(norm), norm)
            if len(self._key_cache) > 100_000:
                self._key_cache.clear()
            self._key_cache[norm] = key
        return key

    def _correct(self, canon: str, norm: str) -> str:
        """Closest lexicon word for a misspelt word of fuzzy_min letters or more."""
        if (canon in self.vocab or len(canon) < self.fuzzy_min or not canon.isascii()
                or not canon.isalpha() or canon in self.protected or norm in self.protected
                or _is_number_word(norm)):
            return canon
        n, c = len(canon), self.fuzzy_cutoff
        shortest, longest = math.ceil(n * c / (2 - c)), math.floor(n * (2 - c) / c)
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(canon)
        scored: list[tuple[float, str]] = []
        for length in range(shortest, longest + 1):
            for word in self.vocab_by_len.get(length, ()):
                matcher.set_seq1(word)
                if (matcher.real_quick_ratio() >= c and matcher.quick_ratio() >= c
                        and matcher.ratio() >= c):
                    scored.append((matcher.ratio(), word))
        if not scored:
            return canon
        scored.sort(reverse=True)
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return canon  # two equally close words: do not guess
        return scored[0][1]


@functools.lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    with LEXICON_PATH.open(encoding="utf-8") as handle:
        return _Lexicon(yaml.safe_load(handle))


# --------------------------------------------------------------------------
# Analysis of one message

def _point_class(x: float, side: Optional[str], family: Optional[str],
                 bounds: Sequence[tuple[float, bool, str]], tolerance: float) -> Optional[int]:
    """Class index of x; ``side`` "lo"/"hi" when x itself is excluded from the
    interval; None when x is too close to a bound not exact in its unit."""
    if math.isinf(x):
        return len(bounds)
    index = 0
    for bound, upper_inclusive, native in bounds:
        tol = 0.0 if family == native else tolerance
        if tol and abs(x - bound) <= tol * bound:
            return None
        if x > bound or (x == bound and (side == "lo" or (side is None and upper_inclusive))):
            index += 1
    return index


def _interval_class(lo: float, hi: float, lo_open: bool, hi_open: bool,
                    lo_family: Optional[str], hi_family: Optional[str],
                    bounds: Sequence[tuple[float, bool, str]], tolerance: float) -> Optional[int]:
    if math.isnan(lo) or math.isnan(hi) or lo > hi:
        return None
    a = _point_class(lo, "lo" if lo_open else None, lo_family, bounds, tolerance)
    b = _point_class(hi, "hi" if hi_open else None, hi_family, bounds, tolerance)
    return a if a is not None and a == b else None


def _qualified(kind: Optional[str], lo: float, hi: float, margin: float,
               is_range: bool) -> Optional[tuple[float, float, bool, bool]]:
    """Interval (lo, hi, lo_open, hi_open) for a quantity and its qualifier."""
    if kind is None:
        return lo, hi, False, False
    if kind == "approx":
        return lo * (1 - margin), hi * (1 + margin), False, False
    if is_range:
        return None  # "moins de 2 à 3 mois": unclear
    if kind == "lt":
        return 0.0, hi, False, True
    if kind == "le":
        return 0.0, hi, False, False
    if kind == "gt":
        return lo, math.inf, True, False
    if kind == "ge":
        return lo, math.inf, False, False
    return None


class _Analyzer:
    """One pass over one message (context-free, or as an answer to ``answer_field``)."""

    def __init__(self, lex: _Lexicon, text: str, answer_field: Optional[str]) -> None:
        self.lex = lex
        self.text = text
        self.answer_field = answer_field
        self.toks = lex.tokenize(text)
        n = len(self.toks)
        self.keys = [t.key for t in self.toks]
        self.taken = [False] * n
        # Prefix counts of content words, and of words that are not fillers.
        content, other = [0] * (n + 1), [0] * (n + 1)
        for i, t in enumerate(self.toks):
            content[i + 1] = content[i] + (t.kind in "wn" and t.key not in lex.skip)
            other[i + 1] = other[i] + (t.kind != "b" and t.key not in lex.skip
                                       and t.key not in lex.alone_fillers)
        self.content, self.not_filler = content, other

    def between(self, a: int, b: int) -> int:
        """Content words in tokens [a, b)."""
        return self.content[b] - self.content[a] if b > a else 0

    def seq_at(self, i: int, phrases: Iterable[tuple[str, ...]]) -> int:
        """Length of the longest phrase starting at token i (0 if none)."""
        best = 0
        for p in phrases:
            if len(p) > best and tuple(self.keys[i:i + len(p)]) == p:
                best = len(p)
        return best

    def seq_before(self, i: int, phrases: Iterable[tuple[str, ...]]) -> bool:
        return any(len(p) <= i and tuple(self.keys[i - len(p):i]) == p for p in phrases)

    # -- durations

    def quantity(self, j: int) -> Optional[tuple[float, float, int]]:
        toks, n = self.toks, len(self.toks)
        if j >= n:
            return None
        if toks[j].kind == "n":
            try:
                v = float(toks[j].norm)
            except ValueError:
                return None
            return v, v, j + 1
        length = self.seq_at(j, self.lex.vague)
        if length:
            lo, hi = self.lex.vague_range
            return lo, hi, j + length
        words: list[str] = []
        k = j
        while k < n and toks[k].kind == "w" and len(words) < 8:
            if _is_number_word(toks[k].norm):
                words.append(toks[k].norm)
            elif (toks[k].norm == "et" and words and k + 1 < n
                  and toks[k + 1].kind == "w" and _is_number_word(toks[k + 1].norm)):
                words.append("et")
            else:
                break
            k += 1
        while words:
            value = _word_number(" ".join(words))
            if value is not None:
                return float(value), float(value), j + len(words)
            words.pop()
        return None

    def amount(self, j: int) -> Optional[tuple[float, float, Optional[float], Optional[str], int]]:
        """Quantity, optional unit and "et demi": (qlo, qhi, days, family, end)."""
        q = self.quantity(j)
        if q is None:
            return None
        qlo, qhi, k = q
        unit = self.lex.units.get(self.keys[k]) if k < len(self.toks) and self.toks[k].kind == "w" else None
        if unit is None:
            return qlo, qhi, None, None, k
        k += 1
        half = self.seq_at(k, self.lex.half)
        if half and qlo == qhi:
            qlo = qhi = qlo + 0.5
            k += half
        return qlo, qhi, unit[0], unit[1], k

    def quantity_range(self, j: int, separators: set[str], single: bool
                       ) -> Optional[tuple[float, float, Optional[str], Optional[str], bool, int]]:
        """A quantity with its unit, or a range "2 à 3 mois": (lo, hi, lo_family, hi_family, is_range, end)."""
        a = self.amount(j)
        if a is None:
            return None
        k = a[4]
        b = None
        if k < len(self.toks):
            gap = self.text[self.toks[k - 1].end:self.toks[k].start].strip()
            if self.keys[k] in separators and self.toks[k].kind == "w":
                b = self.amount(k + 1)
            elif gap and gap in self.lex.range_gap_chars:
                b = self.amount(k)
        if b is not None and b[2] is not None:
            a_days, a_family = (a[2], a[3]) if a[2] is not None else (b[2], b[3])
            return a[0] * a_days, b[1] * b[2], a_family, b[3], True, b[4]
        if not single or a[2] is None:
            return None
        return a[0] * a[2], a[1] * a[2], a[3], a[3], False, k

    def duration_at(self, i: int) -> Optional[_Duration]:
        lex = self.lex
        pre_kind, j = None, i
        for kind, p in lex.qual_before_at.get(self.keys[i], ()):
            if tuple(self.keys[i:i + len(p)]) == p and i + len(p) > j:
                pre_kind, j = kind, i + len(p)
        found = None
        if j < len(self.toks) and (self.keys[j] in lex.intro_to or self.keys[j] in lex.intro_and):
            found = self.quantity_range(j + 1, {"et"} if self.keys[j] in lex.intro_and else lex.intro_to_separators,
                                        single=False)
        if found is None:
            found = self.quantity_range(j, lex.range_separators, single=True)
        if found is None:
            return None
        lo, hi, lo_family, hi_family, is_range, end = found
        post_kind, post_length = None, 0
        for kind, p in (lex.qual_after_at.get(self.keys[end], ()) if end < len(self.keys) else ()):
            if len(p) > post_length and tuple(self.keys[end:end + len(p)]) == p:
                post_kind, post_length = kind, len(p)
        end += post_length
        excluded = self.seq_before(i, lex.exclude_before) or any(
            self.seq_at(k, lex.exclude_after) for k in range(end, min(end + 3, len(self.toks))))
        past = self.seq_before(i, lex.past_before) and lo >= lex.past_min_days
        value = None
        if not (pre_kind and post_kind):
            interval = _qualified(pre_kind or post_kind, lo, hi, lex.approx_margin, is_range)
            if interval is not None:
                index = _interval_class(interval[0], interval[1], interval[2], interval[3],
                                        lo_family, hi_family, _LE_BOUNDS, lex.unit_tolerance)
                value = None if index is None else _LE_CLASSES[index]
        return _Duration(i, end, value, excluded, past)

    def find_durations(self) -> list[_Duration]:
        out = []
        i, n = 0, len(self.toks)
        starts = self.lex.duration_starts
        while i < n:
            t = self.toks[i]
            if t.kind == "n" or t.key in starts or (t.kind == "w" and _is_number_word(t.norm)):
                d = self.duration_at(i)
                if d is not None:
                    out.append(d)
                    for k in range(d.start, d.end):
                        self.taken[k] = True
                    i = d.end
                    continue
            i += 1
        return out

    # -- lesion size as a number ("50 %", "3/4"), answers only

    def find_fractions(self) -> list[_Item]:
        out = []
        toks, n = self.toks, len(self.toks)
        for i in range(n):
            if toks[i].kind != "n" or self.taken[i]:
                continue
            end, value = i + 1, None
            percent = self.seq_at(i + 1, self.lex.percent_words)
            if percent:
                value, end = float(toks[i].norm) / 100, i + 1 + percent
            elif i + 2 < n and self.keys[i + 1] == "/" and toks[i + 2].kind == "n" and float(toks[i + 2].norm):
                value, end = float(toks[i].norm) / float(toks[i + 2].norm), i + 3
            if value is None or any(self.taken[i:end]):
                continue
            start, kind = i, None
            for qkind, p in self.lex.qual_before:
                if len(p) <= i and tuple(self.keys[i - len(p):i]) == p and not any(self.taken[i - len(p):i]):
                    start, kind = i - len(p), qkind
                    break
            interval = _qualified(kind, value, value, self.lex.approx_margin, False)
            index = None
            if interval is not None and interval[1] <= 1:
                index = _interval_class(interval[0], interval[1], interval[2], interval[3],
                                        "approx", "approx", _SIZE_BOUNDS, self.lex.size_tolerance)
            out.append(_Item(start, end, "lesion_size", None if index is None else _SIZE_CLASSES[index]))
            for k in range(start, end):
                self.taken[k] = True
        return out

    # -- phrases

    def select_groups(self) -> list[_Group]:
        index = self.lex.index_for(self.answer_field)
        keys, n = self.keys, len(self.keys)
        candidates: dict[tuple[int, int], list[tuple[int, _Entry]]] = {}
        for i, key in enumerate(keys):
            found_here = index.get(key)
            if found_here is None:
                continue
            singles, by_second = found_here
            longer = by_second.get(keys[i + 1], ()) if i + 1 < n else ()
            for e in (*singles, *longer):
                length = len(e.keys)
                if length > 2 and (i + length > n or tuple(keys[i:i + length]) != e.keys):
                    continue
                span = (i + e.emit_start, i + e.emit_end)
                if not any(self.taken[span[0]:span[1]]):
                    candidates.setdefault(span, []).append((length, e))
        ranked = []
        for (start, end), found in candidates.items():
            fact_length = max((ln for ln, e in found if e.role in _VALUE_ROLES), default=0)
            ignore_length = max((ln for ln, e in found if e.role == IGNORE), default=0)
            # Facts of a shorter phrase are overridden by those (or the absence) of a longer one.
            entries = [e for ln, e in found if e.role not in _VALUE_ROLES
                       or (ln == fact_length and ln > ignore_length)]
            if ignore_length > fact_length:
                fact_length = 0
            if self.answer_field and any(e.role == FACT and e.field == self.answer_field for e in entries):
                entries = [e for e in entries if e.role != FACT or e.field == self.answer_field]
            full = max(ln for ln, _ in found)
            ranked.append((-full, -bool(fact_length), start, start - end, _Group(start, end, entries)))
        ranked.sort(key=lambda r: r[:4])
        groups = []
        for *_, g in ranked:
            if not any(self.taken[g.start:g.end]):
                groups.append(g)
                for k in range(g.start, g.end):
                    self.taken[k] = True
        groups.sort(key=lambda g: g.start)
        return groups

    # -- main

    def run(self) -> _Analysis:
        durations = self.find_durations()
        groups = self.select_groups()
        fractions = self.find_fractions() if self.answer_field == "lesion_size" else []
        self.clauses(groups)

        items: list[_Item] = []
        ambiguous: set[str] = set()
        for g in groups:
            facts = [(e.field, e.value) for e in g.entries if e.role == FACT]
            if len(set(facts)) == 1:
                items.append(_Item(g.start, g.end, *facts[0]))
            elif facts:
                ambiguous.update(f for f, _ in facts)
        items.extend(fractions)
        self.apply_upgrades(items, groups, self.cue_clause)
        used_cues = self.bind_to_cues(items, groups, durations, ambiguous)
        self.apply_bone_context(items, groups)

        for it in items:
            if it.value is None:
                ambiguous.add(it.field)
        items = [it for it in items if it.value is not None]
        items.sort(key=lambda it: (it.start, it.end))
        forced_names = self.apply_change_cues(items, groups)
        past = {self.neg_clause[g.start] for g in groups if g.has(HEDGE_CLAUSE)}
        past |= {self.neg_clause[d.start] for d in durations if d.past}
        items = [it for it in items if self.neg_clause[it.start] not in past
                 or it.field in self.lex.clause_exempt]
        asked = self.questions(groups)
        items = [it for it in items if not any(a <= it.start < b for a, b in asked)]
        kept = self.apply_negation(items, groups)

        # Sites that do not exist on the bone named ("extrémité supérieure du fémur").
        bones = {it.value for it in kept if it.field == "bone"}
        if len(bones) == 1:
            allowed = SITES_BY_BONE.get(bones.pop() or "", frozenset())
            kept = [it for it in kept if it.field != "site" or it.value in allowed]

        facts = [self.fact(it.field, it.value or "", it.start, it.end) for it in kept]
        if self.answer_field is None:
            facts.extend(self.field_names(groups, kept, ambiguous, used_cues, forced_names))
        facts.extend(self.references(groups))
        return _Analysis(self.without_overlaps(facts), ambiguous)

    def clauses(self, groups: list[_Group]) -> None:
        """Clause ids per token: negations stop at any punctuation or breaker,
        cues at any punctuation but the colon ("espérance de vie : 4 mois")."""
        n = len(self.toks)
        self.breaker_starts = {g.start for g in groups if g.has(BREAK)}
        self.neg_clause, self.cue_clause = [0] * (n + 1), [0] * (n + 1)
        c_neg = c_cue = 0
        for i, t in enumerate(self.toks):
            if t.kind == "b":
                c_neg += 1
                c_cue += t.norm != ":"
            elif i in self.breaker_starts:
                c_neg += 1
                c_cue += 1
            self.neg_clause[i], self.cue_clause[i] = c_neg, c_cue
        self.neg_clause[n], self.cue_clause[n] = c_neg + 1, c_cue + 1

    def bind_to_cues(self, items: list[_Item], groups: list[_Group], durations: list[_Duration],
                     ambiguous: set[str]) -> set[int]:
        """Cued values and durations count only near a cue of their field;
        returns the cue groups used."""
        lex, toks = self.lex, self.toks
        cues: dict[str, list[int]] = {}
        for gi, g in enumerate(groups):
            for fname in g.fields(CUE, NAME):
                cues.setdefault(fname, []).append(gi)
        cue_starts = {fname: [groups[c].start for c in found] for fname, found in cues.items()}

        def bind(start: int, end: int, fname: str, after: int, before: int,
                 allowed: Optional[set[str]] = None) -> Optional[int]:
            candidates = cues.get(fname, [])
            pos = bisect.bisect_left(cue_starts.get(fname, []), start)
            if pos > 0:
                c = groups[candidates[pos - 1]]
                if self.cue_clause[c.start] == self.cue_clause[start] and self.between(c.end, start) <= after:
                    if allowed is not None:
                        last = next((k for k in range(start - 1, c.end - 1, -1)
                                     if toks[k].kind != "b" and toks[k].key not in lex.skip), None)
                        if last is not None and toks[last].key not in allowed:
                            return -1  # "espérance de vie réduite à 3 mois": unclear
                    return candidates[pos - 1]
            if pos < len(candidates):
                c = groups[candidates[pos]]
                if self.cue_clause[c.start] == self.cue_clause[end - 1] and self.between(end, c.start) <= before:
                    return candidates[pos]
            return None

        bound: list[_Item] = []
        for g in groups:
            for e in g.entries:
                if e.role == CUED:
                    cue = bind(g.start, g.end, e.field, lex.cue_window_after, lex.cue_window_before)
                    if cue is not None and cue >= 0:
                        bound.append(_Item(g.start, g.end, e.field, e.value, cue))
                    elif e.value != UNKNOWN and self.alone(g.start, g.end):
                        bound.append(_Item(g.start, g.end, e.field, e.value))
        for d in durations:
            if d.excluded:
                continue
            if self.answer_field == "life_expectancy" or self.alone(d.start, d.end):
                # An answer to the life-expectancy question, or a message saying only
                # a duration ("4 mois", "huit mois selon l'oncologue").
                bound.append(_Item(d.start, d.end, "life_expectancy", d.value))
                continue
            cue = bind(d.start, d.end, "life_expectancy", lex.le_window_after, lex.le_window_before,
                       lex.le_allowed_before)
            if cue == -1:
                ambiguous.add("life_expectancy")
            elif cue is not None:
                bound.append(_Item(d.start, d.end, "life_expectancy", d.value, cue))
        # One cue giving two different values ("douleur légère à modérée") gives none.
        by_cue: dict[tuple[Optional[int], str], set[Optional[str]]] = {}
        for it in bound:
            by_cue.setdefault((it.cue, it.field), set()).add(it.value)
        for it in bound:
            if it.cue is None or len(by_cue[(it.cue, it.field)]) == 1:
                items.append(it)
            else:
                ambiguous.add(it.field)
        return {it.cue for it in bound if it.cue is not None}

    def alone(self, start: int, end: int) -> bool:
        """Whether tokens [start, end) are all the message says, but for fillers."""
        outside = self.not_filler[-1] - (self.not_filler[end] - self.not_filler[start])
        return outside == 0

    def questions(self, groups: list[_Group]) -> list[tuple[int, int]]:
        """Token ranges asked about: from a yes/no question marker to its "?"."""
        out = []
        for g in groups:
            if not g.has(QUESTION):
                continue
            k = g.end
            while k < len(self.toks) and self.toks[k].norm not in "?.!;\n":
                k += 1
            if k < len(self.toks) and self.toks[k].norm == "?":
                out.append((g.start, k))
        return out

    def apply_bone_context(self, items: list[_Item], groups: list[_Group]) -> None:
        """Readings that hold for one bone only ("fracture imminente" of the acetabulum)."""
        bones = {it.value for it in items if it.field == "bone"}
        bone = next(iter(bones)) if len(bones) == 1 else None
        conversions = self.lex.bone_conversions.get(bone or "", {})
        for k, it in enumerate(items):
            target = conversions.get((it.field, it.value or ""))
            if target is not None:
                items[k] = _Item(it.start, it.end, target[0], target[1], it.cue)
        for g in groups:
            values = {(e.field, e.value) for e in g.entries if e.role == CONTEXT and e.bone == bone}
            if len(values) == 1 and not g.has(FACT):
                items.append(_Item(g.start, g.end, *values.pop()))

    def apply_change_cues(self, items: list[_Item], groups: list[_Group]) -> set[int]:
        """"modifier l'espérance de vie", "erreur sur le doute diagnostique": the first
        field named (or fact) after a change cue is the field to change. Returns the
        starts of the field-name groups to emit; a fact read as a field name is
        replaced in ``items`` by a FIELD_ENTITY item (and values near it dropped)."""
        forced: set[int] = set()
        window = self.lex.doubt_window
        name_starts = [h.start for h in groups if h.has(NAME) and not h.has(FACT)]
        item_starts = [it.start for it in items]
        dropped: set[int] = set()
        added: list[_Item] = []
        for g in groups:
            if not g.has(CHANGE):
                continue
            n_pos = bisect.bisect_left(name_starts, g.end)
            first_name = name_starts[n_pos] if n_pos < len(name_starts) else None
            clause = self.neg_clause[g.end - 1]
            i_pos = bisect.bisect_left(item_starts, g.end)
            while i_pos < len(items) and i_pos in dropped:
                i_pos += 1
            first = items[i_pos] if i_pos < len(items) else None
            if first is not None and (self.neg_clause[first.start] != clause
                                      or self.between(g.end, first.start) > self.lex.neg_window):
                first = None
            if first_name is not None and (first is None or first_name < first.start):
                forced.add(first_name)  # "erreur, ce n'est pas le bon os"
                continue
            if first is None:
                continue
            k = i_pos
            while k < len(items) and self.neg_clause[items[k].start] == clause \
                    and self.between(g.end, items[k].start) <= window:
                dropped.add(k)
                k += 1
            added.append(_Item(first.start, first.end, FIELD_ENTITY, first.field))
        if dropped or added:
            items[:] = sorted([it for k, it in enumerate(items) if k not in dropped] + added,
                              key=lambda it: (it.start, it.end))
        return forced

    def field_names(self, groups: list[_Group], kept: list[_Item], ambiguous: set[str],
                    used_cues: set[int], forced: set[int]) -> list[Fact]:
        """`field` entities: a field named without a value, after a change cue or alone."""
        out = []
        named = {it.field for it in kept} | {it.value for it in kept if it.field == FIELD_ENTITY} | ambiguous
        for gi, g in enumerate(groups):
            fields = sorted(g.fields(NAME) - named)
            if gi in used_cues or g.has(FACT) or not fields:
                continue
            full_start = min(g.start, *(g.start - e.emit_start for e in g.entries if e.role == NAME))
            full_end = max(g.end, *(g.start - e.emit_start + len(e.keys) for e in g.entries if e.role == NAME))
            alone = self.between(0, full_start) + self.between(full_end, len(self.toks)) == 0
            if g.start in forced or alone:
                out.append(self.fact(FIELD_ENTITY, fields[0], g.start, g.end))
        return out

    @staticmethod
    def apply_upgrades(items: list[_Item], groups: list[_Group], cue_clause: list[int]) -> None:
        """"col du fémur étendu au massif trochantérien": neck becomes neck_trochanteric_extension."""
        for g in groups:
            for e in g.entries:
                if e.role != UPGRADE:
                    continue
                earlier = [it for it in items if it.field == e.field and it.value == e.upgrade_from
                           and it.end <= g.start and cue_clause[it.start] == cue_clause[g.start]]
                if not earlier:
                    items.append(_Item(g.start, g.end, e.field, e.fallback))
                    continue
                source = earlier[-1]
                items.remove(source)
                inside = any(source.end <= it.start < g.start for it in items)
                start = g.start if inside else source.start
                items.append(_Item(start, g.end, e.field, e.value))

    def apply_negation(self, items: list[_Item], groups: list[_Group]) -> list[_Item]:
        """Drops negated or hedged values; a negated true becomes false."""
        lex, toks, n = self.lex, self.toks, len(self.toks)
        neg_clause, breaker_starts = self.neg_clause, self.breaker_starts
        # Events in text order: a cue acts after its last token, a value at its first.
        events: list[tuple[float, int, Any]] = [(it.start, 0, it) for it in items]
        events += [(g.end - 0.5, 1, g) for g in groups if g.has(NEG) or g.has(HEDGE)]
        events.sort(key=lambda ev: ev[0])
        group_at = {g.start: g for g in groups}
        status: dict[int, str] = {}
        span: dict[int, tuple[int, int]] = {}   # a negated value's span includes its negation
        cue: Optional[_Group] = None
        facts_since_cue, last_fact_start, last_fact_end = 0, -1, -1
        for _, kind, obj in events:
            if kind == 1:
                cue, facts_since_cue, last_fact_start = obj, 0, -1
                continue
            it: _Item = obj
            if cue is not None and neg_clause[cue.start] == neg_clause[it.start] and cue.end <= it.start:
                distance = self.between(cue.end, it.start)
                if facts_since_cue == 0 and distance <= lex.neg_window:
                    status[id(it)] = "hedged" if cue.has(HEDGE) else "negated"
                    span[id(it)] = (cue.start, it.end)
                elif distance <= lex.doubt_window:
                    # Within reach of the cue but not clearly its object. A complement
                    # of the previous value is outside a negation ("pas de fracture
                    # du col") but inside a hedge ("antécédent de fracture du col").
                    complement = facts_since_cue and all(
                        toks[k].key in lex.complement_words for k in range(last_fact_end, it.start))
                    if not complement or cue.has(HEDGE):
                        status[id(it)] = "hedged"
                if it.start != last_fact_start:
                    facts_since_cue += 1
                    last_fact_start = it.start
                last_fact_end = max(last_fact_end, it.end)
            # A negation or hedge right after the value ("atteinte articulaire : non").
            k, after = it.end, None
            while k < n:
                after = group_at.get(k)
                if after is not None or not (toks[k].key in lex.skip or toks[k].norm == ":"):
                    break
                k += 1
            if after is not None and not after.has(FACT):
                if after.has(HEDGE_AFTER):
                    status[id(it)] = "hedged"
                elif after.has(NEG_AFTER):
                    strict = all(e.strict for e in after.entries if e.role == NEG_AFTER)
                    if not strict or after.end == n or toks[after.end].kind == "b" \
                            or after.end in breaker_starts:
                        if status.setdefault(id(it), "negated") == "negated" and id(it) not in span:
                            span[id(it)] = (it.start, after.end)
        kept = []
        for it in items:
            state = status.get(id(it))
            if state is None:
                kept.append(it)
            elif state == "negated" and it.field in BOOLEAN_FIELDS and it.value == "true":
                start, end = span.get(id(it), (it.start, it.end))
                kept.append(_Item(start, end, it.field, "false", it.cue))
        return kept

    def references(self, groups: list[_Group]) -> list[Fact]:
        out = []
        toks, n = self.toks, len(self.toks)
        low, high = self.lex.ref_range
        for g in groups:
            if not g.has(REF):
                continue
            k = g.end
            while k < n and (toks[k].key in self.lex.ref_fillers or toks[k].norm in (".", ":")):
                k += 1
            while k < n and not self.taken[k]:
                q = self.quantity(k) if toks[k].kind in "nw" else None
                if q is None or q[0] != q[1] or not q[0].is_integer() or not low <= q[0] <= high \
                        or any(self.taken[k:q[2]]):
                    break
                out.append(self.fact(REFERENCE_ENTITY, str(int(q[0])), k, q[2]))
                k = q[2]
                if k + 1 < n and (toks[k].norm == "," or toks[k].key == "et"):
                    k += 1
                else:
                    break
        return out

    def fact(self, fname: str, value: str, start: int, end: int) -> Fact:
        a, b = self.toks[start].start, self.toks[end - 1].end
        return Fact(fname, value, a, b, self.text[a:b])

    @staticmethod
    def without_overlaps(facts: list[Fact]) -> list[Fact]:
        out: list[Fact] = []
        for f in sorted(facts, key=lambda f: (f.start, f.end)):
            if not out or f.start >= out[-1].end:
                out.append(f)
        return out


def _analyze(text: str, answer_field: Optional[str] = None) -> _Analysis:
    return _Analyzer(_lexicon(), text, answer_field).run()


# --------------------------------------------------------------------------
# Public API

def extract_facts(text: str) -> list[Fact]:
    """Every fact stated in a French message, sorted by position.

    Spans are character offsets into ``text`` (``text[f.start:f.end] == f.text``)
    and never overlap. Negated, hedged or ambiguous statements give nothing.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    if not text.strip():
        return []
    return _analyze(text).facts


def interpret_answer(text: str, field: str) -> Optional[str]:
    """The code meant by a short answer to the question about ``field``, or None.

    Reads the answer as ``extract_facts`` would, then with the words that only
    make sense as an answer (a bare duration, "la moitié", "oui"/"non",
    "je ne sais pas"). Any doubt or contradiction gives None.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    if field not in FIELD_VALUES and field != REFERENCE_ENTITY:
        return None
    lex = _lexicon()
    if field in BOOLEAN_FIELDS:
        whole = tuple(t.key for t in lex.tokenize(text) if t.kind != "b")
        if whole in lex.whole_answers:
            return lex.whole_answers[whole]
    values = {f.value for f in extract_facts(text) if f.field == field}
    if field == REFERENCE_ENTITY and not values:
        tokens = [t for t in lex.tokenize(text) if t.kind != "b"]
        low, high = lex.ref_range
        if len(tokens) == 1 and tokens[0].kind == "n" and tokens[0].norm.isdigit() \
                and low <= int(tokens[0].norm) <= high:
            values = {tokens[0].norm}
    if field != REFERENCE_ENTITY:
        answer = _analyze(text, field)
        if field in answer.ambiguous:
            return None
        values |= {f.value for f in answer.facts if f.field == field}
    if len(values) != 1:
        return None
    value = values.pop()
    if field == REFERENCE_ENTITY:
        return value
    return value if value in FIELD_VALUES[field] else None
