"""serving/turns.py without a model: the agent's tracker store retries, then
refuses, never falls back to memory; client message ids; the earlier answer of
a message sent again; what the log says when a store fails."""

import asyncio
import logging
import uuid

import pytest
from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from serving import turns
from serving.log_screen import screen_line


class Store(InMemoryTrackerStore):
    """Fails its first `failures` calls, as a database restarting."""

    def __init__(self, failures: int) -> None:
        super().__init__(Domain.empty())
        self.failures, self.calls = failures, 0

    def _maybe_fail(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("server closed the connection unexpectedly")

    async def save(self, tracker):
        self._maybe_fail()
        await super().save(tracker)

    async def retrieve(self, sender_id):
        self._maybe_fail()
        return await super().retrieve(sender_id)


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(turns, "STORE_BACKOFF_S", (0.0,))


def tracker(sender="c1"):
    return DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"), UserUttered("x")])


def test_a_write_that_fails_a_while_is_retried_and_stored():
    inner = Store(failures=turns.STORE_ATTEMPTS - 1)
    asyncio.run(turns.StrictTrackerStore(inner).save(tracker()))
    assert inner.store.get("c1")  # in the store itself, after the retries


def test_a_write_that_keeps_failing_is_refused_and_kept_in_no_memory(caplog):
    inner = Store(failures=turns.STORE_ATTEMPTS)
    store = turns.StrictTrackerStore(inner)
    with caplog.at_level(logging.ERROR), pytest.raises(turns.StoreUnavailable):
        asyncio.run(store.save(tracker()))
    assert store._fallback_tracker_store is None and not inner.store
    assert "Error happened when trying to save conversation tracker to 'Store'" in caplog.text


def test_a_read_that_keeps_failing_is_refused_not_an_empty_conversation(caplog):
    store = turns.StrictTrackerStore(Store(failures=turns.STORE_ATTEMPTS))
    with caplog.at_level(logging.ERROR), pytest.raises(turns.StoreUnavailable):
        asyncio.run(store.get_or_create_tracker("c1"))
    assert "Error happened when trying to retrieve conversation tracker from 'Store'" in caplog.text


def test_rasa_s_own_wrapper_would_have_answered_from_memory():
    """The negative control: what Rasa does with the same store."""
    inner = Store(failures=100)
    asyncio.run(FailSafeTrackerStore(inner).save(tracker()))  # no error: kept in memory only
    assert not inner.store


def test_every_agent_gets_the_strict_store(monkeypatch):
    monkeypatch.setattr(Agent, "_create_tracker_store", Agent._create_tracker_store)
    monkeypatch.setattr(turns.MessageProcessor, "handle_message", turns.MessageProcessor.handle_message)
    for name in ("_handle_message_with_tracker", "_run_action", "save_tracker", "_run_prediction_loop"):
        monkeypatch.setattr(turns.MessageProcessor, name, getattr(turns.MessageProcessor, name))
    turns.install()
    created = Agent._create_tracker_store(InMemoryTrackerStore(Domain.empty()), Domain.empty())
    assert isinstance(created, turns.StrictTrackerStore)


@pytest.mark.parametrize(
    "value, kept",
    [
        (uuid.uuid4().hex, True),
        (str(uuid.uuid4()), True),
        ("$aBcD1234efGH5678ijKL90mnOPqrST-_uvWXyz0123456:matrix.example.org", True),
        ("$143273582443PhrSn:example.org", True),
        ("Jean Dupont", False),
        ("dupontjeandupontjeandupontjeanab", False),
        ("", False),
        (None, False),
        (12345, False),
        ("a" * 31, False),
    ],
)
def test_a_client_message_id_is_a_uuid_or_a_matrix_event_id(value, kept):
    assert (turns.client_message_id(value) is not None) is kept
    if kept:
        assert turns.client_message_id(value) == value


def test_the_earlier_answer_is_what_followed_that_message_only():
    events = [
        ActionExecuted("action_listen"),
        UserUttered("fracture", message_id="m1"),
        BotUttered("Noté."),
        BotUttered("Question 2"),
        ActionExecuted("action_listen"),
        UserUttered("col", message_id="m2"),
        BotUttered("Question 3"),
    ]
    tracker = DialogueStateTracker.from_events("c1", events)
    assert [event.text for event in turns.earlier_answer(tracker, "m1")] == ["Noté.", "Question 2"]
    assert [event.text for event in turns.earlier_answer(tracker, "m2")] == ["Question 3"]
    assert turns.earlier_answer(tracker, "m3") is None


SAVE = (
    "2026-12-07 21:00:00 ERROR    serving.turns  - Error happened when trying to save conversation tracker to "
    "'ScreenedSQLTrackerStore'. The turn is refused, nothing kept in memory. Error: OperationalError: "
    "(psycopg2.OperationalError) server closed the connection unexpectedly This probably means the server "
    "terminated abnormally before or while processing the request. [SQL: INSERT INTO events] "
    "[note: Patient M. Jean Dupont né le 12/03/1950] (Background on this error at: https://sqlalche.me/e/14/e3q8)"
)
READ = (
    "2026-12-07 21:00:01 ERROR    serving.turns  - Error happened when trying to retrieve conversation tracker "
    "from 'ScreenedSQLTrackerStore'. The turn is refused, nothing kept in memory. Error: OperationalError: "
    '(psycopg2.OperationalError) connection to server at "127.0.0.1", port 5432 failed: Connection refused '
    "Is the server running on that host and accepting TCP/IP connections? Mme Lucie Martin"
)


def test_the_log_says_a_save_failed_with_nothing_identifying_left():
    line = screen_line(SAVE)
    assert "Error happened when trying to save conversation tracker to 'ScreenedSQLTrackerStore'" in line
    assert "(psycopg2.OperationalError) server closed the connection unexpectedly" in line
    assert "Dupont" not in line and "12/03/1950" not in line and "Jean" not in line
    assert "[NOM]" in line and "[DATE]" in line


def test_the_log_tells_a_failed_read_from_a_failed_save():
    line = screen_line(READ)
    assert "Error happened when trying to retrieve conversation tracker from 'ScreenedSQLTrackerStore'" in line
    assert "save conversation tracker" not in line and "Martin" not in line
    assert "Connection refused Is the server running on that host" in line


def test_the_other_programs_sentences_survive_too():
    for sentence in (
        "Failed to run custom action 'action_recommend'.",
        "Couldn't connect to the server at 'http://127.0.0.1:5055/webhook'. Is the server running?",
        "Error 111 connecting to 127.0.0.1:6379. Connection refused.",
        "Circuit breaker tripped. Stopped predicting more actions",
        "Turn not stored: the action server could not run action_session_start; the conversation stays as it was.",
    ):
        assert sentence in screen_line("WARNING " + sentence + " M. Paul Durand"), sentence
        assert "Durand" not in screen_line("WARNING " + sentence + " M. Paul Durand")


# Rasa 3.6's own lines (rasa/core/tracker_store.py, FailSafeTrackerStore), which
# the recogniser alone turned into « [NOM]' … ».
RASA_LINE = (
    "2026-12-07 20:00:00 ERROR    rasa.core.tracker_store  - Error happened when trying to {what}. Falling back "
    "to use the 'InMemoryTrackerStore'. Please investigate the following error: (psycopg2.OperationalError) "
    "server closed the connection unexpectedly. Patient M. Jean Dupont."
)


@pytest.mark.parametrize(
    "what",
    [
        "save conversation tracker to 'ScreenedSQLTrackerStore'",
        "retrieve conversation tracker from 'ScreenedSQLTrackerStore'",
    ],
)
def test_rasa_s_own_store_failure_lines_survive_the_screen(what):
    line = screen_line(RASA_LINE.format(what=what))
    assert f"Error happened when trying to {what}. Falling back to use the 'InMemoryTrackerStore'" in line
    assert "Dupont" not in line and "[NOM]" in line


def test_the_http_api_answers_503_when_a_store_fails():
    from sanic import Sanic

    app = turns.answer_refusals_with_503(Sanic("essai_pannes"))
    handler = app.error_handler.lookup(turns.StoreUnavailable("read"), None)
    request = type("Request", (), {"method": "GET", "path": "/conversations/c1/tracker"})()
    response = asyncio.run(handler(request, turns.StoreUnavailable("read")))
    assert response.status == 503 and response.headers["Retry-After"]
