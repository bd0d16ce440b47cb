"""A clinician consults the assistant in a Matrix direct room, on a real
Synapse homeserver, through the bridge and the real Rasa and action servers;
the homeserver and then the bridge are restarted mid-consultation.

Nothing lost or repeated is checked against Rasa's own record: the
clinician's messages reach Rasa exactly once each, in order, and the room
holds exactly the bot's messages of the tracker, in order, rendered for
Matrix."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, List

import pytest

from channels.buttonless import numbered, options_from_buttons
from channels.formatting import matrix_html, plain_text
from tests.matrix.homeserver import Clinician

pytestmark = pytest.mark.e2e

SWANSON = "137. Swanson KC, Pritchard DJ, Sim FH. Surgical treatment of metastatic disease of the femur."


def tracker(setup, room_id: str) -> Dict[str, Any]:
    # Rasa (Sanic) does not unquote the conversation id: « ! » and « : » as is.
    url = f"{setup.rasa.url}/conversations/{urllib.parse.quote(room_id, safe='!:')}/tracker"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read().decode("utf-8"))


def wait_for_bot(clinician: Clinician, room_id: str, after_event: str, bot: str,
                 done: Callable[[List[Dict[str, Any]]], bool], timeout: float = 120) -> List[Dict[str, Any]]:
    """The bot's messages after `after_event`, once `done(messages)` holds."""
    deadline = time.monotonic() + timeout
    messages: List[Dict[str, Any]] = []
    while time.monotonic() < deadline:
        messages = clinician.bot_messages_after(room_id, after_event, bot)
        if done(messages):
            return messages
        time.sleep(0.3)
    raise AssertionError(f"no expected reply after {after_event}; got {[m['content'].get('body') for m in messages]}")


def says(*fragments: str) -> Callable[[List[Dict[str, Any]]], bool]:
    """The last message so far contains every fragment (its plain body)."""
    return lambda messages: bool(messages) and all(f in messages[-1]["content"].get("body", "") for f in fragments)


def slots(setup, room_id: str) -> Dict[str, Any]:
    return {name: value for name, value in tracker(setup, room_id)["slots"].items() if value is not None}


def test_consultation_in_a_direct_room_survives_homeserver_and_bridge_restarts(matrix):
    setup, clinician, bot = matrix, matrix.clinician, matrix.bot_user

    # The clinician opens a direct room and writes before the assistant is there.
    room = clinician.create_direct_room(invite=bot)
    clinician.send(room, "Message écrit avant l'arrivée de l'assistant")
    setup.bridge.start()
    clinician.wait_for_member(room, bot)

    def turn(text: str, *expected: str) -> List[Dict[str, Any]]:
        began = time.monotonic()
        event = clinician.send(room, text)
        replies = wait_for_bot(clinician, room, event, bot, says(*expected))
        setup.timings.setdefault("turn_latencies_s", []).append(round(time.monotonic() - began, 3))
        return replies

    replies = turn("Bonjour", "Quelle est la situation clinique ?")
    question = replies[-1]["content"]
    assert question["msgtype"] == "m.notice" and question["format"] == "org.matrix.custom.html"
    assert "1. Fracture pathologique\n2. Risque fracturaire (chirurgie préventive)\n3. Douleur rebelle" in question["body"]
    assert "<strong>Quelle est la situation clinique ?</strong>" in question["formatted_body"]
    assert "**" not in question["body"]

    turn("1", "Quel os est atteint ?")                       # the option's number
    assert slots(setup, room)["situation"] == "pathological_fracture"
    turn("fémur", "Où siège la lésion sur cet os ?")          # the option's words
    turn("Col fémoral", "Quelle est l'espérance de vie estimée ?")
    assert {k: slots(setup, room)[k] for k in ("bone", "site")} == {"bone": "femur", "site": "neck"}

    # The homeserver goes away mid-consultation and comes back.
    setup.timings["synapse_restart_s"] = round(setup.synapse.restart(), 3)
    began = time.monotonic()
    turn("environ huit mois", "L'état général permet-il une intervention et une anesthésie ?")  # free text
    setup.timings["first_answer_after_synapse_restart_s"] = round(time.monotonic() - began, 3)
    turn("oui", "Le site à opérer a-t-il déjà été irradié ?")

    # The bridge stops; the clinician answers three questions meanwhile (more
    # than one sync's timeline holds), then the bridge comes back.
    assert setup.bridge.stop() == 0
    sent_while_stopped = [clinician.send(room, text) for text in ("non", "2", "Non.")]
    began = time.monotonic()
    setup.bridge.start()
    final = wait_for_bot(clinician, room, sent_while_stopped[-1], bot, says("Vous pouvez demander « pourquoi ? »"))
    setup.timings["backlog_of_3_answered_after_bridge_start_s"] = round(time.monotonic() - began, 3)
    setup.bridge.assert_running()

    # The recommendation and its references.
    bodies = "\n".join(message["content"]["body"] for message in final)
    html = "\n".join(message["content"]["formatted_body"] for message in final)
    assert "Chirurgie indiquée" in bodies and "Arthroplastie cimentée" in bodies
    assert SWANSON in bodies and SWANSON in html
    assert "<strong>Chirurgie indiquée</strong>" in html and "<strong>Références</strong>" in html
    recommendation = slots(setup, room)["recommendation"]
    assert recommendation["surgery"] == "indicated"
    assert [t["code"] for t in recommendation["techniques"]] == ["cemented_arthroplasty"]

    # Nothing lost, nothing repeated: Rasa saw each message once, in order…
    events = tracker(setup, room)["events"]
    user_texts = [event["text"] for event in events if event["event"] == "user"]
    assert user_texts == [
        "Bonjour",
        '/inform{"situation": "pathological_fracture"}',
        '/inform{"bone": "femur"}',
        '/inform{"site": "neck"}',
        "environ huit mois",
        '/inform{"fit_for_surgery": true}',
        '/inform{"prior_radiotherapy": false}',
        '/inform{"suspected_hypervascular": false}',
        '/inform{"diagnostic_uncertainty": false}',
    ]
    # …and the room holds each of the bot's messages once, in order.
    expected = [numbered(event.get("text") or "", options_from_buttons((event.get("data") or {}).get("buttons")))
                for event in events if event["event"] == "bot"]
    in_room = [message["content"] for message in clinician.history(room) if message["sender"] == bot]
    assert [content["body"] for content in in_room] == [plain_text(text) for text in expected]
    assert [content["formatted_body"] for content in in_room] == [matrix_html(text) for text in expected]
    clinician_messages = [m["content"]["body"] for m in clinician.history(room) if m["sender"] == clinician.user_id]
    assert clinician_messages[0] == "Message écrit avant l'arrivée de l'assistant"  # never answered (not in Rasa)


