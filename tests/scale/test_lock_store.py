"""The lock store must serialise the messages of one conversation across Rasa
servers: several processes (standing for Rasa servers) each take the lock of
the same conversation many times and, inside it, do a non-atomic
read-then-write of a counter in Redis (standing for load tracker → save
tracker). With mutual exclusion no increment is lost.

Rasa 3.6's own `RedisLockStore` fails this (its tickets are issued with a GET
then a SET, not atomically); `AtomicRedisLockStore` passes it.

    python -m tests.scale.test_lock_store CLASS HOST PORT PASSWORD CONVERSATION ROUNDS   # one worker
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import pytest

from tests.support.servers import ROOT
from tests.support.services import redis_server

pytestmark = pytest.mark.e2e

WORKERS = 4
ROUNDS = 40
ATOMIC = "serving.lock_store.AtomicRedisLockStore"
RASA = "rasa.core.lock_store.RedisLockStore"


def worker(class_path: str, host: str, port: int, password: str, conversation: str, rounds: int) -> None:
    import rasa.shared.utils.common
    import redis

    store = rasa.shared.utils.common.class_from_module_path(class_path)(
        host=host, port=port, password=password, db=1, key_prefix="clinibot"
    )
    data = redis.Redis(host=host, port=port, password=password, db=2)
    data.incr("ready")
    deadline = time.monotonic() + 60
    while not data.exists("go") and time.monotonic() < deadline:  # start together
        time.sleep(0.005)

    async def run() -> None:
        for _ in range(rounds):
            async with store.lock(conversation, lock_lifetime=5, wait_time_in_seconds=0.005):
                value = int(data.get("counter") or 0)  # "load the tracker"
                await asyncio.sleep(0.002)  # "process the message"
                data.set("counter", value + 1)  # "save the tracker"

    asyncio.run(run())


def contention(class_path: str, redis) -> int:
    """Counter value after WORKERS × ROUNDS locked increments by separate processes."""
    client = redis.client(db=2)
    try:
        client.flushdb()
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.scale.test_lock_store",
                    class_path,
                    redis.host,
                    str(redis.port),
                    redis.password,
                    "contended",
                    str(ROUNDS),
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(WORKERS)
        ]
        try:
            deadline = time.monotonic() + 60  # let them import Rasa and connect
            while int(client.get("ready") or 0) < WORKERS and time.monotonic() < deadline:
                if any(process.poll() is not None for process in workers):
                    break
                time.sleep(0.05)
            client.set("go", 1)
            outputs = [process.communicate(timeout=120)[0] for process in workers]
        finally:
            for process in workers:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        failed = [output for process, output in zip(workers, outputs, strict=True) if process.returncode != 0]
        assert not failed, failed[0][-3000:]
        return int(client.get("counter") or 0)
    finally:
        client.close()


@pytest.fixture(scope="module")
def redis():
    with redis_server() as server:
        yield server


def test_atomic_lock_store_serialises_one_conversation_across_processes(redis):
    assert contention(ATOMIC, redis) == WORKERS * ROUNDS
    leftover = redis.client(db=1)
    try:
        assert leftover.keys("clinibot:*") == []  # every lock deleted once free
    finally:
        leftover.close()


@pytest.mark.xfail(
    reason="Rasa 3.6 RedisLockStore issues tickets non-atomically (GET then SET): "
    "two servers can hold the same conversation's lock at once",
    strict=False,
)
def test_rasa_redis_lock_store_serialises_one_conversation_across_processes(redis):
    assert contention(RASA, redis) == WORKERS * ROUNDS


if __name__ == "__main__":
    _, path, host, port, password, conversation, rounds = sys.argv
    worker(path, host, int(port), password, conversation, int(rounds))
