"""What the bridge keeps across restarts (answers in flight, the outbox of
files, options shown) and when its crypto store is unusable."""

import json
import os
import stat

import pytest

from consultation.questions import question
from matrix_bridge import messages
from matrix_bridge import state as kept
from tests.matrix_bridge.files import PDF, file_reply

BOT = "@assistant:example.org"
DOCTOR = "@dr.martin:example.org"
ROOM = "!room:example.org"


# ------------------------------------------------------------------ state


def test_state_survives_a_restart(tmp_path):
    path = tmp_path / "state" / "state.json"
    state = kept.BridgeState(path, BOT)
    state.set_login({"access_token": "syt_x", "device_id": "DEV"})
    state.set_next_batch("s42")
    incoming = messages.Incoming(ROOM, "$1", "Bonjour")
    assert state.begin(incoming) is False
    state.record_answer(incoming, [{"body": "a"}, {"body": "b"}], [question("bone", 2)])
    entry = state.pending(ROOM)[0]
    state.mark_sent(entry, 1)

    again = kept.BridgeState(path, BOT)
    assert again.next_batch == "s42" and again.login == {"access_token": "syt_x", "device_id": "DEV"}
    assert again.is_handled("$1") and not again.is_handled("$2")
    assert [(p["event_id"], p["sent"]) for p in again.pending()] == [("$1", 1)]
    assert again.options.resolve(ROOM, "1") == '/inform{"bone": "femur"}'
    again.mark_sent(again.pending()[0], 2)
    assert kept.BridgeState(path, BOT).pending() == []


def test_state_file_is_private_and_written_whole(tmp_path):
    state = kept.BridgeState(tmp_path / "state.json", BOT)
    state.set_next_batch("s1")
    assert stat.S_IMODE(os.stat(tmp_path / "state.json").st_mode) == 0o600
    assert json.loads((tmp_path / "state.json").read_text())["next_batch"] == "s1"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left


def test_a_message_handed_to_rasa_before_a_crash_is_sent_again_as_a_redelivery(tmp_path):
    path = tmp_path / "state.json"
    incoming = messages.Incoming(ROOM, "$1", "non")
    assert kept.BridgeState(path, BOT).begin(incoming) is False  # then the bridge dies
    restarted = kept.BridgeState(path, BOT)
    assert not restarted.is_handled("$1")
    assert restarted.begin(incoming) is True
    restarted.record_answer(incoming, [], [])
    assert kept.BridgeState(path, BOT).data["in_flight"] == []
    assert kept.BridgeState(path, BOT).pending() == []  # nothing to send: no entry


def test_replies_that_cannot_be_posted_are_dropped(tmp_path):
    state = kept.BridgeState(tmp_path / "state.json", BOT)
    state.record_answer(messages.Incoming(ROOM, "$1", "x"), [{"body": "a"}], [])
    state.drop_pending(state.pending()[0])
    assert kept.BridgeState(tmp_path / "state.json", BOT).pending() == []


def test_handled_events_are_bounded(tmp_path):
    state = kept.BridgeState(tmp_path / "state.json", BOT)
    for n in range(kept.HANDLED_LIMIT + 5):
        state.data["handled"].append(f"$old{n}")
    state.record_answer(messages.Incoming(ROOM, "$new", "x"), [], [])
    assert len(state.data["handled"]) == kept.HANDLED_LIMIT and state.is_handled("$new")


def test_a_file_waits_in_the_outbox_once_not_in_the_state_and_survives_a_restart(tmp_path):
    path = tmp_path / "state.json"
    big = b"%PDF-1.4 " + os.urandom(40_000)
    contents = [messages.matrix_message("La fiche."), *messages.render_replies([file_reply(big)])]
    kept.BridgeState(path, BOT).record_answer(messages.Incoming(ROOM, "$r", "rapport"), contents, [])
    # The state names the file; its bytes are written once beside it, private.
    assert path.stat().st_size < 2_000
    [stored] = (tmp_path / "outbox").iterdir()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600 and stored.read_bytes() == big

    # Killed, restarted: the text is sent, then the file is uploaded.
    again = kept.BridgeState(path, BOT)
    entry = again.pending(ROOM)[0]
    again.mark_sent(entry, 1)
    waiting = entry["contents"][1]
    assert again.file_bytes(waiting) == big
    sent = messages.uploaded_file_message(waiting, "mxc://localhost/f", None)
    again.set_uploaded(entry, 1, sent)
    assert list((tmp_path / "outbox").iterdir()) == []  # uploaded: no longer kept
    # Killed before the send was confirmed: the same message goes again.
    assert kept.BridgeState(path, BOT).pending(ROOM)[0]["contents"][1] == sent
    again.mark_sent(entry, 2)
    assert kept.BridgeState(path, BOT).pending() == []


