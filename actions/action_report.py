from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import message
from records.report import report_markdown

from .case import RECOMMENDATION_SLOT


class ActionReport(Action):
    """« Rapport »: the one-page RCP report of the last recommendation, in
    Markdown, and the command that gives it as PDF."""

    def name(self) -> str:
        return "action_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        recommendation = tracker.get_slot(RECOMMENDATION_SLOT)
        if not recommendation:
            dispatcher.utter_message(text=message("report_none"))
            return []
        dispatcher.utter_message(text=message("report_intro", conversation_id=tracker.sender_id))
        dispatcher.utter_message(text=report_markdown(recommendation, tracker.sender_id))
        return []