def test_invitation_to_a_group_room_is_declined(matrix):
    setup, clinician, bot = matrix, matrix.clinician, matrix.bot_user
    if setup.bridge.process is None:
        setup.bridge.start()
    room = clinician.api("POST", "/createRoom", {"preset": "private_chat", "invite": [bot]})["room_id"]
    deadline = time.monotonic() + 60
    membership = None
    while time.monotonic() < deadline:
        state = clinician.api("GET", f"/rooms/{urllib.parse.quote(room, safe='')}/state/m.room.member/"
                                     f"{urllib.parse.quote(bot, safe='')}")
        membership = state.get("membership")
        if membership == "leave":
            break
        time.sleep(0.3)
    assert membership == "leave"


def test_an_encrypted_room_is_told_once_that_its_messages_cannot_be_read(matrix):
    setup, clinician, bot = matrix, matrix.clinician, matrix.bot_user
    if setup.bridge.process is None:
        setup.bridge.start()
    room = clinician.api("POST", "/createRoom", {
        "preset": "trusted_private_chat", "is_direct": True, "invite": [bot],
        "initial_state": [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}],
    })["room_id"]
    clinician.wait_for_member(room, bot)
    encrypted = {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEnACgAkLmt6qF84IK++J7UDH2Za1YVchHyprqTqsg",
                 "device_id": "CLINICIEN", "sender_key": "IlRMeOPX2e0MurIyfWEucYBRVOEEUMrOHqn/8mLqMjA",
                 "session_id": "X3lUlvLELLYxeTx4yOVu6UDpasGEVO0Jbu+QFnm0cKQ"}
    for n in range(2):
        clinician.api("PUT", f"/rooms/{urllib.parse.quote(room, safe='')}/send/m.room.encrypted/chiffre-{n}", encrypted)
    deadline = time.monotonic() + 60
    notices: List[Dict[str, Any]] = []
    while time.monotonic() < deadline and not notices:
        notices = [m for m in clinician.history(room) if m["sender"] == bot]
        time.sleep(0.3)
    time.sleep(2)  # a second notice would come now
    notices = [m for m in clinician.history(room) if m["sender"] == bot]
    assert len(notices) == 1 and "chiffré de bout en bout" in notices[0]["content"]["body"]
