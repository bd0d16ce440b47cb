from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import message

from .case import case_from_tracker, clear_case

# Clearing a case in progress destroys answers already given: it takes a
# clear request (a button, or words the classifier is sure of).
CLEAR_CONFIDENCE = 0.9


class ActionNewConsultation(Action):
    """« Nouveau cas »: every answer is cleared and the disclaimer said again."""

    def name(self) -> str:
        return "action_new_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        in_progress = bool(case_from_tracker(tracker).keys() - {"primary_tumor"})
        if in_progress:
            latest = tracker.latest_message or {}
            confidence = (latest.get("intent") or {}).get("confidence") or 0.0
            if confidence < CLEAR_CONFIDENCE or not any(c.isalpha() for c in latest.get("text") or ""):
                dispatcher.utter_message(text=message("confirm_new_case"))
                return []
            dispatcher.utter_message(text=message("new_case"))
        dispatcher.utter_message(text=message("disclaimer"))
        return clear_case()
