"""The pacing of a consultation: which question comes next, when the answer is
given, how a change is said, and how a question waiting for its answer is
asked again. Pure (no Rasa): the form validator, the recommend and ask
actions, `CaseFactsPolicy` and `harness/load.py` call it.

The rules, from a clinician's side:

- The questions come in the order of the decision module (`ORDER`, written
  once in `decision.question_order.QUESTION_ORDER`), and only those whose answer can
  change what the clinician reads: the decision module leaves out a question
  that cannot change the decision (a Mirels item once the reading is settled);
  a « pour affiner » question whose every answer leaves the whole
  recommendation as it is is not asked either (`can_change`).
- The answer comes as soon as no essential question is left (`answer_due`);
  the « pour affiner » questions (`refining`) follow it.
- Once the answer was given, every fact that changes (a « pour affiner »
  answer, a correction) gives the recomputed recommendation in the same turn
  (`turn`), said as what changed, or as « ne change pas » only when nothing
  the clinician can read changed (`view`).
- Whatever reads the recommendation (« rapport », « récapitulatif », the RCP
  PDF) reads `current(case, given)`: the one given if it is still that of the
  case, recomputed otherwise. Never a stale one.
- A question asked again right after an aside is a one-line reminder with its
  buttons (`reask`), not the whole question once more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from decision import CaseError, knowledge, recommend, validate_case
from decision.contract import SITES_BY_BONE
from decision.model import freeze
from decision.question_order import QUESTION_ORDER, values_of
from decision.rules import decide
from paths import version

from .questions import question
from .render import recommendation_messages
from .texts import answer_text, field_name, field_text, message, texts, value_label

__all__ = [
    "ANSWER",
    "ASK",
    "ORDER",
    "Turn",
    "answer_changed",
    "answer_due",
    "announce",
    "can_change",
    "change_lines",
    "current",
    "essential",
    "next_question",
    "question_message",
    "reask",
    "recommendation_for",
    "refining",
    "required",
    "route",
    "same_case",
    "surgical_plan",
    "turn",
    "view",
]

ORDER = QUESTION_ORDER
VERSION = version()
# What the clinician reads of a recommendation: the short answer and the
# details on demand (the case recap and the pending questions aside).
VIEW = ("surgery", "intent", "indication", "mirels", "techniques", "workup", "postoperative", "warnings", "branches")
ITEM_KINDS = ("techniques", "workup", "postoperative", "warnings")

# `route`: what the dialogue runs after a message that changed the case.
ASK, ANSWER = "ask", "answer"


# ------------------------------------------------------------------ questions


def essential(case: Mapping[str, Any]) -> list[str]:
    """The questions still to be answered before the answer is given, in order."""
    result = recommend(case)
    return [name for name in result.missing if name not in result.refinements]


def refining(case: Mapping[str, Any]) -> list[str]:
    """The « pour affiner » questions still open: each can only add or remove
    an adjunct, a work-up item or a warning, and some answer to it does."""
    result = recommend(case)
    return [name for name in result.refinements if can_change(case, name)]


def required(case: Mapping[str, Any]) -> list[str]:
    """What the form asks now, in order: the essential questions, or once
    they are answered the « pour affiner » ones."""
    return essential(case) or refining(case)


def next_question(case: Mapping[str, Any]) -> str | None:
    pending = required(case)
    return pending[0] if pending else None


def answer_due(case: Mapping[str, Any]) -> bool:
    """True when no essential question is left: the answer is given now."""
    return not essential(case)


def can_change(case: Mapping[str, Any], name: str) -> bool:
    """Whether some answer to `name` changes what the clinician reads of the
    recommendation (an indication, an option, a work-up item, a warning…)."""
    now = _seen(case)
    return any(_seen({**case, name: value}) != now for value in values_of(case, name))


def _seen(case: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """What the clinician reads of the recommendation for `case` (`view`), for
    comparisons only: made once per case, as the recommendation is."""
    try:
        return _seen_once(tuple(case.items()))
    except TypeError:  # a value that cannot be a key (never in checked slots)
        return view(recommend(case).to_dict())


@lru_cache(maxsize=1024)
def _seen_once(case: tuple[tuple[str, Any], ...]) -> Mapping[str, Any] | None:
    seen: Mapping[str, Any] | None = freeze(view(recommend(dict(case)).to_dict()))  # shared: frozen
    return seen


# ------------------------------------------------------------ the answer kept


def recommendation_for(case: Mapping[str, Any]) -> dict[str, Any]:
    """The recommendation for `case`: the contract's JSON plus its audit record (time, project version, guideline
    edition, and the fingerprint of the guideline text, which names no edition)."""
    recommendation = recommend(case).to_dict()
    recommendation["record"] = {
        "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "project_version": VERSION,
        "guideline_edition": recommendation["guideline"]["edition"],
        "guideline_sha256": knowledge.chapter()["guideline"]["source_sha256"],
    }
    return recommendation


def same_case(given: Mapping[str, Any], case: Mapping[str, Any]) -> bool:
    return bool(given.get("case") == validate_case(case, strict=False))


def current(case: Mapping[str, Any], given: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The recommendation for every answer given so far: `given` (the one kept)
    if it is still that of `case`, recomputed otherwise; None while no answer
    was given yet."""
    if not given:
        return None
    if same_case(given, case):
        return dict(given)
    try:
        return recommendation_for(case)
    except CaseError:  # never reached with checked slots; the one kept then stands
        return dict(given)


