from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import message

from .case import case_from_tracker, clear_case


class ActionNewConsultation(Action):
    """« Nouveau cas »: every answer is cleared and the disclaimer said again."""

    def name(self) -> str:
        return "action_new_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        if case_from_tracker(tracker).keys() - {"primary_tumor"}:
            dispatcher.utter_message(text=message("new_case"))
        dispatcher.utter_message(text=message("disclaimer"))
        return clear_case()
