"""The decision path of a case: the questions that decided, in the order the
dialogue asks them, each with the answer given, the section of the chapter
its rule rests on and what every other answer would have led to; then the
outcome (the indication and the options).

The steps are the questions `question_order.questions` would ask a clinician who gives
this case's answers one at a time: a question whose answer cannot change the
outcome is never asked, so it is never a step. Only the questions that choose
the indication or the options are steps (situation, bone, site, survival,
fitness, Mirels items, acetabular questions, articular involvement, single
lesion) and the diagnostic doubt, which changes the order of care (biopsy
first); those that only add an adjunct, a work-up item or a warning
(irradiation, bone loss, hypervascularity) are not. An answer `unknown`, or
not given yet, is a step too: the path stops being one line there, and its
alternatives say where each answer leads.

What another answer would give is the same search as the recommendation's
branches (`branches._reached`): the case with that answer and every
other fact as given, its open facts weighed over all their values. Pure:
no drawing, no I/O after the data files are read.

    >>> path = decision_path({"situation": "pathological_fracture", "bone": "femur",
    ...     "site": "diaphysis", "life_expectancy": "6_weeks_to_6_months", "fit_for_surgery": True})
    >>> [(step.field, step.value, step.section) for step in path.steps][:3]
    [('situation', 'pathological_fracture', '2.2'), ('bone', 'femur', '4.1'), ('site', 'diaphysis', '4.1')]
    >>> path.outcome.surgery
    'indicated'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from . import knowledge, mirels
from .branches import OUTCOMES, SEQUENCE_FACTS, _answers, _branch, _reached
from .contract import UNKNOWN, site_applies, validate_case
from .items import _indication_item
from .knowledge import DATA
from .model import Recommendation
from .question_order import questions
from .recommendation import _intent, build
from .rules import ACETABULAR_ESCALATION, DECISIVE, SOLITARY, _acetabular_escalation, decide

# The questions that may be steps, in the dialogue's order (`question_order.QUESTION_ORDER`).
STEP_FIELDS = (
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
    "diagnostic_uncertainty",
)
# The bands of Mirels scores a score step weighs (`data/path.yml`).
MIRELS_BANDS = ("9_to_12", "8", "4_to_7")
# The step that sums the Mirels items (the recommendation's `mirels` field).
MIRELS = "mirels"
# The work-up that comes before any treatment when a primary bone tumour is not excluded (3).
FIRST_WORKUP = ("biopsy_or_minimal_workup",)
MIRELS_POINTS = {"pain": mirels.PAIN, "lesion_type": mirels.LESION_TYPE, "lesion_size": mirels.LESION_SIZE}


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    with open(DATA / "path.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def section_of(name: str, facts: Mapping[str, Any], value: Any = None) -> str:
    """The section of the chapter the question `name` rests on, for this case
    (`data/path.yml`): by the answer for the site, by the situation (or the
    acetabulum) otherwise."""
    table = _data()["sections"][name]
    if name == "situation" and facts.get("bone") == "acetabulum":
        return str(table["acetabulum"])
    if name in ("bone", "site"):
        key = value
    else:
        key = "acetabulum" if facts.get("bone") == "acetabulum" else facts.get("situation")
        if name == "situation":
            key = value
    return str(table.get(key, table["default"]))


@dataclass(frozen=True)
class Alternative:
    """Where another answer leads, every other fact as given: the surgery
    (`undetermined` when other answers still decide), the first-line options,
    and every surgery some answer to the open facts would reach (`possible`,
    as a recommendation's branch)."""

    value: Any
    surgery: str
    techniques: list[str]
    possible: list[str]
    # The work-up that comes before any treatment with this answer (the
    # diagnostic doubt: biopsy first), when the question is the doubt.
    first: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


@dataclass(frozen=True)
class Step:
    """One question of the path: its contract field, the answer (a code,
    `unknown`, or None when not given yet), the section its rule rests on and
    the alternatives. A Mirels item carries its points; the Mirels step
    (`field` "mirels") its score (`value`, None while items are unknown),
    its items and the range of its score."""

    field: str
    value: Any
    section: str
    alternatives: list[Alternative]
    points: int | None = None
    items: dict[str, int] | None = None
    score_range: list[int] | None = None

    @property
    def answered(self) -> bool:
        return self.value not in (None, UNKNOWN)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["alternatives"] = [alternative.to_dict() for alternative in self.alternatives]
        return {key: value for key, value in data.items() if value is not None or key == "value"}


@dataclass(frozen=True)
class Option:
    code: str
    role: str
    section: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Outcome:
    """The end of the path: the surgery, its intent, the indication (code and
    section) and the options other than adjuncts (first-line ones `primary`)."""

    surgery: str
    intent: str | None
    indication: str
    section: str
    options: list[Option]
    pending: list[str] = field(default_factory=list)
    first: list[str] = field(default_factory=list)
    # The steps answered `unknown` (the decision may wait for them).
    unknown: list[str] = field(default_factory=list)
    # The Mirels score when the situation is an impending fracture (items all known).
    mirels_score: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["options"] = [option.to_dict() for option in self.options]
        return data


@dataclass(frozen=True)
class Path:
    case: dict[str, Any]
    steps: list[Step]
    outcome: Outcome

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": dict(self.case),
            "steps": [step.to_dict() for step in self.steps],
            "outcome": self.outcome.to_dict(),
        }


