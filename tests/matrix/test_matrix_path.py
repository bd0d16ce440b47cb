"""« Schéma » on Matrix/Tchap, on a real Synapse homeserver, in an end-to-end
encrypted direct chat: the case's decision path arrives as an encrypted
``m.image`` (mimetype, width, height, size) that decrypts to a PNG of that
size, then the path in words; the homeserver holds only ciphertext."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest

from tests.matrix.conftest import CLINICIAN_PASSWORD
from tests.matrix.conversation import says, wait_for_bot
from tests.matrix.e2ee import EncryptedClinician
from tests.matrix.test_matrix_encrypted import bridge_has_run_once

pytestmark = pytest.mark.e2e

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The chapter's § 2.2 case in one message, in words of our own.
CASE = "fracture du col du fémur sur métastase, survie d'environ 8 mois, opérable, pas de doute diagnostique"


@pytest.fixture(scope="module")
def clinician(matrix) -> Iterator[EncryptedClinician]:
    """The clinician's device for this module (Tchap on a phone)."""
    device = EncryptedClinician(
        matrix.synapse,
        matrix.clinician.user_id,
        CLINICIAN_PASSWORD,
        matrix.workdir / "clinicien-schema",
        "Tchap — téléphone",
        matrix.workdir / "clinicien-schema.log",
    )
    yield device
    device.close()


def image_and_words(messages) -> bool:
    """The picture came, and the path in words after it."""
    kinds = [m["content"].get("msgtype") for m in messages]
    return "m.image" in kinds and any("en mots" in (m["content"].get("body") or "") for m in messages)


def test_schema_in_an_encrypted_room_is_an_encrypted_png_image_then_the_path_in_words(matrix, clinician):
    setup, bot = matrix, matrix.bot_user
    bridge_has_run_once(setup)
    room = clinician.create_direct_room(invite=bot)
    told = clinician.send(room, CASE)
    wait_for_bot(clinician, room, told, bot, says("Chirurgie indiquée"), timeout=180)
    asked = clinician.send(room, "montre-moi le schéma")
    replies = wait_for_bot(clinician, room, asked, bot, image_and_words)
    assert all(message["decrypted"] for message in replies)
    image = next(m["content"] for m in replies if m["content"].get("msgtype") == "m.image")
    info = image["info"]
    assert info["mimetype"] == "image/png" and image["body"].endswith(".png")
    assert "url" not in image and image["file"]["url"].startswith("mxc://")  # sent encrypted
    png = clinician.download(image)
    assert png.startswith(PNG_SIGNATURE) and len(png) == info["size"]
    width, height = struct.unpack(">II", png[16:24])
    assert (info["w"], info["h"]) == (width, height) and width > 50 and height > 50
    stored = setup.clinician.download(image["file"]["url"])
    assert len(stored) == len(png) and not stored.startswith(PNG_SIGNATURE)  # the homeserver keeps ciphertext
    # Then the same path in words (screen readers, clients without images).
    words = [m["content"]["body"] for m in replies if m["content"].get("msgtype") == "m.notice"]
    assert any(body.startswith("Chemin de décision de ce cas, en mots") for body in words), words
    assert {e["type"] for e in setup.clinician.history(room, types=("m.room.message", "m.room.encrypted"))} == {
        "m.room.encrypted"
    }
