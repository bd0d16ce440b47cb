from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.discussion import topic
from consultation.texts import field_name, field_text, fold, texts
from consultation.why import why_buttons, why_messages

from .action_discuss import answer_question
from .case import case_from_tracker, current_recommendation, requested_field

# What a « pourquoi … ? » may ask beside the question or the recommendation:
# answered by consultation/discussion.py (« pourquoi pas une PTH ? », « c'est
# basé sur quoi ? », « pourquoi pas si la douleur était mécanique ? »).
DISCUSSED = ("technique", "source", "what_if", "missing", "open_points", "biopsy")


class ActionExplainWhy(Action):
    """« Pourquoi ? »: why the pending question is asked, or the rationale,
    section and references of each item of the recommendation; « pourquoi pas
    une PTH ? »: why that technique is or is not proposed for this case."""

    def name(self) -> str:
        return "action_explain_why"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        why = texts()["why"]
        text = (tracker.latest_message or {}).get("text") or ""
        pending = requested_field(tracker)
        recommendation = current_recommendation(tracker)
        asked = topic(text, None, case_from_tracker(tracker)) if not text.lstrip().startswith("/") else None
        if asked in DISCUSSED and answer_question(dispatcher, tracker):
            return []
        everything = "all" in tracker.get_latest_entity_values("delivery") or any(
            fold(words) in fold(text) for words in why["all_words"]
        )
        # « pourquoi la recommandation ? », « pourquoi tout ? »: about the answer, even while a question waits.
        about_answer = everything or any(fold(words) in fold(text) for words in why["recommendation_words"])
        if pending and not (recommendation and about_answer):
            messages = [why["question"].format(name=field_name(pending), why=field_text(pending)["why"])]
            if recommendation:
                messages.append(why["question_recommendation"])
        elif recommendation:
            if not everything:  # the reasons that decided, and a button for the rest
                dispatcher.utter_message(text=why_messages(recommendation)[0], buttons=why_buttons())
                return []
            messages = why_messages(recommendation, everything=True)
        else:
            messages = [why["none"]]
        for message_text in messages:
            dispatcher.utter_message(text=message_text)
        return []
