from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.questions import case_summary
from consultation.render import short_answer

from .case import case_from_tracker, current_recommendation


class ActionShowSummary(Action):
    """The facts given so far, and the last recommendation if there is one."""

    def name(self) -> str:
        return "action_show_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=case_summary(case_from_tracker(tracker)))
        recommendation = current_recommendation(tracker)
        if recommendation:
            dispatcher.utter_message(text=short_answer(recommendation, recap=False))
        return []
