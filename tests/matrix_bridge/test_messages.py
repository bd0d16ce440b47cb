"""Which Matrix events the bridge answers, which invitations it accepts,
and what it sends back (texts with numbered options, files), without a
homeserver (the bridge itself runs against a real Synapse in tests/matrix)."""

import asyncio
import base64

from channels.buttonless import ANSWER_HINT
from consultation.questions import question
from matrix_bridge import messages
from tests.matrix_bridge.files import PDF, file_reply

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
    assert [(m.room_id, m.text) for m in messages.messages_to_answer(ROOM, events, BOT)] == [
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
    assert [m.text for m in messages.messages_to_answer(ROOM, events, BOT)] == ["Bonjour"]
    assert not messages.needs_invitation(events, BOT)


def test_a_room_joined_without_its_invitation_in_the_batch_needs_it_fetched():
    events = [text("Bonjour"), member(BOT, "join", previous="invite")]
    assert messages.needs_invitation(events, BOT)
    # Until it is found, history stops at the join, as before.
    assert messages.messages_to_answer(ROOM, events, BOT) == []
    assert not messages.needs_invitation([member(BOT, "invite", sender=DOCTOR)] + events, BOT)


def test_in_an_encrypted_room_a_few_events_before_the_invitation_are_read_too():
    invited = [
        member(BOT, "invite", sender=DOCTOR, is_direct=True),
        text("Bonjour"),
        member(BOT, "join", previous="invite"),
    ]
    # Unencrypted: the invitation is enough.
    assert not messages.history_wanted(invited, BOT, encrypted=False)
    # Encrypted: what came before it, to notice messages encrypted without us.
    assert messages.history_wanted(invited, BOT, encrypted=True)
    earlier = [text(f"m{n}") for n in range(messages.PRE_INVITATION_EVENTS)]
    assert not messages.history_wanted(earlier + invited, BOT, encrypted=True)
    # A room we did not just join needs nothing.
    assert not messages.history_wanted([text("oui")], BOT, encrypted=True)


def test_a_change_of_our_name_is_not_an_arrival_in_the_room():
    events = [text("1"), member(BOT, "join", previous="join", displayname="Assistant"), text("2")]
    assert [m.text for m in messages.messages_to_answer(ROOM, events, BOT)] == ["1", "2"]
    assert not messages.needs_invitation(events, BOT)


def test_a_join_after_an_earlier_stay_without_invitation_needs_no_search():
    events = [member(BOT, "leave", previous="join"), text("vieux"), member(BOT, "join", previous="leave"), text("x")]
    assert not messages.needs_invitation(events, BOT)
    assert [m.text for m in messages.messages_to_answer(ROOM, events, BOT)] == ["x"]


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
    found = messages.messages_to_answer(ROOM, events, BOT)
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
    found = messages.messages_to_answer(ROOM, events, BOT)
    assert [(m.event_id, m.undecryptable, m.notify) for m in found] == [
        ("$old1", True, True),
        ("$old2", True, False),
        ("$t-Bonjour", False, True),
    ]


def test_the_undecryptable_notice_is_polite_french_asking_to_write_again():
    assert messages.UNDECRYPTABLE_NOTICE.startswith("Je n'ai pas pu lire un de vos messages")
    assert "Pourriez-vous l'écrire à nouveau ?" in messages.UNDECRYPTABLE_NOTICE


def test_a_room_joined_before_this_sync_has_only_new_messages():
    assert [m.text for m in messages.messages_to_answer(ROOM, [text("1"), text("2")], BOT)] == ["1", "2"]


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
    assert [m.text for m in messages.messages_to_answer(ROOM, events, BOT)] == ["oui"]


def test_a_reply_is_read_without_the_quoted_message():
    reply = text(
        "> <@assistant:example.org> Quel os ?\n\nle fémur", **{"m.relates_to": {"m.in_reply_to": {"event_id": "$q"}}}
    )
    assert messages.message_text(reply) == "le fémur"


def test_direct_invitations_are_accepted_others_only_if_allowed():
    direct = [member(DOCTOR, "join"), {**member(BOT, "invite", is_direct=True), "sender": DOCTOR}]
    group = [member(DOCTOR, "join"), {**member(BOT, "invite"), "sender": DOCTOR}]
    assert messages.accept_invite(direct, BOT, accept_group_rooms=False)
    assert not messages.accept_invite(group, BOT, accept_group_rooms=False)
    assert messages.accept_invite(group, BOT, accept_group_rooms=True)
    assert not messages.accept_invite([], BOT, accept_group_rooms=False)


def test_encrypted_messages_are_noticed():
    encrypted = {"type": "m.room.encrypted", "sender": DOCTOR, "event_id": "$e", "content": {}}
    assert messages.has_encrypted_messages([encrypted], BOT)
    assert not messages.has_encrypted_messages([{**encrypted, "sender": BOT}, text("x")], BOT)


def test_sync_filter_keeps_what_the_bridge_reads():
    timeline = messages.sync_filter(7)["room"]["timeline"]
    assert timeline["limit"] == 7 and {"m.room.message", "m.room.member"} <= set(timeline["types"])


# ------------------------------------------------------------------ replies


def test_replies_become_matrix_messages_with_html_and_numbered_options():
    contents = messages.render_replies([{"text": "Bonjour."}, question("prior_radiotherapy", 5)], "m.notice")
    assert [c["msgtype"] for c in contents] == ["m.notice", "m.notice"]
    assert all(c["format"] == "org.matrix.custom.html" for c in contents)
    body = contents[1]["body"]
    assert body.startswith("Question 5 — Le site à opérer a-t-il déjà été irradié ?")
    assert body.endswith("1. Oui\n2. Non\n3. Je ne sais pas\n\n" + ANSWER_HINT)
    assert "<strong>Le site à opérer a-t-il déjà été irradié ?</strong>" in contents[1]["formatted_body"]


def test_a_huge_reply_is_split_into_several_messages():
    huge = "\n\n".join("x" * 1000 for _ in range(45))
    assert len(messages.render_replies([{"text": huge}])) == 3


def test_the_rcp_sheet_of_action_report_in_matrix_becomes_its_text_then_a_pdf_file_to_upload():
    from rasa_sdk.executor import CollectingDispatcher

    from actions.action_report import ActionReport
    from consultation.progress import recommendation_for
    from tests.actions.conftest import DOMAIN, make_tracker
    from tests.actions.test_actions import FEMUR_NECK

    tracker = make_tracker(
        slots={**FEMUR_NECK, "recommendation": recommendation_for(FEMUR_NECK)},
        text="rapport",
        intent="ask_report",
        input_channel="matrix",
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionReport().run(dispatcher, tracker, DOMAIN))
    contents = messages.render_replies(dispatcher.messages, "m.notice")
    # The sheet in one message, the proposal first, then its PDF.
    assert [c["msgtype"] for c in contents] == ["m.notice", "m.file"]
    assert contents[0]["body"].startswith("Chirurgie indiquée")
    attached = contents[1]
    pdf = base64.b64decode(attached[messages.UPLOAD]["base64"])
    assert pdf.startswith(b"%PDF")
    assert attached["body"] == attached["filename"]
    assert attached["filename"].startswith("recapitulatif-rcp-") and attached["filename"].endswith(".pdf")
    assert attached["info"] == {"mimetype": "application/pdf", "size": len(pdf)}


def test_a_file_keeps_its_place_among_the_texts_and_other_custom_payloads_show_nothing():
    replies = [
        {"text": "Avant."},
        {"custom": {"data": {"recommendation_ready": True}}},
        file_reply(),
        {"text": "Après."},
    ]
    contents = messages.render_replies(replies)
    assert [c.get("body") for c in contents] == ["Avant.", "recapitulatif-rcp-2026-11-30-16h05.pdf", "Après."]


def test_a_file_without_valid_content_or_with_a_path_in_its_name_is_made_safe():
    assert messages.render_replies([file_reply("pas du base64 !")]) == []
    assert messages.render_replies([file_reply(b"")]) == []
    [content] = messages.render_replies([file_reply(filename="../../etc/passwd")])
    assert content["filename"] == "passwd"


def test_an_uploaded_file_is_sent_by_address_in_clear_and_with_its_keys_when_encrypted():
    [content] = messages.render_replies([file_reply()])
    plain = messages.uploaded_file_message(content, "mxc://localhost/abc", None)
    assert plain == {
        "msgtype": "m.file",
        "body": "recapitulatif-rcp-2026-11-30-16h05.pdf",
        "filename": "recapitulatif-rcp-2026-11-30-16h05.pdf",
        "info": {"mimetype": "application/pdf", "size": len(PDF)},
        "url": "mxc://localhost/abc",
    }
    keys = {"v": "v2", "key": {"kty": "oct", "k": "…"}, "iv": "…", "hashes": {"sha256": "…"}}
    encrypted = messages.uploaded_file_message(content, "mxc://localhost/abc", keys)
    assert "url" not in encrypted and messages.UPLOAD not in encrypted
    assert encrypted["file"] == {**keys, "url": "mxc://localhost/abc"}


def test_transaction_ids_are_stable_for_a_reply_and_distinct_between_replies():
    assert messages.transaction_id("$a", 0) == messages.transaction_id("$a", 0)
    assert (
        len({messages.transaction_id("$a", 0), messages.transaction_id("$a", 1), messages.transaction_id("$b", 0)}) == 3
    )
