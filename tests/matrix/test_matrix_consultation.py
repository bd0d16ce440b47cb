"""A clinician consults the assistant in an unencrypted Matrix direct room
(the bridge has encryption on, as deployed), on a real Synapse homeserver,
through the bridge and the real Rasa and action servers; the homeserver and
then the bridge are restarted mid-consultation; at the end, « rapport » gives
the RCP sheet in the chat and as a PDF file.

Nothing lost or repeated is checked against Rasa's own record: the
clinician's messages reach Rasa exactly once each, in order, and the room
holds exactly the bot's messages of the tracker, in order, rendered for
Matrix."""

from __future__ import annotations

import re
import time
import urllib.parse
from typing import Any

import pytest

from channels.formatting import matrix_html, plain_text
from tests.matrix.conversation import (
    RCP_SHEET,
    SWANSON,
    bot_texts,
    is_file,
    pdf_text,
    says,
    sends_a_file,
    slots,
    tracker,
    wait_for_bot,
)

pytestmark = pytest.mark.e2e


def test_consultation_in_a_direct_room_survives_homeserver_and_bridge_restarts(matrix):
    setup, clinician, bot = matrix, matrix.clinician, matrix.bot_user

    # The clinician opens a direct room and writes before inviting the
    # assistant: history, never answered. Then, as Element does, the first
    # message goes out while the assistant is only invited (the bridge is
    # stopped, so it cannot have joined yet): it is answered.
    setup.bridge.stop()
    room = clinician.create_direct_room()
    clinician.send(room, "Message écrit avant l'invitation de l'assistant")
    clinician.invite(room, bot)
    began = time.monotonic()
    first = clinician.send(room, "Bonjour")
    setup.bridge.start()
    replies = wait_for_bot(clinician, room, first, bot, says("Quelle est la situation clinique ?"))
    setup.timings["first_message_while_invited_answered_after_bridge_start_s"] = round(time.monotonic() - began, 3)
    order = [
        (e["type"], e.get("state_key"), e["content"].get("membership"), e["event_id"])
        for e in clinician.history(room, types=("m.room.message", "m.room.member"))
    ]
    joined = order.index(next(o for o in order if o[1] == bot and o[2] == "join"))
    assert [o[3] for o in order].index(first) < joined  # sent before the assistant joined

    def turn(text: str, *expected: str) -> list[dict[str, Any]]:
        began = time.monotonic()
        event = clinician.send(room, text)
        replies = wait_for_bot(clinician, room, event, bot, says(*expected))
        setup.timings.setdefault("turn_latencies_s", []).append(round(time.monotonic() - began, 3))
        return replies

    question = replies[-1]["content"]
    assert question["msgtype"] == "m.notice" and question["format"] == "org.matrix.custom.html"
    assert (
        "1. Fracture pathologique\n2. Risque fracturaire (chirurgie préventive)\n3. Douleur rebelle" in question["body"]
    )
    assert "<strong>Quelle est la situation clinique ?</strong>" in question["formatted_body"]
    assert "**" not in question["body"]

    turn("1", "Quel os est atteint ?")  # the option's number
    assert slots(setup, room)["situation"] == "pathological_fracture"
    turn("fémur", "Où siège la lésion sur cet os ?")  # the option's words
    turn("Col fémoral", "Quelle est l'espérance de vie estimée ?")
    assert {k: slots(setup, room)[k] for k in ("bone", "site")} == {"bone": "femur", "site": "neck"}

    # The homeserver goes away mid-consultation and comes back.
    setup.timings["synapse_restart_s"] = round(setup.synapse.restart(), 3)
    began = time.monotonic()
    turn("environ huit mois", "L'état général permet-il une intervention et une anesthésie ?")  # free text
    setup.timings["first_answer_after_synapse_restart_s"] = round(time.monotonic() - began, 3)
    turn("oui", "Y a-t-il un doute entre métastase révélatrice et tumeur osseuse primitive ?")

    # The bridge stops; the clinician answers three questions meanwhile (more
    # than one sync's timeline holds): the answer comes after the first, the
    # two others refine it. Then the bridge comes back.
    assert setup.bridge.stop() == 0
    sent_while_stopped = [clinician.send(room, text) for text in ("non", "2", "Non.")]
    began = time.monotonic()
    setup.bridge.start()
    wait_for_bot(clinician, room, sent_while_stopped[-1], bot, says("La recommandation ci-dessus ne change pas."))
    setup.timings["backlog_of_3_answered_after_bridge_start_s"] = round(time.monotonic() - began, 3)
    setup.bridge.assert_running()

    # The recommendation, then its references on demand.
    answer = clinician.bot_messages_after(room, sent_while_stopped[0], bot)
    bodies = "\n".join(message["content"]["body"] for message in answer)
    html = "\n".join(message["content"]["formatted_body"] for message in answer)
    assert "Chirurgie indiquée" in bodies and "Arthroplastie de hanche cimentée" in bodies
    assert "<strong>Chirurgie indiquée</strong>" in html
    references = turn("références", SWANSON)
    assert "<strong>Références</strong>" in references[-1]["content"]["formatted_body"]
    assert SWANSON in references[-1]["content"]["formatted_body"]
    recommendation = slots(setup, room)["recommendation"]
    assert recommendation["surgery"] == "indicated"
    assert [t["code"] for t in recommendation["techniques"]] == ["cemented_arthroplasty"]

    # The RCP sheet: its text in the chat, then the same sheet as a PDF file
    # the clinician downloads.
    asked = clinician.send(room, "rapport")
    report = wait_for_bot(clinician, room, asked, bot, sends_a_file)
    # The sheet in one message, the proposal first, then its PDF.
    assert [message["content"]["msgtype"] for message in report] == ["m.notice", "m.file"]
    assert report[0]["content"]["body"].startswith(RCP_SHEET[1])
    sheet = report[-1]["content"]
    assert sheet["info"]["mimetype"] == "application/pdf"
    assert sheet["body"] == sheet["filename"] and re.fullmatch(r"recapitulatif-rcp-[\d-]+h\d\d\.pdf", sheet["body"])
    pdf = clinician.download(sheet["url"])
    assert pdf.startswith(b"%PDF") and len(pdf) == sheet["info"]["size"]
    text = pdf_text(pdf)
    for words in RCP_SHEET:
        assert words in text, words

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
        '/inform{"diagnostic_uncertainty": false}',
        '/inform{"prior_radiotherapy": false}',
        '/inform{"suspected_hypervascular": false}',
        "références",
        "rapport",
    ]
    # …and the room holds each of the bot's messages once, in order: the
    # texts, and the one file, last.
    expected = bot_texts(setup, room)
    from_bot = [message for message in clinician.history(room) if message["sender"] == bot]
    assert [is_file(message) for message in from_bot] == [False] * (len(from_bot) - 1) + [True]
    in_room = [message["content"] for message in from_bot[:-1]]
    assert [content["body"] for content in in_room] == [plain_text(text) for text in expected]
    assert [content["formatted_body"] for content in in_room] == [matrix_html(text) for text in expected]
    clinician_messages = [m["content"]["body"] for m in clinician.history(room) if m["sender"] == clinician.user_id]
    assert clinician_messages[0] == "Message écrit avant l'invitation de l'assistant"  # never answered (not in Rasa)


def test_invitation_to_a_group_room_is_declined(matrix):
    setup, clinician, bot = matrix, matrix.clinician, matrix.bot_user
    setup.bridge.ensure_running()
    room = clinician.api("POST", "/createRoom", {"preset": "private_chat", "invite": [bot]})["room_id"]
    deadline = time.monotonic() + 60
    membership = None
    while time.monotonic() < deadline:
        state = clinician.api(
            "GET", f"/rooms/{urllib.parse.quote(room, safe='')}/state/m.room.member/{urllib.parse.quote(bot, safe='')}"
        )
        membership = state.get("membership")
        if membership == "leave":
            break
        time.sleep(0.3)
    assert membership == "leave"
