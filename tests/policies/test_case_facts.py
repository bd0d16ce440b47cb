"""`CaseFactsPolicy`'s routing, on trackers built from events (no model)."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa")

from rasa.shared.core.constants import ACTION_LISTEN_NAME  # noqa: E402
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from policies.case_facts import FORM, RECOMMEND, next_action  # noqa: E402


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


def test_a_message_without_facts_is_left_to_the_rules() -> None:
    assert next_action(tracker_after("bonjour", "greet")) is None


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
