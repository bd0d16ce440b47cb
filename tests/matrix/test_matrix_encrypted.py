"""A clinician consults the assistant in an end-to-end encrypted direct chat,
as Element and Tchap open one by default, on a real Synapse homeserver.

The clinician's client encrypts with matrix-nio[e2e] (vodozemac), in the
bridge's environment, and behaves as Element does since 2026 ("exclude
insecure devices", MSC4153): it shares room keys only with devices their
owner has cross-signed, and says for each message read whether its sender's
device was. The story: the first message is written while the assistant is
only invited; the bridge is killed with SIGKILL mid-consultation and restarted
on the same store; the clinician goes on from a new device; the
recommendation arrives with its references, then the RCP sheet as an
encrypted PDF file. Nothing lost or repeated is checked against Rasa's
record, as for unencrypted rooms.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from channels.formatting import matrix_html, plain_text
from harness.scripts import FEMORAL_NECK_FREE_TEXT
from matrix_bridge import crosssigning
from tests.matrix.conftest import CLINICIAN_PASSWORD, STORE_KEY
from tests.matrix.conversation import (
    RCP_SHEET,
    SWANSON,
    bot_texts,
    is_file,
    pdf_text,
    question,
    says,
    sends_a_file,
    slots,
    user_texts,
    wait_for_bot,
)
from tests.matrix.e2ee import EncryptedClinician

pytestmark = pytest.mark.e2e

# Tchap's help page for bots: about one API call per second. The bridge's
# documented reserve (rate_limit_burst) is 3 calls.
TCHAP_CALLS_PER_SECOND = 1.0
BURST = 3


# ---------------------------------------------------------------------- helpers


def verified(key_object: dict[str, Any], user_id: str, public_key: str) -> bool:
    """`key_object` is signed by `public_key` (checked with the `cryptography`
    package, not with the bridge's pycryptodome)."""
    signature = ((key_object.get("signatures") or {}).get(user_id) or {}).get(f"ed25519:{public_key}")
    if not signature:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(crosssigning.unb64(public_key)).verify(
            crosssigning.unb64(signature), crosssigning.canonical_json(crosssigning.signable(key_object))
        )
    except InvalidSignature:
        return False
    return True


def cross_signed_devices(setup, user_id: str) -> dict[str, bool]:
    """Each device of `user_id`: signed by a self-signing key that the
    master key signed."""
    query = setup.clinician.api("POST", "/keys/query", {"device_keys": {user_id: []}})
    master = crosssigning.key_of((query.get("master_keys") or {}).get(user_id))
    self_signing_key = (query.get("self_signing_keys") or {}).get(user_id) or {}
    self_signing = crosssigning.key_of(self_signing_key)
    chain = bool(master and self_signing and verified(self_signing_key, user_id, master))
    return {
        device: chain and verified(keys, user_id, self_signing or "")
        for device, keys in ((query.get("device_keys") or {}).get(user_id) or {}).items()
    }


def until(condition, what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{what}: not within {timeout} s")


def bot_device(setup) -> str:
    return str(json.loads((setup.state_dir / "state.json").read_text())["device_id"])


def bridge_has_run_once(setup) -> None:
    """The assistant's device exists and is cross-signed (its first start
    does it), so that the clinician's client shares keys with it."""
    setup.bridge.ensure_running()
    until(
        lambda: (
            (setup.state_dir / "state.json").exists()
            and cross_signed_devices(setup, setup.bot_user).get(bot_device(setup))
        ),
        "the assistant's device cross-signed",
    )


@pytest.fixture(scope="module")
def clinician(matrix) -> Iterator[EncryptedClinician]:
    """The clinician's first device (Element on the ward's computer)."""
    device = EncryptedClinician(
        matrix.synapse,
        matrix.clinician.user_id,
        CLINICIAN_PASSWORD,
        matrix.workdir / "clinicien-poste",
        "Element — poste du service",
        matrix.workdir / "clinicien-poste.log",
    )
    yield device
    device.close()


def answered(room: str, clinician: EncryptedClinician, bot: str, event: str, *fragments: str) -> list[dict[str, Any]]:
    replies = wait_for_bot(clinician, room, event, bot, says(*fragments))
    assert all(reply["decrypted"] for reply in replies), "the assistant's replies are read decrypted"
    return replies


# ---------------------------------------------------------------------- the consultation


def test_an_encrypted_direct_chat_from_its_first_message_to_the_recommendation_across_a_kill_and_a_new_device(
    matrix, clinician
):
    setup, bot = matrix, matrix.bot_user
    script = FEMORAL_NECK_FREE_TEXT
    bridge_has_run_once(setup)

    # Element creates the encrypted direct chat with the invitation and sends
    # the first message at once, while the assistant is only invited (here
    # the bridge is stopped: it cannot have joined).
    assert setup.bridge.stop() == 0
    room = clinician.create_direct_room(invite=bot)
    first = clinician.send(room, script[0][0])
    began = time.monotonic()
    setup.bridge.start()
    answered(room, clinician, bot, first, question("situation"))
    setup.timings["e2ee_first_message_answered_after_bridge_start_s"] = round(time.monotonic() - began, 3)
    timeline = clinician.timeline(room)
    ids = [event["event_id"] for event in timeline]
    bot_join = next(
        e["event_id"]
        for e in timeline
        if e["type"] == "m.room.member" and e["state_key"] == bot and e["content"].get("membership") == "join"
    )
    assert ids.index(first) < ids.index(bot_join)
    assert timeline[ids.index(first)]["decrypted"]  # it was encrypted, for the invited assistant too

    def turn(device: EncryptedClinician, step: int) -> list[dict[str, Any]]:
        text, expected = script[step]
        began = time.monotonic()
        event = device.send(room, text)
        replies = answered(room, device, bot, event, question(expected["requested_slot"]))
        setup.timings.setdefault("e2ee_turn_latencies_s", []).append(round(time.monotonic() - began, 3))
        assert expected.items() <= slots(setup, room).items()
        return replies

    for step in range(1, 5):
        turn(clinician, step)

    # The bridge is killed (SIGKILL) just after a message, whatever it was
    # doing; the clinician answers the next question meanwhile; the bridge
    # comes back on the same store and decrypts and answers both.
    killed_after = clinician.send(room, script[5][0])
    assert setup.bridge.kill() == -9
    while_dead = clinician.send(room, script[6][0])
    began = time.monotonic()
    setup.bridge.start()
    answered(room, clinician, bot, while_dead, question(script[6][1]["requested_slot"]))
    setup.timings["e2ee_answered_after_sigkill_restart_s"] = round(time.monotonic() - began, 3)
    assert script[6][1].items() <= slots(setup, room).items()
    assert clinician.bot_messages_after(room, killed_after, bot)  # answered too (once: checked below)

    # The clinician goes on from a new device (a phone): a new login, keys
    # the assistant has never seen.
    phone = EncryptedClinician(
        setup.synapse,
        setup.clinician.user_id,
        CLINICIAN_PASSWORD,
        setup.workdir / "clinicien-telephone",
        "Element — téléphone",
        setup.workdir / "clinicien-telephone.log",
    )
    try:
        assert phone.device_id != clinician.device_id
        turn(phone, 7)
        text, _ = script[8]
        last = phone.send(room, text)
        answered(room, phone, bot, last, "La recommandation ci-dessus ne change pas.")
        asked = phone.send(room, "références")
        final = answered(room, phone, bot, asked, SWANSON)
        # The first device reads the end too.
        assert [m["content"]["body"] for m in answered(room, clinician, bot, asked, SWANSON)] == [
            m["content"]["body"] for m in final
        ]
    finally:
        phone.close()

    # The recommendation (given after the diagnostic question, answered while
    # the bridge was dead) and its references, decrypted.
    answer = clinician.bot_messages_after(room, while_dead, bot)
    bodies = "\n".join(message["content"]["body"] for message in answer)
    assert "Chirurgie indiquée" in bodies and "Arthroplastie de hanche cimentée" in bodies
    html = "\n".join(message["content"]["formatted_body"] for message in final)
    assert SWANSON in final[-1]["content"]["body"] and SWANSON in html
    recommendation = slots(setup, room)["recommendation"]
    assert recommendation["surgery"] == "indicated"
    assert [t["code"] for t in recommendation["techniques"]] == ["cemented_arthroplasty"]

    # The RCP sheet: its text, then the PDF as an encrypted file; the keys
    # travel in the (encrypted) message, the homeserver keeps ciphertext.
    asked = clinician.send(room, "rapport")
    report = wait_for_bot(clinician, room, asked, bot, sends_a_file)
    assert all(message["decrypted"] for message in report)
    # The sheet in one message, the proposal first, then its PDF.
    assert [message["content"]["msgtype"] for message in report] == ["m.notice", "m.file"]
    assert report[0]["content"]["body"].startswith(RCP_SHEET[1])
    sheet = report[-1]["content"]
    assert sheet["info"]["mimetype"] == "application/pdf" and sheet["body"].endswith(".pdf")
    assert "url" not in sheet and sheet["file"]["url"].startswith("mxc://")
    pdf = clinician.download(sheet)
    assert pdf.startswith(b"%PDF") and len(pdf) == sheet["info"]["size"]
    text = pdf_text(pdf)
    for words in RCP_SHEET:
        assert words in text, words
    stored = setup.clinician.download(sheet["file"]["url"])
    assert len(stored) == len(pdf) and stored != pdf and not stored.startswith(b"%PDF")

    # Nothing lost, nothing repeated: Rasa saw each message once, in order
    # (the decrypted text; « non » answers the yes/no question by its option)…
    assert user_texts(setup, room) == [
        "Bonjour",
        "il s'agit d'une fracture pathologique",
        "le fémur",
        "au niveau du col",
        "environ huit mois",
        "oui, il est opérable",
        "pas de doute diagnostique",
        "non, jamais irradié",
        '/inform{"suspected_hypervascular": false}',
        "références",
        "rapport",
    ]
    # …and the room holds each of the bot's messages once, in order (the
    # texts, and the one file, last), as the clinician's first device
    # decrypts them, each from a device the assistant's account cross-signed
    # (shown by clients that hide others).
    history = clinician.history(room)
    from_bot = [m for m in history if m["sender"] == bot]
    assert [is_file(m) for m in from_bot] == [False] * (len(from_bot) - 1) + [True]
    expected = bot_texts(setup, room)
    assert [m["content"].get("body") for m in from_bot[:-1]] == [plain_text(text) for text in expected]
    assert [m["content"].get("formatted_body") for m in from_bot[:-1]] == [matrix_html(text) for text in expected]
    assert all(m["decrypted"] and m["sender_device_cross_signed"] for m in from_bot)
    assert [m["content"]["body"] for m in history if m["sender"] != bot] == [text for text, _ in script] + [
        "références",
        "rapport",
    ]
    # On the homeserver, every message of the room is encrypted.
    assert {e["type"] for e in setup.clinician.history(room, types=("m.room.message", "m.room.encrypted"))} == {
        "m.room.encrypted"
    }


# ---------------------------------------------------------------------- undecryptable messages


def test_a_message_encrypted_before_the_invitation_gets_one_notice_asking_to_write_it_again(matrix, clinician):
    setup, bot = matrix, matrix.bot_user
    bridge_has_run_once(setup)
    room = clinician.create_direct_room(encrypted=True)
    lost = clinician.send(room, "Fracture du col fémoral, espérance de vie huit mois")  # keys for the clinician only
    clinician.invite(room, bot)
    notice = wait_for_bot(clinician, room, lost, bot, lambda messages: len(messages) >= 1)[0]
    assert notice["decrypted"] and notice["content"]["msgtype"] == "m.notice"
    assert "Pourriez-vous l'écrire à nouveau ?" in notice["content"]["body"]
    # Positive control: the assistant goes on reading this room…
    hello = clinician.send(room, "Bonjour")
    answered(room, clinician, bot, hello, question("situation"))
    # …and gave one notice, before anything else, then its answer to « Bonjour ».
    from_bot = [m["content"]["body"] for m in clinician.history(room) if m["sender"] == bot]
    assert from_bot[0] == notice["content"]["body"] and from_bot.count(notice["content"]["body"]) == 1
    assert from_bot[1:] == [plain_text(text) for text in bot_texts(setup, room)]
    assert user_texts(setup, room) == ["Bonjour"]  # Rasa never saw the lost message


def test_a_message_whose_key_never_came_gets_one_notice(matrix, clinician):
    setup, bot = matrix, matrix.bot_user
    bridge_has_run_once(setup)
    room = clinician.create_direct_room(invite=bot)
    hello = clinician.send(room, "Bonjour")
    answered(room, clinician, bot, hello, question("situation"))
    # An encrypted message with a session the assistant never received (a
    # client that did not know its device, for instance).
    path = f"/rooms/{urllib.parse.quote(room, safe='')}/send/m.room.encrypted/sans-cle-1"
    forged = setup.clinician.api(
        "PUT",
        path,
        {
            "algorithm": "m.megolm.v1.aes-sha2",
            "ciphertext": "AwgAEnACgAkLmt6qF84IK++J7UDH2Za1YVchHyprqTqsg",
            "device_id": clinician.device_id,
            "sender_key": "IlRMeOPX2e0MurIyfWEucYBRVOEEUMrOHqn/8mLqMjA",
            "session_id": "X3lUlvLELLYxeTx4yOVu6UDpasGEVO0Jbu+QFnm0cKQ",
        },
    )["event_id"]
    notice = wait_for_bot(clinician, room, forged, bot, lambda messages: len(messages) >= 1)[0]
    assert "Pourriez-vous l'écrire à nouveau ?" in notice["content"]["body"]
    # Written again, it is answered, and the notice was not repeated.
    again = clinician.send(room, "il s'agit d'une fracture pathologique")
    answered(room, clinician, bot, again, question("bone"))
    after = [m["content"]["body"] for m in clinician.bot_messages_after(room, forged, bot)]
    assert after[0] == notice["content"]["body"] and after.count(notice["content"]["body"]) == 1
    assert user_texts(setup, room) == ["Bonjour", "il s'agit d'une fracture pathologique"]


# ---------------------------------------------------------------------- what is kept, and how fast it calls


def test_the_crypto_store_and_the_seeds_are_private_and_locked_with_the_store_key(matrix, clinician):
    setup = matrix
    bridge_has_run_once(setup)
    state, store = setup.state_dir, setup.state_dir / "crypto"
    files = [state / "state.json", state / crosssigning.SEED_FILE, *store.iterdir()]
    device = bot_device(setup)
    assert store / f"{setup.bot_user}_{device}.db" in files
    assert {stat.S_IMODE(os.stat(d).st_mode) for d in (state, store)} == {0o700}
    assert {path.name: stat.S_IMODE(os.stat(path).st_mode) for path in files} == {path.name: 0o600 for path in files}
    # The store opens with the key given to the bridge, not with nio's default.
    assert clinician.store_opens(store, setup.bot_user, device, STORE_KEY)["opens"] is True
    assert clinician.store_opens(store, setup.bot_user, device, "DEFAULT_KEY")["opens"] is False
    seeds = (state / crosssigning.SEED_FILE).read_text()
    assert "sealed_seeds" in seeds and '"seed' not in seeds


def calls_by_process(log: Path) -> dict[int, list[float]]:
    calls: dict[int, list[float]] = defaultdict(list)
    for moment, pid in re.findall(r"homeserver call at ([\d.]+) by (\d+):", log.read_text()):
        calls[int(pid)].append(float(moment))
    return calls


def test_the_bridge_keeps_to_tchaps_limit_of_about_one_call_per_second(matrix, clinician):
    setup, bot = matrix, matrix.bot_user
    bridge_has_run_once(setup)
    room = clinician.create_direct_room(invite=bot)
    hello = clinician.send(room, "Bonjour")
    answered(room, clinician, bot, hello, question("situation"))
    calls = calls_by_process(setup.bridge.log)
    # Positive control: the calls of this run and the earlier ones are there.
    assert sum(len(moments) for moments in calls.values()) >= 20
    for moments in calls.values():
        for i in range(len(moments)):
            for j in range(i, len(moments)):
                # A sleep may end a little late, never early: 50 ms of slack.
                allowed = BURST + TCHAP_CALLS_PER_SECOND * (moments[j] - moments[i] + 0.05)
                assert j - i + 1 <= allowed, (moments[i], moments[j])


# ---------------------------------------------------------------------- a lost store


def test_a_lost_crypto_store_stops_the_bridge_with_the_recovery_steps_and_a_new_device_recovers(matrix, clinician):
    setup, bot = matrix, matrix.bot_user
    bridge_has_run_once(setup)
    room = clinician.create_direct_room(invite=bot)
    hello = clinician.send(room, "Bonjour")
    answered(room, clinician, bot, hello, question("situation"))
    old_device = bot_device(setup)
    assert setup.bridge.stop() == 0
    shutil.move(str(setup.state_dir / "crypto"), str(setup.workdir / "magasin-perdu"))

    # The bridge does not go on silently with a device that can decrypt nothing.
    seen = len(setup.bridge.log.read_text())
    setup.bridge.start()
    assert setup.bridge.wait() == 2
    log = setup.bridge.log.read_text()[seen:]
    assert f"the crypto store of device {old_device} is missing" in log
    assert "--new-device" in log and "remove the old device" in log
    assert not (setup.state_dir / "crypto" / f"{bot}_{old_device}.db").exists()  # no empty store left behind

    # The documented recovery: a new device, cross-signed at once with the
    # kept seeds, and the clinician is answered again.
    setup.bridge.start("--new-device")
    new_device = until(lambda: bot_device(setup) != old_device and bot_device(setup), "a new device")
    until(lambda: cross_signed_devices(setup, bot).get(new_device), "the new device cross-signed")
    again = clinician.send(room, "il s'agit d'une fracture pathologique")
    replies = answered(room, clinician, bot, again, question("bone"))
    assert all(reply["sender_device"] == new_device and reply["sender_device_cross_signed"] for reply in replies)


def test_resetting_cross_signing_gives_new_keys_that_sign_the_device(matrix, clinician):
    setup, bot = matrix, matrix.bot_user
    bridge_has_run_once(setup)
    before = clinician.cross_signing(bot)
    assert setup.bridge.stop() == 0
    # The documented one-off command (the password is in the configuration).
    setup.bridge.start("--reset-cross-signing")
    assert setup.bridge.wait() == 0
    after = clinician.cross_signing(bot)
    assert after["master"] != before["master"] and after["self_signing_signed_by_master"]
    assert after["master_changed"]  # what clients announce as « identity changed »
    assert cross_signed_devices(setup, bot)[bot_device(setup)]
    # The bridge runs on, signed by the new keys, and answers.
    room = clinician.create_direct_room(invite=bot)
    setup.bridge.start()
    hello = clinician.send(room, "Bonjour")
    replies = answered(room, clinician, bot, hello, question("situation"))
    assert all(reply["sender_device_cross_signed"] for reply in replies)
