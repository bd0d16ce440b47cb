"""Reading the case from a tracker: the contract slots and nothing else."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from consultation import progress
from consultation.questions import payload
from decision import FIELDS
from freetext import reading

FORM_NAME = "consultation_form"
RECOMMENDATION_SLOT = "recommendation"
ASKED_SLOT = "asked_fields"


def case_from_tracker(tracker: Tracker) -> dict[str, Any]:
    """The case facts held in the slots (unset slots left out)."""
    return {name: tracker.get_slot(name) for name in FIELDS if tracker.get_slot(name) is not None}


def latest_text(tracker: Tracker) -> str:
    """The text of the latest user message, whose reading by the Rasa server's NLU
    (`nlu.case_fact_extractor`, carried in its parse data) the parser is told: the
    message is not read again here, only what depends on the dialogue is."""
    latest = tracker.latest_message or {}
    text = latest.get("text") or ""
    reading.remember(latest.get(reading.KEY), text)
    return text


def requested_field(tracker: Tracker) -> str | None:
    """The contract field the form is asking for, if any."""
    requested = tracker.get_slot("requested_slot")
    if tracker.active_loop_name == FORM_NAME and requested in FIELDS:
        return requested
    return None


def last_recommendation(tracker: Tracker) -> dict[str, Any] | None:
    """The recommendation last given in this consultation (the contract's JSON)."""
    return tracker.get_slot(RECOMMENDATION_SLOT) or None


def current_recommendation(tracker: Tracker) -> dict[str, Any] | None:
    """The recommendation for every answer given so far (`progress.current`):
    what « rapport », « récapitulatif », the details and the RCP PDF read,
    never a stale one. None while no answer was given."""
    return progress.current(case_from_tracker(tracker), last_recommendation(tracker))


def clear_case() -> list[SlotSet]:
    return [SlotSet(name, None) for name in FIELDS] + [
        SlotSet(RECOMMENDATION_SLOT, None),
        SlotSet(ASKED_SLOT, None),
        SlotSet("requested_slot", None),
    ]


def bot_spoke_since_user(tracker: Tracker) -> bool:
    """True if the bot already said something in reply to the latest user message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return True
    return False


def slot_set_this_turn(tracker: Tracker, name: str) -> bool:
    """True if `name` was set since the latest user message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == name:
            return True
    return False


def requested_before_turn(tracker: Tracker) -> str | None:
    """The question that was waiting when the latest user message came (the
    `requested_slot` before it), if any."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == "requested_slot":
            value = event.get("value")
            return value if isinstance(value, str) else None
        elif seen_user and event.get("event") == "active_loop" and not (event.get("name")):
            return None  # the form had ended: nothing was waiting
    return None


def choice_offered(tracker: Tracker, field: str, replies_back: int = 0) -> tuple[Any, ...] | None:
    """The values of `field` offered as a two-button choice (« environ 6 mois » :
    « 6 semaines à 6 mois » or « 6 à 12 mois ») in the reply to the user's
    latest message (`replies_back` 0) or to the one before (1); None if none was."""
    prefix = payload(field, None).split(":", 1)[0]  # /inform{"life_expectancy"
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users > replies_back:
                return None
        elif event.get("event") == "bot" and users == replies_back:
            buttons = (event.get("data") or {}).get("buttons") or []
            if len(buttons) == 2 and all(str(b.get("payload", "")).startswith(prefix) for b in buttons):
                return tuple(json.loads(str(b["payload"])[len("/inform") :]).get(field) for b in buttons)
    return None