def test_files_of_dropped_replies_and_of_a_run_killed_before_noting_them_are_removed(tmp_path):
    path = tmp_path / "state.json"
    state = kept.BridgeState(path, BOT)
    state.record_answer(messages.Incoming(ROOM, "$r", "rapport"), messages.render_replies([file_reply()]), [])
    state.drop_pending(state.pending()[0])
    assert list((tmp_path / "outbox").iterdir()) == []
    (tmp_path / "outbox" / "orphelin").write_bytes(PDF)
    kept.BridgeState(path, BOT)
    assert list((tmp_path / "outbox").iterdir()) == []


def test_a_state_of_another_account_is_not_reused(tmp_path):
    path = tmp_path / "state.json"
    kept.BridgeState(path, BOT).set_next_batch("s9")
    assert kept.BridgeState(path, "@other:example.org").next_batch is None


def test_a_notice_for_an_undecryptable_message_is_sent_once_and_keeps_the_options(tmp_path):
    path = tmp_path / "state.json"
    state = kept.BridgeState(path, BOT)
    state.record_answer(messages.Incoming(ROOM, "$q", "Bonjour"), [{"body": "Quel os ?"}], [question("bone", 2)])
    state.mark_sent(state.pending()[0], 1)
    notice = messages.matrix_message(messages.UNDECRYPTABLE_NOTICE)
    state.record_notice(messages.Incoming(ROOM, "$e", "", undecryptable=True), [notice])
    again = kept.BridgeState(path, BOT)
    assert again.is_handled("$e") and [p["contents"] for p in again.pending()] == [[notice]]
    # The clinician writes the answer again: « 1 » still means the first option.
    assert again.options.resolve(ROOM, "1") == '/inform{"bone": "femur"}'


def test_encrypted_room_notice_is_given_once(tmp_path):
    state = kept.BridgeState(tmp_path / "state.json", BOT)
    assert not state.encrypted_room_told(ROOM)
    state.set_encrypted_room_told(ROOM)
    assert kept.BridgeState(tmp_path / "state.json", BOT).encrypted_room_told(ROOM)


# ------------------------------------------------------------------ crypto store


def test_a_matching_or_new_crypto_store_is_fine():
    assert kept.crypto_store_problem("DEV", True, "ed-key", "ed-key") is None
    assert kept.crypto_store_problem("DEV", False, "ed-key", None) is None  # a new device: keys uploaded now


@pytest.mark.parametrize("existed, cause", [(False, "is missing"), (True, "does not hold the keys")])
def test_a_lost_or_mismatched_crypto_store_is_explained_with_the_recovery_steps(existed, cause):
    problem = kept.crypto_store_problem("DEV", existed, "new-key", "old-key")
    assert cause in problem and "device DEV" in problem
    assert "--new-device" in problem and "new token" in problem and "remove the old device" in problem


def test_an_unreadable_store_says_the_key_is_probably_wrong(tmp_path):
    message = kept.unreadable_store(tmp_path / "x.db", ValueError("MAC tag mismatch"))
    assert "store key changed" in message and "--new-device" in message


def test_the_crypto_store_directory_is_made_private(tmp_path):
    store = tmp_path / "crypto"
    store.mkdir(mode=0o755)
    (store / "a.db").write_text("x")
    os.chmod(store / "a.db", 0o644)
    (store / "b.db").write_text("x")
    os.chmod(store / "b.db", 0o600)
    assert kept.make_private(store) == [store / "a.db"]
    assert stat.S_IMODE(os.stat(store).st_mode) == 0o700
    assert {stat.S_IMODE(os.stat(f).st_mode) for f in store.iterdir()} == {0o600}
