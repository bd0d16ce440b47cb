"""A conversation opened by Rasa's HTTP API starts like any other, and keeps
the events it was opened with.

`POST /conversations/<id>/tracker/events` on a conversation that does not
exist yet runs `action_session_start` first. Rasa 3.6 does it badly twice:
1. with no output channel: our session start says the one-line disclaimer,
   so the call failed with a 500 (« 'NoneType' object has no attribute
   'send_response' ») and the events were lost;
2. the posted events are stamped when the request is read, before the session
   starts: the SQL tracker store, which loads a conversation from its last
   session start on (by time), then left them out — a slot set that way was
   not seen by the next turn, and the question was asked again.

`install()` replaces `rasa.server.update_conversation_with_events` (called by
that endpoint only) with the same steps, a collecting channel for the session
start, and the events of a conversation it opens stamped no earlier than its
session start. Events posted to an existing conversation are untouched.
"""

from __future__ import annotations

from typing import Any

import rasa.server
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.events import do_events_begin_with_session_start


async def update_conversation_with_events(conversation_id: str, processor: Any, domain: Any, events: list) -> Any:
    if do_events_begin_with_session_start(events):
        return _appended(await processor.get_tracker(conversation_id), events, domain)
    opened_now = not (await processor.get_tracker(conversation_id)).events
    tracker = await processor.fetch_tracker_with_initial_session(conversation_id, CollectingOutputChannel())
    if opened_now and tracker.events:
        opened_at = tracker.events[-1].timestamp
        for event in events:
            event.timestamp = max(event.timestamp, opened_at)
    return _appended(tracker, events, domain)


def _appended(tracker: Any, events: list, domain: Any) -> Any:
    for event in events:
        tracker.update(event, domain)
    return tracker


def install() -> None:
    rasa.server.update_conversation_with_events = update_conversation_with_events
