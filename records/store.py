"""The tracker store: Rasa's SQL store, with identifying data masked in every
string of every event before anything is written.

endpoints.yml:

    tracker_store:
      type: records.store.ScreenedSQLTrackerStore
      dialect: sqlite            # postgresql in production
      db: var/consultations.db
      retention_days: 90         # used by `python -m records purge`

What is screened (`privacy.screen_value`): the user's text, its
`parse_data` (text, intent, entities with their values and text), the
entities, the bot's text and data (buttons' titles and payloads, custom
payloads), slot values (nested dicts and lists too), metadata, and any other
string an event holds. Kept as they are: the event's type and timestamp, the
message id the channel gave (a uuid, or a Matrix event id the Matrix channel
looks up), and `name` (the slot, action or form of the domain). Only the
events about to be written are screened, each once, in a thread of
`SCREENING` while the server's event loop serves other conversations; the
write itself stays Rasa's (synchronous, on the loop, as before).

Connections: the pool checks a connection before lending it (`pool_pre_ping`),
so after a database restart the next read or write opens a new one instead
of failing on a dead one; SQLAlchemy's error messages leave the statement's
parameters out (`hide_parameters`: what a user typed never reaches a log that
way). A read or write that still fails is retried, then the turn refused
(serving/turns.py), never kept in memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any, cast

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import sessionmaker

from privacy import screen_value

# Keys of an event's dictionary whose values are no one's data.
KEPT_KEYS = frozenset({"event", "timestamp", "message_id", "name"})
# Where events are screened: off the event loop (the recogniser takes tens of
# milliseconds on a long message); its lock lets one text through it at a time.
SCREENING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="screening")
# The current save's events screened beforehand: id(event) -> screened event.
_screened_ahead: ContextVar[dict[int, Event] | None] = ContextVar("screened_ahead", default=None)


def screened_event_data(data: dict[str, Any]) -> dict[str, Any]:
    """An event's dictionary (`Event.as_dict()`) with every string screened."""
    return {key: value if key in KEPT_KEYS else screen_value(value) for key, value in data.items()}


def screened_event(event: Event) -> Event:
    """A copy of `event` with identifying data masked in every string; the
    event itself when there is nothing to mask."""
    data = event.as_dict()
    screened = screened_event_data(data)
    if screened == data:
        return event
    copy = Event.from_parameters(screened)
    if copy is None:  # pragma: no cover - every event Rasa writes has a type it reads back
        raise ValueError(f"cannot rebuild a screened {event.type_name!r} event")
    return copy


def screened_events(events: Sequence[Event]) -> list[Event]:
    return [screened_event(event) for event in events]


async def screened_off_loop(events: Sequence[Event]) -> list[Event]:
    """`screened_events` in a thread of SCREENING; the events the current
    save has screened already are not screened again."""
    ahead = _screened_ahead.get() or {}
    todo = [event for event in events if id(event) not in ahead]
    done = await asyncio.get_running_loop().run_in_executor(SCREENING, screened_events, todo) if todo else []
    fresh = {id(event): screened for event, screened in zip(todo, done, strict=True)}
    return [ahead[id(event)] if id(event) in ahead else fresh[id(event)] for event in events]


class ScreenedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that never stores identifying data."""

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        retention_days: int | None = None,
        **kwargs: dict[str, Any],
    ) -> None:
        self.retention_days = retention_days
        super().__init__(domain=domain, event_broker=event_broker, **kwargs)
        rasa_engine: Any = cast(Any, self).engine
        url = rasa_engine.url
        rasa_engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True, **create_engine_kwargs(url))
        self.sessionmaker = sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, the events not stored yet screened beforehand off the loop."""
        with self.session_scope() as session:
            pending = list(self._unstored_events(session, tracker))
        screened = await screened_off_loop(pending)
        token = _screened_ahead.set({id(event): done for event, done in zip(pending, screened, strict=True)})
        try:
            await super().save(tracker)
        finally:
            _screened_ahead.reset(token)

    def _unstored_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events of `tracker` the database does not hold yet (Rasa's count)."""
        return SQLTrackerStore._additional_events(self, session, tracker)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events not stored yet, screened (by `save` beforehand; here if
        another one came in between): what `save` writes."""
        ahead = _screened_ahead.get() or {}
        for event in self._unstored_events(session, tracker):
            yield ahead[id(event)] if id(event) in ahead else screened_event(event)

    async def _stream_new_events(self, event_broker: EventBroker, new_events: list[Event], sender_id: str) -> None:
        """An event broker, if one is configured, gets screened events too."""
        await super()._stream_new_events(event_broker, await screened_off_loop(new_events), sender_id)