def decision_path(case: Mapping[str, Any]) -> Path:
    """The path of a case of the decision contract (`contract.CaseError` when it breaks it)."""
    facts = validate_case(case)
    return path_of(facts, build(facts))


def path_of(facts: Mapping[str, Any], recommendation: Recommendation) -> Path:
    """The path of validated facts and their recommendation."""
    steps: list[Step] = []
    # Every fact that is never a step is known from the start; the steps are
    # given one at a time, in the order the dialogue asks them.
    asked: dict[str, Any] = {name: value for name, value in facts.items() if name not in STEP_FIELDS}
    skipped: set[str] = set()
    while True:
        pending = [name for name in questions(asked) if name in STEP_FIELDS and name not in skipped]
        last_item = bool(steps) and steps[-1].field in mirels.FIELDS
        if last_item and not any(name in mirels.FIELDS for name in pending):
            _add_mirels(steps, facts, recommendation)  # the score, once its items are asked
        if not pending:
            break
        name = pending[0]
        value = facts.get(name)
        if value is None:
            skipped.add(name)  # not given yet: the path goes on without it
            if name in SEQUENCE_FACTS:
                continue  # changes neither the surgery nor the options: in `outcome.pending`
        else:
            asked[name] = value
        steps.append(_step(facts, name, value))
    _add_mirels(steps, facts, recommendation)  # settled by the items given before any was asked
    return Path(case=dict(facts), steps=steps, outcome=_outcome(recommendation))


def _step(facts: Mapping[str, Any], name: str, value: Any) -> Step:
    alternatives = [
        _alternative(facts, name, other) for other in _answers(_without_dependents(facts, name), name) if other != value
    ]
    points = None
    if name in MIRELS_POINTS and value in MIRELS_POINTS[name]:
        points = MIRELS_POINTS[name][value]
    return Step(name, value, section_of(name, facts, value), alternatives, points)


