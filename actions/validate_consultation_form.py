from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from decision import questions

from .case import case_from_tracker


class ValidateConsultationForm(FormValidationAction):
    """The form asks what the decision module still needs, in its order.

    Values were already checked when they were extracted, so there is nothing
    left to validate here; the form's only question is which slot comes next.
    """

    def name(self) -> Text:
        return "validate_consultation_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return questions(case_from_tracker(tracker))

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return []
