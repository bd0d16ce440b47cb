"""Rasa's REST channel and HTTP API, as a client on loopback."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from typing import Any


def send(
    url: str,
    sender: str,
    text: str,
    timeout: float = 120.0,
    metadata: dict | None = None,
    message_id: str | None = None,
) -> list[dict]:
    """One user message (with the channel's `metadata`, if any) on the REST
    channel of the Rasa server at `url`; the bot's messages in reply. A
    `message_id` (a uuid) makes sending it again safe: processed once."""
    message: dict[str, Any] = {"sender": sender, "message": text}
    if metadata is not None:
        message["metadata"] = metadata
    if message_id is not None:
        message["message_id"] = message_id
    body = json.dumps(message).encode("utf-8")
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def tracker(url: str, sender: str, token: str | None = None, timeout: float = 60.0) -> dict:
    """The conversation's tracker, read from the Rasa HTTP API (`token`: its --auth-token)."""
    suffix = f"?token={token}" if token else ""
    with urllib.request.urlopen(f"{url}/conversations/{sender}/tracker{suffix}", timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def final_slots(url: str, sender: str, token: str | None = None) -> Mapping[str, Any]:
    """The conversation's slots that are set."""
    return {name: value for name, value in tracker(url, sender, token)["slots"].items() if value is not None}
