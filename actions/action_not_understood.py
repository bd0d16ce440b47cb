from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import field_name, message, values_list

from .action_discuss import answer_question
from .action_new_consultation import confirmation_pending, keep, start_again
from .case import bot_spoke_since_user, last_recommendation, requested_field


def asks_something(tracker: Tracker) -> bool:
    """A typed question (« …? ») while a question waits: explained, never
    taken for a wrong answer."""
    text = ((tracker.latest_message or {}).get("text") or "").strip()
    return requested_field(tracker) is not None and not text.startswith("/") and text.endswith("?")


class ActionNotUnderstood(Action):
    """What could not be used: a question about the case is answered
    (consultation/discussion.py); otherwise says what was expected (unless the
    reason was already given this turn); the form then asks its question
    again. After a recommendation, says that the case did not change."""

    def name(self) -> str:
        return "action_not_understood"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if confirmation_pending(tracker):  # « oui » / « non » typed to « effacer le cas en cours ? »
            intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
            if intent == "affirm":
                return [*start_again(dispatcher), FollowupAction("consultation_form")]
            if intent == "deny":  # the form, left while asking, takes up its question again
                return [*keep(dispatcher), FollowupAction("consultation_form")]
        if bot_spoke_since_user(tracker):
            return []
        if answer_question(dispatcher, tracker) or (
            asks_something(tracker) and answer_question(dispatcher, tracker, "ask_clarify")
        ):
            return []
        pending = requested_field(tracker)
        if pending:
            dispatcher.utter_message(
                text=message("not_understood", name=field_name(pending), expected=values_list(pending))
            )
        elif last_recommendation(tracker):
            dispatcher.utter_message(text=message("not_understood_after_answer"))
        else:
            dispatcher.utter_message(text=message("not_understood_free"))
        return []
