"""Sending the recommendation: shared by `action_recommend` and the form.
What is said, and when, is `consultation.progress`; this module only sends
it and keeps the recommendation in its slot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from consultation import progress
from consultation.texts import answer_text

from .case import RECOMMENDATION_SLOT

__all__ = ["say", "send_recommendation"]


def say(dispatcher: CollectingDispatcher, turn: progress.Turn) -> list[EventType]:
    """Send what `turn` says of the recommendation; returns the slot event
    that keeps it (none when it has nothing to say)."""
    if turn.recommendation is None:
        return []
    for index, text in enumerate(turn.messages):
        if index == turn.answer_at:
            # The web widget keeps the answer's first line, the verdict, in view.
            dispatcher.utter_message(json_message={"data": {"answer_start": True}})
        dispatcher.utter_message(text=text)
    # Tells the channels that an RCP sheet can now be asked for (the web
    # widget enables its download button).
    dispatcher.utter_message(json_message={"data": {"recommendation_ready": True}})
    if turn.refine_intro:
        dispatcher.utter_message(text=answer_text("refine_intro"))
    return [SlotSet(RECOMMENDATION_SLOT, turn.recommendation)]


def send_recommendation(
    dispatcher: CollectingDispatcher, case: Mapping[str, Any], previous: Mapping[str, Any] | None
) -> list[EventType]:
    """Say the recommendation for `case`: whole the first time, as what
    changed since `previous` otherwise. Returns the slot event that keeps it."""
    recommendation = progress.recommendation_for(case)
    return say(dispatcher, progress.said(previous, recommendation))
