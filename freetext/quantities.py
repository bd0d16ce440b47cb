"""Quantities: durations read as life-expectancy classes, fractions as lesion sizes.

A quantity ("4", "quatre", "quelques"), its unit ("mois", "tiers", "%") and
qualifiers ("moins de", "environ") give an interval; the interval gets a class
only when it lies wholly in one class, or when it is a class itself ("6
semaines à 6 mois"). A bound that is not exact in the unit used ("26 semaines"
against 6 months, "65 %" against two thirds) leaves a margin where nothing is
read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from .lexicon import Lexicon
from .tokens import Tokenized, is_number_word, word_number
from .wordlists import Qualifier


class Bound(NamedTuple):
    """A class bound: a value equal to it belongs to the upper class when
    ``upper_inclusive``; it is exact in the unit family ``exact_in``. A range
    ending on it belongs to the class below when ``ends_lower``: that class's
    label holds the bound too (« 3-6 mois »: « 6 semaines à 6 mois »)."""

    value: float
    upper_inclusive: bool
    exact_in: str
    ends_lower: bool = False


# Life-expectancy classes (conventions): bounds in days; 6 weeks is exact in
# days and weeks, 6 and 12 months in months and years.
LIFE_EXPECTANCY_CLASSES = ("lt_6_weeks", "6_weeks_to_6_months", "6_to_12_months", "gt_12_months")
LIFE_EXPECTANCY_BOUNDS = (
    Bound(42.0, True, "short"),
    Bound(182.625, True, "long", ends_lower=True),
    Bound(365.25, False, "long"),
)
# Lesion size (Mirels): fraction of the diameter; "1/3-2/3" is the middle class.
SIZE_CLASSES = ("lt_one_third", "one_to_two_thirds", "gt_two_thirds")
EXACT, APPROXIMATE = "exact", "approx"
SIZE_BOUNDS = (Bound(1 / 3, True, EXACT), Bound(2 / 3, False, EXACT))


class Side(Enum):
    """Which end of an interval a point is, when the point itself is excluded."""

    LOW = "low"
    HIGH = "high"


class Interval(NamedTuple):
    lo: float
    hi: float
    lo_open: bool
    hi_open: bool


def point_class(
    x: float, excluded_end: Side | None, family: str | None, bounds: Sequence[Bound], tolerance: float
) -> int | None:
    """Class index of x; ``excluded_end`` when x itself is outside the interval it
    ends; None when x is too close to a bound not exact in its unit family."""
    if math.isinf(x):
        return len(bounds)
    index = 0
    for bound in bounds:
        tol = 0.0 if family == bound.exact_in else tolerance
        if tol and abs(x - bound.value) <= tol * bound.value:
            return None
        if x > bound.value or (
            x == bound.value and (excluded_end is Side.LOW or (excluded_end is None and bound.upper_inclusive))
        ):
            index += 1
    return index


def interval_class(
    interval: Interval, lo_family: str | None, hi_family: str | None, bounds: Sequence[Bound], tolerance: float
) -> int | None:
    """Class index of an interval lying wholly in one class, or running from one
    bound to the next (the class itself: "6 semaines à 6 mois"), else None."""
    lo, hi = interval.lo, interval.hi
    if math.isnan(lo) or math.isnan(hi) or lo > hi:
        return None
    for k in range(len(bounds) - 1):
        if (
            (lo, hi) == (bounds[k].value, bounds[k + 1].value)
            and not (interval.lo_open or interval.hi_open)
            and lo_family == bounds[k].exact_in
            and hi_family == bounds[k + 1].exact_in
        ):
            return k + 1
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
    """A number with its unit, if any ("3 mois", "un an et demi", "deux tiers", "30 %")."""

    lo: float
    hi: float
    unit: float | None  # size of the unit (days, or fraction of the diameter); None without a unit
    family: str | None  # unit family: a class bound is exact in its own family
    end: int


class Quantity(NamedTuple):
    """An amount in its scale's unit (days, fraction of the diameter), or a range ("2 à 3 mois")."""

    lo: float
    hi: float
    lo_family: str | None
    hi_family: str | None
    is_range: bool
    end: int


@dataclass
class Measured:
    """A duration or a lesion size read in the message: tokens [start, end) and its class."""

    scale: str  # the field it measures: life_expectancy or lesion_size
    start: int
    end: int
    value: str | None  # its class, or None if ambiguous
    low: float  # its lower end, in the scale's unit (days, fraction of the diameter)
    excluded: bool  # "depuis 3 mois", "PD-L1 60 %": not what the scale measures
    past: bool = False  # "il y a 2 ans": its clause is about the past
    # value None: the two neighbouring classes it straddles ("environ 6 mois", "1 à 3 mois")
    choice: tuple[str, str] | None = None
    # exactly a class bound, stated plainly ("6 mois", "1 an"): the class on the bound's other side
    boundary: str | None = None


class Classed(NamedTuple):
    """What a quantity says of its scale's classes."""

    value: str | None
    choice: tuple[str, str] | None = None
    boundary: str | None = None


