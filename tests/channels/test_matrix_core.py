"""The Matrix bridge's decisions, without a homeserver: which events are
answered, which invitations accepted, what is sent, what survives a restart.
(The bridge itself runs against a real Synapse in tests/matrix.)"""

import json
import os
import stat

import pytest

from channels.buttonless import ANSWER_HINT
from channels.matrix import core
from channels.matrix.config import SECTION, ConfigError, from_mapping, load
from consultation.render import question

BOT = "@assistant:example.org"
DOCTOR = "@dr.martin:example.org"
ROOM = "!room:example.org"


def member(user, membership, **content):
    return {"type": "m.room.member", "state_key": user, "sender": user, "event_id": f"$m-{user}-{membership}",
            "content": {"membership": membership, **content}}


def text(body, sender=DOCTOR, event_id=None, msgtype="m.text", **content):
    return {"type": "m.room.message", "sender": sender, "event_id": event_id or f"$t-{body}",
            "content": {"msgtype": msgtype, "body": body, **content}}


# ------------------------------------------------------------------ events


def test_messages_after_our_join_are_answered_in_order_and_history_is_not():
    events = [text("écrit avant l'arrivée"), member(BOT, "join"), text("Bonjour"), text("fémur")]
    assert [(m.room_id, m.text) for m in core.messages_to_answer(ROOM, events, BOT)] == [
        (ROOM, "Bonjour"), (ROOM, "fémur")]


def test_a_room_joined_before_this_sync_has_only_new_messages():
    assert [m.text for m in core.messages_to_answer(ROOM, [text("1"), text("2")], BOT)] == ["1", "2"]


def test_our_own_messages_other_bots_notices_edits_and_non_text_are_ignored():
    events = [
        text("question", sender=BOT),
        text("autre bot", msgtype="m.notice"),
        text("* corrigé", **{"m.relates_to": {"rel_type": "m.replace", "event_id": "$x"}}),
        {"type": "m.room.message", "sender": DOCTOR, "event_id": "$img", "content": {"msgtype": "m.image", "body": "x.png"}},
        {"type": "m.reaction", "sender": DOCTOR, "event_id": "$r", "content": {}},
        text("   "),
        {"type": "m.room.message", "sender": DOCTOR, "content": {"msgtype": "m.text", "body": "sans id"}},
        text("oui"),
    ]
    assert [m.text for m in core.messages_to_answer(ROOM, events, BOT)] == ["oui"]


def test_a_reply_is_read_without_the_quoted_message():
    reply = text("> <@assistant:example.org> Quel os ?\n\nle fémur", **{"m.relates_to": {"m.in_reply_to": {"event_id": "$q"}}})
    assert core.message_text(reply) == "le fémur"


def test_direct_invitations_are_accepted_others_only_if_allowed():
    direct = [member(DOCTOR, "join"), {**member(BOT, "invite", is_direct=True), "sender": DOCTOR}]
    group = [member(DOCTOR, "join"), {**member(BOT, "invite"), "sender": DOCTOR}]
    assert core.accept_invite(direct, BOT, accept_group_rooms=False)
    assert not core.accept_invite(group, BOT, accept_group_rooms=False)
    assert core.accept_invite(group, BOT, accept_group_rooms=True)
    assert not core.accept_invite([], BOT, accept_group_rooms=False)


def test_encrypted_messages_are_noticed():
    encrypted = {"type": "m.room.encrypted", "sender": DOCTOR, "event_id": "$e", "content": {}}
    assert core.has_encrypted_messages([encrypted], BOT)
    assert not core.has_encrypted_messages([{**encrypted, "sender": BOT}, text("x")], BOT)


def test_sync_filter_keeps_what_the_bridge_reads():
    timeline = core.sync_filter(7)["room"]["timeline"]
    assert timeline["limit"] == 7 and {"m.room.message", "m.room.member"} <= set(timeline["types"])


# ------------------------------------------------------------------ replies


