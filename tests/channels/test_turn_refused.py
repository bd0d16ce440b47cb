"""A turn that was not taken (a store down, the lock not taken) is answered so
that the client sends it again: HTTP 503 on REST and Matrix, `turn_refused` on
socket.io; never an HTTP 200 with an empty answer, which would acknowledge a
lost message. The client's
message id reaches Rasa when it has the form of one."""

import asyncio
import json
import uuid
from types import SimpleNamespace

import pytest
import redis
from rasa.core.lock_store import LockError

from channels.matrix import MatrixInput
from channels.rest import RestInput
from channels.socketio import SocketIOInput
from serving.turns import StoreUnavailable

REFUSALS = [
    StoreUnavailable("tracker store: save failed"),
    LockError("Could not acquire lock"),
    redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
]


def route(blueprint, uri):
    return next(r.handler for r in blueprint._future_routes if r.uri == uri)


def request(body):
    return SimpleNamespace(json=body, args={})


def failing_with(error, seen=None):
    async def on_new_message(message):
        if seen is not None:
            seen.append(message)
        raise error

    return on_new_message


@pytest.mark.parametrize("error", REFUSALS, ids=lambda error: type(error).__name__)
def test_rest_answers_503_when_the_turn_was_not_taken(error):
    receive = route(RestInput().blueprint(failing_with(error)), "/webhook")
    response = asyncio.run(receive(request({"sender": "c1", "message": "col fémoral"})))
    assert response.status == 503 and response.headers["Retry-After"]
    assert json.loads(response.body)["error"] == "turn_refused"


def test_rest_answers_500_on_another_failure_never_an_empty_200():
    receive = route(RestInput().blueprint(failing_with(ValueError("bug"))), "/webhook")
    assert asyncio.run(receive(request({"sender": "c1", "message": "x"}))).status == 500


def test_rest_passes_a_client_uuid_on_and_ignores_anything_else():
    seen = []

    async def on_new_message(message):
        seen.append(message.message_id)
        await message.output_channel.send_text_message(message.sender_id, "Noté.")

    receive = route(RestInput().blueprint(on_new_message), "/webhook")
    given = uuid.uuid4().hex
    response = asyncio.run(receive(request({"sender": "c1", "message": "x", "message_id": given})))
    assert response.status == 200 and [m["text"] for m in json.loads(response.body)] == ["Noté."]
    asyncio.run(receive(request({"sender": "c1", "message": "x", "message_id": "Dupont Jean 12/03/1950"})))
    assert seen[0] == given and seen[1] != "Dupont Jean 12/03/1950" and len(seen[1]) == 32


def test_rest_health_route_is_kept():
    health = route(RestInput().blueprint(failing_with(ValueError())), "/")
    assert json.loads(asyncio.run(health(request(None))).body) == {"status": "ok"}


def test_matrix_answers_503_so_that_the_bridge_keeps_the_message():
    receive = route(MatrixInput().blueprint(failing_with(REFUSALS[0])), "/webhook")
    response = asyncio.run(receive(SimpleNamespace(json={"sender": "!r:m", "message": "col", "message_id": "$e1"})))
    assert response.status == 503


class FakeSocketServer:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data, room=None, namespace=None):
        self.emitted.append((event, data, room))


def test_socketio_tells_the_page_which_message_to_send_again():
    channel = SocketIOInput(session_persistence=True)
    channel.sio = FakeSocketServer()
    seen = []
    message_id = uuid.uuid4().hex
    data = {"message": "col fémoral", "session_id": "a" * 32, "message_id": message_id}
    asyncio.run(channel.take_message("sid1", data, failing_with(REFUSALS[1], seen)))
    assert seen[0].message_id == message_id and seen[0].sender_id == "a" * 32
    assert channel.sio.emitted == [("turn_refused", {"message_id": message_id}, "sid1")]


def test_socketio_lets_other_failures_through():
    channel = SocketIOInput(session_persistence=True)
    channel.sio = FakeSocketServer()
    with pytest.raises(ValueError):
        asyncio.run(channel.take_message("sid1", {"message": "x", "session_id": "b" * 32}, failing_with(ValueError())))
    assert channel.sio.emitted == []
