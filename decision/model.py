"""The recommendation returned by `recommend`, serialised as the contract's JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional


@dataclass(frozen=True)
class Item:
    """One element of a recommendation, with what it rests on."""

    code: str
    section: str
    citations: List[int]
    label_fr: Optional[str] = None
    rationale_fr: Optional[str] = None
    text_fr: Optional[str] = None
    role: Optional[str] = None
    quote_fr: Optional[str] = None
    # Set when the item holds only under a fact not known yet (`unknown`):
    # e.g. curettage-cementation "si la perte osseuse est importante".
    condition_fr: Optional[str] = None
    # Every verbatim sentence the item rests on, with its section, when there
    # are several (the first one is `quote_fr`).
    quotes: Optional[List[Dict[str, str]]] = None

    def to_dict(self) -> Dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


@dataclass(frozen=True)
class Mirels:
    """The Mirels score: its items, or the range it can take while some
    items are `unknown` (each item scores 1 to 3)."""

    items: Dict[str, int]
    interpretation_fr: str
    threshold: int = 9
    unknown: List[str] = field(default_factory=list)

    @property
    def score(self) -> Optional[int]:
        return None if self.unknown else sum(self.items.values())

    @property
    def score_range(self) -> List[int]:
        known = sum(self.items.values())
        return [known + len(self.unknown), known + 3 * len(self.unknown)]

    def to_dict(self) -> Dict[str, Any]:
        data: Dict[str, Any] = {
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
    `undetermined` and `possible` lists the outcomes the other answers allow."""

    field: str
    value: Any
    surgery: str
    techniques: List[str]
    possible: List[str] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Recommendation:
    guideline: Dict[str, str]
    case: Dict[str, Any]
    surgery: str
    intent: Optional[str]
    indication: Item
    mirels: Optional[Mirels]
    techniques: List[Item]
    workup: List[Item]
    postoperative: List[Item]
    warnings: List[Item]
    missing: List[str]
    branches: List[Branch]
    citations: List[Dict[str, Any]] = field(default_factory=list)
    # The facts of `missing` whose answer changes neither the indication nor
    # the techniques proposed (only an adjunct, the work-up or a warning): the
    # dialogue may give the recommendation first and ask them after.
    refinements: List[str] = field(default_factory=list)

    def items(self) -> List[Item]:
        """Every item that carries a section and citations, indication first."""
        return [self.indication, *self.techniques, *self.workup, *self.postoperative, *self.warnings]

    def warning_codes(self) -> List[str]:
        return [warning.code for warning in self.warnings]

    def to_dict(self) -> Dict[str, Any]:
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
            "citations": [dict(citation) for citation in self.citations],
        }
