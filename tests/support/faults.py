"""Fault injection on the multi-server deployment of docs/scale.md, on
loopback: private PostgreSQL and Redis, two Rasa servers, one action
server; consultations typed in free French by a client that resends as a load
balancer would; one fault per phase; then the whole store read back.

The client (`Client.turn`):
- gives every message an id (`message_id`, a uuid) and sends it to the servers
  in turn (round robin);
- on a connection error, a timeout or an HTTP 5xx, sends the same message, same
  id, to the next server after `RESEND_PAUSE_S` (a load balancer's retry);
- on the unavailability notice alone (the action server is away: the turn was
  not kept), does what the notice asks the clinician: sends the message again
  after `NOTICE_PAUSE_S`, as a new message (new id);
- any other HTTP 200 is an acknowledgement: that id must be in the store once.

Every wait is bounded: a request by `REQUEST_TIMEOUT_S`, a turn by the
phase's deadline; a conversation that does not reach its recommendation by
then is counted dead.

The check (`Ledger.check`) reads every event of the PostgreSQL store: each
acknowledged message id is there exactly once (lost: 0 times; duplicated: more),
no message id that was not acknowledged is there (a turn answered by the
notice or refused must leave nothing), every consultation holds its
recommendation, and no identifying string typed by the clinicians is stored.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from consultation.texts import message
from harness.bots import endpoints_yaml, server_env, start_actions, start_rasa, wait_for_actions, wait_for_rasa
from harness.load import Conversation
from harness.processes import free_port, stop, stop_together

NOTICE = message("service_unavailable")
REQUEST_TIMEOUT_S = 90.0  # above the lock's wait and the store's retries
RESEND_PAUSE_S = 0.5
NOTICE_PAUSE_S = 1.0
RASA_DOWN_S = 10.0  # a killed Rasa server is started again this long after
ACTIONS_DOWN_S = 5.0  # a killed action server likewise
# Typed by some clinicians in their first message: must never reach the store.
IDENTIFYING = ("Patient M. Durandeau Gaspard, né le 14/02/1951 : ", ("Durandeau", "Gaspard", "14/02/1951"))

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
  type: serving.lock_store.AtomicRedisLockStore
  url: ${{REDIS_HOST}}
  port: {redis.port}
  password: ${{REDIS_PASSWORD}}
  db: 1
  key_prefix: clinibot
"""


class Deployment:
    """One action server and two Rasa servers on the shared stores; each can
    be killed and started again on its port."""

    def __init__(self, workdir: Path, pg, redis, instances: int = 2) -> None:
        self.workdir, self.pg, self.redis = workdir, pg, redis
        self.env = server_env(
            {
                "DB_HOST": pg.host,
                "DB_USER": pg.user,
                "DB_PASSWORD": pg.password,
                "REDIS_HOST": redis.host,
                "REDIS_PASSWORD": redis.password,
            }
        )
        self.actions_port = free_port()
        self.rasa_ports: list[int] = []
        while len(self.rasa_ports) < instances:
            port = free_port()
            if port != self.actions_port and port not in self.rasa_ports:
                self.rasa_ports.append(port)
        self.endpoints = workdir / "endpoints.yml"
        self.endpoints.write_text(
            endpoints_yaml(f"http://127.0.0.1:{self.actions_port}", STORES.format(pg=pg, redis=redis))
        )
        self.processes: dict[str, subprocess.Popen] = {}

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    def start(self) -> None:
        self.start_actions()
        for number in range(len(self.rasa_ports)):
            self._launch_rasa(number)
        for number in range(len(self.rasa_ports)):
            self._wait_rasa(number)

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def start_actions(self) -> None:
        self.processes["actions"] = start_actions(self.actions_port, self.log("actions"), self.env)
        wait_for_actions(self.actions_port, self.processes["actions"], self.log("actions"))

    def _launch_rasa(self, number: int) -> None:
        name = f"rasa-{number}"
        with open(self.log(name), "a") as handle:  # keep the log of the killed server
            handle.write(f"---- started at {time.time():.0f}\n")
        log = self.workdir / f"{name}.current.log"
        self.processes[name] = start_rasa(self.rasa_ports[number], self.endpoints, log, self.env)

    def _wait_rasa(self, number: int) -> None:
        name = f"rasa-{number}"
        wait_for_rasa(self.rasa_ports[number], self.processes[name], self.workdir / f"{name}.current.log")

    def kill(self, name: str) -> None:
        stop(self.processes[name], signal.SIGKILL)
        if name.startswith("rasa-"):
            current = self.workdir / f"{name}.current.log"
            with open(self.log(name), "a") as handle:
                handle.write(current.read_text(errors="replace"))

    def restart_rasa(self, number: int) -> None:
        self._launch_rasa(number)
        self._wait_rasa(number)

    def logs(self) -> str:
        texts = [path.read_text(errors="replace") for path in sorted(self.workdir.glob("*.log"))]
        return "\n".join(texts)

    def stop_all(self) -> None:
        stop_together([process for name, process in self.processes.items() if name.startswith("rasa-")])
        if "actions" in self.processes:
            stop(self.processes["actions"])


