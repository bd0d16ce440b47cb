"""Messages over 10,000 characters are not read (serving/message_cap.py): the
user is told the limit in French, and the consultation in progress keeps every
fact and goes on with the next message — over REST, against the real servers.
(The same door serves socket.io: tests/web/test_socket_protocol.py.)"""

import pytest

pytestmark = pytest.mark.e2e

# What a clinician reads, written out here rather than taken from texts.yml.
TOO_LONG = (
    "Votre message compte {length} caractères : je ne lis que les messages de 10\u202f000 caractères au plus. "
    "Je ne l'ai pas lu et le cas en cours est conservé tel quel. "
    "Envoyez l'essentiel du cas en un message plus court, ou en plusieurs."
)


def padded(text: str, length: int) -> str:
    """`text`, then a neutral sentence over and over, to exactly `length` characters."""
    body = (text + ". Suite du compte rendu sans autre élément" * (length // 40 + 1))[:length]
    return body[:-1] + "." if body.endswith(" ") else body


def case_so_far(bot, sender):
    tracker = bot.tracker(sender)
    slots = {name: value for name, value in tracker["slots"].items() if value is not None}
    return slots, len(tracker["events"])


def test_a_100_kb_message_gets_the_limit_in_french_and_the_case_is_kept(bot):
    sender = "long-100k"
    bot.send(sender, "fracture pathologique du fémur")
    bot.send(sender, "diaphyse")
    before, events_before = case_so_far(bot, sender)
    assert before["requested_slot"] == "life_expectancy"

    # Facts inside a message over the limit are not taken, half or whole.
    text = padded("inopérable, espérance de vie 2 semaines, col fémoral", 100_000)
    replies = bot.send(sender, text)
    assert [reply.get("text") for reply in replies] == [TOO_LONG.format(length="100\u202f000")]
    assert case_so_far(bot, sender) == (before, events_before)  # nothing changed, nothing stored

    replies = bot.send(sender, "environ 3 mois")
    after, _ = case_so_far(bot, sender)
    assert after["situation"] == "pathological_fracture" and after["bone"] == "femur"
    assert after["site"] == "diaphysis" and after["life_expectancy"] == "6_weeks_to_6_months"
    assert after["requested_slot"] == "fit_for_surgery"


def test_the_limit_is_10000_characters_exactly(bot):
    sender = "long-boundary"
    bot.send(sender, "fracture pathologique du fémur")
    bot.send(sender, "diaphyse")
    at_limit = padded("environ 3 mois", 10_000)
    assert len(at_limit) == 10_000
    replies = bot.send(sender, at_limit)
    assert all("caractères" not in (reply.get("text") or "") for reply in replies), replies
    assert case_so_far(bot, sender)[0]["life_expectancy"] == "6_weeks_to_6_months"

    over = padded("il est opérable", 10_001)
    assert len(over) == 10_001
    replies = bot.send(sender, over)
    assert [reply.get("text") for reply in replies] == [TOO_LONG.format(length="10\u202f001")]
    assert "fit_for_surgery" not in case_so_far(bot, sender)[0]
