"""A recommendation assembled from the chapter's decision (`rules.decide`):
the indication, the techniques, the work-up, the post-operative items and
the warnings (`items`), what each pending answer would change (`branches`),
the references that support the items and, apart, the chapter's reading list
(`citations`). Each case's recommendation is made once and remembered.

Item texts, sections and references come from `data/chapter.yml` through
`knowledge.item`; the modules above only choose which items a case calls for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

from . import knowledge
from .branches import branches, refinements
from .citations import _citations, _further_reading
from .contract import validate_case
from .items import (
    IMPLANTS,
    _histology_first,
    _indication_item,
    _mirels,
    _postoperative,
    _technique_item,
    _warnings,
    _workup,
)
from .model import Recommendation, freeze
from .question_order import _considered, questions
from .rules import SURGICAL, UNDETERMINED, Decision, decide

# Recommendations remembered (about 20 kB each): a turn weighs the case, and
# every answer to each question still open (`consultation.progress`), several
# times; the next turn weighs most of them again.
REMEMBERED_CASES = 1024


def recommend(case: Mapping[str, Any]) -> Recommendation:
    """The recommendation for a case of the decision contract.

    Raises `contract.CaseError` when the case breaks the contract. Computed
    once per case: the same case (the same facts, in the same order) gives the
    same object, which cannot be changed (`model.freeze`).
    """
    facts = validate_case(case)
    try:
        return _remembered(tuple(facts.items()))
    except TypeError:  # a value that cannot be a key (none passes the contract's check)
        return freeze(build(facts))


def forget() -> None:
    """Forget the recommendations made (`decision_bench` times their making)."""
    _remembered.cache_clear()


@lru_cache(maxsize=REMEMBERED_CASES)
def _remembered(facts: tuple[tuple[str, Any], ...]) -> Recommendation:
    recommendation: Recommendation = freeze(build(dict(facts)))
    return recommendation


def build(facts: dict[str, Any]) -> Recommendation:
    """The recommendation for facts already validated."""
    decision = decide(facts)
    pending = questions(facts)
    considered = _considered(facts)
    bone = facts.get("bone")

    histology = _histology_first(facts, considered)
    techniques = [
        _technique_item(bone, technique, histology if technique.code in IMPLANTS else None)
        for technique in decision.techniques
    ]
    recommendation = Recommendation(
        guideline=dict(knowledge.guideline()),
        case=dict(facts),
        surgery=decision.surgery,
        intent=_intent(facts, decision),
        indication=_indication_item(facts, decision),
        mirels=_mirels(decision.mirels),
        techniques=techniques,
        workup=_workup(facts, decision, considered),
        postoperative=_postoperative(facts, decision),
        warnings=_warnings(facts, decision, considered),
        missing=pending,
        branches=branches(facts, pending) if decision.surgery == UNDETERMINED or decision.depends_on else [],
        refinements=refinements(facts, pending),
    )
    return replace(recommendation, citations=_citations(recommendation.items()), further_reading=_further_reading())


def _intent(facts: Mapping[str, Any], decision: Decision) -> str | None:
    situation = facts.get("situation")
    if decision.surgery not in SURGICAL or situation is None:
        return None
    return "preventive" if situation == "impending_fracture" else "symptomatic"
