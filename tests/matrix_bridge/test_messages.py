"""The Matrix bridge's decisions, without a homeserver: which events are
answered, which invitations accepted, what is sent, what survives a restart,
how fast it may call the homeserver, when its crypto store is unusable.
(The bridge itself runs against a real Synapse in tests/matrix.)"""

import asyncio
import base64
import json
import os
import stat

import pytest

from channels.buttonless import ANSWER_HINT
from channels.matrix import core, crosssigning
from channels.matrix import state as kept
from channels.matrix.config import SECTION, STORE_KEY_VARIABLE, ConfigError, from_mapping, load
from consultation.render import question
from harness.processes import ROOT

BOT = "@assistant:example.org"
DOCTOR = "@dr.martin:example.org"
ROOM = "!room:example.org"


def member(user, membership, previous=None, sender=None, **content):
    event = {
        "type": "m.room.member",
        "state_key": user,
        "sender": sender or user,
        "event_id": f"$m-{user}-{membership}",
        "content": {"membership": membership, **content},
    }
    if previous:
        event["unsigned"] = {"prev_content": {"membership": previous}}
    return event


def encrypted(event_id, sender=DOCTOR):
    """An event the bridge could not decrypt (nio leaves it as it came)."""
    return {
        "type": "m.room.encrypted",
        "sender": sender,
        "event_id": event_id,
        "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "…", "session_id": "s"},
    }


def text(body, sender=DOCTOR, event_id=None, msgtype="m.text", **content):
    return {
        "type": "m.room.message",
        "sender": sender,
        "event_id": event_id or f"$t-{body}",
        "content": {"msgtype": msgtype, "body": body, **content},
    }


# ------------------------------------------------------------------ events


def test_messages_after_our_join_are_answered_in_order_and_history_is_not():
    events = [text("écrit avant l'arrivée"), member(BOT, "join"), text("Bonjour"), text("fémur")]
    assert [(m.room_id, m.text) for m in core.messages_to_answer(ROOM, events, BOT)] == [
        (ROOM, "Bonjour"),
        (ROOM, "fémur"),
    ]


def test_the_first_message_of_a_direct_chat_written_while_we_are_only_invited_is_answered():
    # Element creates the room with the invitation, then sends the first
    # message at once: the assistant joins after it.
    events = [
        member(DOCTOR, "join"),
        text("écrit avant l'invitation"),
        member(BOT, "invite", sender=DOCTOR, is_direct=True),
        text("Bonjour"),
        member(BOT, "join", previous="invite"),
    ]
    assert [m.text for m in core.messages_to_answer(ROOM, events, BOT)] == ["Bonjour"]
    assert not core.needs_invitation(events, BOT)


def test_a_room_joined_without_its_invitation_in_the_batch_needs_it_fetched():
    events = [text("Bonjour"), member(BOT, "join", previous="invite")]
    assert core.needs_invitation(events, BOT)
    # Until it is found, history stops at the join, as before.
    assert core.messages_to_answer(ROOM, events, BOT) == []
    assert not core.needs_invitation([member(BOT, "invite", sender=DOCTOR)] + events, BOT)


def test_in_an_encrypted_room_a_few_events_before_the_invitation_are_read_too():
    invited = [
        member(BOT, "invite", sender=DOCTOR, is_direct=True),
        text("Bonjour"),
        member(BOT, "join", previous="invite"),
    ]
    # Unencrypted: the invitation is enough.
    assert not core.history_wanted(invited, BOT, encrypted=False)
    # Encrypted: what came before it, to notice messages encrypted without us.
    assert core.history_wanted(invited, BOT, encrypted=True)
    earlier = [text(f"m{n}") for n in range(core.PRE_INVITATION_EVENTS)]
    assert not core.history_wanted(earlier + invited, BOT, encrypted=True)
    # A room we did not just join needs nothing.
    assert not core.history_wanted([text("oui")], BOT, encrypted=True)


def test_a_change_of_our_name_is_not_an_arrival_in_the_room():
    events = [text("1"), member(BOT, "join", previous="join", displayname="Assistant"), text("2")]
    assert [m.text for m in core.messages_to_answer(ROOM, events, BOT)] == ["1", "2"]
    assert not core.needs_invitation(events, BOT)