def test_replies_become_matrix_messages_with_html_and_numbered_options():
    contents = core.render_replies([{"text": "Bonjour."}, question("prior_radiotherapy", 5, 7)], "m.notice")
    assert [c["msgtype"] for c in contents] == ["m.notice", "m.notice"]
    assert all(c["format"] == "org.matrix.custom.html" for c in contents)
    body = contents[1]["body"]
    assert body.startswith("Question 5 sur 7 — Le site à opérer a-t-il déjà été irradié ?")
    assert body.endswith("1. Oui\n2. Non\n3. Je ne sais pas\n\n" + ANSWER_HINT)
    assert "<strong>Le site à opérer a-t-il déjà été irradié ?</strong>" in contents[1]["formatted_body"]


def test_a_huge_reply_is_split_into_several_messages():
    huge = "\n\n".join("x" * 1000 for _ in range(45))
    assert len(core.render_replies([{"text": huge}])) == 3


def test_transaction_ids_are_stable_for_a_reply_and_distinct_between_replies():
    assert core.transaction_id("$a", 0) == core.transaction_id("$a", 0)
    assert len({core.transaction_id("$a", 0), core.transaction_id("$a", 1), core.transaction_id("$b", 0)}) == 3


def test_backoff_doubles_up_to_its_maximum_then_starts_again():
    backoff = core.Backoff(maximum=8, jitter=0)
    assert [backoff.next_delay() for _ in range(6)] == [1, 2, 4, 8, 8, 8]
    backoff.reset()
    assert backoff.next_delay() == 1
    jittered = core.Backoff(maximum=60, jitter=0.2)
    assert 0.8 <= jittered.next_delay() <= 1.2 and 1.6 <= jittered.next_delay() <= 2.4


# ------------------------------------------------------------------ state


def test_state_survives_a_restart(tmp_path):
    path = tmp_path / "state" / "state.json"
    state = core.BridgeState(path, BOT)
    state.set_login({"access_token": "syt_x", "device_id": "DEV"})
    state.set_next_batch("s42")
    incoming = core.Incoming(ROOM, "$1", "Bonjour")
    assert state.begin(incoming) is False
    state.record_answer(incoming, [{"body": "a"}, {"body": "b"}], [question("bone", 2, 7)])
    entry = state.pending(ROOM)[0]
    state.mark_sent(entry, 1)

    again = core.BridgeState(path, BOT)
    assert again.next_batch == "s42" and again.login == {"access_token": "syt_x", "device_id": "DEV"}
    assert again.is_handled("$1") and not again.is_handled("$2")
    assert [(p["event_id"], p["sent"]) for p in again.pending()] == [("$1", 1)]
    assert again.options.resolve(ROOM, "1") == '/inform{"bone": "femur"}'
    again.mark_sent(again.pending()[0], 2)
    assert core.BridgeState(path, BOT).pending() == []


def test_state_file_is_private_and_written_whole(tmp_path):
    state = core.BridgeState(tmp_path / "state.json", BOT)
    state.set_next_batch("s1")
    assert stat.S_IMODE(os.stat(tmp_path / "state.json").st_mode) == 0o600
    assert json.loads((tmp_path / "state.json").read_text())["next_batch"] == "s1"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left


def test_a_message_handed_to_rasa_before_a_crash_is_sent_again_as_a_redelivery(tmp_path):
    path = tmp_path / "state.json"
    incoming = core.Incoming(ROOM, "$1", "non")
    assert core.BridgeState(path, BOT).begin(incoming) is False  # then the bridge dies
    restarted = core.BridgeState(path, BOT)
    assert not restarted.is_handled("$1")
    assert restarted.begin(incoming) is True
    restarted.record_answer(incoming, [], [])
    assert core.BridgeState(path, BOT).data["in_flight"] == []
    assert core.BridgeState(path, BOT).pending() == []  # nothing to send: no entry


