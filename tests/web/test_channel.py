"""The socket.io channel of credentials.yml (channels/socketio.py), without a server."""

import pytest
import yaml

from channels.socketio import SocketIOInput, allowed_origins
from harness.processes import ROOT


def test_credentials_enable_the_channel_with_persistence_and_named_origins():
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert "socketio" not in credentials  # Rasa's own channel would run beside it
    section = credentials["channels.socketio.SocketIOInput"]
    assert section["session_persistence"] is True
    channel = SocketIOInput.from_credentials(section)
    assert channel.name() == "socketio" and channel.session_persistence
    assert channel.cors_allowed_origins == ["http://localhost:8080", "http://127.0.0.1:8080"]


@pytest.mark.parametrize(
    "value", ["*", ["http://localhost:8080", "*"], ["localhost:8080"], ["http://localhost:8080/"], [8080]]
)
def test_a_wildcard_or_malformed_origin_is_refused(value):
    with pytest.raises(ValueError):
        allowed_origins(value)


def test_origins_are_a_list_and_none_listed_means_no_web_page_allowed():
    assert allowed_origins("https://intranet.chu.example") == ["https://intranet.chu.example"]
    assert allowed_origins(None) == []
