"""Rasa's HTTP API behind its token: a call's status, and the check that read
and write endpoints refuse a missing or wrong token."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from harness.bots import Bot


def api(bot: Bot, method: str, path: str, token: str | None = None, body: Any = None) -> int:
    """The HTTP status of a call to Rasa's HTTP API, with `token` (or none)."""
    suffix = f"?token={token}" if token is not None else ""
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(
        f"{bot.url}{path}{suffix}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def check_the_token(bot: Bot, token: str, conversation: str = "api-check") -> None:
    """Read and write endpoints refuse a missing or wrong token (401) and
    accept the right one; a refused write changes nothing."""
    bone = [{"event": "slot", "name": "bone", "value": "femur"}]
    assert bot.send(conversation, "bonjour")  # the conversation exists (its session started)
    for wrong in (None, "", "jeton-faux", token + "x", token[:-1]):
        assert api(bot, "GET", f"/conversations/{conversation}/tracker", wrong) == 401, wrong
        assert api(bot, "POST", f"/conversations/{conversation}/tracker/events", wrong, bone) == 401, wrong
        assert api(bot, "GET", "/status", wrong) == 401, wrong
    assert api(bot, "GET", f"/conversations/{conversation}/tracker", token) == 200
    assert api(bot, "GET", "/status", token) == 200
    tracker = Bot(bot.url, bot.actions_url, bot.workdir, token=token).tracker
    assert tracker(conversation)["slots"]["bone"] is None  # no refused write went through
    assert api(bot, "POST", f"/conversations/{conversation}/tracker/events", token, bone) == 200
    assert tracker(conversation)["slots"]["bone"] == "femur"
