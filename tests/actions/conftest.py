"""Helpers to run custom actions on trackers built with `Tracker.from_dict`."""

import asyncio
import uuid

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from paths import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def make_tracker(
    slots=None,
    text="",
    intent="inform",
    entities=None,
    active_loop=None,
    events=None,
    message_id=None,
    input_channel=None,
):
    all_slots = dict.fromkeys(DOMAIN["slots"])
    all_slots["requested_slot"] = None
    all_slots.update(slots or {})
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "message_id": message_id or uuid.uuid4().hex,
    }
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": all_slots,
            "latest_message": latest,
            "events": events
            if events is not None
            else [{"event": "user", "text": text, "parse_data": latest, "input_channel": input_channel}],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


@pytest.fixture
def run_action():
    def run(action, tracker):
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
        return dispatcher.messages, events

    return run


def slot_events(events):
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
