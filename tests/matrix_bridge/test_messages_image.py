"""The decision path's PNG in Matrix/Tchap (matrix_bridge/messages.py): posted
as a picture, an ``m.image`` with its mimetype, width, height and size, that
the bridge uploads like the PDF (encrypted in an encrypted room); any other
file stays an ``m.file``."""

import asyncio
import base64
import struct
import zlib

from matrix_bridge import messages


def png(width: int, height: int) -> bytes:
    """A real PNG of `width` x `height` white pixels (standard library only)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def attached(data: bytes, mimetype: str, filename: str = "schema-decision-2026-12-07-23h59.png") -> dict:
    encoded = base64.b64encode(data).decode("ascii")
    return {"custom": {"data": {"file": {"filename": filename, "mimetype": mimetype, "base64": encoded}}}}


def test_a_png_is_posted_as_an_image_with_its_width_height_and_size():
    picture = png(321, 654)
    [content] = messages.render_replies([attached(picture, "image/png")])
    assert content["msgtype"] == "m.image"
    assert content["body"] == content["filename"] == "schema-decision-2026-12-07-23h59.png"
    assert content["info"] == {"mimetype": "image/png", "size": len(picture), "w": 321, "h": 654}
    keys = {"v": "v2", "key": {"kty": "oct", "k": "…"}, "iv": "…", "hashes": {"sha256": "…"}}
    sent = messages.uploaded_file_message(content, "mxc://localhost/img", keys)
    assert sent["msgtype"] == "m.image" and sent["file"]["url"] == "mxc://localhost/img" and "url" not in sent


def test_what_only_claims_to_be_a_png_and_other_files_stay_files():
    [fake] = messages.render_replies([attached(b"%PDF-1.4 pas une image", "image/png")])
    assert fake["msgtype"] == "m.file" and "w" not in fake["info"]
    [pdf] = messages.render_replies([attached(b"%PDF-1.4 une fiche", "application/pdf", "fiche.pdf")])
    assert pdf["msgtype"] == "m.file" and pdf["info"] == {"mimetype": "application/pdf", "size": 18}
    assert messages.png_size(png(1, 1)) == (1, 1) and messages.png_size(b"\x89PNG") is None


def test_schema_in_matrix_gives_the_path_as_an_image_then_in_words():
    from rasa_sdk.executor import CollectingDispatcher

    from actions.action_show_path import ActionShowPath
    from consultation.progress import recommendation_for
    from tests.actions.conftest import DOMAIN, make_tracker
    from tests.cases import FEMORAL_NECK

    tracker = make_tracker(
        slots={**FEMORAL_NECK, "recommendation": recommendation_for(FEMORAL_NECK)},
        text="schéma",
        intent="ask_path",
        input_channel="matrix",
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionShowPath().run(dispatcher, tracker, DOMAIN))
    image, words = messages.render_replies(dispatcher.messages, "m.notice")
    data = base64.b64decode(image[messages.UPLOAD]["base64"])
    assert image["msgtype"] == "m.image" and data.startswith(b"\x89PNG\r\n\x1a\n")
    assert (image["info"]["w"], image["info"]["h"]) == messages.png_size(data) and image["info"]["size"] == len(data)
    assert words["msgtype"] == "m.notice" and words["body"].startswith("Chemin de décision de ce cas, en mots")
