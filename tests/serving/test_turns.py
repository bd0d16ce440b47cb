"""serving/turns.py against the trained model and a real action server, the
agent in this process: a turn is stored or it is refused, a message sent again
with its id is processed once, and the action server going away never leaves a
conversation dead."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.events import UserUttered
from rasa.utils.endpoints import EndpointConfig

from consultation.texts import message
from harness.bots import MODEL, server_env, start_actions, wait_for_actions
from harness.processes import free_port, stop
from serving import fault_notice, turns

pytestmark = pytest.mark.e2e

NOTICE = message("service_unavailable")
DISCLAIMER = message("disclaimer")
CONFIRM_NEW_CASE = message("confirm_new_case")


class FlakyStore(InMemoryTrackerStore):
    """A tracker store whose reads or writes fail while told to, as a database
    being restarted."""

    def __init__(self) -> None:
        super().__init__(None)
        self.failing: set[str] = set()
        self.saves = 0

    async def save(self, tracker) -> None:
        if "save" in self.failing:
            raise ConnectionError("server closed the connection unexpectedly")
        self.saves += 1
        await super().save(tracker)

    async def retrieve(self, sender_id):
        if "read" in self.failing:
            raise ConnectionError("connection refused")
        return await super().retrieve(sender_id)


class Stack:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.actions = None
        self.store = FlakyStore()
        self.loop = asyncio.new_event_loop()
        self.start_actions()
        endpoint = EndpointConfig(f"http://127.0.0.1:{self.port}/webhook")
        self.agent = Agent.load(
            MODEL, tracker_store=self.store, lock_store=InMemoryLockStore(), action_endpoint=endpoint
        )

    def start_actions(self) -> None:
        log = self.workdir / "actions.log"
        self.actions = start_actions(self.port, log, server_env())
        wait_for_actions(self.port, self.actions, log)

    def kill_actions(self) -> None:
        stop(self.actions, signal.SIGKILL)

    def send(self, sender: str, text: str, message_id: str | None = None) -> list[str]:
        channel = CollectingOutputChannel()
        user_message = UserMessage(text, channel, sender, input_channel="rest", message_id=message_id)
        self.loop.run_until_complete(self.agent.handle_message(user_message))
        return [item.get("text", "") for item in channel.messages]

    def stored(self, sender: str):
        self.store.failing.clear()
        return self.loop.run_until_complete(self.store.retrieve(sender))

    def user_messages(self, sender: str) -> list[str]:
        tracker = self.stored(sender)
        return [event.message_id for event in tracker.events if isinstance(event, UserUttered)] if tracker else []


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """turns and fault_notice installed for this module only (they patch Rasa's classes)."""
    saved = [
        (cls, name, cls.__dict__[name])
        for cls, names in (
            (MessageProcessor, ("handle_message", "_handle_message_with_tracker", "_run_action", "save_tracker")),
            (MessageProcessor, ("_run_prediction_loop",)),
            (Agent, ("_create_tracker_store",)),
            (RemoteAction, ("run",)),
        )
        for name in names
    ]
    turns.install()
    fault_notice.install()
    try:
        yield
    finally:
        for cls, name, value in saved:
            setattr(cls, name, value)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not MODEL.exists():
        pytest.skip("no trained model: make model")
    with installed():
        bot = Stack(tmp_path_factory.mktemp("turns"))
        try:
            yield bot
        finally:
            stop(bot.actions)
            bot.loop.close()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(turns, "STORE_BACKOFF_S", (0.0,))


def test_the_tracker_store_is_not_wrapped_in_a_memory_fallback(stack):
    assert isinstance(stack.agent.tracker_store, turns.StrictTrackerStore)


def test_a_turn_that_cannot_be_saved_is_refused_and_kept_nowhere(stack):
    sender = "sauvegarde-impossible"
    stack.send(sender, "fracture pathologique du fémur")
    before = stack.user_messages(sender)
    stack.store.failing.add("save")
    with pytest.raises(turns.StoreUnavailable):
        stack.send(sender, "col fémoral", message_id=uuid.uuid4().hex)
    assert stack.user_messages(sender) == before  # not stored, and not in any memory either:
    stack.store.failing.clear()
    answer = stack.send(sender, "col fémoral")
    assert stack.stored(sender).get_slot("site") == "neck" and answer


def test_a_conversation_that_cannot_be_read_is_refused_not_started_afresh(stack):
    sender = "lecture-impossible"
    stack.send(sender, "fracture pathologique du fémur")
    stack.store.failing.add("read")
    saves = stack.store.saves
    with pytest.raises(turns.StoreUnavailable):
        stack.send(sender, "col fémoral")
    assert stack.store.saves == saves  # nothing written over the conversation
    assert stack.stored(sender).get_slot("bone") == "femur"


def test_a_message_sent_again_with_its_id_is_processed_once_and_answered_again(stack):
    sender = "renvoi"
    stack.send(sender, "fracture pathologique")
    message_id = uuid.uuid4().hex
    first = stack.send(sender, "c'est le fémur", message_id=message_id)
    again = stack.send(sender, "c'est le fémur", message_id=message_id)
    assert again == first and first
    assert stack.user_messages(sender).count(message_id) == 1


def test_action_server_down_at_the_first_message_then_back(stack):
    sender = "debut-sans-serveur-actions"
    stack.kill_actions()
    try:
        answer = stack.send(sender, "fracture pathologique du fémur")
        assert answer == [NOTICE]  # said once, and nothing else of a turn that is not kept
        assert not stack.stored(sender).events  # the session start will run again
        assert stack.send(sender, "/restart") == [NOTICE]
        assert stack.send(sender, "nouveau cas") == [NOTICE]
    finally:
        stack.start_actions()
    answer = stack.send(sender, "fracture pathologique du fémur")
    assert answer[0] == DISCLAIMER and NOTICE not in answer
    assert stack.stored(sender).get_slot("bone") == "femur"
    # « Nouveau cas » with a case in progress asks first (Recommencer is confirmed).
    assert CONFIRM_NEW_CASE in stack.send(sender, "nouveau cas")
    assert stack.send(sender, "oui") and stack.stored(sender).get_slot("bone") is None


def test_action_server_down_in_the_middle_keeps_the_case_as_it_was(stack):
    sender = "milieu-sans-serveur-actions"
    stack.send(sender, "fracture pathologique")
    events_before = len(stack.stored(sender).events)
    stack.kill_actions()
    try:
        assert stack.send(sender, "le fémur") == [NOTICE]
    finally:
        stack.start_actions()
    assert len(stack.stored(sender).events) == events_before
    stack.send(sender, "le fémur")
    assert stack.stored(sender).get_slot("bone") == "femur"


def test_the_circuit_breaker_leaves_the_conversation_listening(stack):
    sender = "disjoncteur"
    processor = stack.agent.processor
    limit = processor.max_number_of_predictions
    processor.max_number_of_predictions = 1
    try:
        stack.send(sender, "fracture pathologique du fémur, col")
    finally:
        processor.max_number_of_predictions = limit
    assert stack.stored(sender).latest_action_name == "action_listen"
    assert CONFIRM_NEW_CASE in stack.send(sender, "nouveau cas")  # answered, not an empty reply
    assert stack.send(sender, "oui") and stack.stored(sender).get_slot("bone") is None
