"""Rasa's REST channel (`rest:` in credentials.yml) with a turn that is
stored or refused, and a message id the client may give.

Rasa 3.6's REST channel answers HTTP 200 with what was collected so far,
whatever happened: with the lock store (Redis) or the tracker store down, the
message was acknowledged with an empty answer and lost. Here, when the turn
was not taken (serving/turns.py: a store could not be read or written, the
conversation's lock could not be taken), the answer is **HTTP 503** with a
`Retry-After` header and `{"error": "turn_refused"}`: nothing of the message
was kept, the client (a load balancer, the web page, a script) sends it
again. Any other failure is an HTTP 500; neither is a 200 any more.

The request may carry `"message_id"` (a uuid: 32 hexadecimal digits, with or
without dashes; anything else is ignored): a message sent again with the same id after a
timeout or an error is processed once; its answer is sent again
(serving/turns.py). Without it Rasa gives each message a new id, as before.

`python -m serving` installs it in place of Rasa's class (same name `rest`,
same route, same streaming option).
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 2


def refused_response() -> HTTPResponse:
    return response.json(
        {"error": "turn_refused", "detail": "message not taken, send it again"},
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


class RestInput(RasaRestInput):
    """REST channel: 503 when the turn was not taken, `message_id` honoured."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        from serving.turns import client_message_id, refusal

        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> ResponseStream | HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                # the streaming answer keeps Rasa's behaviour (its status is sent first)
                return response.stream(
                    self.stream_response(
                        on_new_message,
                        self._extract_message(request),
                        await self._extract_sender(request),
                        self._extract_input_channel(request),
                        self.get_metadata(request),
                    ),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            message = UserMessage(
                self._extract_message(request),
                collector,
                await self._extract_sender(request),
                input_channel=self._extract_input_channel(request),
                metadata=self.get_metadata(request),
                message_id=client_message_id(body.get("message_id")),
            )
            try:
                await on_new_message(message)
            except CancelledError:
                logger.error("rest: message %s timed out", message.message_id)
                return response.json({"error": "timeout"}, status=503, headers={"Retry-After": str(RETRY_AFTER_S)})
            except Exception as error:
                if refusal(error):
                    logger.error("rest: message %s not taken (%s): HTTP 503", message.message_id, type(error).__name__)
                    return refused_response()
                logger.exception("rest: message %s failed", message.message_id)
                return response.json({"error": "internal_error"}, status=500)
            return response.json(collector.messages)

        return webhook


def install() -> None:
    from rasa.core import channels

    channels.BUILTIN_CHANNELS[RestInput.name()] = RestInput
