from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import field_name, message
from decision import FIELDS

from .case import RECOMMENDATION_SLOT


def changed_this_turn(tracker: Tracker) -> set[str]:
    """Contract fields set (or cleared) since the latest user message: the
    extraction already acted on « retire la perte osseuse » or « je n'ai pas dit ça »."""
    changed: set[str] = set()
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot" and event.get("name") in FIELDS:
            changed.add(event["name"])
    return changed


class ActionChangeAnswer(Action):
    """« Modifier l'espérance de vie »: forgets that answer so the form asks it again.

    A field the extraction already changed this turn (a removal, a denial, a new
    value) is left as it is and not announced twice."""

    def name(self) -> str:
        return "action_change_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        done = changed_this_turn(tracker)
        fields = [value for value in tracker.get_latest_entity_values("field") if value in FIELDS]
        todo = [name for name in dict.fromkeys(fields) if name not in done]
        if not todo:
            if not fields and not done:
                dispatcher.utter_message(text=message("change_which"))
            return []
        events: list[EventType] = [SlotSet(RECOMMENDATION_SLOT, None)]
        for name in todo:
            dispatcher.utter_message(text=message("change_field", name=field_name(name)))
            events.append(SlotSet(name, None))
        return events
