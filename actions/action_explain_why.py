from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.render import why_messages
from consultation.texts import field_name, field_text, message

from .case import RECOMMENDATION_SLOT, requested_field


class ActionExplainWhy(Action):
    """« Pourquoi ? »: why the pending question is asked, or the rationale,
    section and references of each item of the recommendation."""

    def name(self) -> str:
        return "action_explain_why"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        pending = requested_field(tracker)
        recommendation = tracker.get_slot(RECOMMENDATION_SLOT)
        if pending:
            dispatcher.utter_message(text=f"Pourquoi cette question ({field_name(pending)}) ? {field_text(pending)['why']}")
        elif recommendation:
            for text in why_messages(recommendation):
                dispatcher.utter_message(text=text)
        else:
            dispatcher.utter_message(text=message("why_none"))
        return []
