from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import message, texts

from .case import case_from_tracker, clear_case

# Clearing a case in progress destroys answers already given: it takes a
# clear request, a button or typed words that say so (texts.yml, new_case_words),
# never a message the classifier merely guessed to be one.
CLEAR_CONFIDENCE = 0.9


def asks_for_a_new_case(latest: dict[str, Any]) -> bool:
    text = (latest.get("text") or "").strip()
    if text.startswith("/"):  # a button's payload, never a stray slash
        return text.split("{", 1)[0] == "/start_consultation"
    confidence = (latest.get("intent") or {}).get("confidence") or 0.0
    lowered = text.lower()
    return confidence >= CLEAR_CONFIDENCE and any(word in lowered for word in texts()["new_case_words"])


class ActionNewConsultation(Action):
    """« Nouveau cas »: every answer is cleared and the disclaimer said again."""

    def name(self) -> str:
        return "action_new_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        in_progress = bool(case_from_tracker(tracker).keys() - {"primary_tumor"})
        if in_progress:
            if not asks_for_a_new_case(tracker.latest_message or {}):
                dispatcher.utter_message(text=message("confirm_new_case"))
                return []
            dispatcher.utter_message(text=message("new_case"))
        dispatcher.utter_message(text=message("disclaimer"))
        return clear_case()