@dataclass(frozen=True)
class Scale:
    """How one kind of quantity is read and classed."""

    name: str
    amount: Callable[[int], Amount | None]
    classes: tuple[str, ...]
    bounds: tuple[Bound, ...]
    tolerance: float
    widen_approx: bool  # "environ 3 mois" widens the value; "environ 30 %" keeps it (the tolerance is the doubt)
    upper_limit: float  # no quantity of the scale goes beyond (math.inf, or the whole diameter)
    exclude_before: list[tuple[str, ...]]
    exclude_after: list[tuple[str, ...]]


class QuantityReader:
    """Reads the durations and lesion sizes of one message; the tokens it reads are marked in ``taken``."""

    def __init__(self, lex: Lexicon, msg: Tokenized, taken: list[bool]) -> None:
        self.lex = lex
        self.words = lex.durations
        self.sizes_words = lex.sizes
        self.msg = msg
        self.taken = taken
        tuning = lex.tuning
        self.duration_scale = Scale(
            "life_expectancy",
            self.duration_amount,
            LIFE_EXPECTANCY_CLASSES,
            LIFE_EXPECTANCY_BOUNDS,
            tuning.unit_tolerance,
            True,
            math.inf,
            self.words.exclude_before,
            self.words.exclude_after,
        )
        self.size_scale = Scale(
            "lesion_size",
            self.size_amount,
            SIZE_CLASSES,
            SIZE_BOUNDS,
            tuning.lesion_size_tolerance,
            False,
            1.0,
            self.sizes_words.exclude_before,
            [],
        )

    def number(self, j: int, vague: bool = True) -> Number | None:
        """A number in digits or words, or (if ``vague``) a vague count, at token j."""
        toks, n = self.msg.tokens, len(self.msg)
        if j >= n:
            return None
        if toks[j].is_number:
            try:
                v = float(toks[j].norm)
            except ValueError:
                return None
            return Number(v, v, j + 1)
        length = self.msg.seq_at(j, self.words.vague) if vague else 0
        if length:
            lo, hi = self.lex.tuning.vague_range
            return Number(lo, hi, j + length)
        words: list[str] = []
        k = j
        while k < n and toks[k].is_word and len(words) < 8:
            if is_number_word(toks[k].norm):
                words.append(toks[k].norm)
            elif (
                toks[k].norm == "et"
                and words
                and k + 1 < n
                and toks[k + 1].is_word
                and is_number_word(toks[k + 1].norm)
            ):
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

    def duration_amount(self, j: int) -> Amount | None:
        """A number, its optional time unit and "et demi"."""
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

    def size_amount(self, j: int) -> Amount | None:
        """A part of the diameter: "la moitié", "deux tiers", "2/3", "30 %", or a bare number."""
        msg, words, toks = self.msg, self.sizes_words, self.msg.tokens
        k = j + 1 if j + 1 < len(msg) and toks[j].key in words.articles else j
        if k < len(msg) and toks[k].key in words.wholes:
            return Amount(1.0, 1.0, words.wholes[toks[k].key], EXACT, k + 1)
        if k < len(msg) and toks[k].key in words.units and (k > j or (j > 0 and toks[j - 1].key in words.articles)):
            return Amount(1.0, 1.0, words.units[toks[k].key], EXACT, k + 1)  # "le quart", "le tiers"
        q = self.number(j, vague=False)
        if q is None:
            return None
        k = q.end
        percent = msg.seq_at(k, words.percent)
        if percent:
            return Amount(q.lo, q.hi, 0.01, APPROXIMATE, k + percent)
        if k < len(msg) and toks[k].is_word and toks[k].key in words.units:
            return Amount(q.lo, q.hi, words.units[toks[k].key], EXACT, k + 1)
        if k + 1 < len(msg) and toks[k].key == "/" and toks[k + 1].is_number and toks[k + 1].norm in words.denominators:
            return Amount(q.lo, q.hi, 1 / float(toks[k + 1].norm), EXACT, k + 2)
        return Amount(q.lo, q.hi, None, None, k)

    def quantity(self, j: int, scale: Scale, separators: set[str], single: bool) -> Quantity | None:
        """An amount with its unit, or a range "2 à 3 mois" (only a range unless ``single``)."""
        a = scale.amount(j)
        if a is None:
            return None
        toks, k = self.msg.tokens, a.end
        b = None
        if k < len(toks):
            gap = self.msg.text[toks[k - 1].end : toks[k].start].strip()
            if toks[k].key in separators and toks[k].is_word:
                b = scale.amount(k + 1)
            elif gap and gap in self.words.range_gap_chars:
                b = scale.amount(k)
        if b is not None and b.unit is not None:
            a_unit, a_family = (a.unit, a.family) if a.unit is not None else (b.unit, b.family)
            return Quantity(a.lo * a_unit, b.hi * b.unit, a_family, b.family, True, b.end)
        if not single or a.unit is None:
            return None
        return Quantity(a.lo * a.unit, a.hi * a.unit, a.family, a.family, False, k)

    def measured_at(self, i: int, scale: Scale) -> Measured | None:
        """A quantity of ``scale`` starting at token i, with its qualifiers and class."""
        words, keys, n = self.words, self.msg.keys, len(self.msg)
        pre_kind, j = None, i
        for kind, p in words.qualifiers_before_at.get(keys[i], ()):
            if self.msg.has_at(i, p) and i + len(p) > j:
                pre_kind, j = kind, i + len(p)
        found = None
        if j < n and (keys[j] in words.intro_to or keys[j] in words.intro_and):
            separators = {"et"} if keys[j] in words.intro_and else words.intro_to_separators
            found = self.quantity(j + 1, scale, separators, single=False)
        if found is None:
            found = self.quantity(j, scale, words.range_separators, single=True)
        if found is None or found.lo > scale.upper_limit:
            return None
        end = found.end
        post_kind, post_length = None, 0
        for kind, p in words.qualifiers_after_at.get(keys[end], ()) if end < n else ():
            if len(p) > post_length and self.msg.has_at(end, p):
                post_kind, post_length = kind, len(p)
        end += post_length
        excluded = self.msg.seq_before(i, scale.exclude_before) or any(
            self.msg.seq_at(k, scale.exclude_after) for k in range(end, min(end + 3, n))
        )
        classed = self.classify(found, pre_kind, post_kind, scale)
        return Measured(
            scale.name, i, end, classed.value, found.lo, excluded, choice=classed.choice, boundary=classed.boundary
        )

    def classify(
        self, found: Quantity, pre_kind: Qualifier | None, post_kind: Qualifier | None, scale: Scale
    ) -> Classed:
        """The class of a quantity; else, when it straddles one bound, the two classes
        on either side ("environ 6 mois", "1 à 3 mois": the user chooses)."""
        if pre_kind and post_kind:
            return Classed(None)
        kind = pre_kind or post_kind
        lo_family, hi_family = found.lo_family, found.hi_family
        if kind is Qualifier.APPROX and not scale.widen_approx:
            kind, lo_family, hi_family = None, APPROXIMATE, APPROXIMATE
        interval = qualified(kind, found.lo, found.hi, self.lex.tuning.approx_margin, found.is_range)
        if interval is None:
            return Classed(None)
        if interval.hi > scale.upper_limit:
            interval = Interval(interval.lo, scale.upper_limit, interval.lo_open, False)
        # A range that ends on a bound ends in the class whose label it ends
        # ("3-6 mois": « 6 semaines à 6 mois »).
        if (
            kind is None
            and found.is_range
            and not interval.hi_open
            and any(b.value == interval.hi and b.exact_in == hi_family and b.ends_lower for b in scale.bounds)
        ):
            interval = Interval(interval.lo, interval.hi, interval.lo_open, True)
        index = interval_class(interval, lo_family, hi_family, scale.bounds, scale.tolerance)
        if index is not None:
            other = None
            if kind is None and not found.is_range:
                for k, b in enumerate(scale.bounds):
                    if b.value == found.lo and b.exact_in == lo_family:
                        other = scale.classes[k] if index == k + 1 else scale.classes[k + 1]
            return Classed(scale.classes[index], boundary=other)
        if math.isnan(interval.lo) or math.isnan(interval.hi) or interval.lo > interval.hi:
            return Classed(None)
        low = point_class(interval.lo, Side.LOW if interval.lo_open else None, lo_family, scale.bounds, 0.0)
        high = point_class(interval.hi, Side.HIGH if interval.hi_open else None, hi_family, scale.bounds, 0.0)
        if low is not None and high == low + 1 and high < len(scale.classes):
            return Classed(None, choice=(scale.classes[low], scale.classes[high]))
        return Classed(None)

    def durations(self) -> list[Measured]:
        """Every duration of the message, left to right."""
        found = self.measure(self.duration_scale, self.words.starts)
        for d in found:  # "il y a 2 ans": long enough ago to date its clause
            d.past = self.msg.seq_before(d.start, self.words.past_before) and d.low >= self.lex.tuning.past_min_days
        return found

    def sizes(self, passable: frozenset[int] = frozenset()) -> list[Measured]:
        """Every lesion size of the message given as a number or a fraction, left to right.
        Sizes are read after the lexicon phrases: the tokens in ``passable`` (a breaker,
        "et") may still join the two ends of a range ("entre 1/4 et 1/2")."""
        starts = self.words.starts | frozenset(self.sizes_words.wholes) | frozenset(self.sizes_words.units)
        return self.measure(self.size_scale, starts, passable)

    def measure(self, scale: Scale, starts: frozenset[str], passable: frozenset[int] = frozenset()) -> list[Measured]:
        out = []
        i, n = 0, len(self.msg)
        while i < n:
            t = self.msg.tokens[i]
            if not self.taken[i] and (t.is_number or t.key in starts or (t.is_word and is_number_word(t.norm))):
                m = self.measured_at(i, scale)
                if m is not None and not any(self.taken[k] and k not in passable for k in range(m.start, m.end)):
                    out.append(m)
                    for k in range(m.start, m.end):
                        self.taken[k] = True
                    i = m.end
                    continue
            i += 1
        return out
