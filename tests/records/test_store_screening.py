"""Every string of every event is screened before the tracker store writes it
(so that nothing identifying is ever stored): user text, entities, parse data, intent payloads, slot values,
bot text and data, metadata; the events still read back in Rasa, the
contract's codes and the recommendation stay as they are."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    EntitiesAdded,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from privacy.vocabulary import ROOT
from records.report import report_markdown
from records.store import ScreenedSQLTrackerStore, screened_event
from tests.cases import FEMORAL_NECK, recorded

TEXT = "Patient Jean Dupont né le 12/03/1950, IPP 4589231 : fracture du col fémoral"
SECRETS = [
    "Dupont",
    "12/03/1950",
    "1950",
    "4589231",
    "06 12 34 56 78",
    "jean.dupont",
    "Lucie Martin",
    "Martin",
    "150037512345678",
    "123 456",
]
CASE = FEMORAL_NECK


def recommendation() -> dict:
    return recorded(CASE, recorded_at=None)


def events() -> list[Event]:
    entities = [
        {"entity": "bone", "value": "Jean Dupont", "start": 8, "end": 19, "extractor": "RegexMessageHandler"},
        {"entity": "site", "value": "neck", "start": 72, "end": 75, "text": "col", "extractor": "CaseFactExtractor"},
    ]
    intent = {"name": "inform", "confidence": 0.97}
    parse_data = {
        "text": TEXT,
        "intent": intent,
        "entities": entities,
        "intent_ranking": [intent, {"name": "greet", "confidence": 0.03}],
        "message_id": "4f1c2e9a0b8d4c6e8f7a6b5c4d3e2f10",
        "metadata": {"dossier": "IPP 4589231"},
    }
    metadata = {"dossier": "IPP 4589231", "contacts": ["06 12 34 56 78", {"mail": "jean.dupont@orange.fr"}]}
    return [
        SessionStarted(metadata={"patient": "Jean Dupont"}),
        SlotSet("session_started_metadata", {"patient": "Jean Dupont", "ddn": "12/03/1950"}),
        UserUttered(TEXT, intent, entities, parse_data, None, "rest", "4f1c2e9a0b8d4c6e8f7a6b5c4d3e2f10", metadata),
        UserUttered('/inform{"bone": "Jean Dupont", "nom": "Dupont", "date_of_birth": "1950-03-12"}', intent),
        EntitiesAdded([{"entity": "bone", "value": "Dupont"}]),
        BotUttered(
            "Je n'ai pas retenu « Jean Dupont »",
            {
                "buttons": [{"title": "M. Dupont", "payload": '/inform{"bone": "Jean Dupont"}'}],
                "custom": {"who": "Mme Lucie Martin", "tel": "+33 6 12 34 56 78"},
            },
            {"note": "NIR 1 50 03 75 123 456 78"},
        ),
        SlotSet("bone", "femur"),
        SlotSet("site", "neck"),
        SlotSet("fit_for_surgery", True),
        SlotSet("recommendation_notes", {"Lucie Martin": ["Jean Dupont", {"nir": 150037512345678}]}),
        SlotSet("recommendation", recommendation()),
        ActiveLoop("consultation_form"),
        ActionExecuted("action_listen"),
    ]


def stored(tmp_path) -> tuple[list[dict], str, ScreenedSQLTrackerStore]:
    db = tmp_path / "c.db"
    store = ScreenedSQLTrackerStore(domain=Domain.load(ROOT / "domain.yml"), dialect="sqlite", db=str(db))
    asyncio.run(store.save(DialogueStateTracker.from_events("c1", events())))
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT * FROM events").fetchall()
    raw = db.read_bytes().decode("utf-8", "replace") + "\n".join(str(cell) for row in rows for cell in row)
    return [json.loads(row[-1]) for row in rows], raw, store


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [str(key), *strings(item)]]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return [str(value)]


def test_no_identifying_string_is_written_anywhere_in_the_events(tmp_path):
    data, raw, _ = stored(tmp_path)
    assert len(data) == len(events())
    decoded = "\n".join(strings(data))  # JSON's \u00e9 escapes decoded
    for secret in SECRETS:
        assert secret not in decoded and secret not in raw, secret


def test_each_field_is_masked_where_it_was(tmp_path):
    data, _, _ = stored(tmp_path)
    by_type = {}
    for event in data:
        by_type.setdefault(event["event"], []).append(event)
    user, payload = by_type["user"]
    assert user["text"] == "Patient [NOM] né le [DATE], [N° DOSSIER] : fracture du col fémoral"
    assert user["parse_data"]["text"] == user["text"]
    assert [e["value"] for e in user["parse_data"]["entities"]] == ["[NOM]", "neck"]
    assert user["metadata"]["contacts"] == ["[TÉLÉPHONE]", {"mail": "[EMAIL]"}]
    assert user["message_id"] == "4f1c2e9a0b8d4c6e8f7a6b5c4d3e2f10"  # the channel's id, kept
    assert "[DATE]" in payload["text"] and payload["text"].startswith("/inform{")
    bot = by_type["bot"][0]
    assert bot["text"] == "Je n'ai pas retenu « [NOM] »"
    assert bot["data"]["buttons"] == [{"title": "M. [NOM]", "payload": '/inform{"bone": "[NOM]"}'}]
    assert bot["data"]["custom"] == {"who": "Mme [NOM]", "tel": "[TÉLÉPHONE]"}
    assert bot["metadata"] == {"note": "NIR [NIR]"}
    slots = {event["name"]: event["value"] for event in by_type["slot"]}
    assert slots["session_started_metadata"] == {"patient": "[NOM]", "ddn": "[DATE]"}
    assert slots["recommendation_notes"] == {"[NOM]": ["[NOM]", {"nir": "[NIR]"}]}
    assert (slots["bone"], slots["site"], slots["fit_for_surgery"]) == ("femur", "neck", True)  # the contract's codes


def test_the_recommendation_and_its_report_are_stored_unchanged(tmp_path):
    """The bibliography names people (« Swanson KC, Pritchard DJ, Sim FH »):
    the report read back from the store is the one of the recommendation given."""
    data, _, _ = stored(tmp_path)
    kept = next(event["value"] for event in data if event.get("name") == "recommendation")
    original = next(event.value for event in events() if getattr(event, "key", None) == "recommendation")
    assert kept == original
    assert report_markdown(kept, "c1") == report_markdown(original, "c1")
    assert "Swanson KC" in report_markdown(kept, "c1")


def test_the_screened_events_read_back_in_rasa(tmp_path):
    _, _, store = stored(tmp_path)
    tracker = asyncio.run(store.retrieve("c1"))
    assert [type(event) for event in tracker.events] == [type(event) for event in events()]
    assert tracker.get_slot("bone") == "femur" and tracker.get_slot("fit_for_surgery") is True
    assert (
        tracker.get_slot("recommendation")["case"]["site"] == "neck" and tracker.active_loop_name == "consultation_form"
    )
    assert tracker.events[2].text.startswith("Patient [NOM]")


@pytest.mark.parametrize("event", events(), ids=lambda event: event.type_name)
def test_a_screened_event_is_an_event_of_the_same_kind(event):
    screened = screened_event(event)
    assert type(screened) is type(event) and screened.timestamp == event.timestamp
    assert Event.from_parameters(screened.as_dict()).as_dict() == screened.as_dict()


def test_an_event_without_identifying_data_is_left_as_it_is():
    event = UserUttered("fracture du col fémoral, espérance de vie 4 mois", {"name": "inform", "confidence": 1.0})
    assert screened_event(event) is event


def test_events_are_screened_off_the_event_loop_which_keeps_serving(tmp_path, monkeypatch):
    """While the events of a turn are screened, the server's event loop runs
    other conversations: the screening waits here until a coroutine on the
    loop has run, which it never could if the screening held the loop."""
    from records import store as store_module

    store = ScreenedSQLTrackerStore(
        domain=Domain.load(ROOT / "domain.yml"), dialect="sqlite", db=str(tmp_path / "c.db")
    )
    screening, loop_ran = threading.Event(), threading.Event()
    threads: list[threading.Thread] = []
    screen_value = store_module.screen_value

    def screen_value_once_the_loop_ran(value):
        threads.append(threading.current_thread())
        screening.set()
        if not loop_ran.wait(timeout=30):
            raise AssertionError("the event loop did not run while the events were screened")
        return screen_value(value)

    async def other_conversation() -> None:
        while not screening.is_set():
            await asyncio.sleep(0.01)
        loop_ran.set()

    async def turn() -> None:
        await asyncio.wait_for(
            asyncio.gather(store.save(DialogueStateTracker.from_events("c1", events())), other_conversation()), 60
        )

    monkeypatch.setattr(store_module, "screen_value", screen_value_once_the_loop_ran)
    asyncio.run(turn())
    assert threads and threading.main_thread() not in threads
    with sqlite3.connect(tmp_path / "c.db") as connection:
        written = "\n".join(row[0] for row in connection.execute("SELECT data FROM events"))
    assert "Dupont" not in written and "4589231" not in written
