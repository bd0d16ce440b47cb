"""Rasa's multi-instance deployment: two Rasa servers (same model, one shared
action server) with a shared PostgreSQL tracker store and a Redis lock store.

One consultation whose turns alternate between the two servers loses nothing:
after every turn both servers return the same tracker, every slot given so far
is still there, and the final recommendation is the one for the case. Two
messages of the same conversation sent at the same moment to the two servers
are both processed, one after the other (the Redis lock), none lost.

Negative control, first and on its own pair of servers: with Rasa's own
`type: redis` lock store the same race loses a message (asserted, over up to
CONTROL_ROUNDS rounds). The test of the project's lock store is reported
inconclusive (skipped, with the reason) when the control lost nothing."""

import contextlib
import json
import threading
import time
from dataclasses import dataclass

import pytest

from harness.bots import running_bots
from harness.rest import send, tracker
from harness.scripts import FEMORAL_NECK_FREE_TEXT
from tests.support.services import postgres_server, redis_server

pytestmark = pytest.mark.e2e

# Rasa's `type: redis` lock store is not atomic across servers (see
# serving/lock_store.py and tests/scale/test_lock_store.py): the project's own.
LOCK_STORE = "serving.lock_store.AtomicRedisLockStore"
RASA_LOCK_STORE = "redis"  # Rasa 3.6's RedisLockStore
CONTROL_ROUNDS = (
    60  # at most; it stops at the first loss (measured: 5 losses in 20 rounds, so 0.75^60 ≈ 3e-8 to lose none)
)
ROUNDS = 16  # with the project's lock store (a store as lossy as Rasa's would lose one: 1 - 0.75^16 ≈ 99 %)

# The production layout of docs/scale.md: host, user and secrets come from the
# environment (Rasa expands ${VAR} in endpoints.yml).
STORES = """\
tracker_store:
  type: records.store.ScreenedSQLTrackerStore
  dialect: postgresql
  url: ${{DB_HOST}}
  port: {pg.port}
  db: {pg.database}
  username: ${{DB_USER}}
  password: ${{DB_PASSWORD}}
lock_store:
  type: {lock_store}
  url: ${{REDIS_HOST}}
  port: {redis.port}
  password: ${{REDIS_PASSWORD}}
  db: 1
  key_prefix: clinibot
"""

# The free-text consultation of the end-to-end tests.
TURNS = FEMORAL_NECK_FREE_TEXT


@dataclass
class Race:
    """Two messages of one conversation sent at the same moment, one to each server."""

    user_texts: list[str]
    errors: list[str]
    overlapped: bool  # both requests were in flight at the same time
    slots: dict

    @property
    def lost(self) -> bool:
        return bool(self.errors) or sorted(self.user_texts[1:]) != sorted(RACING)


RACING = ["espérance de vie 8 mois", "il est opérable"]


def environment(pg, redis) -> dict[str, str]:
    return {
        "DB_HOST": pg.host,
        "DB_USER": pg.user,
        "DB_PASSWORD": pg.password,
        "REDIS_HOST": redis.host,
        "REDIS_PASSWORD": redis.password,
    }


@pytest.fixture(scope="module")
def services():
    with postgres_server() as pg, redis_server() as redis:
        yield pg, redis


@contextlib.contextmanager
def two_servers(workdir, pg, redis, lock_store):
    stores = STORES.format(pg=pg, redis=redis, lock_store=lock_store)
    assert pg.password not in stores and redis.password not in stores
    with running_bots(workdir, 2, stores_yaml=stores, extra_env=environment(pg, redis)) as bots:
        yield bots


