"""The socket.io channel as a program sees it, on the same Rasa server as the
browser tests: origins, session persistence, and messages only in the
session a socket joined.

The client (tests/support/socketio.py) is a few lines of Engine.IO 4 /
Socket.IO 5 over a WebSocket (the `websockets` package that Rasa's web server
already brings): python-socketio's own client needs a newer aiohttp than
Rasa's for WebSocket, and its long-polling takes a ping interval (25 s) to close."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest

from tests.support.socketio import SocketIOClient

from .conftest import tracker_when

pytestmark = pytest.mark.e2e


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


def test_a_page_of_another_origin_is_refused_and_an_allowed_one_accepted(bot, sites):
    async def answer(origin):
        client = await SocketIOClient.connect(bot.url, origin)
        try:
            return await client.connected()
        finally:
            await client.close()

    assert run(answer("http://evil.example")).startswith("44")
    assert run(answer(sites["intranet"][0])).startswith("40")


def test_session_persistence_delivers_the_bot_messages_to_the_session(bot, sites):
    async def steps():
        client = await SocketIOClient.open(bot.url, sites["intranet"][0])
        try:
            session = await client.session()
            await client.emit("user_uttered", {"message": "/greet", "session_id": session})
            return session, await client.event("bot_uttered")
        finally:
            await client.close()

    session, first = run(steps())
    assert re.fullmatch(r"[0-9a-f]{32}", session)
    assert first.get("text")
    tracker = tracker_when(bot, session, lambda t: any(e["event"] == "user" for e in t["events"]))
    assert any(event["event"] == "user" for event in tracker["events"])
    assert tracker["latest_input_channel"] == "socketio"


def user_texts(tracker) -> list[str]:
    return [event["text"] for event in tracker["events"] if event["event"] == "user"]


def turn_done(text):
    """The tracker holds the user message `text` and the bot listens again after it."""

    def done(tracker) -> bool:
        events = tracker["events"]
        said = [i for i, event in enumerate(events) if event["event"] == "user" and event["text"] == text]
        return bool(said) and any(
            event["event"] == "action" and event["name"] == "action_listen" for event in events[said[-1] :]
        )

    return done


def test_a_socket_cannot_speak_in_a_session_it_did_not_join(bot, sites):
    """Proved without waiting for an absence: the intruding message goes first
    on the socket, then the socket joins that session and sends a marker. The
    server handles a socket's messages in order, and Rasa serves the messages
    of one conversation in the order they arrive (its lock's tickets): once
    the marker's turn is saved, an intruding message that had been accepted
    would be in the conversation before it."""
    target = uuid.uuid4().hex  # a session id of the form the server gives

    async def steps():
        client = await SocketIOClient.connect(bot.url, sites["intranet"][0])
        try:
            assert (await client.connected()).startswith("40")
            await client.emit("user_uttered", {"message": "fracture du col fémoral (intrus)", "session_id": target})
            await client.emit("session_request", {"session_id": target})
            assert await client.event("session_confirm", 10) == target
            await client.emit("user_uttered", {"message": "bonjour", "session_id": target})
            await client.event("bot_uttered")
        finally:
            await client.close()

    run(steps())
    tracker = tracker_when(bot, target, turn_done("bonjour"))
    assert user_texts(tracker) == ["bonjour"]


def test_a_guessable_session_id_is_replaced_by_one_of_the_servers(bot, sites):
    async def steps():
        client = await SocketIOClient.connect(bot.url, sites["intranet"][0])
        try:
            assert (await client.connected()).startswith("40")
            await client.emit("session_request", {"session_id": "web-intrus"})
            return await client.event("session_confirm", 10)
        finally:
            await client.close()

    session = run(steps())
    assert session != "web-intrus" and re.fullmatch(r"[0-9a-f]{32}", session)


def test_a_100_kb_message_gets_the_limit_in_french_and_is_not_read(bot, sites):
    async def steps():
        client = await SocketIOClient.open(bot.url, sites["intranet"][0])
        try:
            session = await client.session()
            await client.emit("user_uttered", {"message": "fémur " * 16_666 + "tête", "session_id": session})
            notice = await client.event("bot_uttered")
            await client.emit("user_uttered", {"message": "fracture pathologique", "session_id": session})
            await client.event("bot_uttered")  # read before the socket closes (a closed socket's messages are dropped)
            return session, notice
        finally:
            await client.close()

    session, notice = run(steps())
    assert notice["text"] == (
        "Votre message compte 100\u202f000 caractères : je ne lis que les messages de 10\u202f000 caractères "
        "au plus. Je ne l'ai pas lu et le cas en cours est conservé tel quel. "
        "Envoyez l'essentiel du cas en un message plus court, ou en plusieurs."
    )
    tracker = tracker_when(bot, session, turn_done("fracture pathologique"))
    assert user_texts(tracker) == ["fracture pathologique"]
    assert tracker["slots"]["bone"] is None
