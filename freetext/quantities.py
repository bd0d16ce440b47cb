"""Quantities: durations read as life-expectancy classes, fractions as lesion sizes.

A quantity ("4", "quatre", "quelques"), its unit ("mois") and qualifiers
("moins de", "environ") give an interval; the interval gets a class only when
it lies wholly in one class. A bound that is not exact in the unit used
("26 semaines" against 6 months) leaves a margin where nothing is read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from .lexicon import Lexicon, Qualifier
from .matches import Item
from .tokens import Tokenized, is_number_word, word_number


class Bound(NamedTuple):
    """A class bound: a value equal to it belongs to the upper class when
    ``upper_inclusive``; it is exact in the unit family ``exact_in``."""

    value: float
    upper_inclusive: bool
    exact_in: str


# Life-expectancy classes (conventions): bounds in days; 6 weeks is exact in
# days and weeks, 6 and 12 months in months and years.
LIFE_EXPECTANCY_CLASSES = ("lt_6_weeks", "6_weeks_to_6_months", "6_to_12_months", "gt_12_months")
LIFE_EXPECTANCY_BOUNDS = (Bound(42.0, True, "short"), Bound(182.625, True, "long"), Bound(365.25, False, "long"))
# Lesion size (Mirels): fraction of the diameter; "1/3-2/3" is the middle class.
SIZE_CLASSES = ("lt_one_third", "one_to_two_thirds", "gt_two_thirds")
SIZE_BOUNDS = (Bound(1 / 3, True, "exact"), Bound(2 / 3, False, "exact"))


class Side(Enum):
    """Which end of an interval a point is, when the point itself is excluded."""

    LOW = "low"
    HIGH = "high"


class Interval(NamedTuple):
    lo: float
    hi: float
    lo_open: bool
    hi_open: bool


def point_class(x: float, excluded_end: Side | None, family: str | None,
                bounds: Sequence[Bound], tolerance: float) -> int | None:
    """Class index of x; ``excluded_end`` when x itself is outside the interval it
    ends; None when x is too close to a bound not exact in its unit family."""
    if math.isinf(x):
        return len(bounds)
    index = 0
    for bound in bounds:
        tol = 0.0 if family == bound.exact_in else tolerance
        if tol and abs(x - bound.value) <= tol * bound.value:
            return None
        if x > bound.value or (x == bound.value and (
                excluded_end is Side.LOW or (excluded_end is None and bound.upper_inclusive))):
            index += 1
    return index


def interval_class(interval: Interval, lo_family: str | None, hi_family: str | None,
                   bounds: Sequence[Bound], tolerance: float) -> int | None:
    """Class index of an interval lying wholly in one class, else None."""
    lo, hi = interval.lo, interval.hi
    if math.isnan(lo) or math.isnan(hi) or lo > hi:
        return None
    a = point_class(lo, Side.LOW if interval.lo_open else None, lo_family, bounds, tolerance)
    b = point_class(hi, Side.HIGH if interval.hi_open else None, hi_family, bounds, tolerance)
    return a if a is not None and a == b else None


def qualified(kind: Qualifier | None, lo: float, hi: float, margin: float, is_range: bool) -> Interval | None:
    """The interval a quantity [lo, hi] means with its qualifier."""
    if kind is None:
        return Interval(lo, hi, False, False)
    if kind is Qualifier.APPROX:
        return Interval(lo * (1 - margin), hi * (1 + margin), False, False)
    if is_range:
        return None  # "moins de 2 à 3 mois": unclear
    if kind is Qualifier.LT:
        return Interval(0.0, hi, False, True)
    if kind is Qualifier.LE:
        return Interval(0.0, hi, False, False)
    if kind is Qualifier.GT:
        return Interval(lo, math.inf, True, False)
    return Interval(lo, math.inf, False, False)  # Qualifier.GE


class Number(NamedTuple):
    """A number, or a vague count ("quelques": lo < hi), ending before token ``end``."""

    lo: float
    hi: float
    end: int


class Amount(NamedTuple):
    """A number with its unit, if any ("3 mois", "un an et demi")."""

    lo: float
    hi: float
    days: float | None   # length of the unit in days; None without a unit
    family: str | None   # unit family ("short": days, weeks; "long": months, years)
    end: int


class Quantity(NamedTuple):
    """A duration in days, or a range of durations ("2 à 3 mois")."""

    lo: float
    hi: float
    lo_family: str | None
    hi_family: str | None
    is_range: bool
    end: int


@dataclass
class Duration:
    start: int
    end: int
    value: str | None     # life-expectancy class, or None if ambiguous
    excluded: bool           # "depuis 3 mois": not a life expectancy
    past: bool = False       # "il y a 2 ans": its clause is about the past


class QuantityReader:
    """Reads the quantities of one message; the tokens it reads are marked in ``taken``."""

    def __init__(self, lex: Lexicon, msg: Tokenized, taken: list[bool]) -> None:
        self.lex = lex
        self.words = lex.durations
        self.msg = msg
        self.taken = taken

    def number(self, j: int) -> Number | None:
        """A number in digits or words, or a vague count, at token j."""
        toks, n = self.msg.tokens, len(self.msg)
        if j >= n:
            return None
        if toks[j].is_number:
            try:
                v = float(toks[j].norm)
            except ValueError:
                return None
            return Number(v, v, j + 1)
        length = self.msg.seq_at(j, self.words.vague)
        if length:
            lo, hi = self.lex.tuning.vague_range
            return Number(lo, hi, j + length)
        words: list[str] = []
        k = j
        while k < n and toks[k].is_word and len(words) < 8:
            if is_number_word(toks[k].norm):
                words.append(toks[k].norm)
            elif (toks[k].norm == "et" and words and k + 1 < n
                  and toks[k + 1].is_word and is_number_word(toks[k + 1].norm)):
                words.append("et")
            else:
                break
            k += 1
        while words:
            value = word_number(" ".join(words))
            if value is not None:
                return Number(float(value), float(value), j + len(words))
            words.pop()
        return None

    def amount(self, j: int) -> Amount | None:
        """A number, its optional unit and "et demi"."""
        q = self.number(j)
        if q is None:
            return None
        lo, hi, k = q
        toks = self.msg.tokens
        unit = self.words.units.get(toks[k].key) if k < len(toks) and toks[k].is_word else None
        if unit is None:
            return Amount(lo, hi, None, None, k)
        k += 1
        half = self.msg.seq_at(k, self.words.half)
        if half and lo == hi:
            lo = hi = lo + 0.5
            k += half
        return Amount(lo, hi, unit[0], unit[1], k)

    def quantity(self, j: int, separators: set[str], single: bool) -> Quantity | None:
        """A duration with its unit, or a range "2 à 3 mois" (only a range unless ``single``)."""
        a = self.amount(j)
        if a is None:
            return None
        toks, k = self.msg.tokens, a.end
        b = None
        if k < len(toks):
            gap = self.msg.text[toks[k - 1].end:toks[k].start].strip()
            if toks[k].key in separators and toks[k].is_word:
                b = self.amount(k + 1)
            elif gap and gap in self.words.range_gap_chars:
                b = self.amount(k)
        if b is not None and b.days is not None:
            a_days, a_family = (a.days, a.family) if a.days is not None else (b.days, b.family)
            return Quantity(a.lo * a_days, b.hi * b.days, a_family, b.family, True, b.end)
        if not single or a.days is None:
            return None
        return Quantity(a.lo * a.days, a.hi * a.days, a.family, a.family, False, k)

    def duration_at(self, i: int) -> Duration | None:
        """A duration starting at token i, with its qualifiers and life-expectancy class."""
        words, keys, n = self.words, self.msg.keys, len(self.msg)
        pre_kind, j = None, i
        for kind, p in words.qualifiers_before_at.get(keys[i], ()):
            if self.msg.has_at(i, p) and i + len(p) > j:
                pre_kind, j = kind, i + len(p)
        found = None
        if j < n and (keys[j] in words.intro_to or keys[j] in words.intro_and):
            separators = {"et"} if keys[j] in words.intro_and else words.intro_to_separators
            found = self.quantity(j + 1, separators, single=False)
        if found is None:
            found = self.quantity(j, words.range_separators, single=True)
        if found is None:
            return None
        end = found.end
        post_kind, post_length = None, 0
        for kind, p in (words.qualifiers_after_at.get(keys[end], ()) if end < n else ()):
            if len(p) > post_length and self.msg.has_at(end, p):
                post_kind, post_length = kind, len(p)
        end += post_length
        excluded = self.msg.seq_before(i, words.exclude_before) or any(
            self.msg.seq_at(k, words.exclude_after) for k in range(end, min(end + 3, n)))
        past = self.msg.seq_before(i, words.past_before) and found.lo >= self.lex.tuning.past_min_days
        value = None
        if not (pre_kind and post_kind):
            tuning = self.lex.tuning
            interval = qualified(pre_kind or post_kind, found.lo, found.hi, tuning.approx_margin, found.is_range)
            if interval is not None:
                index = interval_class(interval, found.lo_family, found.hi_family,
                                       LIFE_EXPECTANCY_BOUNDS, tuning.unit_tolerance)
                value = None if index is None else LIFE_EXPECTANCY_CLASSES[index]
        return Duration(i, end, value, excluded, past)

    def durations(self) -> list[Duration]:
        """Every duration of the message, left to right."""
        out = []
        i, n = 0, len(self.msg)
        starts = self.words.starts
        while i < n:
            t = self.msg.tokens[i]
            if t.is_number or t.key in starts or (t.is_word and is_number_word(t.norm)):
                d = self.duration_at(i)
                if d is not None:
                    out.append(d)
                    for k in range(d.start, d.end):
                        self.taken[k] = True
                    i = d.end
                    continue
            i += 1
        return out

    def fractions(self) -> list[Item]:
        """Lesion sizes given as a number ("50 %", "3/4"): read in answers only."""
        out = []
        msg, taken = self.msg, self.taken
        toks, keys, n = msg.tokens, msg.keys, len(msg)
        for i in range(n):
            if not toks[i].is_number or taken[i]:
                continue
            end, value = i + 1, None
            percent = msg.seq_at(i + 1, self.lex.answers.percent_words)
            if percent:
                value, end = float(toks[i].norm) / 100, i + 1 + percent
            elif i + 2 < n and keys[i + 1] == "/" and toks[i + 2].is_number and float(toks[i + 2].norm):
                value, end = float(toks[i].norm) / float(toks[i + 2].norm), i + 3
            if value is None or any(taken[i:end]):
                continue
            start, kind = i, None
            for qkind, p in self.words.qualifiers_before:
                if len(p) <= i and tuple(keys[i - len(p):i]) == p and not any(taken[i - len(p):i]):
                    start, kind = i - len(p), qkind
                    break
            interval = qualified(kind, value, value, self.lex.tuning.approx_margin, False)
            index = None
            if interval is not None and interval.hi <= 1:
                index = interval_class(interval, "approx", "approx", SIZE_BOUNDS, self.lex.tuning.lesion_size_tolerance)
            out.append(Item(start, end, "lesion_size", None if index is None else SIZE_CLASSES[index]))
            for k in range(start, end):
                taken[k] = True
        return out
