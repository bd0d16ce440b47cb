"""A turn is stored or it is refused; a resent message is processed once; no
conversation is left dead by the action server: a consultation may be
continued on any server, through store restarts and crashes.

Rasa 3.6 alone, in the multi-server deployment of docs/scale.md:

1. wraps the tracker store in a `FailSafeTrackerStore` that, when the
   database fails, saves the turn in the server's memory (« Falling back to
   use the 'InMemoryTrackerStore' ») and answers it, and reads a conversation
   it cannot read as a new empty one: an answered turn was never stored;
2. when the action server is down at a session start, logs the failed session
   start as done, then retries the fallback action until its circuit breaker
   trips, which leaves the conversation without `action_listen`: every later
   message, « nouveau cas » included, tripped the breaker at once (empty
   answer), and the notice of fault_notice.py was said twice.

`install()` (by `python -m serving`) changes that:

- `StrictTrackerStore` replaces the `FailSafeTrackerStore` of every agent: a
  read or a write that still fails after `STORE_ATTEMPTS` attempts (the
  connection pool pings its connections, so a restarted database is reached
  again at the first retry) raises `StoreUnavailable`; the channels answer
  that the turn was not taken (HTTP 503 on REST and Matrix, `turn_refused` on
  socket.io) and the client sends it again. A retried write adds only the
  events the database does not hold yet (Rasa's SQL store counts them).
- A turn during which the action server cannot be reached is not stored at
  all: no action runs after the first failure, the user is told once, in
  French, to send the message again (`service_unavailable`), and the
  conversation stays as it was before the message, its session start
  included, which runs again with the message sent again.
- A message whose id is already in the conversation (a resend after a timeout
  or a lost answer, on any channel) is not processed again: its first answer,
  rebuilt from the stored events, is sent instead. The check runs under the
  conversation's lock, after the read, so two servers cannot both take it.
- When the circuit breaker trips, the conversation goes back to listening.
- Rasa's HTTP API answers HTTP 503 when a store fails (a tracker read during
  a database restart was an empty new conversation with HTTP 200).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from consultation.texts import message as text_of

logger = logging.getLogger(__name__)

STORE_ATTEMPTS = 4  # one try and three retries …
STORE_BACKOFF_S = (0.25, 0.75, 2.0)  # … after these pauses: 3 s in all, then the turn is refused
# A message id a client may choose: a uuid (32 hexadecimal digits, with or
# without dashes), or a Matrix event id (made by the homeserver). Nothing else:
# the store keeps message ids as they are (records/store.py), so no word typed.
CLIENT_MESSAGE_ID = re.compile(
    r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # a uuid
    r"|\$[0-9A-Za-z_+/=.-]{8,128}(?::[0-9A-Za-z.-]{1,255}(?::\d{1,5})?)?)$"  # $opaque[:server[:port]]
)

T = TypeVar("T")


class TurnRefused(RasaException):
    """The turn was not taken (nothing of it stored): the client may send it again."""


class StoreUnavailable(TurnRefused):
    """The tracker store could not be read or written."""


def client_message_id(value: Any) -> str | None:
    """A message id given by a client, if it has the form of one (a uuid or
    a Matrix event id); None otherwise (Rasa then makes one)."""
    return value if isinstance(value, str) and CLIENT_MESSAGE_ID.match(value) else None


def refusal(error: BaseException) -> bool:
    """Whether `error` means the turn was not taken because a store failed:
    the tracker store, the lock store (Redis) or the database driver."""
    if isinstance(error, TurnRefused | LockError):
        return True
    module = type(error).__module__ or ""
    return module.startswith(("redis", "sqlalchemy", "psycopg2"))


# --------------------------------------------------------------------------- the tracker store


async def _with_retries(call: Callable[[], Awaitable[T]], what: str, store: TrackerStore) -> T:
    last: Exception | None = None
    for attempt in range(STORE_ATTEMPTS):
        if attempt:
            await asyncio.sleep(STORE_BACKOFF_S[min(attempt - 1, len(STORE_BACKOFF_S) - 1)])
        try:
            return await call()
        except Exception as error:  # the database's, the driver's, the pool's: all retried, then refused
            last = error
            logger.warning(
                "Tracker store: %s failed (attempt %d of %d): %s", what, attempt + 1, STORE_ATTEMPTS, _one_line(error)
            )
    name = type(store).__name__
    if what == "save":
        sentence = f"Error happened when trying to save conversation tracker to '{name}'"
    else:
        sentence = f"Error happened when trying to retrieve conversation tracker from '{name}'"
    logger.error("%s. The turn is refused, nothing kept in memory. Error: %s", sentence, _one_line(last))
    raise StoreUnavailable(f"tracker store: {what} failed") from last


def _one_line(error: BaseException | None) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())[:600]


class StrictTrackerStore(FailSafeTrackerStore):
    """The agent's tracker store: Rasa's `FailSafeTrackerStore` without its
    fall-back to memory. Reads and writes are retried, then refused."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        await _with_retries(lambda: self._tracker_store.save(tracker), "save", self._tracker_store)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await _with_retries(lambda: self._tracker_store.retrieve(sender_id), "read", self._tracker_store)

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        return await _with_retries(
            lambda: self._tracker_store.retrieve_full_tracker(sender_id), "read", self._tracker_store
        )

    async def keys(self) -> Iterable[str]:
        return await _with_retries(self._tracker_store.keys, "read of the conversation ids", self._tracker_store)


def _create_tracker_store(store: TrackerStore | None, domain: Any) -> TrackerStore:
    if store is None:  # no tracker_store in endpoints.yml: Rasa's memory store, as before
        from rasa.core.tracker_store import InMemoryTrackerStore

        store = InMemoryTrackerStore(domain)
    store.domain = domain
    return StrictTrackerStore(store)