def _without_dependents(facts: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The case without what another answer to `name` would make meaningless:
    another bone drops the site (weighed over the new bone's sites)."""
    if name == "bone":
        return {key: value for key, value in facts.items() if key not in ("bone", "site")}
    return dict(facts)


def _alternative(facts: Mapping[str, Any], name: str, value: Any) -> Alternative:
    other = {**_without_dependents(facts, name), name: value}
    if name == "bone" and site_applies(value) and facts.get("site") in _answers(other, "site"):
        other["site"] = facts["site"]  # the same site on another long bone
    branch = _branch(name, value, _reached(other))
    first = _first(build(validate_case(other))) if name in SEQUENCE_FACTS else None
    return Alternative(value, branch.surgery, list(branch.techniques), list(branch.possible), first)


def _first(recommendation: Recommendation) -> list[str]:
    """The work-up that puts the diagnosis before any treatment (3)."""
    return [item.code for item in recommendation.workup if item.code in FIRST_WORKUP]


def _add_mirels(steps: list[Step], facts: Mapping[str, Any], recommendation: Recommendation) -> None:
    if any(step.field == MIRELS for step in steps):
        return
    score = _mirels_step(facts, recommendation)
    if score is not None:
        steps.append(score)


def mirels_band(score: int) -> str:
    """The band of a Mirels score (`data/path.yml`): `9_to_12`, `8` or `4_to_7`."""
    return _band(score)


def acetabular_escalation(facts: Mapping[str, Any]) -> Any:
    """2.4: whether the acetabular lesion calls for more than medical
    treatment or radiotherapy (instability, fracture risk or failed
    conservative treatment), as the rules weigh it."""
    return _acetabular_escalation(facts)


def acetabular_mechanical(facts: Mapping[str, Any]) -> bool:
    """2.4 and 4.2: an unstable acetabulum or one at risk of fracture (the
    arthroplasty is weighed for them, not for pain alone)."""
    return facts.get("acetabular_stability_compromised") is True or facts.get("acetabular_fracture_risk") is True


def _band(score: int) -> str:
    for name, (low, high) in _data()["mirels_bands"].items():
        if low <= score <= high:
            return str(name)
    raise ValueError(score)


def _mirels_step(facts: Mapping[str, Any], recommendation: Recommendation) -> Step | None:
    """The Mirels score (2.1): its items, and what each band of scores would
    have given for this pain and this bone (`mirels.reading`)."""
    score = recommendation.mirels
    if score is None or facts.get("bone") in (None, "acetabulum"):
        return None
    # An unknown pain may be functional or not: a band's reading below 8 may then depend on it.
    pain = facts.get("pain")
    functional = (True, False) if pain in (None, UNKNOWN) else (pain == "functional",)
    own = _band(score.score) if score.score is not None else None
    alternatives = []
    for band, (low, _high) in _data()["mirels_bands"].items():
        if band == own:
            continue
        readings = {mirels.reading(low, each, facts["bone"])[0] for each in functional}
        possible = [surgery for surgery in OUTCOMES if surgery in readings]
        surgery = possible[0] if len(possible) == 1 else "undetermined"
        alternatives.append(Alternative(band, surgery, [], possible))
    return Step(
        MIRELS,
        score.score,
        section_of(MIRELS, facts),
        alternatives,
        items=dict(score.items),
        score_range=list(score.score_range),
    )


def _outcome(recommendation: Recommendation) -> Outcome:
    options = [
        Option(item.code, item.role or "primary", item.section)
        for item in recommendation.techniques
        if item.role != "adjunct"
    ]
    return Outcome(
        surgery=recommendation.surgery,
        intent=recommendation.intent,
        indication=recommendation.indication.code,
        section=recommendation.indication.section,
        options=options,
        pending=[name for name in recommendation.missing if name in DECISIVE or name in STEP_FIELDS],
        first=_first(recommendation) if recommendation.case.get("diagnostic_uncertainty") is True else [],
        unknown=[name for name in STEP_FIELDS if recommendation.case.get(name) == UNKNOWN],
        mirels_score=recommendation.mirels.score if recommendation.mirels else None,
    )


def outcome_of(facts: Mapping[str, Any]) -> Outcome:
    """The outcome of validated facts, from the rules alone (`rules.decide`
    and the indication's item), without the rest of the recommendation: the
    chapter's flowcharts weigh thousands of cases with it."""
    decision = decide(facts)
    indication = _indication_item(facts, decision)
    options = [
        Option(t.code, t.role, str(knowledge.item("techniques", t.code, t.variant)["section"]))
        for t in decision.techniques
        if t.role != "adjunct"
    ]
    score = None
    if decision.mirels is not None and not decision.mirels.unknown:
        score = sum(decision.mirels.items.values())
    return Outcome(
        surgery=decision.surgery,
        intent=_intent(facts, decision),
        indication=indication.code,
        section=indication.section,
        options=options,
        mirels_score=score,
    )
