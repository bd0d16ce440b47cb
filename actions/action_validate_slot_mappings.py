import asyncio
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from consultation.facts import update_facts
from consultation.questions import payload
from consultation.texts import message, value_label
from decision import FIELDS
from privacy import screen

from .case import case_from_tracker, choice_offered, latest_text, requested_field

PARSED_SLOT = "parsed_message_id"


def written_by_previous_message(tracker: Tracker) -> dict[str, Any]:
    """The contract facts the user's previous message set (« je n'ai pas dit ça » removes them)."""
    users = 0
    written: dict[str, Any] = {}
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users == 2:
                break
        elif kind == "slot" and users == 1 and event.get("name") in FIELDS and event.get("name") not in written:
            written[event["name"]] = event.get("value")
    return {name: value for name, value in written.items() if value is not None}


def _offered_before(tracker: Tracker) -> tuple[Any, ...] | None:
    """The two values offered for the pending question in reply to the previous message, if any."""
    field = requested_field(tracker)
    return None if field is None else choice_offered(tracker, field, replies_back=1)


def choice_buttons(field: str, values: tuple[Any, ...]) -> list[Mapping[str, str]]:
    return [{"title": value_label(field, value), "payload": payload(field, value)} for value in values]


class ExtractCaseFacts(ValidationAction):
    """Fills the contract slots (their mappings are `custom`) from each user message.

    Rasa runs `action_validate_slot_mappings` after every user message, and
    delivers what it says, so the user sees what was understood, corrected,
    removed or refused. It reads each message once (Rasa runs slot extraction
    again when a form activates) and sets only values the contract allows. A
    message outside the chapter sets nothing and says so; a value on the edge
    of two classes (« environ 6 mois ») is offered as a choice, with buttons.
    """

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        latest = tracker.latest_message or {}
        message_id = latest.get("message_id")
        if message_id is not None and message_id == tracker.get_slot(PARSED_SLOT):
            return []
        # off the event loop: the recogniser may take tens of milliseconds on a long message
        screened = await asyncio.to_thread(screen, latest_text(tracker))
        if screened.kinds:
            dispatcher.utter_message(text=message("identifying_masked", kinds=", ".join(screened.labels)))
        update = update_facts(
            current=case_from_tracker(tracker),
            entities=latest.get("entities") or [],
            intent=latest.get("intent"),
            text=screened.text,
            requested=requested_field(tracker),
            previous=written_by_previous_message(tracker),
            offered=_offered_before(tracker),
        )
        for text in update.messages:
            dispatcher.utter_message(text=text)
        if update.choice is not None:
            buttons = choice_buttons(update.choice.field, update.choice.values)
            dispatcher.utter_message(text=update.choice.text, buttons=list(buttons))
        events: list[EventType] = [SlotSet(name, value) for name, value in update.slots.items()]
        if message_id is not None:
            events.append(SlotSet(PARSED_SLOT, message_id))
        return events