# --------------------------------------------------------------------------- the turn


@dataclass
class Turn:
    """What happened during one message's processing."""

    message_id: str | None
    unavailable: list[str] = field(default_factory=list)  # the custom actions that could not run


_turn: contextvars.ContextVar[Turn | None] = contextvars.ContextVar("clinibot_turn", default=None)


def action_server_failed(action_name: str) -> bool:
    """Called when a custom action could not run (action server unreachable or
    in error). True if a turn is in progress: it will be rolled back and the
    user told once at its end; False otherwise (the caller tells the user)."""
    turn = _turn.get()
    if turn is None:
        return False
    turn.unavailable.append(action_name)
    return True


def earlier_answer(tracker: DialogueStateTracker, message_id: str) -> list[BotUttered] | None:
    """The bot's utterances that followed the user message `message_id`, or
    None if the conversation does not hold it."""
    answer: list[BotUttered] | None = None
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if answer is not None:
                break
            if event.message_id == message_id:
                answer = []
        elif isinstance(event, BotUttered) and answer is not None:
            answer.append(event)
    return answer


class AlreadyHandled(Exception):
    """The message is in the conversation already; `answer` is what followed it."""

    def __init__(self, answer: list[BotUttered]) -> None:
        super().__init__("message already handled")
        self.answer = answer


async def _answer_503(request: Any, exception: Exception) -> Any:
    from sanic import response

    logger.error("%s %s: not served, a store is unavailable (%s): HTTP 503", request.method, request.path, exception)
    return response.json(
        {"error": "store_unavailable", "detail": "try again"}, status=503, headers={"Retry-After": "2"}
    )


def answer_refusals_with_503(app: Any) -> Any:
    """Rasa's Sanic app, answering HTTP 503 to a request that failed on a store."""
    app.error_handler.add(StoreUnavailable, _answer_503)
    app.error_handler.add(LockError, _answer_503)
    return app


def install() -> None:
    if getattr(MessageProcessor.handle_message, "_clinibot_turns", False):
        return
    import rasa.core.run

    configure_app = rasa.core.run.configure_app

    def configure_app_with_503(*args: Any, **kwargs: Any) -> Any:
        return answer_refusals_with_503(configure_app(*args, **kwargs))

    rasa.core.run.configure_app = configure_app_with_503
    Agent._create_tracker_store = staticmethod(_create_tracker_store)

    handle_message = MessageProcessor.handle_message
    handle_with_tracker = MessageProcessor._handle_message_with_tracker
    run_action = MessageProcessor._run_action
    save_tracker = MessageProcessor.save_tracker
    prediction_loop = MessageProcessor._run_prediction_loop

    async def handle_message_once(self: MessageProcessor, message: UserMessage) -> Any:
        turn = Turn(message.message_id)
        token = _turn.set(turn)
        try:
            try:
                result = await handle_message(self, message)
            except AlreadyHandled as done:
                logger.info("Message %s is already in the conversation: its answer is sent again.", turn.message_id)
                for event in done.answer:
                    await message.output_channel.send_response(message.sender_id, event.message())
                return _collected(message)
            if turn.unavailable:
                await _tell_unavailable(message)
                return _collected(message)
            return result
        finally:
            _turn.reset(token)

    async def handle_with_tracker_once(self: MessageProcessor, message: UserMessage, tracker: Any) -> None:
        if message.message_id:
            answer = earlier_answer(tracker, message.message_id)
            if answer is not None:
                raise AlreadyHandled(answer)
        await handle_with_tracker(self, message, tracker)

    async def run_action_unless_unavailable(self: MessageProcessor, action: Any, *args: Any, **kwargs: Any) -> bool:
        turn = _turn.get()
        if turn is not None and turn.unavailable:
            return False  # the turn is lost already: nothing more runs
        return await run_action(self, action, *args, **kwargs)

    async def save_unless_unavailable(self: MessageProcessor, tracker: DialogueStateTracker) -> None:
        turn = _turn.get()
        if turn is not None and turn.unavailable:
            logger.warning(
                "Turn not stored: the action server could not run %s; the conversation stays as it was.",
                ", ".join(sorted(set(turn.unavailable))),
            )
            return
        await save_tracker(self, tracker)

    async def prediction_loop_ending_listening(self: MessageProcessor, output_channel: Any, tracker: Any) -> None:
        await prediction_loop(self, output_channel, tracker)
        if not tracker.is_paused() and tracker.latest_action_name != ACTION_LISTEN_NAME:
            # the circuit breaker stopped the loop: back to listening, not trapped
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))

    handle_message_once.__dict__["_clinibot_turns"] = True  # the mark read above
    MessageProcessor.handle_message = handle_message_once
    MessageProcessor._handle_message_with_tracker = handle_with_tracker_once
    MessageProcessor._run_action = run_action_unless_unavailable
    MessageProcessor.save_tracker = save_unless_unavailable
    MessageProcessor._run_prediction_loop = prediction_loop_ending_listening


def _collected(message: UserMessage) -> list[dict[str, Any]] | None:
    channel = message.output_channel
    return channel.messages if isinstance(channel, CollectingOutputChannel) else None


async def _tell_unavailable(message: UserMessage) -> None:
    """The turn's answer is the notice alone (what was said before the failure
    belongs to a turn that is not stored)."""
    channel = message.output_channel
    if isinstance(channel, CollectingOutputChannel) and isinstance(channel.messages, list):
        channel.messages.clear()
    await channel.send_text_message(message.sender_id, text_of("service_unavailable"))
