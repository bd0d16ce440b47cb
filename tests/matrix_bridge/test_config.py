"""The bridge's settings, from the channels.matrix.MatrixInput section of
credentials.yml."""

import pytest

from harness.processes import ROOT
from matrix_bridge.config import SECTION, STORE_KEY_VARIABLE, ConfigError, from_mapping, load

# ------------------------------------------------------------------ configuration

BOT = "@assistant:example.org"


@pytest.fixture(autouse=True)
def no_store_key_in_the_environment(monkeypatch):
    monkeypatch.delenv(STORE_KEY_VARIABLE, raising=False)


A_STORE_KEY = "k" * 32


def test_configuration_from_credentials_yml_with_the_secret_in_the_environment(tmp_path, monkeypatch):
    credentials = tmp_path / "credentials.yml"
    credentials.write_text(f"""rest:
{SECTION}:
  homeserver: "https://matrix.agent.tchap.gouv.fr/"
  user_id: "@assistant-rcp:agent.tchap.gouv.fr"
  access_token: "${{MATRIX_ACCESS_TOKEN}}"
  store_key: "${{MATRIX_STORE_KEY}}"
""")
    monkeypatch.setenv("MATRIX_ACCESS_TOKEN", "syt_secret")
    monkeypatch.setenv("MATRIX_STORE_KEY", A_STORE_KEY)
    config = load(credentials, rasa_url="http://127.0.0.1:5006/", state_dir=None)
    assert config.homeserver == "https://matrix.agent.tchap.gouv.fr"
    assert config.access_token == "syt_secret" and config.password is None
    assert config.rasa_url == "http://127.0.0.1:5006" and config.state_dir == "var/matrix"
    assert config.msgtype == "m.notice" and config.accept_group_rooms is False
    assert config.state_path(tmp_path) == tmp_path / "var" / "matrix"
    assert config.encryption is True and config.store_key == A_STORE_KEY
    assert A_STORE_KEY not in repr(config)
    # Tchap's stated limit for bots: about one call per second.
    assert config.rate_limit_per_second == 1.0


def test_the_store_key_may_come_from_the_environment_alone(monkeypatch):
    monkeypatch.setenv(STORE_KEY_VARIABLE, A_STORE_KEY)
    assert from_mapping({"homeserver": "https://m", "user_id": BOT, "password": "x"}).store_key == A_STORE_KEY


@pytest.mark.parametrize(
    "store_key, problem",
    [
        (None, "encryption is on and no key protects the crypto store"),
        ("DEFAULT_KEY", "matrix-nio's public default"),
        ("court", "at least 16 characters"),
    ],
)
def test_encryption_refuses_to_start_without_a_real_store_key(store_key, problem):
    section = {"homeserver": "https://m", "user_id": BOT, "password": "x"}
    if store_key:
        section["store_key"] = store_key
    with pytest.raises(ConfigError, match=problem) as error:
        from_mapping(section)
    assert STORE_KEY_VARIABLE in str(error.value) and "docs/matrix.md" in str(error.value)


def test_without_encryption_no_store_key_is_needed():
    config = from_mapping({"homeserver": "https://m", "user_id": BOT, "password": "x", "encryption": False})
    assert config.encryption is False and config.store_key is None


@pytest.mark.parametrize(
    "section, problem",
    [
        ({"homeserver": "matrix.org", "user_id": BOT, "password": "x"}, "homeserver"),
        ({"homeserver": "https://m", "user_id": "assistant", "password": "x"}, "user_id"),
        ({"homeserver": "https://m", "user_id": BOT}, "access_token or password"),
        ({"homeserver": "https://m", "user_id": BOT, "password": "x", "msgtype": "m.emote"}, "msgtype"),
        ({"homeserver": "https://m", "user_id": BOT, "password": "x", "tokn": "x"}, "unknown setting(s) tokn"),
        ({"user_id": BOT, "password": "x"}, "homeserver"),
        ({"homeserver": "https://m", "user_id": BOT, "password": "${NOT_SET_ANYWHERE_42}"}, "NOT_SET_ANYWHERE_42"),
        (
            {"homeserver": "https://m", "user_id": BOT, "password": "x", "rate_limit_per_second": 0},
            "rate_limit_per_second",
        ),
        ({"homeserver": "https://m", "user_id": BOT, "password": "x", "rate_limit_burst": 0}, "rate_limit_burst"),
    ],
)
def test_configuration_errors_say_what_is_wrong(section, problem):
    with pytest.raises(ConfigError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        from_mapping(section)


def test_missing_section_points_to_the_documentation(tmp_path):
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("rest:\n")
    with pytest.raises(ConfigError, match="docs/matrix.md"):
        load(credentials)


def test_the_project_credentials_yml_works_without_a_matrix_account():
    import yaml

    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    # Documented there, commented out: `make run` needs no messenger account.
    assert SECTION not in credentials
    assert not {"channels.telegram.TelegramInput", "channels.slack.SlackInput"} & set(credentials)
