from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.discussion import answer
from consultation.discussion_words import data

from .case import case_from_tracker, current_recommendation, requested_field


def answer_question(dispatcher: CollectingDispatcher, tracker: Tracker, intent: str | None = None) -> bool:
    """Answers the latest message if it asks something about the case or the
    chapter (consultation/discussion.py); False when it asks nothing
    recognised. Never sets a slot: a hypothesis is weighed on a copy."""
    text = (tracker.latest_message or {}).get("text") or ""
    if text.lstrip().startswith("/") and intent is None:
        return False
    messages = answer(
        text,
        case=case_from_tracker(tracker),
        rec=current_recommendation(tracker),
        pending=requested_field(tracker),
        intent=intent,
    )
    if not messages:
        return False
    for message_text in messages:
        dispatcher.utter_message(text=message_text)
    return True


class ActionDiscuss(Action):
    """The clinician's questions beside the form's, before or after the answer:
    « donc on fait quoi ? », « et si … ? », « plutôt un clou gamma ? »,
    « qu'est-ce qui manque pour trancher ? », « quel référentiel ? », « ?? »…
    The form then asks its pending question again (data/rules.yml)."""

    def name(self) -> str:
        return "action_discuss"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if not answer_question(dispatcher, tracker, intent or "ask_about_case"):
            dispatcher.utter_message(text=data()["technique"]["unknown"])
        return []
