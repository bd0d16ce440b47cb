"""A message the server could not take (`turn_refused`: its database or Redis
away) is sent again by the widget, with the same id, and the user is
told « Connexion perdue, message renvoyé. »; the message shows once.

The server here is a stand-in speaking the socket.io protocol of the channel
(channels/socketio.py): it refuses the first sending of the typed message and
answers the second, so the test does not depend on when a store fails."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator

import pytest
import socketio
from aiohttp import web
from playwright.sync_api import expect

from harness.processes import free_port

from .conftest import EMBED_PAGE

pytestmark = pytest.mark.e2e
TYPED = "fracture pathologique du col fémoral"
ANSWER = "Noté : fracture pathologique, col fémoral."


class StandIn:
    """A socket.io server on a free loopback port, in its own thread."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        sio = self.sio

        @sio.on("session_request")
        async def session_request(sid, data):
            await sio.emit("session_confirm", "f" * 32, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid, data):
            self.received.append(dict(data))
            if data.get("message") != TYPED:
                return
            if sum(1 for item in self.received if item.get("message") == TYPED) == 1:
                await sio.emit("turn_refused", {"message_id": data.get("message_id")}, room=sid)
            else:
                await sio.emit("bot_uttered", {"text": ANSWER}, room=sid)

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        self.sio.attach(app)
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", self.port, shutdown_timeout=1.0).start())
        self.ready.set()
        self.loop.run_forever()

    def stop(self) -> None:
        async def cleanup():
            await self.runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = StandIn()
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.ready.wait(10)
    try:
        yield server
    finally:
        server.stop()
        thread.join(10)


def test_a_refused_message_is_sent_again_with_its_id_and_the_user_is_told(stand_in, open_page, sites, widget_url):
    intranet, directory = sites["intranet"]
    (directory / "resend.html").write_text(EMBED_PAGE.format(widget=widget_url, server=stand_in.url), encoding="utf-8")
    watch = open_page(f"{intranet}/resend.html")
    page = watch.page
    textbox = page.get_by_role("textbox", name="Message")
    textbox.fill(TYPED)
    textbox.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Connexion perdue, message renvoyé.")).to_be_visible()
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_contain_text(ANSWER)
    sent = [item for item in stand_in.received if item.get("message") == TYPED]
    assert len(sent) == 2 and sent[0]["message_id"] == sent[1]["message_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", sent[0]["message_id"])
    assert log.inner_text().count(TYPED) == 1
    watch.check()
