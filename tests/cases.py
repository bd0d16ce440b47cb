"""Cases that tests of several packages share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consultation.progress import recommendation_for

# The README's consultation: fracture of the femoral neck, 8 months, fit for
# surgery, no diagnostic doubt, site not irradiated, no hypervascular lesion.
FEMORAL_NECK = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "neck",
    "life_expectancy": "6_to_12_months",
    "fit_for_surgery": True,
    "prior_radiotherapy": False,
    "suspected_hypervascular": False,
    "diagnostic_uncertainty": False,
}
# A long survivor with an impending fracture of the femoral diaphysis (Mirels
# 11), where a single bone lesion changes which option comes first.
LONG_SURVIVOR = {
    "situation": "impending_fracture",
    "bone": "femur",
    "site": "diaphysis",
    "life_expectancy": "gt_12_months",
    "fit_for_surgery": True,
    "pain": "functional",
    "lesion_type": "lytic",
    "lesion_size": "gt_two_thirds",
}
# A fixed time of record, for reports compared across runs.
RECORDED_AT = "2026-11-27T10:00:00+00:00"


def recorded(case: Mapping[str, Any] = FEMORAL_NECK, recorded_at: str | None = RECORDED_AT) -> dict[str, Any]:
    """The recommendation as the assistant stores it (the contract's JSON and
    its audit record); `recorded_at=None` keeps the time of the call."""
    recommendation = recommendation_for(case)
    if recorded_at is not None:
        recommendation["record"]["recorded_at"] = recorded_at
    return recommendation
