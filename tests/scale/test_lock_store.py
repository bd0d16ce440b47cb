"""The lock store must serialise the messages of one conversation across Rasa
servers: several processes (standing for Rasa servers) each take the lock of
the same conversation many times and, inside it, do a non-atomic
read-then-write of a counter in Redis (standing for load tracker → save
tracker). With mutual exclusion no increment is lost.

Each run also counts what shows the harness can catch a race at all:
- contention: a worker entering the lock while another was waiting for it or
  holding it (without it, no lock store could fail);
- overlaps: a worker entering the lock while another was inside;
- lost increments: rounds done minus the counter; lock errors (Rasa gives up
  a message when its lock vanished under it);
- stuck workers: a worker that waited ACQUIRE_DEADLINE_S for its turn (its
  ticket was lost: Rasa waits for it forever) gives up and stops there; a
  worker still running RUN_MARGIN_S later is killed and counted stuck too.

Every run is bounded by construction: a stuck worker is a measured outcome,
never a time-out error of the test.

Negative control: Rasa 3.6's own `RedisLockStore` (`type: redis`) fails
under contention (its tickets are issued with a GET then a SET, not
atomically): increments lost, or a worker stuck behind a lost ticket —
asserted, over a few runs. The test of `AtomicRedisLockStore` runs on its
own: no increment lost, no worker stuck, no lock error, no overlap.

    python -m tests.scale.test_lock_store CLASS HOST PORT PASSWORD CONVERSATION ROUNDS DEADLINE   # one worker
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
from rasa.core.lock_store import RedisLockStore

from harness.processes import ROOT
from tests.support.services import redis_server

pytestmark = pytest.mark.e2e

WORKERS = 4
ROUNDS = 20
LOCK_LIFETIME_S = 1.0  # a ticket lost by Rasa's store blocks the others this long
# A round waits its turn behind at most WORKERS - 1 others, each holding the
# lock a few milliseconds: a worker still waiting after this long will never
# get it (its ticket is gone), even on a loaded machine.
ACQUIRE_DEADLINE_S = 30.0
READY_DEADLINE_S = 120.0  # the workers import Rasa and connect
# After "go", a worker's rounds take well under a minute, plus at most one
# wait given up (it stops there): past that margin the test kills what is
# left and counts it stuck.
RUN_MARGIN_S = 90.0
CONTROL_RUNS = 10  # Rasa's store lost increments in 4 runs of 4 out of 4 when measured
ATOMIC = "serving.lock_store.AtomicRedisLockStore"
RASA = "rasa.core.lock_store.RedisLockStore"


def worker(
    class_path: str, host: str, port: int, password: str, conversation: str, rounds: int, acquire_deadline: float
) -> None:
    import rasa.shared.utils.common
    import redis
    from rasa.core.lock_store import LockError

    store = rasa.shared.utils.common.class_from_module_path(class_path)(
        host=host, port=port, password=password, db=1, key_prefix="clinibot"
    )
    data = redis.Redis(host=host, port=port, password=password, db=2)
    data.incr("ready")
    while not data.exists("go"):  # start together (the test gives up on workers that never get ready)
        time.sleep(0.005)

    async def one_round() -> None:
        entered = False
        try:
            async with store.lock(conversation, lock_lifetime=LOCK_LIFETIME_S, wait_time_in_seconds=0.005):
                entered = True
                if data.incr("inside") > 1:
                    data.incr("overlaps")
                if int(data.get("wanting") or 0) > 1:
                    data.incr("contended")
                value = int(data.get("counter") or 0)  # "load the tracker"
                await asyncio.sleep(0.002)  # "process the message"
                data.set("counter", value + 1)  # "save the tracker"
                data.incr("done")
                data.decr("inside")
                entered = False
        finally:
            if entered:  # cancelled inside (only a deadline does that): leave the counts true
                data.decr("inside")

    async def run() -> None:
        for _ in range(rounds):
            data.incr("wanting")
            try:
                await asyncio.wait_for(one_round(), timeout=acquire_deadline)
            except LockError:
                data.incr("lock_errors")
            except asyncio.TimeoutError:
                data.incr("stuck")  # waited for a turn that never came: stop here
                return
            finally:
                data.decr("wanting")

    asyncio.run(run())


@dataclass(frozen=True)
class Run:
    counter: int
    done: int
    contended: int
    overlaps: int
    lock_errors: int
    stuck: int

    @property
    def lost(self) -> int:
        return self.done - self.counter

    @property
    def failed(self) -> bool:
        """Mutual exclusion failed: an increment lost or a worker stuck."""
        return bool(self.lost or self.stuck)


COUNTS = ("counter", "done", "contended", "overlaps", "lock_errors", "stuck")


def contention(class_path: str, redis, rounds: int = ROUNDS, acquire_deadline: float = ACQUIRE_DEADLINE_S) -> Run:
    """WORKERS processes doing `rounds` locked increments each, started together."""
    client = redis.client(db=2)
    try:
        client.flushdb()
        redis.client(db=1).flushdb()
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
                    str(rounds),
                    str(acquire_deadline),
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(WORKERS)
        ]
        killed = 0
        try:
            deadline = time.monotonic() + READY_DEADLINE_S
            while int(client.get("ready") or 0) < WORKERS:
                exited = [process for process in workers if process.poll() is not None]
                assert not exited, exited[0].communicate()[0][-3000:]
                assert time.monotonic() < deadline, "the workers did not get ready"
                time.sleep(0.05)
            client.set("go", 1)
            deadline = time.monotonic() + acquire_deadline + RUN_MARGIN_S
            outputs = []
            for process in workers:
                try:
                    outputs.append(process.communicate(timeout=max(0.1, deadline - time.monotonic()))[0])
                except subprocess.TimeoutExpired:
                    process.kill()  # blocked beyond every deadline: counted stuck, not an error
                    outputs.append(process.communicate()[0])
                    killed += 1
        finally:
            for process in workers:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        crashed = [
            output for process, output in zip(workers, outputs, strict=True) if process.returncode not in (0, -9)
        ]
        assert not crashed, crashed[0][-3000:]
        count = {name: int(client.get(name) or 0) for name in COUNTS}
        count["stuck"] += killed
        return Run(**count)
    finally:
        client.close()


@pytest.fixture(scope="module")
def redis():
    with redis_server() as server:
        yield server


@pytest.fixture(scope="module")
def rasa_control(redis) -> list[Run]:
    """Runs of Rasa's `type: redis` store, until one fails."""
    runs: list[Run] = []
    while len(runs) < CONTROL_RUNS and not any(run.failed for run in runs):
        runs.append(contention(RASA, redis))
    return runs


