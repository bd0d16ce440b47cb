from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from consultation import progress

from .case import case_from_tracker, last_recommendation
from .send_answer import say


class ValidateConsultationForm(FormValidationAction):
    """The form asks what `consultation.progress` says is still needed, in its
    order, and keeps the recommendation current.

    Values were already checked when they were extracted, so there is nothing
    left to validate here. The essential questions come first; as soon as
    they are answered, the recommendation is given, and the « pour affiner »
    questions follow. Once it was given, every fact that changes (a « pour
    affiner » answer, a correction) gives the recomputed recommendation in
    the same turn, said as what changed (`progress.turn`); the question it
    opens, if any, comes after.
    """

    def name(self) -> str:
        return "validate_consultation_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return progress.required(case_from_tracker(tracker))

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return []

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        return events + say(dispatcher, progress.turn(case_from_tracker(tracker), last_recommendation(tracker)))
