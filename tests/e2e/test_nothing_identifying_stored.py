"""Nothing identifying is ever stored, proven by reading the whole store.

Two Rasa servers started as `make run` starts them (`python -m serving`, its
logs screened), sharing one action server: one writes to SQLite, the other to
a throwaway PostgreSQL. Each receives, over REST and over socket.io, the
French identifying-data set (tests/privacy/identifying.yml, every message
also in the message's metadata) and a sample of the hostile fuzz
(tests/e2e/test_hostile_input.py's generator, its `/inform{"nom": "Dupont",
"date_of_birth": "1950-03-12", …}` included), then completes a consultation
and asks for the RCP report. Then every table and every column of each
database is read (JSON decoded), the SQLite file byte for byte, the report
(Markdown, and the PDF's text read by pypdf), the servers' logs and every
reply of the assistant: none of the injected identifiers may appear.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from harness import rest as rest_channel
from harness.bots import endpoints_yaml, server_env, start_actions, start_rasa, wait_for_actions, wait_for_rasa
from harness.processes import ROOT, free_port, stop, stop_together
from privacy.vocabulary import fold
from privacy.vocabulary import strings as nested_strings
from serving import message_cap
from tests.e2e.test_hostile_input import hostile_messages
from tests.privacy.test_identifying import NOT_NAME_WORDS as IDENTIFYING_SET_NOT_NAME_WORDS
from tests.support.services import Postgres, postgres_server
from tests.support.socketio import SocketIOClient

pytestmark = pytest.mark.e2e

TOKEN = "jeton-de-test"
ORIGIN = "http://localhost:8080"  # a page allowed by credentials.yml
IDENTIFYING = yaml.safe_load((ROOT / "tests" / "privacy" / "identifying.yml").read_text(encoding="utf-8"))["messages"]
FUZZ_SEED, FUZZ_COUNT = 20261127, 80
# What the hostile fuzz injects on purpose.
FUZZ_IDENTIFIERS = ["Dupont", "1950-03-12", "1950"]
CASE = ["fracture pathologique du col fémoral, espérance de vie 8 mois, opérable", "non", "non", "non"]
# Words of an identifier that are no one's name: those of the identifying set's
# test (particles, street types, months, numbers in words), a title and « saint ».
NOT_NAME_WORDS = IDENTIFYING_SET_NOT_NAME_WORDS | {fold("docteur"), fold("saint")}


def fuzz() -> list[str]:
    return hostile_messages(random.Random(FUZZ_SEED), FUZZ_COUNT)


# ---------------------------------------------------------------- what must not appear


@dataclass
class Needles:
    """The injected identifiers, as exact strings and as name words."""

    exact: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # name words the assistant itself writes

    def found_in(self, text: str, strings: str | None = None) -> list[str]:
        """The needles in `text`; years and record numbers only in `strings`
        when given (a database's JSON holds numbers: offsets, timestamps)."""
        folded = fold(text)
        found = [needle for needle in self.exact if needle in text]
        found += [word for word in self.words if re.search(rf"(?<!\w){re.escape(fold(word))}(?!\w)", folded)]
        where = text if strings is None else strings
        found += [number for number in self.numbers if re.search(rf"(?<![\d.]){number}(?![\d.])", where)]
        return found


def project_text() -> str:
    """Everything the assistant itself may write or store: its texts, the chapter, the bibliography."""
    paths = ("consultation/texts.yml", "domain.yml", "decision/data/chapter.yml", "decision/data/references.json")
    return "\n".join((ROOT / path).read_text(encoding="utf-8") for path in paths)


def needles() -> Needles:
    result = Needles()
    own_text = project_text()
    own = {fold(word) for word in re.findall(r"[^\W\d_]+", own_text)}
    for identifier in [i for item in IDENTIFYING for i in item["identifiers"]] + FUZZ_IDENTIFIERS:
        if identifier.isdigit():
            if len(identifier) >= 4:  # « né en 52 »: two digits are everywhere
                result.numbers.append(identifier)
            continue
        if re.search(rf"(?<!\w){re.escape(identifier)}(?!\w)", own_text):
            result.ignored.append(identifier)  # « Blanc », an author of the bibliography
            continue
        result.exact.append(identifier)
        if "@" in identifier:  # an e-mail is masked whole; its words (« famille ») are anyone's
            continue
        for word in re.findall(r"[^\W\d_]+", identifier):
            if len(word) < 3 or fold(word) in NOT_NAME_WORDS:
                continue
            (result.ignored if fold(word) in own else result.words).append(word)
    return result


# ---------------------------------------------------------------- the servers


@dataclass
class Server:
    name: str
    url: str
    port: int
    log: Path
    endpoints: Path
    database: Path | None = None  # SQLite
    postgres: Postgres | None = None
    replies: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def said(self, texts: list[str]) -> None:
        with self.lock:
            self.replies.extend(texts)


@dataclass
class Stack:
    servers: list[Server]
    actions_log: Path
    processes: list[subprocess.Popen]

    def stop(self) -> None:
        """Stop every server (their logs are then complete)."""
        stop_together(self.processes[:-1])
        stop(self.processes[-1])


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("privacy")
    env = server_env()
    with postgres_server() as postgres:
        actions_port = free_port()
        actions = start_actions(actions_port, workdir / "actions.log", env)
        result = Stack([], workdir / "actions.log", [actions])
        try:
            stores = {
                "sqlite": f"  dialect: sqlite\n  db: {workdir / 'consultations.db'}\n",
                "postgresql": (
                    f"  dialect: postgresql\n  url: {postgres.host}\n  port: {postgres.port}\n"
                    f"  db: {postgres.database}\n  username: {postgres.user}\n  password: {postgres.password}\n"
                ),
            }
            for name, store in stores.items():
                endpoints = workdir / f"endpoints-{name}.yml"
                endpoints.write_text(
                    endpoints_yaml(
                        f"http://127.0.0.1:{actions_port}",
                        f"tracker_store:\n  type: records.store.ScreenedSQLTrackerStore\n{store}",
                    )
                )
                port, log = free_port(), workdir / f"rasa-{name}.log"
                process = start_rasa(port, endpoints, log, env, extra_args=["--auth-token", TOKEN, "--cors", ORIGIN])
                result.processes.insert(0, process)
                server = Server(name, f"http://127.0.0.1:{port}", port, log, endpoints)
                if name == "sqlite":
                    server.database = workdir / "consultations.db"
                else:
                    server.postgres = postgres
                result.servers.append(server)
            wait_for_actions(actions_port, actions, workdir / "actions.log")
            for server, process in zip(result.servers, reversed(result.processes[:-1]), strict=True):
                wait_for_rasa(server.port, process, server.log)
            yield result
        finally:
            result.stop()


# ---------------------------------------------------------------- the channels


def rest(server: Server, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
    replies = rest_channel.send(server.url, sender, text, metadata=metadata)
    server.said([json.dumps(reply, ensure_ascii=False) for reply in replies])
    return replies


def tracker(server: Server, sender: str) -> dict:
    return rest_channel.tracker(server.url, sender, TOKEN)


def user_events(server: Server, sender: str) -> int:
    return sum(event["event"] == "user" for event in tracker(server, sender)["events"])


def over_socketio(server: Server, messages: list[tuple[str, dict]]) -> str:
    """Send `messages` (text, metadata) in one widget session, one at a time:
    each is sent once the tracker holds the previous one. The session id."""

    async def conversation() -> str:
        client = await SocketIOClient.open(server.url, ORIGIN)
        received: list[str] = []

        async def drain() -> None:
            while True:
                message = await client.packet(3600)
                if message.startswith("42"):
                    received.append(message[2:])

        reader = asyncio.ensure_future(drain())
        try:
            await client.emit("session_request", {"session_id": None})
            while not any(json.loads(packet)[0] == "session_confirm" for packet in received):
                await asyncio.sleep(0.05)
            session = next(json.loads(p)[1] for p in received if json.loads(p)[0] == "session_confirm")
            count = 0
            for text, metadata in messages:
                await client.emit("user_uttered", {"message": text, "session_id": session, "metadata": metadata})
                if message_cap.too_long(text):
                    continue  # refused before any processing: no event is stored (serving/message_cap.py)
                count += 1
                deadline = time.monotonic() + 120
                while await asyncio.to_thread(user_events, server, session) < count:
                    assert time.monotonic() < deadline, f"message {count} of {session} never processed"
                    await asyncio.sleep(0.05)
            # the last answer: once the tracker ends with the bot listening
            deadline = time.monotonic() + 120
            while (await asyncio.to_thread(tracker, server, session))["latest_action_name"] != "action_listen":
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
            return session
        finally:
            reader.cancel()
            server.said(received)
            await client.close()

    return asyncio.run(conversation())


def drive(server: Server, share: int, shares: int) -> str:
    """One server's share of the messages (every `shares`-th identifying and
    hostile message), half over REST, half over socket.io, each identifying
    message in its metadata too; then a consultation and its report. The
    sender of that consultation."""
    items = [(item["text"], {"dossier": item["text"]}) for item in IDENTIFYING[share::shares]]
    hostile = [(text, {}) for text in fuzz()[share::shares]]
    rest_items, socket_items = items[0::2], items[1::2]
    for sender, part in (("rest-a", rest_items + hostile[0::2]),):
        for text, metadata in part:
            assert rest(server, sender, text, metadata), f"no answer to {text[:80]!r}"
    over_socketio(server, socket_items + hostile[1::2])
    sender = "rest-rcp"
    for text in ["Mme Gisèle Perrin née le 3 mai 1949", "nouveau cas", *CASE]:
        rest(server, sender, text, {"patient": "Gisèle Perrin"})
    assert tracker(server, sender)["slots"]["recommendation"], "the consultation has no recommendation"
    report = rest(server, sender, "rapport")
    assert any("**Références**" in reply.get("text", "") for reply in report)
    return sender


# ---------------------------------------------------------------- reading everything back


@dataclass
class Dump:
    text: str  # every cell, and the SQLite file byte for byte
    strings: str  # every string: text cells and the strings of JSON cells
    rows: int


def dump_rows(rows: list[tuple], raw: str = "") -> Dump:
    texts, strings = [], []
    for row in rows:
        for cell in row:
            text = cell.decode("utf-8", "replace") if isinstance(cell, bytes) else str(cell)
            texts.append(text)
            if isinstance(cell, str | bytes):
                try:
                    strings.extend(nested_strings(json.loads(text)))
                except ValueError:
                    strings.append(text)
    return Dump("\n".join([*texts, *strings, raw]), "\n".join(strings), len(rows))


def dump(server: Server) -> Dump:
    """The whole database: every table, every row, every column."""
    rows: list[tuple] = []
    if server.database is not None:
        with sqlite3.connect(server.database) as connection:
            tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                rows += connection.execute(f'SELECT * FROM "{table}"').fetchall()
        return dump_rows(rows, server.database.read_bytes().decode("utf-8", "replace"))
    assert server.postgres is not None
    connection = server.postgres.connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            )
            for schema, table in cursor.fetchall():
                cursor.execute(f'SELECT * FROM "{schema}"."{table}"')
                rows += cursor.fetchall()
    finally:
        connection.close()
    return dump_rows(rows)


def report_texts(server: Server, sender: str, out: Path) -> tuple[str, str]:
    """`python -m records report` against the server's store: the Markdown and the PDF's text."""
    from pypdf import PdfReader

    subprocess.run(
        [sys.executable, "-m", "records", "--endpoints", str(server.endpoints), "report", sender, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    markdown = (out / f"rapport-rcp-{sender}.md").read_text(encoding="utf-8")
    pdf = "\n".join(page.extract_text() for page in PdfReader(out / f"rapport-rcp-{sender}.pdf").pages)
    return markdown, pdf


def test_the_needles_are_the_injected_identifiers():
    """The check reads for every identifier of the set and of the fuzz (the
    fuzz sample does send the name and the date of birth)."""
    found = needles()
    assert len(found.exact) >= 240 and len(found.words) >= 260
    assert "Dupont" in found.exact and "1950-03-12" in found.exact and "1950" in found.numbers
    for share in (0, 1):  # each server's share of the fuzz
        sample = "\n".join(fuzz()[share::2])
        assert '"nom": "Dupont"' in sample and "1950-03-12" in sample
    print(f"\nnames the assistant itself writes (its bibliography), not read: {sorted(set(found.ignored))}")


def test_nothing_identifying_in_the_stores_reports_logs_or_replies(stack, tmp_path):
    started = time.monotonic()
    shares = len(stack.servers)
    with ThreadPoolExecutor(shares) as pool:
        senders = list(pool.map(drive, stack.servers, range(shares), [shares] * shares))
    print(
        f"\n{len(IDENTIFYING)} identifying messages and {FUZZ_COUNT} hostile ones shared between "
        f"{shares} servers in {time.monotonic() - started:.0f} s"
    )
    wanted = needles()
    for server, sender in zip(stack.servers, senders, strict=True):
        stored = dump(server)
        assert stored.rows > 1000, f"{server.name}: {stored.rows} rows"  # the conversations are there
        for tag in ("[NOM]", "[DATE]", "[NIR]", "[EMAIL]", "[TÉLÉPHONE]", "[ADRESSE]", "[N° DOSSIER]"):
            assert tag in stored.strings, (server.name, tag)
        leaks = wanted.found_in(stored.text, stored.strings)
        assert not leaks, f"{server.name} store: {leaks}"
        markdown, pdf = report_texts(server, sender, tmp_path / server.name)
        assert "Arthroplastie de hanche cimentée" in markdown and "Arthroplastie de hanche cimentée" in pdf
        assert not wanted.found_in(markdown) and not wanted.found_in(pdf), server.name
        replies = "\n".join(server.replies)
        assert len(server.replies) > 200 and not wanted.found_in(replies), wanted.found_in(replies)
    stack.stop()
    for server in stack.servers:
        log = server.log.read_text(encoding="utf-8", errors="replace")
        assert "Rasa server is up and running" in log
        assert not wanted.found_in(log), f"{server.name} log: {wanted.found_in(log)}"
    actions_log = stack.actions_log.read_text(encoding="utf-8", errors="replace")
    assert "Starting action endpoint server" in actions_log
    assert not wanted.found_in(actions_log), f"action server log: {wanted.found_in(actions_log)}"