def race(a: str, b: str, sender: str) -> Race:
    assert send(a, sender, "fracture pathologique du col fémoral")
    answers, errors, spans = {}, [], {}
    barrier = threading.Barrier(2)

    def say(url, text):
        try:
            barrier.wait(timeout=30)
            started = time.monotonic()
            answers[text] = send(url, sender, text)
            spans[text] = (started, time.monotonic())
        except (OSError, ValueError, threading.BrokenBarrierError) as error:  # HTTP, JSON, barrier: reported below
            errors.append(f"{text!r} on {url}: {error!r}")

    threads = [threading.Thread(target=say, args=(url, text)) for url, text in zip((a, b), RACING, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert all(not thread.is_alive() for thread in threads)
    overlapped = len(spans) == 2 and max(s for s, _ in spans.values()) < min(e for _, e in spans.values())
    texts = [event["text"] for event in events(a, sender) if event["event"] == "user"]
    return Race(texts, errors, overlapped, slots(a, sender))


@pytest.fixture(scope="module")
def rasa_control(services, tmp_path_factory) -> list[Race]:
    """Races on two servers sharing Rasa's `type: redis` lock store, until one
    loses a message; the servers are stopped before the project's are started."""
    pg, redis = services
    with two_servers(tmp_path_factory.mktemp("two-instances-control"), pg, redis, RASA_LOCK_STORE) as bots:
        races: list[Race] = []
        stamp = int(time.time())
        while len(races) < CONTROL_ROUNDS and not any(r.lost for r in races):
            races.append(race(bots[0].url, bots[1].url, f"two-instances-control-{stamp}-{len(races)}"))
        return races


@pytest.fixture(scope="module")
def deployment(services, tmp_path_factory):
    pg, redis = services
    with two_servers(tmp_path_factory.mktemp("two-instances"), pg, redis, LOCK_STORE) as bots:
        yield bots, pg, redis


def slots(url, sender):
    return {name: value for name, value in tracker(url, sender)["slots"].items() if value is not None}


def events(url, sender):
    """The conversation's events without the timestamps (same events, whichever server)."""
    return [
        {key: value for key, value in event.items() if key != "timestamp"} for event in tracker(url, sender)["events"]
    ]


def stored_events(pg, sender):
    with contextlib.closing(pg.connect()) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
        return [(type_name, json.loads(data)) for type_name, data in cursor.fetchall()]


def test_control_rasa_redis_lock_store_loses_a_message_of_two_sent_at_once(rasa_control):
    """First, so that its servers are stopped before the project's start.
    Measured before this harness: 3 losses in 3 rounds without lock store,
    1 in 3 with `type: redis`."""
    if not any(r.overlapped for r in rasa_control):
        pytest.skip(f"inconclusive: the two requests were never in flight together ({len(rasa_control)} rounds)")
    assert any(r.lost for r in rasa_control), [(r.user_texts, r.errors) for r in rasa_control]


def test_one_consultation_alternating_between_two_servers_loses_nothing(deployment):
    bots, pg, redis = deployment
    a, b = bots[0].url, bots[1].url
    sender = f"two-instances-{int(time.time())}"
    given = {}
    for number, (text, expected) in enumerate(TURNS):
        server = (a, b)[number % 2]
        assert send(server, sender, text), f"no answer to {text!r} from {server}"
        from_a, from_b = slots(a, sender), slots(b, sender)
        assert from_a == from_b, (text, from_a, from_b)
        given.update({name: value for name, value in expected.items() if name != "requested_slot"})
        assert {name: from_a.get(name) for name in given} == given, (text, from_a)  # nothing lost
        if "requested_slot" in expected:
            assert from_a.get("requested_slot") == expected["requested_slot"], (text, from_a)
    assert events(a, sender) == events(b, sender)

    recommendation = slots(b, sender)["recommendation"]
    assert recommendation["surgery"] == "indicated"
    assert [t["code"] for t in recommendation["techniques"]] == ["cemented_arthroplasty"]
    assert recommendation["case"]["site"] == "neck"

    # The conversation lives in PostgreSQL (not in either server's memory)...
    stored = stored_events(pg, sender)
    assert [data["text"] for kind, data in stored if kind == "user"] == [text for text, _ in TURNS]
    assert any(kind == "slot" and data.get("name") == "recommendation" for kind, data in stored)
    # ...and the two servers took their turns through the Redis lock store.
    client = redis.client()
    try:
        commands = client.info("commandstats")
    finally:
        client.close()
    assert commands.get("cmdstat_set", {}).get("calls", 0) >= len(TURNS), commands


def test_simultaneous_messages_of_one_conversation_on_both_servers_are_both_kept(deployment, rasa_control):
    if not any(r.lost for r in rasa_control):
        pytest.skip(f"inconclusive: Rasa's own lock store lost nothing in {len(rasa_control)} rounds of this harness")
    bots, _, _ = deployment
    a, b = bots[0].url, bots[1].url
    stamp = int(time.time())
    for round_number in range(ROUNDS):
        sender = f"two-instances-race-{stamp}-{round_number}"
        result = race(a, b, sender)
        assert result.overlapped, "the two requests were not in flight together"
        assert not result.errors and not result.lost, (result.user_texts, result.errors)
        assert slots(b, sender) == result.slots
        assert result.slots["life_expectancy"] == "6_to_12_months" and result.slots["fit_for_surgery"] is True
        assert result.slots["bone"] == "femur" and result.slots["site"] == "neck"
