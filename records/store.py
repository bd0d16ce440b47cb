"""The tracker store: Rasa's SQL store, with identifying data masked before
anything is written (user and bot messages alike).

endpoints.yml:

    tracker_store:
      type: records.store.ScreenedSQLTrackerStore
      dialect: sqlite            # postgresql in production
      db: var/consultations.db
      retention_days: 90         # used by `python -m records purge`
"""

from __future__ import annotations

import copy
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from .privacy import screen


def screened_event(event: Event) -> Event:
    """A copy of `event` whose message text is masked; other events as they are."""
    if isinstance(event, UserUttered) and event.text:
        masked = screen(event.text).text
        if masked == event.text:
            return event
        parse_data = copy.deepcopy(event.parse_data)
        parse_data["text"] = masked
        return UserUttered(
            masked,
            event.intent,
            event.entities,
            parse_data,
            event.timestamp,
            event.input_channel,
            event.message_id,
            event.metadata,
        )
    if isinstance(event, BotUttered) and event.text:
        masked = screen(event.text).text
        if masked != event.text:
            return BotUttered(masked, event.data, event.metadata, event.timestamp)
    return event


class ScreenedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that never stores identifying data."""

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        retention_days: int | None = None,
        **kwargs: dict[str, Any],
    ) -> None:
        self.retention_days = retention_days
        super().__init__(domain=domain, event_broker=event_broker, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        screened = tracker.copy()
        screened.events.clear()
        screened.events.extend(screened_event(event) for event in tracker.events)
        await super().save(screened)
