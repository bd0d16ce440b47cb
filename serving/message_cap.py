"""Messages longer than `MAX_MESSAGE_CHARS` are not read: the user is told the
limit in French and the consultation stays as it was.

Why: the cost of reading a message grows with its length at several steps
(the identifying-data screen, the NLU pipeline, the tracker store, the action
server); a handful of 100 KB messages pinned the server (48 s for one
100,000-character message over REST). No consultation needs more than a few
lines; a pasted letter of 10,000 characters is still read.

`install()` wraps Rasa's `Agent.handle_message`, the one door through which
every channel (REST, socket.io, Matrix, Telegram, Slack) hands a message to
Rasa, before the conversation's lock, the NLU, the policies and the tracker
store: a message over the limit gets the notice on its own output channel and
leaves no event, so nothing of the case in progress is lost or changed.
`python -m serving` installs it; `make bench` measures 1, 10 and 100 KB.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage

from consultation.texts import message

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 10_000


def french_number(number: int) -> str:
    """10000 -> "10 000" (narrow no-break space between groups of three)."""
    return f"{number:,}".replace(",", "\u202f")


def notice(length: int) -> str:
    return message("message_too_long", length=french_number(length), limit=french_number(MAX_MESSAGE_CHARS))


def too_long(text: Any) -> bool:
    return isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    original = Agent.handle_message

    async def handle_message(self: Agent, user_message: UserMessage) -> Any:
        if too_long(user_message.text):
            length = len(user_message.text or "")
            logger.warning(
                "Message of %d characters not read (limit %d), channel %s.",
                length,
                MAX_MESSAGE_CHARS,
                user_message.input_channel,
            )
            await user_message.output_channel.send_text_message(user_message.sender_id, notice(length))
            return None
        return await original(self, user_message)

    Agent.handle_message = handle_message
