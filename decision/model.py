"""The recommendation returned by `recommend`, serialised as the contract's JSON.

`recommend` remembers the recommendations it made (a turn asks for the same
case several times): what it returns is shared, so it is `frozen`, its lists
and dicts included (`FrozenList`, `FrozenDict`: equal to plain ones, read like
them, changing them raises `TypeError`). `to_dict()` gives fresh plain data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

K = TypeVar("K")
V = TypeVar("V")


def _refuse(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError("a recommendation is shared and cannot be changed: change a copy (to_dict())")


class FrozenList(list[V]):
    """A list that cannot be changed (a shared recommendation's). Its copies are plain lists."""

    append = extend = insert = pop = remove = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __copy__(self) -> list[V]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return thaw(list(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))


class FrozenDict(dict[K, V]):
    """A dict that cannot be changed (a shared recommendation's). Its copies are plain dicts."""

    clear = pop = popitem = setdefault = update = _refuse
    __setitem__ = __delitem__ = __ior__ = _refuse

    def __copy__(self) -> dict[K, V]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:
        return thaw(dict(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


_SCALARS = (str, int, float, bool, type(None))


def freeze(value: Any) -> Any:
    """``value`` that cannot be changed: its lists and dicts frozen, deeply,
    the dataclasses (frozen already) rebuilt with frozen fields."""
    kind = type(value)
    if kind in _SCALARS or kind is FrozenList or kind is FrozenDict:
        return value
    if kind is list:
        return FrozenList([freeze(v) for v in value])
    if kind is dict:
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    fields = getattr(kind, "__dataclass_fields__", None)
    if fields is not None:
        frozen = {name: freeze(getattr(value, name)) for name, f in fields.items() if f.init}
        return dataclasses.replace(value, **frozen)
    if isinstance(value, list):
        return FrozenList([freeze(v) for v in value])
    if isinstance(value, dict):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    return value


def thaw(value: Any) -> Any:
    """A fresh plain copy of JSON-like ``value`` (lists, dicts, tuples and scalars)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [thaw(v) for v in value]
    if isinstance(value, tuple):
        return tuple(thaw(v) for v in value)
    return value


def _plain_fields(value: Any) -> dict[str, Any]:
    """`dataclasses.asdict` of a dataclass of scalars, lists and dicts, in plain types."""
    return {f.name: thaw(getattr(value, f.name)) for f in dataclasses.fields(value)}


@dataclass(frozen=True)
class Item:
    """One element of a recommendation, with what it rests on."""

    code: str
    section: str
    citations: list[int]
    label_fr: str | None = None
    rationale_fr: str | None = None
    text_fr: str | None = None
    role: str | None = None
    quote_fr: str | None = None
    # Set when the item holds only under a fact not known yet (`unknown`):
    # e.g. curettage-cementation "si la perte osseuse est importante".
    condition_fr: str | None = None
    # Every verbatim sentence the item rests on, with its section, when there
    # are several (the first one is `quote_fr`).
    quotes: list[dict[str, str]] | None = None
    # The chapter's review of the case's bone (137 femur, 138 humerus, 141
    # acetabulum), from its general reading list: complementary reading for
    # this item, never its support (that is `citations`).
    bone_reading: list[int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in _plain_fields(self).items() if value is not None}


@dataclass(frozen=True)
class Mirels:
    """The Mirels score: its items, or the range it can take while some
    items are `unknown` (each item scores 1 to 3)."""

    items: dict[str, int]
    interpretation_fr: str
    threshold: int = 9
    unknown: list[str] = dataclasses.field(default_factory=list)
    # The points an unknown item may score when not 1 to 3 (the site item of
    # an unknown site: the femur's sites score 2 or 3).
    unknown_points: dict[str, list[int]] = dataclasses.field(default_factory=dict)

    @property
    def score(self) -> int | None:
        return None if self.unknown else sum(self.items.values())

    @property
    def score_range(self) -> list[int]:
        known = sum(self.items.values())
        points = [self.unknown_points.get(name, [1, 2, 3]) for name in self.unknown]
        return [known + sum(min(p) for p in points), known + sum(max(p) for p in points)]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "score": self.score,
            "items": dict(self.items),
            "threshold": self.threshold,
            "interpretation_fr": self.interpretation_fr,
        }
        if self.unknown:
            data["unknown_items"] = list(self.unknown)
            data["score_range"] = self.score_range
        return data


@dataclass(frozen=True)
class Branch:
    """What one answer to a pending question would lead to. When that answer
    alone does not settle the decision (other facts still open), `surgery` is
    `undetermined`.

    `possible` is exact: every surgery (`indicated`, `discuss`,
    `not_indicated`) that some completion of the case reaches with this
    answer, a completion giving every other missing or `unknown` fact one of
    its values, and no other. It is `[surgery]` when the answer settles the
    decision; a single surgery with `surgery` `undetermined` means the other
    answers change the technique, not the surgery."""

    field: str
    value: Any
    surgery: str
    techniques: list[str]
    possible: list[str] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _plain_fields(self)


@dataclass(frozen=True)
class Recommendation:
    guideline: dict[str, str]
    case: dict[str, Any]
    surgery: str
    intent: str | None
    indication: Item
    mirels: Mirels | None
    techniques: list[Item]
    workup: list[Item]
    postoperative: list[Item]
    warnings: list[Item]
    missing: list[str]
    branches: list[Branch]
    # Every reference some item cites as support, once, with its printed text.
    citations: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    # The chapter's reading list for its whole text (« (137–142) »), shown once:
    # its sentence, its numbers as printed, the texts of those listed for a limb.
    further_reading: dict[str, Any] = dataclasses.field(default_factory=dict)
    # The facts of `missing` whose answer changes neither the indication nor
    # the techniques proposed (only an adjunct, the work-up or a warning): the
    # dialogue may give the recommendation first and ask them after.
    refinements: list[str] = dataclasses.field(default_factory=list)

    def items(self) -> list[Item]:
        """Every item that carries a section and citations, indication first."""
        return [self.indication, *self.techniques, *self.workup, *self.postoperative, *self.warnings]

    def warning_codes(self) -> list[str]:
        return [warning.code for warning in self.warnings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "guideline": dict(self.guideline),
            "case": dict(self.case),
            "surgery": self.surgery,
            "intent": self.intent,
            "indication": self.indication.to_dict(),
            "mirels": self.mirels.to_dict() if self.mirels else None,
            "techniques": [item.to_dict() for item in self.techniques],
            "workup": [item.to_dict() for item in self.workup],
            "postoperative": [item.to_dict() for item in self.postoperative],
            "warnings": [item.to_dict() for item in self.warnings],
            "missing": list(self.missing),
            "refinements": list(self.refinements),
            "branches": [branch.to_dict() for branch in self.branches],
            "citations": thaw(list(self.citations)),
            "further_reading": thaw(self.further_reading),
        }
