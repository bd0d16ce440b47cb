from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import field_name, message
from decision import FIELDS

from .case import RECOMMENDATION_SLOT


class ActionChangeAnswer(Action):
    """« Modifier l'espérance de vie »: forgets that answer so the form asks it again."""

    def name(self) -> str:
        return "action_change_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        fields = [value for value in tracker.get_latest_entity_values("field") if value in FIELDS]
        if not fields:
            dispatcher.utter_message(text=message("change_which"))
            return []
        events: list[EventType] = [SlotSet(RECOMMENDATION_SLOT, None)]
        for name in dict.fromkeys(fields):
            dispatcher.utter_message(text=message("change_field", name=field_name(name)))
            events.append(SlotSet(name, None))
        return events
