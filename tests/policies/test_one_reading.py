"""`CaseFactsPolicy` uses what the NLU read of the message: it does
not read it again, and reads it when the NLU's reading is missing."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa")

from rasa.shared.core.constants import ACTION_LISTEN_NAME  # noqa: E402
from rasa.shared.core.events import ActionExecuted, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

import freetext.scope  # noqa: E402
from freetext import reading  # noqa: E402
from policies.case_facts_policy import next_action  # noqa: E402

TEXT = "lyse de l'aile iliaque gauche, faut-il opérer ?"


def tracker(parse_data: dict | None) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "test",
        [
            ActionExecuted(ACTION_LISTEN_NAME),
            UserUttered(TEXT, intent={"name": "ask_about_case", "confidence": 0.9}, parse_data=parse_data),
        ],
    )


@pytest.fixture
def scopes(monkeypatch):
    """Every time the scope of a text is read (the real function, observed)."""
    calls = []
    real = freetext.scope._out_of_scope

    def observed(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(freetext.scope, "_out_of_scope", observed)
    freetext.scope.SCOPES.clear()
    return calls


def test_the_policy_uses_the_nlu_reading(scopes) -> None:
    carried = {reading.KEY: reading.carry(TEXT)}
    freetext.scope.SCOPES.clear()
    scopes.clear()
    assert next_action(tracker(carried)) == ACTION_LISTEN_NAME
    assert scopes == []


def test_without_the_nlu_reading_the_policy_reads_the_message(scopes) -> None:
    assert next_action(tracker(None)) == ACTION_LISTEN_NAME
    assert scopes == [TEXT]
