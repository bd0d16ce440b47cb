"""The socket.io channel as a program sees it, on the same Rasa server as the
browser tests: origins, session persistence, and messages only in the
session a socket joined.

The client is a few lines of Engine.IO 4 / Socket.IO 5 over a WebSocket (the
`websockets` package that Rasa's web server already brings): python-socketio's
own client needs a newer aiohttp than Rasa's for WebSocket, and its
long-polling takes a ping interval (25 s) to close."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
import websockets

from .conftest import tracker_when

pytestmark = pytest.mark.e2e


class SocketIO:
    """Just enough of the protocol: connect to "/", emit, wait for an event."""

    def __init__(self, connection):
        self.connection = connection

    @classmethod
    async def open(cls, server: str, origin: str) -> SocketIO:
        url = server.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        connection = await websockets.connect(url, origin=origin, open_timeout=10)
        handshake = await asyncio.wait_for(connection.recv(), 10)
        assert handshake.startswith("0{"), handshake  # Engine.IO "open"
        await connection.send("40")  # Socket.IO CONNECT to the main namespace
        return cls(connection)

    async def packet(self, timeout: float) -> str:
        while True:
            message = await asyncio.wait_for(self.connection.recv(), timeout)
            if message == "2":  # Engine.IO ping
                await self.connection.send("3")
                continue
            return message

    async def connected(self) -> str:
        """ "40{…}" (accepted) or "44{…}" (refused by the server)."""
        return await self.packet(10)

    async def emit(self, event: str, data) -> None:
        await self.connection.send("42" + json.dumps([event, data]))

    async def event(self, name: str, timeout: float = 60):
        while True:
            message = await self.packet(timeout)
            if message.startswith("42"):
                event, *arguments = json.loads(message[2:])
                if event == name:
                    return arguments[0] if arguments else None

    async def close(self) -> None:
        await self.connection.close()


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


def test_a_page_of_another_origin_is_refused_and_an_allowed_one_accepted(bot, sites):
    async def answer(origin):
        client = await SocketIO.open(bot.url, origin)
        try:
            return await client.connected()
        finally:
            await client.close()

    assert run(answer("http://evil.example")).startswith("44")
    assert run(answer(sites["intranet"][0])).startswith("40")


def test_session_persistence_delivers_the_bot_messages_to_the_session(bot, sites):
    async def steps():
        client = await SocketIO.open(bot.url, sites["intranet"][0])
        try:
            assert (await client.connected()).startswith("40")
            await client.emit("session_request", {"session_id": None})
            session = await client.event("session_confirm", 10)
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


def test_a_socket_cannot_speak_in_a_session_it_did_not_join(bot, sites):
    async def steps():
        client = await SocketIO.open(bot.url, sites["intranet"][0])
        try:
            assert (await client.connected()).startswith("40")
            await client.emit("user_uttered", {"message": "bonjour", "session_id": "web-intrus"})
            await client.emit("session_request", {"session_id": "web-intrus"})
            session = await client.event("session_confirm", 10)
            await asyncio.sleep(2)
            return session
        finally:
            await client.close()

    session = run(steps())
    assert session != "web-intrus" and re.fullmatch(r"[0-9a-f]{32}", session)
    assert not [event for event in bot.tracker("web-intrus")["events"] if event["event"] == "user"]