@contextlib.contextmanager
def deployment(workdir: Path, pg, redis) -> Iterator[Deployment]:
    servers = Deployment(workdir, pg, redis)
    try:
        servers.start()
        yield servers
    finally:
        servers.stop_all()


# --------------------------------------------------------------------------- the client


class Dead(Exception):
    """A turn not acknowledged before the deadline."""


@dataclass
class Ledger:
    """What the client sent and what it was told, by message id."""

    acknowledged: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (sender, phase)
    notices: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (sender, phase): answered by the notice
    resends: Counter = field(default_factory=Counter)  # phase -> messages sent again (5xx, connection error)
    refusals: Counter = field(default_factory=Counter)  # phase -> HTTP 503 received
    notice_turns: Counter = field(default_factory=Counter)  # phase -> turns answered by the notice
    notice_said_twice: int = 0
    wrong_answers: list[str] = field(default_factory=list)
    dead: dict[str, str] = field(default_factory=dict)  # sender -> phase
    senders: dict[str, str] = field(default_factory=dict)  # sender -> phase
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, urls: list[str], ledger: Ledger) -> None:
        self.urls, self.ledger = urls, ledger
        self._next = itertools.count()
        self._next_lock = threading.Lock()

    def _url(self) -> str:
        with self._next_lock:
            return self.urls[next(self._next) % len(self.urls)]

    def turn(self, phase: str, sender: str, text: str, deadline: float) -> list[str]:
        message_id = uuid.uuid4().hex
        while time.monotonic() < deadline:
            body = json.dumps({"sender": sender, "message": text, "message_id": message_id}).encode()
            request = urllib.request.Request(
                f"{self._url()}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
            )
            try:
                timeout = max(1.0, min(REQUEST_TIMEOUT_S, deadline - time.monotonic()))
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    replies = json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                with self.ledger.lock:
                    self.ledger.resends[phase] += 1
                    self.ledger.refusals[phase] += error.code == 503
                time.sleep(RESEND_PAUSE_S)
                continue
            except (OSError, ValueError):  # refused, reset, timed out, cut short: sent again
                with self.ledger.lock:
                    self.ledger.resends[phase] += 1
                time.sleep(RESEND_PAUSE_S)
                continue
            texts = [reply.get("text", "") for reply in replies]
            if NOTICE in texts:
                with self.ledger.lock:
                    self.ledger.notices[message_id] = (sender, phase)
                    self.ledger.notice_turns[phase] += 1
                    self.ledger.notice_said_twice += texts.count(NOTICE) > 1
                time.sleep(NOTICE_PAUSE_S)
                message_id = uuid.uuid4().hex  # the clinician types it again
                continue
            with self.ledger.lock:
                self.ledger.acknowledged[message_id] = (sender, phase)
            return texts
        raise Dead(f"{sender}: {text!r} not acknowledged before the deadline")


def identifying(conversation: Conversation, number: int) -> list[str]:
    """The texts the clinician types: the script's, the first message of every
    other consultation preceded by a patient's name and birth date."""
    texts = [turn.text for turn in conversation.turns]
    if number % 2 == 0:
        texts[0] = IDENTIFYING[0] + texts[0]
    return texts


@dataclass(frozen=True)
class Fault:
    down: Callable[[], object] | None  # the fault itself, before any new turn starts
    up: Callable[[], object] | None = None  # the repair, while the turns go on


