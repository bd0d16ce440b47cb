"""The Rasa end of the Matrix channel: ``POST /webhooks/matrix/webhook``,
declared in credentials.yml as ``channels.matrix.MatrixInput``.

The bridge (`matrix_bridge`, a process of its own, docs/matrix.md) posts
each message of a room as on the REST channel, plus the Matrix event id::

    {"sender": "<room id>", "message": "<text or payload>", "message_id": "<event id>",
     "redelivery": false}

and gets the bot's messages back (REST format, buttons included; the bridge
renders them). Two differences with the REST channel:

- a text is one message, paragraphs included (the REST channel cuts texts at
  blank lines; a Matrix message shows them);
- ``redelivery: true`` (the bridge stopped while this message was with Rasa):
  if the conversation already holds this event id, its answer is rebuilt from
  the tracker instead of running the turn a second time.

A turn that was not taken (a store down, the conversation's lock not taken:
serving/turns.py) is answered HTTP 503: the bridge keeps the message and
sends it again (marked as a redelivery), never an empty 200 that would lose
it. Any other failure is an HTTP 500.
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.rest import refused_response
from serving import turns
from serving.turns import refusal

logger = logging.getLogger(__name__)

_BOT_DATA = ("buttons", "image", "attachment", "custom")


class WholeMessages(CollectingOutputChannel):
    """The bot's messages of one turn, each text whole."""

    @classmethod
    def name(cls) -> str:
        return "matrix"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text))


class MatrixInput(InputChannel):
    """Messages from Matrix rooms, posted by the bridge (`python -m
    matrix_bridge`). The credentials.yml section declaring this channel also
    holds the Matrix account; only the bridge reads it."""

    @classmethod
    def name(cls) -> str:
        return "matrix"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("matrix_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender, text, message_id = body.get("sender"), body.get("message"), body.get("message_id")
            if not isinstance(sender, str) or not sender or not isinstance(text, str):
                return response.json({"error": "sender and message (strings) are required"}, status=400)
            if body.get("redelivery") and message_id:
                earlier = await earlier_answer(request, sender, message_id)
                if earlier is not None:
                    logger.info("matrix: %s was already answered; its answer is sent again", message_id)
                    return response.json(earlier)
            collector = WholeMessages()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=self.name(), message_id=message_id)
                )
            except CancelledError:
                logger.error("matrix: message %s timed out", message_id)
                return refused_response()
            except Exception as error:
                if refusal(error):
                    logger.error("matrix: message %s not taken (%s): HTTP 503", message_id, type(error).__name__)
                    return refused_response()
                logger.exception("matrix: message %s failed", message_id)
                return response.json({"error": "internal_error"}, status=500)
            return response.json(collector.messages)

        return webhook


async def earlier_answer(request: Request, sender: str, message_id: str) -> list[dict[str, Any]] | None:
    """The bot's messages that followed the user message `message_id`, or None
    if the conversation has no such message."""
    agent = request.app.ctx.agent
    tracker = await agent.tracker_store.retrieve(sender)
    if tracker is None:
        return None
    utterances = turns.earlier_answer(tracker, message_id)
    if utterances is None:
        return None
    answer: list[dict[str, Any]] = []
    for event in utterances:
        message: dict[str, Any] = {"recipient_id": sender}
        if event.text:
            message["text"] = event.text
        message.update({key: event.data[key] for key in _BOT_DATA if (event.data or {}).get(key)})
        answer.append(message)
    return answer