def test_a_join_after_an_earlier_stay_without_invitation_needs_no_search():
    events = [member(BOT, "leave", previous="join"), text("vieux"), member(BOT, "join", previous="leave"), text("x")]
    assert not core.needs_invitation(events, BOT)
    assert [m.text for m in core.messages_to_answer(ROOM, events, BOT)] == ["x"]


def test_undecryptable_messages_after_the_invitation_get_one_notice_per_run():
    events = [
        member(BOT, "invite", sender=DOCTOR, is_direct=True),
        member(BOT, "join", previous="invite"),
        encrypted("$e1"),
        encrypted("$e2"),
        text("oui"),
        encrypted("$e3"),
        encrypted("$mine", sender=BOT),
    ]
    found = core.messages_to_answer(ROOM, events, BOT)
    assert [(m.event_id, m.undecryptable, m.notify) for m in found] == [
        ("$e1", True, True),
        ("$e2", True, False),
        ("$t-oui", False, True),
        ("$e3", True, True),
    ]


def test_messages_encrypted_before_the_invitation_get_one_notice_in_all():
    # Written before the assistant was invited: the keys were never sent to it.
    events = [
        encrypted("$old1"),
        encrypted("$other", sender="@autre:example.org"),
        text("clair"),
        encrypted("$old2"),
        member(BOT, "invite", sender=DOCTOR, is_direct=True),
        member(BOT, "join", previous="invite"),
        text("Bonjour"),
    ]
    found = core.messages_to_answer(ROOM, events, BOT)
    assert [(m.event_id, m.undecryptable, m.notify) for m in found] == [
        ("$old1", True, True),
        ("$old2", True, False),
        ("$t-Bonjour", False, True),
    ]


def test_the_undecryptable_notice_is_polite_french_asking_to_write_again():
    assert core.UNDECRYPTABLE_NOTICE.startswith("Je n'ai pas pu lire un de vos messages")
    assert "Pourriez-vous l'écrire à nouveau ?" in core.UNDECRYPTABLE_NOTICE


def test_a_room_joined_before_this_sync_has_only_new_messages():
    assert [m.text for m in core.messages_to_answer(ROOM, [text("1"), text("2")], BOT)] == ["1", "2"]


def test_our_own_messages_other_bots_notices_edits_and_non_text_are_ignored():
    events = [
        text("question", sender=BOT),
        text("autre bot", msgtype="m.notice"),
        text("* corrigé", **{"m.relates_to": {"rel_type": "m.replace", "event_id": "$x"}}),
        {
            "type": "m.room.message",
            "sender": DOCTOR,
            "event_id": "$img",
            "content": {"msgtype": "m.image", "body": "x.png"},
        },
        {"type": "m.reaction", "sender": DOCTOR, "event_id": "$r", "content": {}},
        text("   "),
        {"type": "m.room.message", "sender": DOCTOR, "content": {"msgtype": "m.text", "body": "sans id"}},
        text("oui"),
    ]
    assert [m.text for m in core.messages_to_answer(ROOM, events, BOT)] == ["oui"]


def test_a_reply_is_read_without_the_quoted_message():
    reply = text(
        "> <@assistant:example.org> Quel os ?\n\nle fémur", **{"m.relates_to": {"m.in_reply_to": {"event_id": "$q"}}}
    )
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
    contents = core.render_replies([{"text": "Bonjour."}, question("prior_radiotherapy", 5)], "m.notice")
    assert [c["msgtype"] for c in contents] == ["m.notice", "m.notice"]
    assert all(c["format"] == "org.matrix.custom.html" for c in contents)
    body = contents[1]["body"]
    assert body.startswith("Question 5 — Le site à opérer a-t-il déjà été irradié ?")
    assert body.endswith("1. Oui\n2. Non\n3. Je ne sais pas\n\n" + ANSWER_HINT)
    assert "<strong>Le site à opérer a-t-il déjà été irradié ?</strong>" in contents[1]["formatted_body"]


def test_a_huge_reply_is_split_into_several_messages():
    huge = "\n\n".join("x" * 1000 for _ in range(45))
    assert len(core.render_replies([{"text": huge}])) == 3


