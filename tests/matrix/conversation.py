"""What the Matrix end-to-end tests read: the bot's replies as a clinician's
client shows them, and Rasa's record of the conversation (the tracker)."""

from __future__ import annotations

import io
import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from pypdf import PdfReader

from channels.buttonless import numbered, options_from_buttons
from consultation.texts import field_text

SWANSON = "137. Swanson KC, Pritchard DJ, Sim FH. Surgical treatment of metastatic disease of the femur."
# What a clinician looks for in the RCP sheet of the femoral neck fracture
# consulted in these tests: the title, the proposal and its technique.
RCP_SHEET = ("Fiche d'aide à la décision pour la RCP", "Chirurgie indiquée", "Arthroplastie de hanche cimentée")


def tracker(setup, room_id: str) -> dict[str, Any]:
    # Rasa (Sanic) does not unquote the conversation id: « ! » and « : » as is.
    url = f"{setup.rasa.url}/conversations/{urllib.parse.quote(room_id, safe='!:')}/tracker"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read().decode("utf-8"))


def slots(setup, room_id: str) -> dict[str, Any]:
    return {name: value for name, value in tracker(setup, room_id)["slots"].items() if value is not None}


def user_texts(setup, room_id: str) -> list[str]:
    """What Rasa received from the room, in order."""
    return [event["text"] for event in tracker(setup, room_id)["events"] if event["event"] == "user"]


def bot_texts(setup, room_id: str) -> list[str]:
    """The bot's messages of the conversation as the bridge renders them
    (numbered options), in order."""
    shown = []
    record = tracker(setup, room_id)
    # The stored copy of the RCP sheet has its date masked, as every date
    # written to the tracker store: the room shows the date of the record.
    recorded = str(((record["slots"].get("recommendation") or {}).get("record") or {}).get("recorded_at") or "")
    for event in record["events"]:
        options = options_from_buttons((event.get("data") or {}).get("buttons"))
        if event["event"] == "bot" and (event.get("text") or options):  # a custom payload alone shows nothing
            text = (event.get("text") or "").replace("calculée le [DATE]", f"calculée le {recorded[:10]}")
            shown.append(numbered(text, options))
    return shown


def question(slot: str) -> str:
    """The chapter's question for `slot`, as the consultation's texts word it."""
    return str(field_text(slot)["question"])


def wait_for_bot(
    clinician: Any,
    room_id: str,
    after_event: str,
    bot: str,
    done: Callable[[list[dict[str, Any]]], bool],
    timeout: float = 120,
) -> list[dict[str, Any]]:
    """The bot's messages after `after_event`, once `done(messages)` holds
    (polled: the clinician's client reads the room again)."""
    deadline = time.monotonic() + timeout
    messages: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        messages = clinician.bot_messages_after(room_id, after_event, bot)
        if done(messages):
            return messages
        time.sleep(0.3)
    raise AssertionError(f"no expected reply after {after_event}; got {[m['content'].get('body') for m in messages]}")


def says(*fragments: str) -> Callable[[list[dict[str, Any]]], bool]:
    """The last message so far contains every fragment (its plain body)."""
    return lambda messages: bool(messages) and all(f in (messages[-1]["content"].get("body") or "") for f in fragments)


def is_file(message: dict[str, Any]) -> bool:
    return message["content"].get("msgtype") == "m.file"


def sends_a_file(messages: list[dict[str, Any]]) -> bool:
    return any(is_file(message) for message in messages)


def pdf_text(data: bytes) -> str:
    """The words of a PDF, one space between them (pypdf)."""
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)
