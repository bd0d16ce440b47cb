"""Rasa's socket.io channel as the web widget needs it (credentials.yml names
this class in place of the built-in `socketio`).

Two differences with Rasa 3.6's own `SocketIOInput`, everything else inherited:

- Allowed origins. Rasa 3.6 builds its socket.io server with
  `cors_allowed_origins=[]`, which turns python-engineio's origin check off:
  any web page, from any site, could talk to the assistant over a WebSocket
  (browsers apply no CORS rule to WebSockets). Here the list comes from
  credentials.yml (`cors_allowed_origins`) and a socket.io connection whose
  `Origin` header is not in it is refused (`connect_error`). The check is
  made in the `connect` handler, not by python-engineio, because engineio
  would then add its own `Access-Control-Allow-Origin` header next to the one
  of Rasa's HTTP server (`rasa run --cors ...`, which covers every route) and
  browsers reject a response with two. `"*"` is refused: name the pages that
  embed the widget, here and in `--cors`.
- Session persistence. With python-socketio >= 5.10 `AsyncServer.enter_room`
  is a coroutine that Rasa 3.6 does not await ("coroutine ... was never
  awaited"): with `session_persistence: true` the socket never joins its
  session's room and no bot message ever reaches the page. The
  `session_request` handler is replaced by one that awaits it.

And one precaution: a socket speaks only in the session it joined. Rasa takes
the `session_id` of each message as the conversation id without checking it;
here a message whose `session_id` is not a room of its socket is ignored, and
`session_request` only accepts ids of the form Rasa gives (32 hexadecimal
digits), so a page cannot pick a short or guessable conversation id (nor one
of another channel's conversations).

A turn that is stored or refused (serving/turns.py): a message may carry a
`message_id` (the widget gives each message one, a uuid); a message sent
again with the same id is processed once. When the turn was not taken (the
tracker store or the lock store down), the socket gets `turn_refused` with
that `message_id`, and the widget says « connexion perdue, message renvoyé »
and sends it again; Rasa's channel logged the error and said nothing.

Connections without an `Origin` header (programs, not browsers) are not
concerned by the origin list.

The channel keeps the name `socketio` (same webhook route, same
`input_channel` in the tracker, `output_channel=socketio` in the HTTP API).
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")


def allowed_origins(value: Any) -> list[str]:
    """The origins from credentials.yml: a list (or one string) of
    `scheme://host[:port]`, without path or trailing slash; never `*`."""
    if value is None:
        return []
    origins = [value] if isinstance(value, str) else list(value)
    for origin in origins:
        if not isinstance(origin, str) or origin == "*" or "://" not in origin or origin.endswith("/"):
            raise ValueError(
                f"socket.io cors_allowed_origins: {origin!r} is not an origin such as "
                "'http://localhost:8080' ('*' is not accepted)"
            )
    return origins


class SocketIOInput(RasaSocketIOInput):
    """socket.io channel with an origin list and working session persistence."""

    cors_allowed_origins: list[str] = []

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.cors_allowed_origins = allowed_origins(credentials.get("cors_allowed_origins"))
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        namespace = self.namespace or "/"
        rasa_connect = sio.handlers[namespace]["connect"]

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin is not None and origin not in self.cors_allowed_origins:
                logger.warning(f"socket.io connection refused: origin {origin} is not in cors_allowed_origins.")
                return False
            return await rasa_connect(sid, environ, auth)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            data = data if isinstance(data, dict) else {}
            if not isinstance(data.get("session_id"), str) or not SESSION_ID.match(data["session_id"]):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, data["session_id"], namespace=self.namespace)
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)
            logger.debug(f"User {sid} joined session {data['session_id']}.")

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence and data.get("session_id") not in sio.rooms(sid, namespace=namespace):
                logger.warning(
                    f"socket.io message ignored: socket {sid} has not joined session {data.get('session_id')!r}."
                )
                return
            await self.take_message(sid, data, on_new_message)

        return socketio_webhook

    async def take_message(self, sid: str, data: dict, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Rasa's handling of a user message, with the client's message id,
        and `turn_refused` when the turn was not taken."""
        from serving.turns import client_message_id, refusal

        sender_id = data.get("session_id") if self.session_persistence else sid
        if not isinstance(sender_id, str) or not sender_id:
            logger.warning("socket.io message ignored: no session_id.")
            return
        metadata = data.get(self.metadata_key) or {}
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = {}
        message_id = client_message_id(data.get("message_id"))
        text = data.get("message", "")
        message = UserMessage(
            text if isinstance(text, str) else "",
            SocketIOOutput(self.sio, self.bot_message_evt),
            sender_id,
            input_channel=self.name(),
            metadata=metadata if isinstance(metadata, dict) else {},
            message_id=message_id,
        )
        try:
            await on_new_message(message)
        except Exception as error:
            if not refusal(error):
                raise
            logger.error("socket.io: message %s not taken (%s): the page sends it again", message_id, error)
            if message_id is not None:
                await self.sio.emit("turn_refused", {"message_id": message_id}, room=sid, namespace=self.namespace)