def test_the_rcp_sheet_of_action_report_in_matrix_becomes_its_text_then_a_pdf_file_to_upload():
    from rasa_sdk.executor import CollectingDispatcher

    from actions.action_report import ActionReport
    from actions.recommendation import compute
    from tests.actions.conftest import DOMAIN, make_tracker
    from tests.actions.test_actions import FEMUR_NECK

    tracker = make_tracker(
        slots={**FEMUR_NECK, "recommendation": compute(FEMUR_NECK)},
        text="rapport",
        intent="ask_report",
        input_channel="matrix",
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionReport().run(dispatcher, tracker, DOMAIN))
    contents = core.render_replies(dispatcher.messages, "m.notice")
    # The sheet in one message, the proposal first, then its PDF.
    assert [c["msgtype"] for c in contents] == ["m.notice", "m.file"]
    assert contents[0]["body"].startswith("Chirurgie indiquée")
    attached = contents[1]
    pdf = base64.b64decode(attached[core.UPLOAD]["base64"])
    assert pdf.startswith(b"%PDF")
    assert attached["body"] == attached["filename"]
    assert attached["filename"].startswith("recapitulatif-rcp-") and attached["filename"].endswith(".pdf")
    assert attached["info"] == {"mimetype": "application/pdf", "size": len(pdf)}


PDF = b"%PDF-1.4 une fiche\n%%EOF\n"


def file_reply(data=PDF, filename="recapitulatif-rcp-2026-11-30-16h05.pdf"):
    encoded = base64.b64encode(data).decode("ascii") if isinstance(data, bytes) else data
    return {"custom": {"data": {"file": {"filename": filename, "mimetype": "application/pdf", "base64": encoded}}}}


def test_a_file_keeps_its_place_among_the_texts_and_other_custom_payloads_show_nothing():
    replies = [
        {"text": "Avant."},
        {"custom": {"data": {"recommendation_ready": True}}},
        file_reply(),
        {"text": "Après."},
    ]
    contents = core.render_replies(replies)
    assert [c.get("body") for c in contents] == ["Avant.", "recapitulatif-rcp-2026-11-30-16h05.pdf", "Après."]


def test_a_file_without_valid_content_or_with_a_path_in_its_name_is_made_safe():
    assert core.render_replies([file_reply("pas du base64 !")]) == []
    assert core.render_replies([file_reply(b"")]) == []
    [content] = core.render_replies([file_reply(filename="../../etc/passwd")])
    assert content["filename"] == "passwd"


def test_an_uploaded_file_is_sent_by_address_in_clear_and_with_its_keys_when_encrypted():
    [content] = core.render_replies([file_reply()])
    plain = core.uploaded_file_message(content, "mxc://localhost/abc", None)
    assert plain == {
        "msgtype": "m.file",
        "body": "recapitulatif-rcp-2026-11-30-16h05.pdf",
        "filename": "recapitulatif-rcp-2026-11-30-16h05.pdf",
        "info": {"mimetype": "application/pdf", "size": len(PDF)},
        "url": "mxc://localhost/abc",
    }
    keys = {"v": "v2", "key": {"kty": "oct", "k": "…"}, "iv": "…", "hashes": {"sha256": "…"}}
    encrypted = core.uploaded_file_message(content, "mxc://localhost/abc", keys)
    assert "url" not in encrypted and core.UPLOAD not in encrypted
    assert encrypted["file"] == {**keys, "url": "mxc://localhost/abc"}


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
    state = kept.BridgeState(path, BOT)
    state.set_login({"access_token": "syt_x", "device_id": "DEV"})
    state.set_next_batch("s42")
    incoming = core.Incoming(ROOM, "$1", "Bonjour")
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
    incoming = core.Incoming(ROOM, "$1", "non")
    assert kept.BridgeState(path, BOT).begin(incoming) is False  # then the bridge dies
    restarted = kept.BridgeState(path, BOT)
    assert not restarted.is_handled("$1")
    assert restarted.begin(incoming) is True
    restarted.record_answer(incoming, [], [])
    assert kept.BridgeState(path, BOT).data["in_flight"] == []
    assert kept.BridgeState(path, BOT).pending() == []  # nothing to send: no entry


def test_replies_that_cannot_be_posted_are_dropped(tmp_path):
    state = kept.BridgeState(tmp_path / "state.json", BOT)
    state.record_answer(core.Incoming(ROOM, "$1", "x"), [{"body": "a"}], [])
    state.drop_pending(state.pending()[0])
    assert kept.BridgeState(tmp_path / "state.json", BOT).pending() == []


