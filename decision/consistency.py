"""Answers that contradict each other.

A case may hold two facts that cannot both be true (a diaphyseal lesion « with
articular involvement ») or that are hard to hold together (a WHO 4 patient
declared fit for surgery: a fracture can itself make a patient WHO 4). The
decision never chooses between them in silence: each contradiction found here
becomes an `inconsistent_facts` warning (its variant, in `data/chapter.yml`)
that names both answers, asks which one is right, and says which one the
recommendation follows. Nothing here refuses a case or changes the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .rules import ACETABULAR_ESCALATION

# Sites off the joint: a lesion there does not reach the articular surface.
EXTRA_ARTICULAR_SITES = {
    "diaphysis": "articular_diaphysis",
    "trochanteric": "articular_trochanteric",
    "subtrochanteric": "articular_subtrochanteric",
}
# The femoral head and neck are inside the hip joint: the contract never asks
# `articular_involvement` there (the chapter treats them by arthroplasty).
FEMORAL_ARTICULAR_SITES = {
    "head": "femoral_head_not_articular",
    "neck": "femoral_neck_not_articular",
    "neck_trochanteric_extension": "femoral_neck_extension_not_articular",
}


def contradictions(facts: Mapping[str, Any]) -> list[str]:
    """The `inconsistent_facts` variants the case's answers call for, in the
    order of the contract's fields."""
    found = []
    bone, site, articular = facts.get("bone"), facts.get("site"), facts.get("articular_involvement")
    if articular is True and site in EXTRA_ARTICULAR_SITES:
        found.append(EXTRA_ARTICULAR_SITES[site])
    if articular is False and bone == "femur" and site in FEMORAL_ARTICULAR_SITES:
        found.append(FEMORAL_ARTICULAR_SITES[site])
    if facts.get("performance_status") == "4" and facts.get("fit_for_surgery") is True:
        found.append("performance_status_4_fit")
    # 2.4: a percutaneous treatment comes after a failed conservative
    # treatment, a fracture risk or an instability; none of them holds here.
    if (
        bone == "acetabulum"
        and facts.get("percutaneous_treatment_failed") is True
        and all(facts.get(name) is False for name in ACETABULAR_ESCALATION)
    ):
        found.append("acetabulum_percutaneous_failed_without_reason")
    return found