def test_replies_that_cannot_be_posted_are_dropped(tmp_path):
    state = core.BridgeState(tmp_path / "state.json", BOT)
    state.record_answer(core.Incoming(ROOM, "$1", "x"), [{"body": "a"}], [])
    state.drop_pending(state.pending()[0])
    assert core.BridgeState(tmp_path / "state.json", BOT).pending() == []


def test_handled_events_are_bounded(tmp_path):
    state = core.BridgeState(tmp_path / "state.json", BOT)
    for n in range(core.HANDLED_LIMIT + 5):
        state.data["handled"].append(f"$old{n}")
    state.record_answer(core.Incoming(ROOM, "$new", "x"), [], [])
    assert len(state.data["handled"]) == core.HANDLED_LIMIT and state.is_handled("$new")


def test_a_state_of_another_account_is_not_reused(tmp_path):
    path = tmp_path / "state.json"
    core.BridgeState(path, BOT).set_next_batch("s9")
    assert core.BridgeState(path, "@other:example.org").next_batch is None


def test_encrypted_room_notice_is_given_once(tmp_path):
    state = core.BridgeState(tmp_path / "state.json", BOT)
    assert not state.encrypted_room_told(ROOM)
    state.set_encrypted_room_told(ROOM)
    assert core.BridgeState(tmp_path / "state.json", BOT).encrypted_room_told(ROOM)


# ------------------------------------------------------------------ configuration


def test_configuration_from_credentials_yml_with_the_secret_in_the_environment(tmp_path, monkeypatch):
    credentials = tmp_path / "credentials.yml"
    credentials.write_text(f"""rest:
{SECTION}:
  homeserver: "https://matrix.agent.tchap.gouv.fr/"
  user_id: "@assistant-rcp:agent.tchap.gouv.fr"
  access_token: "${{MATRIX_ACCESS_TOKEN}}"
""")
    monkeypatch.setenv("MATRIX_ACCESS_TOKEN", "syt_secret")
    config = load(credentials, rasa_url="http://127.0.0.1:5006/", state_dir=None)
    assert config.homeserver == "https://matrix.agent.tchap.gouv.fr"
    assert config.access_token == "syt_secret" and config.password is None
    assert config.rasa_url == "http://127.0.0.1:5006" and config.state_dir == "var/matrix"
    assert config.msgtype == "m.notice" and config.accept_group_rooms is False
    assert config.state_path(tmp_path) == tmp_path / "var" / "matrix"


@pytest.mark.parametrize("section, problem", [
    ({"homeserver": "matrix.org", "user_id": BOT, "password": "x"}, "homeserver"),
    ({"homeserver": "https://m", "user_id": "assistant", "password": "x"}, "user_id"),
    ({"homeserver": "https://m", "user_id": BOT}, "access_token or password"),
    ({"homeserver": "https://m", "user_id": BOT, "password": "x", "msgtype": "m.emote"}, "msgtype"),
    ({"homeserver": "https://m", "user_id": BOT, "password": "x", "tokn": "x"}, "unknown setting(s) tokn"),
    ({"user_id": BOT, "password": "x"}, "homeserver"),
    ({"homeserver": "https://m", "user_id": BOT, "password": "${NOT_SET_ANYWHERE_42}"}, "NOT_SET_ANYWHERE_42"),
])
def test_configuration_errors_say_what_is_wrong(section, problem):
    with pytest.raises(ConfigError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        from_mapping(section)


def test_missing_section_points_to_the_documentation(tmp_path):
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("rest:\n")
    with pytest.raises(ConfigError, match="docs/matrix.md"):
        load(credentials)


def test_the_project_credentials_yml_works_without_a_matrix_account():
    from tests.support.servers import ROOT
    import yaml

    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    # Documented there, commented out: `make run` needs no messenger account.
    assert SECTION not in credentials
    assert not {"channels.telegram.TelegramInput", "channels.slack.SlackInput"} & set(credentials)
