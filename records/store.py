"""The tracker store: Rasa's SQL store, with identifying data masked in every
string of every event before anything is written.

endpoints.yml:

    tracker_store:
      type: records.store.ScreenedSQLTrackerStore
      dialect: sqlite            # postgresql in production
      db: var/consultations.db
      retention_days: 90         # used by `python -m records purge`
      db_threads: 4              # worker threads for the database work (default 4)
      sqlite_synchronous: normal # or full: SQLite waits for the disk at each commit

What is screened (`privacy.screen_value`): the user's text, its
`parse_data` (text, intent, entities with their values and text), the
entities, the bot's text and data (buttons' titles and payloads, custom
payloads), slot values (nested dicts and lists too), metadata, and any other
string an event holds. Kept as they are: the event's type and timestamp, the
message id the channel gave (a uuid, or a Matrix event id the Matrix channel
looks up), and `name` (the slot, action or form of the domain). Only the
events about to be written are screened, each once, in the worker thread
that writes them (below), while the server's event loop serves other
conversations.

Connections: the pool checks a connection before lending it (`pool_pre_ping`),
so after a database restart the next read or write opens a new one instead
of failing on a dead one; SQLAlchemy's error messages leave the statement's
parameters out (`hide_parameters`: what a user typed never reaches a log that
way). A read or write that still fails is retried, then the turn refused
(serving/turns.py), never kept in memory.

Off the event loop: the database work of `save`, `retrieve`,
`retrieve_full_tracker` and `keys` (SQLAlchemy's queries, the `commit` that
waits on the disk, the events' JSON and the tracker rebuilt from them) runs in
a small pool of worker threads (`db_threads`, 4 by default; the connection
pool is sized to it), so Rasa's asyncio loop keeps serving the other
conversations meanwhile. Each call has its own session; the engine and its
pool are thread-safe. Two saves of one conversation never overlap: Rasa's
lock store holds the conversation for the whole turn, and a turn cancelled
while its write runs waits for the write to end before letting go.

SQLite (`make run`): each connection is put in WAL mode with
`synchronous=NORMAL`: a commit no longer waits for the disk to flush
(`fsync`) and readers do not wait for the writer. A committed turn survives
a crash of the server's process; the last commits may be lost if the machine
itself stops (power cut, OS crash): the database stays consistent, the last
turns acknowledged may be missing. `sqlite_synchronous: full` in
endpoints.yml waits for the disk at every commit (the durability of before,
slower). PostgreSQL (production) is not concerned: its own settings apply.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

from privacy import screen_value

T = TypeVar("T")

DB_THREADS = 4  # worker threads for the database work, and connections in the pool
SQLITE_SYNCHRONOUS = ("normal", "full")  # `sqlite_synchronous` in endpoints.yml; the first is the default

# Keys of an event's dictionary whose values are no one's data.
KEPT_KEYS = frozenset({"event", "timestamp", "message_id", "name"})


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


def _sqlite_pragmas(synchronous: str) -> Callable[[Any, Any], None]:
    """What every new SQLite connection runs: WAL journal and `synchronous`."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        finally:
            cursor.close()

    return on_connect


def _engine(url: Any, threads: int, synchronous: str) -> sa.engine.Engine:
    """The store's engine: a pool of `threads` connections shared by the worker
    threads; on SQLite, WAL and `synchronous` set on each connection."""
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True, **create_engine_kwargs(url)}
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, **kwargs)
    if url.database in (None, "", ":memory:"):  # one database only while its connection lives: share that one
        kwargs["poolclass"] = sa.pool.StaticPool
    else:
        kwargs.update(poolclass=sa.pool.QueuePool, pool_size=threads, max_overflow=0)
    engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
    sa.event.listen(engine, "connect", _sqlite_pragmas(synchronous))
    return engine


class ScreenedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that never stores identifying data."""

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        retention_days: int | None = None,
        db_threads: int = DB_THREADS,
        sqlite_synchronous: str = SQLITE_SYNCHRONOUS[0],
        **kwargs: dict[str, Any],
    ) -> None:
        if sqlite_synchronous.lower() not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"sqlite_synchronous: one of {', '.join(SQLITE_SYNCHRONOUS)}, not {sqlite_synchronous!r}")
        if db_threads < 1:
            raise ValueError(f"db_threads: at least 1, not {db_threads!r}")
        self.retention_days = retention_days
        super().__init__(domain=domain, event_broker=event_broker, **kwargs)
        rasa_engine: Any = cast(Any, self).engine
        url = rasa_engine.url
        rasa_engine.dispose()
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            db_threads = 1  # one connection for the one in-memory database
        self.engine = _engine(url, db_threads, sqlite_synchronous.lower())
        self.sessionmaker = sessionmaker(bind=self.engine)
        self._db_threads = ThreadPoolExecutor(max_workers=db_threads, thread_name_prefix="tracker-store")

    async def _off_the_loop(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in one of the store's worker threads. Cancelled, the
        caller still waits for the work to end: a write is never left running
        after its turn has let go of the conversation."""
        done = asyncio.get_running_loop().run_in_executor(self._db_threads, work, *args)
        try:
            return await asyncio.shield(done)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await done
            raise

    async def keys(self) -> Iterable[str]:
        """The conversations' ids (read in a worker thread)."""
        return await self._off_the_loop(self._keys)

    def _keys(self) -> list[str]:
        with self.session_scope() as session:
            return [sender_id for (sender_id,) in session.query(self.SQLEvent.sender_id).distinct().all()]

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """The conversation read and rebuilt in a worker thread."""
        return await self._off_the_loop(self._read_tracker, sender_id, fetch_events_from_all_sessions)

    def _read_tracker(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions).all()
            events = [json.loads(row.data) for row in rows]
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """The turn's new events streamed (event broker), then written in a worker thread."""
        await self.stream_events(tracker)
        await self._off_the_loop(self._write_events, tracker)

    def _write_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `SQLTrackerStore.save` without the streaming: the events not
        stored yet (screened), in one transaction."""
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events not stored yet, screened (in the worker thread that
        writes them, off the event loop): what `save` writes."""
        return (screened_event(event) for event in super()._additional_events(session, tracker))

    async def _stream_new_events(self, event_broker: EventBroker, new_events: list[Event], sender_id: str) -> None:
        """An event broker, if one is configured, gets screened events too."""
        screened = await asyncio.to_thread(lambda: [screened_event(event) for event in new_events])
        await super()._stream_new_events(event_broker, screened, sender_id)
