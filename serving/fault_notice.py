"""Tell the user, in French, when the action server cannot be reached.

Rasa logs a failed custom action and goes on silently; for a clinician that
silence reads as a broken tool. `install()` wraps Rasa's `RemoteAction.run`:
when the action server is unreachable, times out or answers with an error,
the failure is logged (with the action's name) and, during a message's turn,
reported to `serving.turns`, which does not store the turn and ends it with
one notice (`service_unavailable`: the consultation is kept, send the message
again), however many actions failed. Outside a turn (an action run through
the HTTP API), the notice is said at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.exceptions import RasaException

from consultation.texts import message

from . import turns

logger = logging.getLogger(__name__)


def install() -> None:
    if getattr(RemoteAction.run, "_fault_notice", False):
        return
    original = RemoteAction.run

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except (RasaException, asyncio.TimeoutError):
            logger.warning("Action server unavailable while running '%s'.", self.name())
            if not turns.action_server_failed(self.name()):
                await output_channel.send_text_message(tracker.sender_id, message("service_unavailable"))
            raise

    run.__dict__["_fault_notice"] = True  # the mark read above
    RemoteAction.run = run
