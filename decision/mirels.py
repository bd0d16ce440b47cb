"""The Mirels score (section 2.1): its four items, and what it decides.

« Mirels a proposé un score d'évaluation du risque fracturaire, tenant compte
de la localisation et de la taille de la lésion, de la douleur associée et de
son apparence à l'imagerie. Un traitement chirurgical prophylactique est
indiqué pour un score égal ou supérieur à 9. » (§ 2.1)

Each item scores 1 to 3 (Mirels 1989, reference 77). An item answered
`unknown` may take any of its three values: the decision is taken when every
value it may take leads to the same one, and is left open otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from .contract import SITES_BY_BONE, UNKNOWN, mirels_site_item, site_applies, weight_bearing

PAIN = {"mild": 1, "moderate": 2, "functional": 3}
LESION_TYPE = {"blastic": 1, "mixed": 2, "lytic": 3}
LESION_SIZE = {"lt_one_third": 1, "one_to_two_thirds": 2, "gt_two_thirds": 3}
TABLES = {"pain": PAIN, "lesion_type": LESION_TYPE, "lesion_size": LESION_SIZE}
FIELDS = tuple(TABLES)
ALL_POINTS = (1, 2, 3)
THRESHOLD = 9  # the chapter's threshold
BORDERLINE = THRESHOLD - 1  # "8: borderline" is Mirels' own reading (ref. 77), not the chapter's
FUNCTIONAL_PAIN = PAIN["functional"]

INDICATED, NOT_INDICATED, DISCUSS, UNDETERMINED = "indicated", "not_indicated", "discuss", "undetermined"


@dataclass(frozen=True)
class Assessment:
    """What the Mirels score says of a case: the surgery and the indication
    (`undetermined` while unknown items leave it open), the points of the
    known items and the names of the unknown ones."""

    surgery: str
    indication: str
    items: dict[str, int]
    unknown: tuple[str, ...]
    # The points each unknown item may score (1 to 3, or the site items of
    # the bone when the site is unknown).
    unknown_points: dict[str, tuple[int, ...]] = field(default_factory=dict)


def options(facts: Mapping[str, Any]) -> dict[str, tuple[int, ...]] | None:
    """The points each item may score; None while the site is still to be
    asked, and for the acetabulum, where the score does not apply. An unknown
    site scores the site item of any site of the bone; an item unknown or not
    given yet may score 1 to 3."""
    bone, site = facts.get("bone"), facts.get("site")
    if bone in (None, "acetabulum") or (site_applies(bone) and site is None):
        return None
    sites = SITES_BY_BONE[bone] if site_applies(bone) and site == UNKNOWN else (site,)
    points: dict[str, tuple[int, ...]] = {"site": tuple(sorted({mirels_site_item(bone, s) for s in sites}))}
    for name, table in TABLES.items():
        value = facts.get(name)
        points[name] = ALL_POINTS if value in (None, UNKNOWN) else (table[value],)
    return points


def reading(score: int, functional_pain: bool, bone: str) -> tuple[str, str]:
    """(surgery, indication) for a complete score."""
    if score >= THRESHOLD:
        return INDICATED, "mirels_indicated"
    if score == BORDERLINE:
        return DISCUSS, "mirels_borderline"
    if functional_pain:  # 2.1: mechanical pain may justify it, « notamment … en zone portante »
        return DISCUSS, "functional_pain_weight_bearing" if weight_bearing(bone) else "functional_pain"
    return NOT_INDICATED, "mirels_below"


def assess(facts: Mapping[str, Any]) -> Assessment | None:
    """The Mirels reading of an impending fracture, over every value the
    unknown items may take; None while an item still to be asked may change
    the reading (the surgery or the indication). An item not given whose
    every value leads to the same reading is never needed: it is treated as
    unknown."""
    points = options(facts)
    if points is None:
        return None
    outcomes = []
    for combination in product(*points.values()):
        scored = dict(zip(points, combination, strict=True))
        score = sum(combination)
        outcomes.append((score, reading(score, scored["pain"] == FUNCTIONAL_PAIN, facts["bone"])))
    not_given = [name for name in FIELDS if facts.get(name) is None]
    if not_given and len({outcome for _, outcome in outcomes}) > 1:
        return None
    known = {name: values[0] for name, values in points.items() if len(values) == 1}
    unknown = {name: values for name, values in points.items() if len(values) > 1}
    if len({surgery for _, (surgery, _) in outcomes}) > 1:
        return Assessment(UNDETERMINED, "undetermined", known, tuple(unknown), unknown)
    # One surgery whatever the unknown items: the reading of the lowest score
    # names it, the reason that holds whatever the unknown items turn out to be.
    _, (surgery, indication) = min(outcomes, key=lambda outcome: outcome[0])
    return Assessment(surgery, indication, known, tuple(unknown), unknown)


def interpretation_key(assessment: Assessment) -> str:
    """Which of the project's Mirels sentences (chapter.yml `mirels`) applies."""
    if assessment.unknown:
        return "partial"
    score = sum(assessment.items.values())
    if score >= THRESHOLD:
        return "indicated"
    return "borderline" if score == BORDERLINE else "below"
