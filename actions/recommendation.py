"""Giving the recommendation: shared by `action_recommend` and the form,
which gives it as soon as the indication and the options are settled and
asks the refining questions after."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from consultation.render import changes, recommendation_messages
from consultation.texts import answer_text
from decision import knowledge, recommend

from .case import RECOMMENDATION_SLOT

VERSION = (Path(__file__).resolve().parents[1] / "VERSION").read_text(encoding="utf-8").strip()


def compute(case: Mapping[str, Any]) -> dict[str, Any]:
    """The contract's JSON plus its audit record (time, project version, guideline
    edition, and the fingerprint of the guideline text, which names no edition)."""
    recommendation = recommend(case).to_dict()
    recommendation["record"] = {
        "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "project_version": VERSION,
        "guideline_edition": recommendation["guideline"]["edition"],
        "guideline_sha256": knowledge.chapter()["guideline"]["source_sha256"],
    }
    return recommendation


def plan(recommendation: Mapping[str, Any] | None) -> Any:
    """What a refining answer never changes: the indication and the options."""
    if not recommendation:
        return None
    options = sorted((t["code"], t.get("role")) for t in recommendation["techniques"] if t.get("role") != "adjunct")
    return recommendation["surgery"], recommendation["indication"]["code"], options


def give(
    dispatcher: CollectingDispatcher, case: Mapping[str, Any], previous: Mapping[str, Any] | None
) -> list[EventType]:
    """Say the recommendation for `case`: whole the first time or when its plan
    changed, as what changed otherwise. Returns the slot event that keeps it."""
    recommendation = compute(case)
    if previous and plan(previous) == plan(recommendation):
        lines = changes(previous, recommendation)
        text = "\n".join([answer_text("updated"), *lines]) if lines else answer_text("no_change")
        dispatcher.utter_message(text=text)
    else:
        if previous:
            dispatcher.utter_message(text=answer_text("updated"))
        # The web widget keeps the answer's first line, the verdict, in view.
        dispatcher.utter_message(json_message={"data": {"answer_start": True}})
        for text in recommendation_messages(recommendation):
            dispatcher.utter_message(text=text)
    # Tells the channels that an RCP sheet can now be asked for (the web
    # widget enables its download button).
    dispatcher.utter_message(json_message={"data": {"recommendation_ready": True}})
    return [SlotSet(RECOMMENDATION_SLOT, recommendation)]
