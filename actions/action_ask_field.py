"""`action_ask_<field>`: one class per contract field, built from one template."""

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.render import question
from decision import FIELDS, questions
from decision.contract import SITES_BY_BONE

from .case import case_from_tracker


class AskForField(Action):
    """Asks the question about `field`, with its progress, hint and buttons."""

    field = ""

    def name(self) -> str:
        return f"action_ask_{self.field}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        case = case_from_tracker(tracker)
        answered = len([name for name in case if name != "primary_tumor"])
        pending = questions(case)
        total = answered + max(len(pending), 1)
        values = SITES_BY_BONE.get(case.get("bone")) if self.field == "site" else None
        dispatcher.utter_message(**question(self.field, answered + 1, total, values))
        return []


for _field in FIELDS:
    if _field != "primary_tumor":
        _name = "AskFor" + "".join(part.capitalize() for part in _field.split("_"))
        globals()[_name] = type(_name, (AskForField,), {"field": _field, "__module__": __name__})
