"""`kill -9` of the Rasa server in the middle of a turn — after it received the
message, while it waits for the action server — then a restart: nothing of the
consultation is lost, no half turn is left in the store, and the message sent
again is answered once and stored once.

The turn is held between Rasa and the action server by a relay of the test:
it passes every call through, except the first one of the held conversation
once armed, which it keeps until the test lets go (the Rasa server is dead by
then). That call is the proof that the Rasa server had the message in hand."""

from __future__ import annotations

import contextlib
import http.server
import json
import sqlite3
import threading
import urllib.request

import pytest

from harness.bots import restartable_bot

pytestmark = pytest.mark.e2e
HELD = "tour-interrompu"


class Relay:
    """HTTP relay to the action server that can hold one conversation's call."""

    def __init__(self, actions_url: str):
        self.actions_url = actions_url
        self.armed = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()
        relay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # the standard library's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                sender = json.loads(body).get("sender_id")
                if sender == HELD and relay.armed.is_set():
                    relay.armed.clear()
                    relay.holding.set()
                    relay.release.wait(120)
                    self.send_error(503)
                    return
                request = urllib.request.Request(
                    relay.actions_url + self.path, data=body, headers={"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(request, timeout=60) as response:
                    answer = response.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def held_stack(tmp_path):
    """The action server, the relay, and a Rasa server whose action endpoint
    is the relay, on an SQLite store of the test."""
    with restartable_bot(tmp_path, start_servers=False) as servers:
        servers.start_actions()
        relay = Relay(servers.actions_url)
        try:
            servers.start_rasa(action_endpoint=relay.url)
            yield servers, relay
        finally:
            relay.close()


def stored_events(database, sender):
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    return [json.loads(data) for (data,) in rows]


def turns(events):
    """The user's messages, each with the bot's texts that followed it."""
    said = []
    for event in events:
        if event["event"] == "user":
            said.append((event["text"], []))
        elif event["event"] == "bot" and said:
            said[-1][1].append(event["text"])
    return said


def test_kill_9_of_the_rasa_server_during_a_turn_loses_nothing_and_answers_once(held_stack):
    servers, relay = held_stack
    bot, database = servers.bot, servers.database
    bot.send(HELD, "fracture pathologique du fémur")
    bot.send(HELD, "diaphyse")
    before = stored_events(database, HELD)
    assert [text for text, _ in turns(before)] == ["fracture pathologique du fémur", "diaphyse"]

    relay.armed.set()
    outcome = {}

    def send():
        try:
            outcome["replies"] = bot.send(HELD, "environ 3 mois")
        except OSError as error:  # the server dies with the request open
            outcome["error"] = error

    sender = threading.Thread(target=send)
    sender.start()
    assert relay.holding.wait(120), "the Rasa server never called the action server for the held turn"
    servers.kill("rasa")  # the message received, its answer not given
    sender.join(60)
    assert "error" in outcome, outcome  # the client was not answered: it knows to send again
    relay.release.set()

    # Back: the store holds the earlier turns whole and nothing of the killed one.
    servers.start_rasa()
    after_crash = stored_events(database, HELD)
    assert after_crash == before
    slots = bot.tracker(HELD)["slots"]
    assert (slots["situation"], slots["bone"], slots["site"]) == ("pathological_fracture", "femur", "diaphysis")
    assert slots["requested_slot"] == "life_expectancy" and slots["life_expectancy"] is None

    # Sent again: answered once, stored once.
    replies = bot.send(HELD, "environ 3 mois")
    assert any("Question" in (reply.get("text") or "") for reply in replies), replies
    said = turns(stored_events(database, HELD))
    assert [text for text, _ in said] == ["fracture pathologique du fémur", "diaphyse", "environ 3 mois"]
    assert said[-1][1] == [reply["text"] for reply in replies if reply.get("text")]
    slots = bot.tracker(HELD)["slots"]
    assert slots["life_expectancy"] == "6_weeks_to_6_months" and slots["requested_slot"] == "fit_for_surgery"
