from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import message

from .case import RECOMMENDATION_SLOT, case_from_tracker


class ActionSessionStart(Action):
    """Starts a session with the one-line disclaimer; a case in progress is kept."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=message("disclaimer"))
        carried = [SlotSet(name, value) for name, value in case_from_tracker(tracker).items()]
        if tracker.get_slot(RECOMMENDATION_SLOT) is not None:
            carried.append(SlotSet(RECOMMENDATION_SLOT, tracker.get_slot(RECOMMENDATION_SLOT)))
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]