def test_control_rasa_redis_lock_store_fails_under_contention(rasa_control):
    if not any(run.contended for run in rasa_control):
        pytest.skip(f"inconclusive: no contention in {len(rasa_control)} runs of Rasa's store ({rasa_control})")
    assert any(run.failed for run in rasa_control), rasa_control
    failed = next(run for run in rasa_control if run.failed)
    # lost because mutual exclusion failed, or stuck behind a lost ticket
    assert failed.stuck or failed.overlaps or failed.lock_errors, failed


def test_atomic_lock_store_serialises_one_conversation_across_processes(redis):
    run = contention(ATOMIC, redis)
    if not run.contended:
        pytest.skip(f"inconclusive: the workers never contended for the lock ({run})")
    assert run == Run(WORKERS * ROUNDS, WORKERS * ROUNDS, run.contended, 0, 0, 0)
    leftover = redis.client(db=1)
    try:
        assert leftover.keys("clinibot:*") == []  # every lock deleted once free
    finally:
        leftover.close()


class LostTicketLockStore(RedisLockStore):
    """Rasa's store with the flaw made certain: the ticket a message gets is
    never in the lock (as when two servers overwrite each other's ticket), so
    Rasa's `lock()` waits for its turn forever."""

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = 0) -> int:
        self.save_lock(self.get_or_create_lock(conversation_id))  # a lock with no ticket: "someone else's turn"
        return 1

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        pass  # a lost ticket is never returned: the empty lock stays


def test_a_worker_behind_a_lost_ticket_is_counted_stuck_within_its_deadline(redis):
    """The control cannot hang: a wait that never ends is cut at the deadline
    and counted, not raised."""
    run = contention(f"{__name__}.LostTicketLockStore", redis, rounds=3, acquire_deadline=2.0)
    assert run == Run(counter=0, done=0, contended=0, overlaps=0, lock_errors=0, stuck=WORKERS)
    assert run.failed


if __name__ == "__main__":
    _, path, host, port, password, conversation, rounds, deadline = sys.argv
    worker(path, host, int(port), password, conversation, int(rounds), float(deadline))
