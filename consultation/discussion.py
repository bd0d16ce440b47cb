"""Discussing the case: the clinician's questions and asides, before and
after the answer, answered from the decision module.

What a message asks (`topic`) is read from its words (`discussion.yml`): a
hypothesis (« et si … ? »), the current verdict (« donc on fait quoi ? »), a
technique (« plutôt un clou gamma ? »), what is missing to decide, what the
chapter leaves open, the biopsy, the roles of the options, the source of the
answers, or an explanation of the pending question (« ?? »). Each answer is a
list of messages (Markdown). Pure Python: nothing here writes a fact; a
hypothesis is applied to a copy of the case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from decision import recommend

from .case_questions import biopsy, clarify, missing, open_points, roles, source, verdict
from .discussion_words import concepts_named, data, described, find, only_asks_to_explain, says
from .technique_answers import technique_answer
from .what_if import hypothesis, what_if

# Topics in the order they are tried (a technique named comes before `roles`).
WORD_TOPICS = ("source", "missing", "open_points", "biopsy")
LATE_TOPICS = ("roles", "verdict")
# The topic an intent stands for when the words say none.
INTENT_TOPICS = {"ask_about_case": "verdict", "ask_clarify": "clarify"}


def topic(text: str, intent: str | None = None, case: Mapping[str, Any] | None = None) -> str | None:
    """What the message asks, or None: its words first, the intent's topic if they say nothing."""
    if not text or text.lstrip().startswith("/"):
        return INTENT_TOPICS.get(intent or "")
    if only_asks_to_explain(text):
        return "clarify"
    if hypothesis(text, case or {}, None)[0]:
        return "what_if"
    for name in WORD_TOPICS:
        if says(text, data()["topics"][name]):
            return name
    if concepts_named(text):
        return "technique"
    for name in LATE_TOPICS:
        if says(text, data()["topics"][name]):
            return name
    if find(text, data()["what_if_cues"]):
        return "what_if"
    return INTENT_TOPICS.get(intent or "")


def answer(
    text: str,
    case: Mapping[str, Any],
    rec: Mapping[str, Any] | None,
    pending: str | None = None,
    intent: str | None = None,
) -> list[str] | None:
    """The messages that answer `text` about this case, or None when it asks
    nothing recognised. `rec` is the last recommendation given, if any."""
    kind = topic(text, intent, case)
    if kind is None:
        return None
    if kind == "clarify":
        return clarify(pending, rec)
    if kind == "what_if":
        return what_if(text, case, pending)
    if kind == "technique":
        return technique_answer(text, case, rec)
    if kind == "source":
        return source(rec)
    current = rec or (recommend(case).to_dict() if described(case) else None)
    if kind == "missing":
        return missing(case)
    if kind == "open_points":
        return open_points(current)
    if kind == "biopsy":
        return biopsy(case, current)
    if kind == "roles":
        return roles(current)
    return verdict(case, rec)
