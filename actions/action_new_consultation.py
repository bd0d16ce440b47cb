import unicodedata
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import message

from .case import case_from_tracker, clear_case

# « Recommencer » (the widget's button or typed words) destroys the answers
# already given: with a case in progress it first asks, with two buttons whose
# payloads carry the answer (`delivery`: confirmed or kept). A « oui » or
# « non » typed right after the question answers it too (is_confirmation).
CONFIRMED, KEPT = "confirmed", "kept"


def confirm_buttons() -> list[dict[str, str]]:
    return [
        {"title": message("new_case_yes"), "payload": f'/start_consultation{{"delivery": "{CONFIRMED}"}}'},
        {"title": message("new_case_no"), "payload": f'/start_consultation{{"delivery": "{KEPT}"}}'},
    ]


def written_in_latin_letters(text: str) -> bool:
    """Words a clinician could have typed to start again: letters, most of
    them Latin (French), not emoji, symbols or another script."""
    letters = [character for character in text if character.isalpha()]
    latin = sum(unicodedata.name(character, "").startswith("LATIN") for character in letters)
    return bool(letters) and latin * 2 >= len(letters)


def confirmation_pending(tracker: Tracker) -> bool:
    """The bot's last message asked whether to clear the case."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return event.get("text") == message("confirm_new_case")
    return False


def start_again(dispatcher: CollectingDispatcher) -> list[EventType]:
    """Every answer cleared; the widget clears its log (`new_consultation`); the
    form, which runs next, asks question 1 at once."""
    dispatcher.utter_message(json_message={"data": {"new_consultation": True}})
    dispatcher.utter_message(text=message("new_case"))
    dispatcher.utter_message(text=message("disclaimer"))
    return clear_case()


def keep(dispatcher: CollectingDispatcher) -> list[EventType]:
    dispatcher.utter_message(text=message("new_case_kept"))
    return []


class ActionNewConsultation(Action):
    """« Nouveau cas », « Recommencer »: with a case in progress, asks first
    (Oui / Non); then every answer is cleared, the disclaimer said again and
    question 1 asked."""

    def name(self) -> str:
        return "action_new_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        in_progress = bool(case_from_tracker(tracker).keys() - {"primary_tumor"})
        answer = list(tracker.get_latest_entity_values("delivery"))
        text = ((tracker.latest_message or {}).get("text") or "").strip()
        confirmed = CONFIRMED in answer and text.startswith("/start_consultation")
        if KEPT in answer:
            return keep(dispatcher)
        if not text.startswith("/") and not written_in_latin_letters(text):
            # Emoji, symbols or another script never ask to start again,
            # whatever the intent classifier guessed: not understood, the case
            # and the form as they were (imported here: that action imports
            # this module).
            from .action_not_understood import ActionNotUnderstood

            return [*await ActionNotUnderstood().run(dispatcher, tracker, domain), FollowupAction("action_listen")]
        if in_progress and not confirmed:
            dispatcher.utter_message(text=message("confirm_new_case"), buttons=confirm_buttons())
            # The turn ends on the question (the form would ask its own under it),
            # and the form waits: a « non » typed now answers this, not its question.
            return [ActiveLoop(None), FollowupAction("action_listen")]
        return start_again(dispatcher)
