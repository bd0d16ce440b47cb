"""The Rasa end of the Matrix channel (`channels.matrix.MatrixInput`), with
Rasa's own tracker store; the bridge end is tested against Synapse in
tests/matrix."""

import asyncio
import json
from types import SimpleNamespace

from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.matrix import MatrixInput, WholeMessages, earlier_answer
from consultation.questions import question

ROOM = "!salle:example.org"
QUESTION = question("bone", 2)


def route(blueprint, uri):
    return next(r.handler for r in blueprint._future_routes if r.uri == uri)


def request(body, store=None):
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))
    return SimpleNamespace(json=body, app=app)


def store_with_a_turn():
    store = InMemoryTrackerStore(Domain.empty())
    tracker = DialogueStateTracker.from_events(
        ROOM,
        [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            ActionExecuted("action_listen"),
            UserUttered("fracture du fémur", message_id="$ev1"),
            BotUttered("Noté : fracture pathologique, fémur."),
            BotUttered(QUESTION["text"], data={"buttons": QUESTION["buttons"]}),
            ActionExecuted("action_listen"),
            UserUttered("col", message_id="$ev2"),
            BotUttered("Question suivante"),
        ],
    )
    asyncio.run(store.save(tracker))
    return store


def test_declared_in_credentials_yml_with_the_bridge_settings_which_rasa_ignores():
    channel = MatrixInput.from_credentials({"homeserver": "https://m", "user_id": "@a:m", "password": "x"})
    assert isinstance(channel, MatrixInput) and channel.name() == "matrix"
    assert channel.url_prefix() == "matrix"


def test_a_message_is_one_turn_of_the_room_s_conversation_and_texts_stay_whole():
    seen = []

    async def on_new_message(message: UserMessage):
        seen.append((message.sender_id, message.text, message.message_id, message.input_channel))
        await message.output_channel.send_response(message.sender_id, {"text": "Premier.\n\nSecond paragraphe."})
        await message.output_channel.send_response(message.sender_id, dict(QUESTION))

    receive = route(MatrixInput().blueprint(on_new_message), "/webhook")
    response = asyncio.run(receive(request({"sender": ROOM, "message": "bonjour", "message_id": "$e"})))
    assert seen == [(ROOM, "bonjour", "$e", "matrix")]
    replies = json.loads(response.body)
    assert [r["text"] for r in replies] == ["Premier.\n\nSecond paragraphe.", QUESTION["text"]]
    assert replies[1]["buttons"] == QUESTION["buttons"]


def test_a_redelivered_message_already_processed_is_answered_from_the_tracker_not_run_again():
    seen = []

    async def on_new_message(message):
        seen.append(message.text)

    receive = route(MatrixInput().blueprint(on_new_message), "/webhook")
    store = store_with_a_turn()
    response = asyncio.run(
        receive(
            request({"sender": ROOM, "message": "fracture du fémur", "message_id": "$ev1", "redelivery": True}, store)
        )
    )
    replies = json.loads(response.body)
    assert seen == []
    assert [r.get("text") for r in replies] == ["Noté : fracture pathologique, fémur.", QUESTION["text"]]
    assert replies[1]["buttons"] == QUESTION["buttons"] and replies[0]["recipient_id"] == ROOM
    # Not processed yet: it is processed now.
    asyncio.run(receive(request({"sender": ROOM, "message": "oui", "message_id": "$ev3", "redelivery": True}, store)))
    assert seen == ["oui"]


def test_earlier_answer_of_the_last_turn_and_of_an_unknown_conversation():
    store = store_with_a_turn()
    assert [r["text"] for r in asyncio.run(earlier_answer(request({}, store), ROOM, "$ev2"))] == ["Question suivante"]
    assert asyncio.run(earlier_answer(request({}, store), "!autre:example.org", "$ev1")) is None


def test_a_malformed_request_is_refused():
    async def on_new_message(message):
        raise AssertionError("not called")

    receive = route(MatrixInput().blueprint(on_new_message), "/webhook")
    assert asyncio.run(receive(request({"message": "x"}))).status == 400
    assert asyncio.run(receive(request(["x"]))).status == 400


def test_a_failing_turn_is_an_error_not_an_answer():
    """The turn was not stored (the save is its last step): no HTTP 200 with
    what was said before the failure, which would acknowledge a lost message;
    the bridge sends it again a few times, then gives up."""

    async def on_new_message(message):
        await message.output_channel.send_response(message.sender_id, {"text": "Avant."})
        raise RuntimeError("panne")

    receive = route(MatrixInput().blueprint(on_new_message), "/webhook")
    response = asyncio.run(receive(request({"sender": ROOM, "message": "x"})))
    assert response.status == 500 and b"Avant." not in response.body
    assert WholeMessages.name() == "matrix"


def test_a_redelivered_report_request_gets_its_pdf_again_from_the_tracker():
    """The bridge killed while « rapport » was with Rasa: the answer rebuilt
    from the tracker still carries the PDF for the bridge to post."""
    pdf = {"data": {"file": {"filename": "recapitulatif-rcp.pdf", "mimetype": "application/pdf", "base64": "JVBERg=="}}}
    store = InMemoryTrackerStore(Domain.empty())
    tracker = DialogueStateTracker.from_events(
        ROOM,
        [
            ActionExecuted("action_listen"),
            UserUttered("rapport", message_id="$rapport"),
            BotUttered("Voici la fiche pour la RCP."),
            BotUttered(data={"custom": pdf}),
        ],
    )
    asyncio.run(store.save(tracker))
    replies = asyncio.run(earlier_answer(request({}, store), ROOM, "$rapport"))
    assert replies == [
        {"recipient_id": ROOM, "text": "Voici la fiche pour la RCP."},
        {"recipient_id": ROOM, "custom": pdf},
    ]
