from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from consultation.facts import update_facts
from consultation.texts import message
from records.privacy import screen

from .case import case_from_tracker, requested_field

PARSED_SLOT = "parsed_message_id"


class ExtractCaseFacts(ValidationAction):
    """Fills the contract slots (their mappings are `custom`) from each user message.

    Rasa runs `action_validate_slot_mappings` after every user message, and
    delivers what it says, so the user sees what was understood, corrected or
    refused. It reads each message once (Rasa runs slot extraction again when a
    form activates) and sets only values the contract allows.
    """

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        latest = tracker.latest_message or {}
        message_id = latest.get("message_id")
        if message_id is not None and message_id == tracker.get_slot(PARSED_SLOT):
            return []
        screened = screen(latest.get("text") or "")
        if screened.kinds:
            dispatcher.utter_message(text=message("identifying_masked", kinds=", ".join(screened.labels)))
        update = update_facts(
            current=case_from_tracker(tracker),
            entities=latest.get("entities") or [],
            intent=latest.get("intent"),
            text=screened.text,
            requested=requested_field(tracker),
        )
        for text in update.messages:
            dispatcher.utter_message(text=text)
        events: list[EventType] = [SlotSet(name, value) for name, value in update.slots.items()]
        if message_id is not None:
            events.append(SlotSet(PARSED_SLOT, message_id))
        return events