def surgical_plan(recommendation: Mapping[str, Any] | None) -> Any:
    """What a « pour affiner » answer never changes: the surgery, the
    indication and the options (adjuncts aside) — `Decision.surgery_indication_and_options`, the one plan."""
    if not recommendation:
        return None
    return decide(recommendation["case"]).surgery_indication_and_options()


def view(recommendation: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the clinician reads of a recommendation, the case recap and the
    pending questions aside: two recommendations with the same view read the same."""
    if recommendation is None:
        return None
    return {key: recommendation.get(key) for key in VIEW}


# --------------------------------------------------------------- this turn


@dataclass(frozen=True)
class Turn:
    """What the recommendation does this turn: the messages to say (none: say
    nothing), the recommendation to keep (None: keep the one kept), and
    whether the « pour affiner » questions start now."""

    messages: list[str] = field(default_factory=list)
    recommendation: dict[str, Any] | None = None
    refine_intro: bool = False
    # Where the whole answer starts in `messages` (its verdict, which the web
    # widget keeps in view), None when it is not said again.
    answer_at: int | None = None


def turn(case: Mapping[str, Any], given: Mapping[str, Any] | None) -> Turn:
    """After the facts of this turn: the first answer as soon as it is due; once
    given, the recomputed one as soon as the case changed, said as what changed
    (a settled answer that a correction reopens while a question is still to be
    asked: said in one line, the question follows). Nothing when the case did
    not change (an aside)."""
    if not given:
        if not answer_due(case):
            return Turn()
        recommendation = recommendation_for(case)
        return said(None, recommendation, bool(refining(case)))
    if same_case(given, case):
        return Turn()
    recommendation = recommendation_for(case)
    waiting = essential(case)
    if waiting and recommendation["surgery"] == "undetermined" and given.get("surgery") != "undetermined":
        names = answer_text("branch_or").join(field_name(name) for name in waiting)
        return Turn([answer_text("suspended", names=names)], recommendation)
    return said(given, recommendation)


def said(before: Mapping[str, Any] | None, after: Mapping[str, Any], refine_intro: bool = False) -> Turn:
    """The turn that says `after` after `before` (`announce`), knowing where its
    whole answer starts."""
    messages, answer_at = _announce(before, after)
    return Turn(messages, dict(after), refine_intro, answer_at)


def announce(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[str]:
    """How the recommendation `after` is said: whole the first time (the verdict
    first, the case in one line within it); after an answer, what changed (the
    indication, the Mirels score, the items added, removed or modified, the
    branches), with the whole answer again when the answer itself changed;
    « ne change pas » only when nothing the clinician reads changed."""
    return _announce(before, after)[0]


def _announce(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> tuple[list[str], int | None]:
    if before is None:
        return recommendation_messages(after), 0
    if view(before) == view(after):
        return [answer_text("no_change")], None
    lines = change_lines(before, after)
    head = "\n".join([answer_text("updated"), *lines])
    if answer_changed(before, after, lines):
        return [head, *recommendation_messages(after)], 1
    return [head], None


def answer_changed(before: Mapping[str, Any], after: Mapping[str, Any], lines: Sequence[str]) -> bool:
    """Whether the answer itself changed (the indication, the options, the
    Mirels score, the branches): it is then shown again whole. Items added,
    removed or modified alone are said by their lines."""
    head = ("surgery", "intent", "indication", "mirels", "branches")
    return (
        not lines
        or surgical_plan(before) != surgical_plan(after)
        or any(before.get(key) != after.get(key) for key in head)
    )


def _keyed(recommendation: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        f"{kind}.{item['code']}.{item.get('role')}": item
        for kind in ITEM_KINDS
        for item in recommendation.get(kind) or []
    }


def _label(key: str, item: Mapping[str, Any]) -> str:
    """An item in a few words: a technique with its role, a warning by its
    heading (« Site déjà irradié »), the full text said by « points d'attention »."""
    text = (item.get("label_fr") or item.get("text_fr") or "").rstrip(" .")
    if key.startswith("warnings.") and " : " in text:
        text = text.split(" : ", 1)[0]
    role = texts()["roles"].get(item.get("role") or "") if key.startswith("techniques.") else None
    return f"{text}, {role}" if role else text


def _verdict(recommendation: Mapping[str, Any]) -> str:
    words = texts()
    text = str(words["surgery"][recommendation["surgery"]])
    if recommendation.get("intent"):
        text += f" ({words['intent'][recommendation['intent']]})"
    return text


def _score(mirels: Mapping[str, Any]) -> str:
    return str(mirels["interpretation_fr"]).split(". ", 1)[0]


def change_lines(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """What changed, one line each: the indication, the Mirels score, the
    items added, removed, modified (a condition, a reason), the branches."""
    lines = []
    if _verdict(before) != _verdict(after):
        lines.append(answer_text("changed_indication", after=_verdict(after), before=_verdict(before)))
    if before.get("mirels") and after.get("mirels") and _score(before["mirels"]) != _score(after["mirels"]):
        lines.append(answer_text("changed_mirels", after=_score(after["mirels"]), before=_score(before["mirels"])))
    old, new = _keyed(before), _keyed(after)
    added = [_label(key, item) for key, item in new.items() if key not in old]
    removed = [_label(key, item) for key, item in old.items() if key not in new]
    modified = [_label(key, item) for key, item in new.items() if key in old and old[key] != item]
    if added:
        lines.append(answer_text("added", items=" ; ".join(added)))
    if removed:
        lines.append(answer_text("removed", items=" ; ".join(removed)))
    if modified:
        lines.append(answer_text("modified", items=" ; ".join(modified)))
    if after.get("branches") and before.get("branches") != after.get("branches"):
        lines.append(answer_text("changed_branches"))
    return lines


# ------------------------------------------------------- asking a question


def _number(name: str, asked: Sequence[str]) -> int:
    """A question keeps its number when asked again: the count never runs backwards."""
    return list(asked).index(name) + 1 if name in asked else len(asked) + 1


def _is_refining(name: str, case: Mapping[str, Any], answered: bool) -> bool:
    return answered and name in recommend(case).refinements


def question_message(name: str, case: Mapping[str, Any], asked: Sequence[str], answered: bool) -> dict[str, Any]:
    """The question about `name`, whole: its number (« Pour affiner — question
    n » once the answer was given, for a « pour affiner » question), its hint
    and its buttons (only the sites of the bone). The fitness question recalls
    a performance status stated (never answered for the clinician: « Oui »,
    the answer an OMS 0 or 1 goes with, is its first button)."""
    preface = None
    status = case.get("performance_status")
    if name == "fit_for_surgery" and status not in (None, "unknown"):
        preface = message("performance_status_noted", value=value_label("performance_status", status))
    values: Sequence[Any] | None = None
    if name == "site":
        values = SITES_BY_BONE.get(case.get("bone") or "")
    return question(name, _number(name, asked), values, _is_refining(name, case, answered), preface)


def reask(name: str, case: Mapping[str, Any], asked: Sequence[str], answered: bool) -> dict[str, Any]:
    """The question about `name` asked once more after an aside (an
    explanation, a reference, an answer not understood): one line with its
    number and its buttons, not the whole question again."""
    whole = question_message(name, case, asked, answered)
    return {"text": message("reask", question=field_text(name)["question"]), **_buttons(whole)}


def _buttons(whole: Mapping[str, Any]) -> dict[str, Any]:
    return {"buttons": whole["buttons"]} if whole.get("buttons") else {}


# ----------------------------------------------------------------- routing


def route(facts_changed: bool, form_running: bool, listening: bool, ran: Sequence[str]) -> str | None:
    """What follows a message that changed the case, whatever its intent:
    the questions (`ASK`: the form, which asks what is missing or ends at
    once), then, once they ended this turn, the answer (`ANSWER`). `ran` lists
    what already ran this turn (`ASK`, `ANSWER` or anything else);
    `listening`: nothing ran since the message. None: nothing to impose."""
    if form_running or not facts_changed:
        return None
    if listening and not ran:
        return ASK
    if ran and ran[-1] == ASK and ANSWER not in ran:
        return ANSWER
    return None
