"""The tracker store's database work runs in worker threads, never in the
asyncio loop that serves the other conversations; SQLite in WAL mode."""

import asyncio
import json
import sqlite3
import threading

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from records.store import ScreenedSQLTrackerStore

DOMAIN = Domain.from_yaml("version: '3.1'\nintents: [inform]\n")


def make_store(db, **options):
    return ScreenedSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db), **options)


def turn(tracker, number):
    tracker.update(UserUttered(f"la lésion numéro {number} est au fémur", {"name": "inform", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(BotUttered(f"Réponse {number} notée."))


def test_reads_and_writes_run_outside_the_event_loop_thread(tmp_path):
    store = make_store(tmp_path / "c.db")
    threads: list[int] = []
    commits: list[int] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: threads.append(threading.get_ident()))
    sa.event.listen(store.engine, "commit", lambda connection: commits.append(threading.get_ident()))

    async def consultation():
        loop_thread = threading.get_ident()
        tracker = DialogueStateTracker("c1", DOMAIN.slots)
        turn(tracker, 1)
        await store.save(tracker)
        read = await store.retrieve("c1")
        full = await store.retrieve_full_tracker("c1")
        keys = list(await store.keys())
        return loop_thread, read, full, keys

    loop_thread, read, full, keys = asyncio.run(consultation())
    assert commits and threads
    assert loop_thread not in threads + commits
    assert keys == ["c1"]
    assert read is not None and full is not None
    assert [e.text for e in read.events if isinstance(e, UserUttered)] == ["la lésion numéro 1 est au fémur"]


def test_the_loop_serves_other_work_while_a_commit_waits(tmp_path):
    """A commit that waits (as on fsync) lets the loop run: here the commit
    waits for the loop itself, which it could never do from the loop's thread."""
    store = make_store(tmp_path / "c.db")
    loop_ran = threading.Event()

    def slow_commit(connection):
        assert loop_ran.wait(timeout=5), "the commit held the event loop"

    sa.event.listen(store.engine, "commit", slow_commit)

    async def save_while_the_loop_runs():
        tracker = DialogueStateTracker("c1", DOMAIN.slots)
        turn(tracker, 1)

        async def other_conversation():
            await asyncio.sleep(0.05)
            loop_ran.set()

        await asyncio.gather(store.save(tracker), other_conversation())

    asyncio.run(save_while_the_loop_runs())
    assert asyncio.run(store.retrieve("c1")) is not None


def pragmas(db):
    with sqlite3.connect(db) as fresh:  # persistent: a new connection sees WAL
        journal = fresh.execute("PRAGMA journal_mode").fetchone()[0]
    return journal


def store_pragmas(store):
    with store.engine.connect() as connection:
        journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    return journal, synchronous


def test_a_fresh_sqlite_store_is_in_wal_mode_with_synchronous_normal(tmp_path):
    store = make_store(tmp_path / "c.db")
    assert store_pragmas(store) == ("wal", 1)  # 1: NORMAL
    assert pragmas(tmp_path / "c.db") == "wal"


def test_sqlite_synchronous_full_waits_for_the_disk_at_each_commit(tmp_path):
    store = make_store(tmp_path / "c.db", sqlite_synchronous="full")
    assert store_pragmas(store) == ("wal", 2)  # 2: FULL


def test_an_unknown_synchronous_setting_is_refused(tmp_path):
    with pytest.raises(ValueError, match="sqlite_synchronous"):
        make_store(tmp_path / "c.db", sqlite_synchronous="off")


def test_many_conversations_saved_at_once_keep_every_event_once(tmp_path):
    store = make_store(tmp_path / "c.db")
    senders = [f"c{number}" for number in range(24)]
    turns = 4

    async def conversation(sender):
        for number in range(1, turns + 1):
            tracker = await store.retrieve(sender) or DialogueStateTracker(sender, DOMAIN.slots)
            turn(tracker, number)
            await store.save(tracker)

    async def all_at_once():
        await asyncio.gather(*(conversation(sender) for sender in senders))

    asyncio.run(all_at_once())
    with sqlite3.connect(tmp_path / "c.db") as db:
        rows = db.execute("SELECT sender_id, type_name, data FROM events ORDER BY id").fetchall()
    for sender in senders:
        said = [json.loads(data)["text"] for who, kind, data in rows if who == sender and kind == "user"]
        assert len(said) == turns
        assert said == [f"la lésion numéro {number} est au fémur" for number in range(1, turns + 1)]
        assert sum(1 for who, *_ in rows if who == sender) == 3 * turns
