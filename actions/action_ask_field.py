"""`action_ask_<field>`: one class per field the form asks, built from one template."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from consultation import progress
from decision import FIELDS
from freetext.scope import out_of_scope

from .case import (
    ASKED_SLOT,
    case_from_tracker,
    choice_offered,
    last_recommendation,
    latest_text,
    requested_before_turn,
)

# Never asked: the primary tumour defaults to lung, the performance status is
# only recorded when stated.
NOT_ASKED = ("primary_tumor", "performance_status")


class AskForField(Action):
    """Asks the question about `field` (`progress.question_message`): its
    number (which never runs backwards: a question asked again keeps its
    number), hint and buttons. The question that was already waiting when the
    clinician wrote (an aside, an answer not understood) is asked again as a
    one-line reminder with its buttons (`progress.reask`)."""

    field = ""

    def name(self) -> str:
        return f"action_ask_{self.field}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        case = case_from_tracker(tracker)
        asked = list(tracker.get_slot(ASKED_SLOT) or [])
        events: list[EventType] = []
        if self.field not in asked and out_of_scope(latest_text(tracker)):
            # « méta L3, on opère ? »: the extraction said it is outside the chapter;
            # a consultation does not start on it with a first question.
            return events
        if self.field not in asked:
            asked.append(self.field)
            events.append(SlotSet(ASKED_SLOT, asked))
        if choice_offered(tracker, self.field) is not None:
            # « environ 6 mois »: the short choice between two values was just
            # offered; it is the question of this turn.
            return events
        answered = last_recommendation(tracker) is not None
        ask = progress.reask if requested_before_turn(tracker) == self.field else progress.question_message
        dispatcher.utter_message(**ask(self.field, case, asked, answered))
        return events


for _field in FIELDS:
    if _field not in NOT_ASKED:
        _name = "AskFor" + "".join(part.capitalize() for part in _field.split("_"))
        globals()[_name] = type(_name, (AskForField,), {"field": _field, "__module__": __name__})