def run_phase(
    phase: str,
    client: Client,
    conversations: list[Conversation],
    fault: Fault,
    fault_after_turns: int,
    deadline_s: float,
    concurrency: int = 8,
) -> dict:
    """The conversations, `concurrency` at a time. Once `fault_after_turns`
    turns of the phase are acknowledged, `fault.down` runs while no new turn
    starts (so the turns that follow meet the fault, whatever the timing),
    then `fault.up` (the repair) in its own thread while the turns go on. The
    phase ends when every conversation is over and the fault is repaired."""
    ledger = client.ledger
    deadline = time.monotonic() + deadline_s
    work: queue.Queue = queue.Queue()
    for number, conversation in enumerate(conversations):
        work.put((number, conversation))
        ledger.senders[conversation.sender] = phase
    acknowledged = itertools.count(1)
    fault_started = threading.Event()
    fault_errors: list[str] = []
    gate = threading.Lock()  # taken by each turn before it starts, and by the fault while it goes down

    def attempt(step: Callable[[], object] | None) -> None:
        try:
            if step is not None:
                step()
        except Exception as error:  # reported by the test
            fault_errors.append(f"{type(error).__name__}: {error}")

    fault_thread = threading.Thread(target=attempt, args=(fault.up,), daemon=True)

    def worker() -> None:
        while True:
            try:
                number, conversation = work.get_nowait()
            except queue.Empty:
                return
            try:
                for turn, text in zip(conversation.turns, identifying(conversation, number), strict=True):
                    with gate:
                        pass
                    answer = "\n".join(client.turn(phase, conversation.sender, text, deadline))
                    if turn.expect and not turn.answered_by(answer):
                        with ledger.lock:
                            ledger.wrong_answers.append(f"{conversation.sender}: {text!r} -> {answer[:200]!r}")
                    if next(acknowledged) == fault_after_turns and not fault_started.is_set():
                        fault_started.set()
                        with gate:
                            attempt(fault.down)
                        fault_thread.start()
            except Dead:
                with ledger.lock:
                    ledger.dead[conversation.sender] = phase

    started = time.monotonic()
    workers = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT_S)
    if fault_started.is_set():
        fault_thread.join(timeout=max(0.0, deadline - time.monotonic()) + 300)
    return {
        "seconds": round(time.monotonic() - started, 1),
        "fault_injected": fault_started.is_set(),
        "fault_errors": fault_errors,
        "workers_stuck": sum(thread.is_alive() for thread in workers),
    }


# --------------------------------------------------------------------------- the check


def stored_user_messages(pg) -> tuple[list[tuple[str, str]], dict[str, list[dict]], str]:
    """(sender, message id) of every user message in the store, the slot
    events of every conversation, and every stored text (for the identifying
    check)."""
    connection = pg.connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sender_id, type_name, data FROM events ORDER BY id")
            rows = cursor.fetchall()
    finally:
        connection.close()
    users, slots, texts = [], defaultdict(list), []
    for sender, type_name, data in rows:
        texts.append(data)
        event = json.loads(data)
        if type_name == "user":
            users.append((sender, event.get("message_id")))
        elif type_name == "slot":
            slots[sender].append(event)
    return users, slots, "\n".join(texts)


def check(pg, ledger: Ledger, phases: list[str]) -> dict[str, dict[str, int]]:
    """Per phase: acknowledged, lost, duplicated, unexpected (stored though not
    acknowledged), dead, without recommendation; and identifying strings
    stored (in « all »)."""
    users, slots, stored_text = stored_user_messages(pg)
    stored = Counter(message_id for _, message_id in users)
    figures: dict[str, dict[str, int]] = {}
    for phase in phases:
        acked = [mid for mid, (_, p) in ledger.acknowledged.items() if p == phase]
        senders = [sender for sender, p in ledger.senders.items() if p == phase]
        phase_ids = {mid for sender, mid in users if ledger.senders.get(sender) == phase}
        figures[phase] = {
            "consultations": len(senders),
            "acknowledged": len(acked),
            "lost": sum(1 for mid in acked if stored[mid] == 0),
            "duplicated": sum(1 for mid in acked if stored[mid] > 1),
            "unexpected": sum(1 for mid in phase_ids if mid not in ledger.acknowledged),
            "dead": sum(1 for sender in senders if sender in ledger.dead),
            "without_recommendation": sum(
                1
                for sender in senders
                if not any(e.get("name") == "recommendation" and e.get("value") for e in slots.get(sender, []))
            ),
            "resends": ledger.resends[phase],
            "http_503": ledger.refusals[phase],
            "notice_turns": ledger.notice_turns[phase],
        }
    figures["all"] = {
        "identifying_stored": sum(stored_text.count(word) for word in IDENTIFYING[1]),
        "notice_said_twice": ledger.notice_said_twice,
        "wrong_answers": len(ledger.wrong_answers),
    }
    return figures


def post(url: str, sender: str, text: str, message_id: str, timeout: float = REQUEST_TIMEOUT_S) -> tuple[int, list]:
    """One REST message: (HTTP status, the answer's JSON; [] on an error status)."""
    body = json.dumps({"sender": sender, "message": text, "message_id": message_id}).encode()
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        return error.code, []


def http_status(url: str, timeout: float = REQUEST_TIMEOUT_S) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def summed(figures: list[dict[str, int]]) -> dict[str, int]:
    """The figures of several phases added up."""
    total: Counter = Counter()
    for numbers in figures:
        total.update(numbers)
    return dict(total)


def log_mentions(text: str) -> dict[str, int]:
    """How often the servers' logs name each kind of failure."""
    patterns = {
        "tracker_store_retry": "Tracker store: ",
        "tracker_store_refused": "Error happened when trying to",
        "lock_store": "Lock store: ",
        "lock_refused": "not taken (",
        "action_server": "Action server unavailable while running",
        "turn_not_stored": "Turn not stored: the action server could not run",
        "replayed": "is already in the conversation: its answer is sent again",
    }
    return {name: text.count(pattern) for name, pattern in patterns.items()}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))
