from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import field_text, message

from .case import requested_field


class ActionExplainDontKnow(Action):
    """« Je ne sais pas » to a question that has no `unknown` answer: says why
    the fact is needed and what to do without it."""

    def name(self) -> str:
        return "action_explain_dont_know"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        pending = requested_field(tracker)
        if pending:
            dispatcher.utter_message(text=message("dont_know", why=field_text(pending)["why"]))
        else:
            dispatcher.utter_message(text=message("not_understood_free"))
        return []
