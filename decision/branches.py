"""What each pending or unknown answer would lead to: the branches of an
undetermined decision (or of a technique « selon la réponse »), weighed over
every completion of the open facts, and the refinements (the pending facts
that change neither the surgery nor the options proposed). The cases weighed
are remembered across turns (`_REACHED`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from . import mirels
from .contract import UNKNOWN, bones_for_site, known
from .model import Branch
from .question_order import QUESTION_ORDER, completions, values_of
from .rules import ACETABULAR_ESCALATION, DECISIVE, DISCUSS, INDICATED, NOT_INDICATED, UNDETERMINED, decide

# A refinement never changes the sequence of care: a diagnostic doubt does
# (biopsy before any implant), so it is always asked before the answer.
SEQUENCE_FACTS = ("diagnostic_uncertainty",)
# The outcomes a branch may list, in this order.
OUTCOMES = (INDICATED, DISCUSS, NOT_INDICATED)
# The open facts of a case are given values in the order of the questions
# (`question_order.QUESTION_ORDER`), those of the acetabulum only for it, the Mirels
# items only for the other bones.
ACETABULUM_ONLY = (*ACETABULAR_ESCALATION, "percutaneous_treatment_failed")
OPEN_ORDER = {
    "acetabulum": tuple(name for name in QUESTION_ORDER if name not in mirels.FIELDS),
    "other": tuple(name for name in QUESTION_ORDER if name not in ACETABULUM_ONLY),
}
# Cases remembered across turns (about 1 kB each) before the memory is emptied.
MAX_REMEMBERED = 20_000


def _open_fields(facts: Mapping[str, Any], pending: Sequence[str]) -> list[str]:
    """The facts that may still change the decision: the unknown life
    expectancy first, then those still to be asked, then the other unknowns."""
    unknown = [name for name in DECISIVE if facts.get(name) == UNKNOWN]
    ordered = [name for name in unknown if name == "life_expectancy"]
    ordered += [name for name in pending if name in DECISIVE or name in ("situation", "bone")]
    ordered += [name for name in unknown if name not in ordered]
    return list(dict.fromkeys(ordered))


def _answers(facts: Mapping[str, Any], name: str) -> tuple[Any, ...]:
    """The values `name` takes in a valid completion of the case: a site of its
    bone, a bone that has the site given (`unknown` aside)."""
    if name == "bone" and known(facts, "site") is not None:
        return bones_for_site(facts["site"])
    return values_of(facts, name)


def _next_open(facts: Mapping[str, Any]) -> str | None:
    """The open fact (missing or `unknown`) to give a value next while the
    decision is undetermined: the questions every case starts with, then the
    acetabulum's own questions or the Mirels items of an impending fracture,
    then the other decisive facts, then any other fact of the contract. Any
    order gives the same outcomes; this one reaches a decision soonest."""
    order = OPEN_ORDER["acetabulum" if facts.get("bone") == "acetabulum" else "other"]
    for name in order:
        if facts.get(name) in (None, UNKNOWN) and (name not in ("site", "bone") or _answers(facts, name)):
            return name
    return None


Outcomes = frozenset[tuple[str, tuple[str, ...]]]
# Cases already weighed (the case, frozen -> the outcomes of its completions),
# shared by every call: a turn's cases come back on the next turns.
_REACHED: dict[frozenset[tuple[str, Any]], Outcomes] = {}


def _reached(facts: Mapping[str, Any]) -> Outcomes:
    """The (surgery, first-line techniques) that the completions of `facts`
    reach, each open fact given each of its values in turn. A decision taken
    while facts are open holds for every completion (`rules.decide`; property
    tested), so the search stops there; it stops too once every surgery is
    reached (the techniques found so far are then not all, and not used).
    The largest search, a case with neither the situation nor the bone, weighs
    about a thousand undecided cases (some 10 ms; then remembered)."""
    key = frozenset(facts.items())
    remembered = _REACHED.get(key)
    if remembered is not None:
        return remembered
    decision = decide(facts)
    name = _next_open(facts) if decision.surgery == UNDETERMINED else None
    found: Outcomes = frozenset()
    if name is None:
        found = frozenset({(decision.surgery, tuple(decision.codes("primary")))})
    else:
        surgeries: set[str] = set()
        for value in _answers(facts, name):
            more = _reached({**facts, name: value})
            found |= more
            surgeries.update(surgery for surgery, _ in more)
            if len(surgeries) == len(OUTCOMES):
                break  # every surgery is reached: the other values cannot add one
    if len(_REACHED) >= MAX_REMEMBERED:
        _REACHED.clear()
    _REACHED[key] = found
    return found


def branches(facts: Mapping[str, Any], pending: Sequence[str]) -> list[Branch]:
    """What each answer to the question the decision hinges on would lead to:
    the first open fact whose answers lead to different outcomes. Each
    branch's `possible` is weighed over every completion of the other open
    facts (`_reached`): exact, never a part of the outcomes."""
    candidates = [name for name in _open_fields(facts, pending) if _answers(facts, name)]
    first: list[Branch] = []
    for name in candidates:
        result = [_branch(name, value, _reached({**facts, name: value})) for value in _answers(facts, name)]
        if not first:
            first = result
        if len({(b.surgery, tuple(b.techniques), tuple(b.possible)) for b in result}) > 1:
            return result
    return first


def _branch(name: str, value: Any, outcomes: Outcomes) -> Branch:
    possible = [surgery for surgery in OUTCOMES if any(reached == surgery for reached, _ in outcomes)]
    if len(outcomes) == 1:
        ((surgery, primaries),) = outcomes
        return Branch(name, value, surgery, list(primaries), possible)
    return Branch(name, value, UNDETERMINED, [], possible)


def refinements(facts: Mapping[str, Any], pending: Sequence[str]) -> list[str]:
    """The pending facts whose answer changes neither the surgery nor the
    options proposed (only an adjunct, the work-up or a warning), whatever
    the unknown facts turn out to be."""
    unknown = [name for name in DECISIVE if facts.get(name) == UNKNOWN]
    hypotheses = list(completions(facts, unknown))
    if any(decide(hypothesis).surgery == UNDETERMINED for hypothesis in hypotheses):
        return []  # a question still to be asked decides first
    found = []
    for name in pending:
        if name in SEQUENCE_FACTS or name in DECISIVE or not values_of(facts, name):
            continue
        values = values_of(facts, name)
        if all(
            len({decide({**hypothesis, name: value}).surgery_indication_and_options() for value in values}) == 1
            for hypothesis in hypotheses
        ):
            found.append(name)
    return found