def test_handled_events_are_bounded(tmp_path):
    state = kept.BridgeState(tmp_path / "state.json", BOT)
    for n in range(kept.HANDLED_LIMIT + 5):
        state.data["handled"].append(f"$old{n}")
    state.record_answer(core.Incoming(ROOM, "$new", "x"), [], [])
    assert len(state.data["handled"]) == kept.HANDLED_LIMIT and state.is_handled("$new")


def test_a_file_waits_in_the_outbox_once_not_in_the_state_and_survives_a_restart(tmp_path):
    path = tmp_path / "state.json"
    big = b"%PDF-1.4 " + os.urandom(40_000)
    contents = [core.matrix_message("La fiche."), *core.render_replies([file_reply(big)])]
    kept.BridgeState(path, BOT).record_answer(core.Incoming(ROOM, "$r", "rapport"), contents, [])
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
    sent = core.uploaded_file_message(waiting, "mxc://localhost/f", None)
    again.set_uploaded(entry, 1, sent)
    assert list((tmp_path / "outbox").iterdir()) == []  # uploaded: no longer kept
    # Killed before the send was confirmed: the same message goes again.
    assert kept.BridgeState(path, BOT).pending(ROOM)[0]["contents"][1] == sent
    again.mark_sent(entry, 2)
    assert kept.BridgeState(path, BOT).pending() == []


def test_files_of_dropped_replies_and_of_a_run_killed_before_noting_them_are_removed(tmp_path):
    path = tmp_path / "state.json"
    state = kept.BridgeState(path, BOT)
    state.record_answer(core.Incoming(ROOM, "$r", "rapport"), core.render_replies([file_reply()]), [])
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
    state.record_answer(core.Incoming(ROOM, "$q", "Bonjour"), [{"body": "Quel os ?"}], [question("bone", 2)])
    state.mark_sent(state.pending()[0], 1)
    notice = core.matrix_message(core.UNDECRYPTABLE_NOTICE)
    state.record_notice(core.Incoming(ROOM, "$e", "", undecryptable=True), [notice])
    again = kept.BridgeState(path, BOT)
    assert again.is_handled("$e") and [p["contents"] for p in again.pending()] == [[notice]]
    # The clinician writes the answer again: « 1 » still means the first option.
    assert again.options.resolve(ROOM, "1") == '/inform{"bone": "femur"}'


def test_encrypted_room_notice_is_given_once(tmp_path):
    state = kept.BridgeState(tmp_path / "state.json", BOT)
    assert not state.encrypted_room_told(ROOM)
    state.set_encrypted_room_told(ROOM)
    assert kept.BridgeState(tmp_path / "state.json", BOT).encrypted_room_told(ROOM)


# ------------------------------------------------------------------ rate limit


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_calls_keep_to_about_one_per_second_after_a_small_burst():
    # Tchap asks bots for about one call per second.
    clock = Clock()
    limiter = core.RateLimiter(rate=1.0, burst=3, clock=clock)
    waits = [limiter.reserve() for _ in range(6)]
    assert waits == [0, 0, 0, 1.0, 2.0, 3.0]
    clock.now += 10  # a quiet moment refills the reserve, never beyond it
    assert [limiter.reserve() for _ in range(4)] == [0, 0, 0, 1.0]


def test_no_window_ever_holds_more_calls_than_the_limit_allows():
    clock = Clock()
    limiter = core.RateLimiter(rate=1.0, burst=3, clock=clock)
    moments = []
    for gap in [0, 0, 0.1, 0.1, 0.5, 3, 0, 0, 0, 0, 0.2, 7, 0, 0, 0, 0, 0]:
        clock.now += gap
        moments.append(clock.now + limiter.reserve())
    moments.sort()
    for i in range(len(moments)):
        for j in range(i, len(moments)):
            assert j - i + 1 <= 3 + 1.0 * (moments[j] - moments[i]) + 1e-9


def test_optional_calls_go_only_when_the_reserve_allows_them():
    clock = Clock()
    limiter = core.RateLimiter(rate=1.0, burst=3, clock=clock)
    assert limiter.available(2)
    limiter.reserve()
    limiter.reserve()
    assert limiter.available(1) and not limiter.available(2)
    limiter.reserve()
    assert not limiter.available()
    clock.now += 1
    assert limiter.available()


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


