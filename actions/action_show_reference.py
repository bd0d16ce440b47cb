import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.sources import reference_message
from consultation.texts import message
from decision import knowledge


class ActionShowReference(Action):
    """« Référence 144 »: the full reference, exactly as the bibliography prints it,
    and what it is to the chapter: cited at a sentence (143, 144), general
    reading of the whole chapter (137–142), or a reference of another chapter."""

    def name(self) -> str:
        return "action_show_reference"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        numbers = [str(value) for value in tracker.get_latest_entity_values("reference_number")]
        if not numbers:
            numbers = re.findall(r"\d+", (tracker.latest_message or {}).get("text") or "")
        if not numbers:
            dispatcher.utter_message(text=message("reference_missing_number"))
            return []
        for number in dict.fromkeys(int(n) for n in numbers if n.isdigit() and len(n) < 6):
            if number in knowledge.references():
                dispatcher.utter_message(text=reference_message(number))
            else:
                dispatcher.utter_message(text=message("reference_unknown", count=len(knowledge.references())))
        return []
