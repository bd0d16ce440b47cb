"""`CaseFactsPolicy`: a message that states facts of the case is never ignored.

Every user message is read by `action_validate_slot_mappings` before any
policy predicts; it sets the contract slots the message states. The rules map
intents to one-turn answers, and the classifier sometimes guesses an intent
that is not `inform` for a message that states a fact (« ah pardon, en fait il
a déjà eu une cimentoplastie… » read as a question): the fact would enter the
case while the recommendation on screen stayed the old one. This policy takes
over in exactly that situation, whatever the intent:

- the consultation form is not running and this message changed case facts:
  run the form (it asks what is still missing, or ends at once);
- the form ended during this turn and the facts changed: give the
  recommendation, recomputed;
- a new message outside the chapter (spine, pelvis outside the acetabulum,
  radiotherapy doses, bone-targeted drugs: `freetext.scope`) that the
  classifier did not call `out_of_scope`: listen. The extraction already said
  why and set nothing; no rule may start the consultation on it.

While the form runs, Rasa's own loop handling already gives it the message
first (the form accepts any message that fills a slot it asks for). The policy
predicts with confidence 1 and a priority above the RulePolicy's, and abstains
(all zeros) otherwise. Stateless: nothing to train.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from consultation import progress
from decision import FIELDS
from freetext import reading

FORM = "consultation_form"
OUT_OF_SCOPE_INTENT = "out_of_scope"
RECOMMEND = "action_recommend"


def turn_events(tracker: DialogueStateTracker) -> list[Any]:
    """The events since the latest user message (oldest first)."""
    events: list[Any] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        events.append(event)
    return events[::-1]


def facts_changed_this_turn(tracker: DialogueStateTracker) -> bool:
    return any(isinstance(event, SlotSet) and event.key in FIELDS for event in turn_events(tracker))


def outside_chapter(tracker: DialogueStateTracker) -> bool:
    """A new message outside the chapter (« méta L3, on opère ? ») that the
    classifier did not call `out_of_scope`: `action_validate_slot_mappings`
    already said why and what the assistant covers, set nothing, and no rule
    may start the consultation on it."""
    latest = tracker.latest_message
    if latest is None or tracker.active_loop_name is not None or tracker.latest_action_name != ACTION_LISTEN_NAME:
        return False
    if (latest.intent or {}).get("name") == OUT_OF_SCOPE_INTENT:
        return False
    # What the NLU read of the message (`nlu.case_fact_extractor`), not read again.
    return reading.carried_out_of_scope(latest.parse_data.get(reading.KEY), latest.text or "") is not None


def next_action(tracker: DialogueStateTracker) -> str | None:
    """The action this policy imposes, or None: listening after a message
    outside the chapter; otherwise `progress.route` decides, on what ran this
    turn (the form: ASK; the recommendation: ANSWER)."""
    if outside_chapter(tracker):
        return ACTION_LISTEN_NAME
    steps = {FORM: progress.ASK, RECOMMEND: progress.ANSWER}
    ran = [
        steps.get(event.action_name or "", event.action_name or "")
        for event in turn_events(tracker)
        if isinstance(event, ActionExecuted)
    ]
    step = progress.route(
        facts_changed=facts_changed_this_turn(tracker),
        form_running=tracker.active_loop_name is not None,
        listening=tracker.latest_action_name == ACTION_LISTEN_NAME,
        ran=ran,
    )
    return {progress.ASK: FORM, progress.ANSWER: RECOMMEND}.get(step or "")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class CaseFactsPolicy(Policy):
    """Routes a message that changed the case to the form, then to the recommendation."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Above the RulePolicy (priority 4 in Rasa 3.6): a fact stated wins over an intent's rule.
        return {"priority": 7}

    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.ML_DATA

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = next_action(tracker)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)

    def persist(self) -> None:
        """Nothing to persist: the policy has no state."""

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CaseFactsPolicy:
        return cls(config, model_storage, resource, execution_context)
