"""The questions of a case and their order: `questions(facts)` lists the
facts still needed, in the order a clinician is asked (`QUESTION_ORDER`),
and only those the decision (`rules.decide`) depends on; `values_of` and
`completions` give a missing or unknown fact each of its values in turn.

A missing fact is asked; an unknown one is never asked again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import product
from typing import Any

from . import mirels
from .contract import BOOLEAN, FIELDS, LIFE_EXPECTANCY_CLASSES, SITES_BY_BONE, UNKNOWN, is_joint_end, site_applies
from .rules import (
    ACETABULAR_ESCALATION,
    ARTHROPLASTY_PROGNOSIS,
    DECISIVE,
    OSTEOSYNTHESIS,
    SOLITARY,
    SURGICAL,
    UNDETERMINED,
    WHEN_SURGERY_CONSIDERED,
    Decision,
    _acetabular_escalation,
    decide,
    solitary_changes,
)

# The order in which a clinician is asked the facts, written once: the
# questions every case starts with, then the acetabulum's own questions or
# the Mirels items of an impending fracture (a case has one or the other),
# the articular involvement, then what only refines the surgery. `questions`
# asks in this order; the branch search (`branches._next_open`) gives
# open facts values in this order; the dialogue (consultation/progress.py)
# follows `questions`.
QUESTION_ORDER = (
    "situation",
    "bone",
    "site",
    "life_expectancy",
    "fit_for_surgery",
    *ACETABULAR_ESCALATION,
    "percutaneous_treatment_failed",
    *mirels.FIELDS,
    "articular_involvement",
    SOLITARY,
    "major_bone_loss",
    *WHEN_SURGERY_CONSIDERED,
    "primary_tumor",
    "performance_status",
)


def questions(facts: Mapping[str, Any]) -> list[str]:
    """The facts still needed, in the order the dialogue asks them
    (`QUESTION_ORDER`). A question whose answer cannot change the outcome is
    not asked."""
    pending: list[str] = []

    def need(*names: str) -> None:
        pending.extend(name for name in names if facts.get(name) is None and name not in pending)

    bone, life = facts.get("bone"), facts.get("life_expectancy")
    excluded = life == "lt_6_weeks" or facts.get("fit_for_surgery") is False
    # No operation whatever the situation and the site, except at the
    # acetabulum, where they still choose between treatments.
    if not excluded or bone == "acetabulum":
        need("situation")
    need("bone")
    if site_applies(bone) and not excluded:
        need("site")
    need("life_expectancy")
    if life != "lt_6_weeks":  # under 6 weeks, fitness changes nothing
        need("fit_for_surgery")
    if bone == "acetabulum":
        pending += _acetabular_questions(facts, pending)
    if excluded:
        return in_question_order(pending)
    # The Mirels items only while the reading is open: once the items given
    # settle it (9 or more whatever the others, or below 8 without functional
    # pain whatever they are), the other items are not asked (2.1).
    impending = facts.get("situation") == "impending_fracture" and bone not in (None, "acetabulum")
    if impending and mirels.assess(facts) is None:
        need(*mirels.FIELDS)
    site = facts.get("site")
    ankle = bone == "tibia" and site == "distal"
    if is_joint_end(bone, site) and not ankle and life in ARTHROPLASTY_PROGNOSIS + (UNKNOWN,):
        need("articular_involvement")
    considered = _considered(facts)
    if considered:
        if any(solitary_changes(facts, decision) for decision in considered):
            need(SOLITARY)
        if any(code in OSTEOSYNTHESIS for decision in considered for code in decision.codes()):
            need("major_bone_loss")
        need(*WHEN_SURGERY_CONSIDERED)
    return in_question_order(pending)


def in_question_order(names: Sequence[str]) -> list[str]:
    """`names` in the order of `QUESTION_ORDER`."""
    return sorted(names, key=QUESTION_ORDER.index)


def _acetabular_questions(facts: Mapping[str, Any], pending: Sequence[str]) -> list[str]:
    if facts.get("situation") == "pathological_fracture":
        return []  # stability and fracture risk are moot once the cotyle is fractured
    asked: list[str] = []

    def need(*names: str) -> None:
        asked.extend(name for name in names if facts.get(name) is None and name not in pending)

    stability, risk = facts.get("acetabular_stability_compromised"), facts.get("acetabular_fracture_risk")
    if stability is not True and risk is not True:
        need("acetabular_stability_compromised", "acetabular_fracture_risk")
        if stability is not None and risk is not None:
            need("conservative_treatment_failed")
    if _acetabular_escalation(facts) is True:
        # Asked even when surgery is excluded: a treatment that failed is not offered again.
        need("percutaneous_treatment_failed")
    return asked


def values_of(facts: Mapping[str, Any], name: str) -> tuple[Any, ...]:
    """The known values a field can take in this case (`unknown` aside)."""
    if name == "site":
        return SITES_BY_BONE.get(facts.get("bone") or "", ())
    if name == "life_expectancy":
        return LIFE_EXPECTANCY_CLASSES
    return BOOLEAN if FIELDS[name] == BOOLEAN else tuple(FIELDS[name])


def completions(facts: Mapping[str, Any], names: Sequence[str]) -> Iterator[Mapping[str, Any]]:
    """The case with each of `names` given each of its known values in turn."""
    choices = [values_of(facts, name) for name in names]
    for combination in product(*choices):
        yield {**facts, **dict(zip(names, combination, strict=True))}


def _considered(facts: Mapping[str, Any]) -> list[Decision]:
    """The surgical decisions the case may lead to: the decision itself if
    surgery is on the table with its technique, else those its unknown facts
    would allow (an unknown site: each site's technique)."""
    decision = decide(facts)
    if decision.surgery in SURGICAL and not decision.depends_on:
        return [decision]
    if decision.surgery not in (*SURGICAL, UNDETERMINED):
        return []
    unknown = [name for name in DECISIVE if facts.get(name) == UNKNOWN]
    return [d for d in map(decide, completions(facts, unknown)) if d.surgery in SURGICAL]