# ------------------------------------------------------------------ cross-signing plan

USER, DEVICE = BOT, "BOTDEVICE"


class Keys:
    """Stands for crosssigning.CrossSigningKeys (the plan reads only `matches`)."""

    def __init__(self, master, self_signing):
        self.master_key, self.self_signing_key = master, self_signing

    def matches(self, master, self_signing):
        return (master, self_signing) == (self.master_key, self.self_signing_key)


def keys_query(master=None, self_signing=None, device_signed_by=()):
    query = {
        "device_keys": {
            USER: {
                DEVICE: {
                    "user_id": USER,
                    "device_id": DEVICE,
                    "signatures": {
                        USER: {f"ed25519:{DEVICE}": "self", **{f"ed25519:{k}": "sig" for k in device_signed_by}}
                    },
                }
            }
        }
    }
    if master:
        query["master_keys"] = {USER: {"user_id": USER, "usage": ["master"], "keys": {f"ed25519:{master}": master}}}
    if self_signing:
        query["self_signing_keys"] = {
            USER: {"user_id": USER, "usage": ["self_signing"], "keys": {f"ed25519:{self_signing}": self_signing}}
        }
    return query


def test_cross_signing_at_first_start_uploads_keys():
    assert crosssigning.plan(keys_query(), USER, DEVICE, None) == crosssigning.UPLOAD


def test_cross_signing_signs_a_device_not_yet_signed_by_our_keys():
    assert crosssigning.plan(keys_query("M", "S"), USER, DEVICE, Keys("M", "S")) == crosssigning.SIGN_DEVICE
    assert crosssigning.plan(keys_query("M", "S", ["S"]), USER, DEVICE, Keys("M", "S")) == crosssigning.DONE


def test_cross_signing_keys_we_do_not_hold_are_reported_not_overwritten():
    assert crosssigning.plan(keys_query("M", "S"), USER, DEVICE, None) == crosssigning.FOREIGN
    assert crosssigning.plan(keys_query("M2", "S2"), USER, DEVICE, Keys("M", "S")) == crosssigning.FOREIGN
    assert "--reset-cross-signing" in crosssigning.FOREIGN_EXPLANATION


def test_signatures_cover_the_canonical_json_without_signatures_and_unsigned():
    device = {
        "user_id": USER,
        "device_id": DEVICE,
        "keys": {"ed25519:D": "é"},
        "algorithms": ["b", "a"],
        "signatures": {USER: {"ed25519:D": "x"}},
        "unsigned": {"device_display_name": "n"},
    }
    assert (
        crosssigning.canonical_json(crosssigning.signable(device))
        == (
            '{"algorithms":["b","a"],"device_id":"BOTDEVICE","keys":{"ed25519:D":"é"},"user_id":"@assistant:example.org"}'
        ).encode()
    )
    signed = crosssigning.with_signature(device, USER, "ed25519:S", "sig")
    assert signed["signatures"] == {USER: {"ed25519:D": "x", "ed25519:S": "sig"}} and "unsigned" not in signed
    assert device["signatures"] == {USER: {"ed25519:D": "x"}}  # the original is left alone


# ------------------------------------------------------------------ dependencies


def test_the_bridge_pins_nio_with_vodozemac_and_no_lock_file_has_libolm():
    bridge = (ROOT / "channels" / "matrix" / "requirements.txt").read_text().lower()
    assert "matrix-nio[e2e]==0.26." in bridge and "\nvodozemac==" in bridge
    for lock in [
        ROOT / "requirements.in",
        ROOT / "requirements.lock",
        *sorted((ROOT / "channels").rglob("*requirements*.txt")),
    ]:
        pins = [
            line.split("==")[0].split("[")[0].strip()
            for line in lock.read_text().lower().splitlines()
            if line.strip() and not line.startswith("#")
        ]
        assert not {"python-olm", "olm", "libolm"} & set(pins), lock
        assert not any("[olm]" in line or "[encryption]" in line for line in lock.read_text().lower().splitlines())
    # The web widget's npm lock: no olm (libolm's JavaScript build) either.
    npm = json.loads((ROOT / "web" / "package-lock.json").read_text())
    names = {path.rsplit("node_modules/", 1)[-1] for path in npm.get("packages", {})}
    assert not {"olm", "@matrix-org/olm"} & names


# ------------------------------------------------------------------ configuration


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
