from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation import progress
from consultation.texts import message

from .action_discuss import answer_question
from .case import RECOMMENDATION_SLOT, case_from_tracker, last_recommendation, slot_set_this_turn
from .send_answer import send_recommendation


class ActionRecommend(Action):
    """The chapter's recommendation for the case, kept in the `recommendation`
    slot for the audit (the contract's JSON plus a `record`: time, project
    version, guideline edition). The form usually gave it already this turn
    (`progress.turn`): then nothing more is said. When the case has not
    changed since the last answer, it says so instead of printing the same
    answer again as if it answered the message."""

    def name(self) -> str:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        case = case_from_tracker(tracker)
        previous = last_recommendation(tracker)
        if previous and progress.same_case(previous, case):
            # A question about the case (« plutôt un clou gamma ? ») is answered;
            # when the form already gave the answer this turn, nothing more is said.
            if not slot_set_this_turn(tracker, RECOMMENDATION_SLOT) and not answer_question(dispatcher, tracker):
                dispatcher.utter_message(text=message("not_understood_after_answer"))
            return []
        return send_recommendation(dispatcher, case, previous)
