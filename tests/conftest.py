"""The real assistant (action server + Rasa server), started once for every
end-to-end test of the session that asks for it."""

import pytest

from harness.bots import running_bot


@pytest.fixture(scope="session")
def bot(tmp_path_factory):
    with running_bot(tmp_path_factory.mktemp("bot")) as started:
        yield started
