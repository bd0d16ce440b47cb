"""Tell the user, in French, when the action server cannot be reached.

Rasa logs a failed custom action and goes on silently; for a clinician that
silence reads as a broken tool. `install()` wraps Rasa's `RemoteAction.run`:
when the action server is unreachable or answers with an error, the user gets
one message per turn saying the decision module is unavailable and that the
consultation is kept (the tracker store holds it), then Rasa goes on as before.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.exceptions import RasaException

from consultation.texts import message

logger = logging.getLogger(__name__)
_notified: OrderedDict[tuple[str, Any], None] = OrderedDict()
_MAX_REMEMBERED = 10_000


def _first_failure_of_turn(tracker: Any) -> bool:
    latest = getattr(tracker, "latest_message", None)
    key = (tracker.sender_id, getattr(latest, "message_id", None))
    if key in _notified:
        return False
    _notified[key] = None
    while len(_notified) > _MAX_REMEMBERED:
        _notified.popitem(last=False)
    return True


def install() -> None:
    if getattr(RemoteAction.run, "_fault_notice", False):
        return
    original = RemoteAction.run

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except RasaException:
            if _first_failure_of_turn(tracker):
                logger.warning("Action server unavailable while running '%s': the user was told.", self.name())
                await output_channel.send_text_message(tracker.sender_id, message("service_unavailable"))
            raise

    run._fault_notice = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[assignment]
