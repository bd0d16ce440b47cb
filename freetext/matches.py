"""What the steps of the analysis pass each other: phrases matched and values read."""

from __future__ import annotations

from dataclasses import dataclass, field

from .lexicon import Entry, Role


@dataclass
class Group:
    """A phrase accepted in the message: token span [start, end) and the roles it plays."""

    start: int
    end: int
    entries: list[Entry]
    roles: frozenset[Role] = field(init=False)

    def __post_init__(self) -> None:
        self.roles = frozenset(e.role for e in self.entries)

    def has(self, role: Role) -> bool:
        return role in self.roles

    def fields(self, *roles: Role) -> set[str]:
        return {e.field for e in self.entries if e.role in roles}


@dataclass
class Item:
    """A value read in the message (before negation and conflict checks)."""

    start: int
    end: int
    field: str
    value: str | None  # None: the words give a value we cannot settle
    cue: int | None = None  # index of the cue group it is bound to
    choice: tuple[str, str] | None = None  # value None: the two classes a quantity straddles
    boundary: str | None = None  # a quantity exactly on a class bound ("6 mois"): the class across it
