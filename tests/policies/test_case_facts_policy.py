"""`CaseFactsPolicy`'s routing, on trackers built from events (no model): a
message that states a fact of the case reaches the questions, then the
answer, whatever intent the classifier guessed; a message outside the chapter
starts nothing; everything else is left to the rules and the form."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from paths import ROOT
from policies.case_facts_policy import FORM, RECOMMEND, CaseFactsPolicy, next_action


def tracker_after(text: str, intent: str, *events: object) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "test",
        [
            ActionExecuted(ACTION_LISTEN_NAME),
            UserUttered(text, intent={"name": intent, "confidence": 0.9}),
            *events,
        ],
    )


def test_a_message_that_states_facts_starts_the_questions_whatever_its_intent() -> None:
    tracker = tracker_after("fracture du fémur", "ask_why", SlotSet("bone", "femur"))
    assert next_action(tracker) == FORM


def test_the_answer_follows_the_questions_that_ended_this_turn() -> None:
    tracker = tracker_after("fracture du fémur", "inform", SlotSet("bone", "femur"), ActionExecuted(FORM))
    assert next_action(tracker) == RECOMMEND


def test_once_the_answer_is_given_the_turn_is_left_to_the_rules() -> None:
    tracker = tracker_after(
        "fracture du fémur", "inform", SlotSet("bone", "femur"), ActionExecuted(FORM), ActionExecuted(RECOMMEND)
    )
    assert next_action(tracker) is None


def test_a_message_without_facts_is_left_to_the_rules() -> None:
    assert next_action(tracker_after("bonjour", "greet")) is None


def test_a_slot_outside_the_contract_is_no_fact_of_the_case() -> None:
    """`requested_slot` changes at each question; only the contract's fields are facts."""
    assert next_action(tracker_after("hein ?", "ask_why", SlotSet("requested_slot", "bone"))) is None


def test_facts_stated_in_an_earlier_turn_route_nothing_now() -> None:
    tracker = DialogueStateTracker.from_events(
        "test",
        [
            ActionExecuted(ACTION_LISTEN_NAME),
            UserUttered("fracture du fémur", intent={"name": "inform", "confidence": 0.9}),
            SlotSet("bone", "femur"),
            ActionExecuted(FORM),
            ActionExecuted(RECOMMEND),
            ActionExecuted(ACTION_LISTEN_NAME),
            UserUttered("merci", intent={"name": "thank", "confidence": 0.9}),
        ],
    )
    assert next_action(tracker) is None


def test_while_the_questions_run_the_form_takes_the_message() -> None:
    """Rasa gives the message to the running form first: the policy stays out."""
    tracker = DialogueStateTracker.from_events(
        "test",
        [
            ActionExecuted(FORM),
            ActiveLoop(FORM),
            ActionExecuted(ACTION_LISTEN_NAME),
            UserUttered("le col", intent={"name": "inform", "confidence": 0.9}),
            SlotSet("site", "neck"),
        ],
    )
    assert next_action(tracker) is None


@pytest.mark.parametrize(
    "text",
    [
        "métastase de D12 avec épidurite, on l'opère ?",
        "lésion lytique de l'aile iliaque droite, que proposer ?",
        "combien de grays en post-opératoire, 20 Gy en 5 séances ?",
    ],
)
def test_a_message_outside_the_chapter_starts_no_consultation(text: str) -> None:
    # The chapter covers the limbs and the acetabulum only: the extraction said
    # so and set nothing; the rule for `inform` must not start the form.
    assert next_action(tracker_after(text, "inform")) == ACTION_LISTEN_NAME


def test_an_out_of_scope_intent_keeps_its_own_reply() -> None:
    # utter_out_of_scope (the rule) says what the assistant covers.
    assert next_action(tracker_after("métastase de D12, on l'opère ?", "out_of_scope")) is None


def test_a_limb_lesion_beside_a_spine_one_is_read() -> None:
    tracker = tracker_after("méta L3 et fracture du col fémoral", "inform", SlotSet("site", "femoral_neck"))
    assert next_action(tracker) == FORM


# ------------------------------------------------------------ the policy in Rasa


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture()
def policy(tmp_path) -> CaseFactsPolicy:
    return CaseFactsPolicy.create(
        CaseFactsPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("case_facts_policy"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def test_the_policy_outranks_the_rules() -> None:
    """A fact stated wins over the rule of the intent the classifier guessed."""
    assert CaseFactsPolicy.get_default_config()["priority"] > RulePolicy.get_default_config()["priority"]


def test_the_policy_predicts_its_action_with_certainty(policy: CaseFactsPolicy, domain: Domain) -> None:
    tracker = tracker_after("fracture du fémur", "ask_why", SlotSet("bone", "femur"))
    probabilities = np.array(policy.predict_action_probabilities(tracker, domain).probabilities)
    assert probabilities[domain.index_for_action(FORM)] == 1.0 and probabilities.sum() == 1.0


def test_the_policy_abstains_when_nothing_is_imposed(policy: CaseFactsPolicy, domain: Domain) -> None:
    probabilities = policy.predict_action_probabilities(tracker_after("bonjour", "greet"), domain).probabilities
    assert not any(probabilities)


def test_the_actions_the_policy_names_are_in_the_domain(domain: Domain) -> None:
    assert {FORM, RECOMMEND} <= set(domain.action_names_or_texts)
