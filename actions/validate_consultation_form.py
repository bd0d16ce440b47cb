from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from decision import recommend

from .case import case_from_tracker, last_recommendation
from .recommendation import give, plan


class ValidateConsultationForm(FormValidationAction):
    """The form asks what the decision module still needs, in its order.

    Values were already checked when they were extracted, so there is nothing
    left to validate here. The questions that decide the indication and the
    options come first; as soon as they are answered, the recommendation is
    given, and the refining questions (prior irradiation, hypervascularity,
    bone loss) follow, each answer adding its item to the recommendation.
    After an answer was given, a correction that changes the indication or the
    options gets the recomputed recommendation at once (when it is settled),
    and any question it opens comes after.
    """

    def name(self) -> str:
        return "validate_consultation_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        result = recommend(case_from_tracker(tracker))
        essential = [name for name in result.missing if name not in result.refinements]
        return essential or list(result.refinements)

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return []

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        case = case_from_tracker(tracker)
        result = recommend(case)
        previous = last_recommendation(tracker)
        refining_only = set(result.missing) <= set(result.refinements)
        corrected = previous is not None and result.surgery != "undetermined"
        if result.missing and (refining_only or corrected) and plan(previous) != plan(result.to_dict()):
            events += give(dispatcher, case, previous)
        return events
