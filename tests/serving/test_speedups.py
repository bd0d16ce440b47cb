"""serving.speedups changes nothing but speed: Rasa's action-response check raises
the same errors, and the sessions of one event loop share one connection pool."""

import asyncio

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from serving import speedups

GOOD = {"events": [{"event": "slot", "name": "bone", "value": "femur"}], "responses": [{"text": "x"}]}
BAD = [
    {"events": [{"event": "slot", "value": "x"}]},
    {"events": "nope"},
    {"responses": [1]},
    {"events": [{"event": "nonsense"}]},
]


def errors(validate):
    action = RemoteAction.__new__(RemoteAction)
    assert validate(action, GOOD) is True
    found = []
    for response in BAD:
        with pytest.raises(ValidationError) as raised:
            validate(action, response)
        found.append((raised.value.message, list(raised.value.path)))
    return found


def test_cached_validator_raises_the_same_errors_as_rasa(monkeypatch):
    original = RemoteAction._validate_action_result
    monkeypatch.setattr(RemoteAction, "_validate_action_result", original)
    expected = errors(original)
    speedups.cache_action_response_validator()
    speedups.cache_action_response_validator()  # idempotent
    assert RemoteAction._validate_action_result is not original
    assert errors(RemoteAction._validate_action_result) == expected


def test_sessions_of_one_loop_share_one_connection_pool(monkeypatch):
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    speedups.share_action_server_connections()
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook")

    async def two_sessions():
        first, second = endpoint.session(), endpoint.session()
        try:
            return first.connector is second.connector, first.timeout.total
        finally:
            await first.close()
            await second.close()

    shared, timeout = asyncio.run(two_sessions())
    assert shared and timeout > 0
