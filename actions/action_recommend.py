from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from consultation.render import case_summary, recommendation_messages
from decision import recommend

from .case import RECOMMENDATION_SLOT, case_from_tracker

VERSION = (Path(__file__).resolve().parents[1] / "VERSION").read_text(encoding="utf-8").strip()


class ActionRecommend(Action):
    """Summary of the case, then the chapter's recommendation, kept in the
    `recommendation` slot for the audit: the contract's JSON plus a `record`
    part (time, project version, guideline edition)."""

    def name(self) -> str:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        case = case_from_tracker(tracker)
        recommendation = recommend(case).to_dict()
        recommendation["record"] = {
            "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "project_version": VERSION,
            "guideline_edition": recommendation["guideline"]["edition"],
        }
        dispatcher.utter_message(text=case_summary(case))
        for text in recommendation_messages(recommendation):
            dispatcher.utter_message(text=text)
        return [SlotSet(RECOMMENDATION_SLOT, recommendation)]
