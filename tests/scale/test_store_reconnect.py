"""The stores find their servers again by themselves after a restart, and say
so when they cannot: real PostgreSQL and Redis on loopback, no Rasa
server."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from rasa.core.lock_store import LockError
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from records.store import ScreenedSQLTrackerStore
from serving.lock_store import RECONNECT_BACKOFF_S, AtomicRedisLockStore
from tests.support.services import postgres_server, redis_server, restart_postgres, restart_redis

pytestmark = pytest.mark.e2e


def store_settings(pg):
    return {
        "dialect": "postgresql",
        "host": pg.host,
        "port": pg.port,
        "db": pg.database,
        "username": pg.user,
        "password": pg.password,
    }


def a_turn(sender):
    return DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"), UserUttered("col fémoral")])


def test_the_tracker_store_reads_again_at_once_after_a_postgres_restart():
    with postgres_server() as pg:
        ours = ScreenedSQLTrackerStore(domain=Domain.empty(), **store_settings(pg))
        rasa = SQLTrackerStore(domain=Domain.empty(), **store_settings(pg))
        for store in (ours, rasa):
            asyncio.run(store.save(a_turn("avant-redemarrage")))  # a connection now waits in each pool
        restart_postgres(pg)
        assert asyncio.run(ours.retrieve("avant-redemarrage")) is not None  # the dead connection was replaced
        # negative control: Rasa's own pool lends the dead connection
        with pytest.raises(Exception, match="(?i)server closed the connection|terminating connection"):
            asyncio.run(rasa.retrieve("avant-redemarrage"))


def test_the_lock_store_reconnects_refuses_while_redis_is_away_and_never_fails_a_finished_turn():
    with redis_server() as redis:
        locks = AtomicRedisLockStore(host=redis.host, port=redis.port, password=redis.password, db=1)
        ticket = locks.issue_ticket("conversation")
        restart_redis(redis)  # a quick restart: the next call reconnects unnoticed
        assert locks.issue_ticket("autre") == 0
        away = threading.Thread(target=restart_redis, args=(redis,), kwargs={"down_s": 4.0})
        away.start()
        try:
            time.sleep(0.5)
            started = time.monotonic()
            with pytest.raises(LockError):
                locks.issue_ticket("pendant-la-panne")
            assert time.monotonic() - started < sum(RECONNECT_BACKOFF_S) + 2  # bounded, then refused
            locks.cleanup("conversation", ticket)  # the turn is over: no error, the ticket expires by itself
        finally:
            away.join(timeout=60)
        assert locks.issue_ticket("apres-la-panne") == 0
