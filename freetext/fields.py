"""What the parser emits: the decision contract seen as strings, and ``Fact``.

Entity values are strings (booleans as "true" / "false"). Fields, codes and the
sites allowed per bone come from ``decision.contract``, the contract's single
definition; the parser adds two entities of its own, ``field`` (a field named
without a value) and ``reference_number``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from decision.contract import BOOLEAN as CONTRACT_BOOLEAN
from decision.contract import FIELDS as CONTRACT_FIELDS
from decision.contract import SITES_BY_BONE as CONTRACT_SITES
from decision.contract import UNKNOWN_ALLOWED as CONTRACT_UNKNOWN_ALLOWED

TRUE, FALSE = "true", "false"
_BOOL = (TRUE, FALSE)

FIELD_VALUES: dict[str, tuple[str, ...]] = {
    name: _BOOL if values == CONTRACT_BOOLEAN else tuple(values) for name, values in CONTRACT_FIELDS.items()
}
BOOLEAN_FIELDS = frozenset(f for f, v in FIELD_VALUES.items() if v == _BOOL)
SITES_BY_BONE: dict[str, frozenset[str]] = {bone: frozenset(sites) for bone, sites in CONTRACT_SITES.items()}

FIELD_ENTITY = "field"
REFERENCE_ENTITY = "reference_number"
UNKNOWN = "unknown"
# Fields « je ne sais pas » answers (as `unknown`): every field but the primary
# tumour, the situation and the bone, which a case discussed always states.
UNKNOWN_ALLOWED = frozenset(CONTRACT_UNKNOWN_ALLOWED)


def accepts(fname: str, value: str) -> bool:
    """Whether ``value`` is a code of ``fname``, `unknown` included where the contract allows it."""
    return value in FIELD_VALUES[fname] or (value == UNKNOWN and fname in UNKNOWN_ALLOWED)


@dataclass(frozen=True)
class Fact:
    """One entity: a contract field (or ``field`` / ``reference_number``) and its code."""

    field: str
    value: str
    start: int
    end: int
    text: str


class Straddle(NamedTuple):
    """A quantity straddling one class bound (« environ 6 mois »): the classes on
    either side, and the words read."""

    low: str
    high: str
    text: str


class OnBound(NamedTuple):
    """A quantity read exactly on a class bound (« 6 mois »): the words read, and
    the class on the other side of the bound."""

    text: str
    other: str
