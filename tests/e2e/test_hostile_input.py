"""A fuzz run of 1,000 generated hostile messages over REST (100 KB ones
among them): every reply is a text of the assistant (consultation/texts.yml,
domain.yml) filled in, never what was typed; the bot stays in the
consultation, and no slot ever holds a value outside the contract."""

import json
import random

import pytest

from decision import FIELDS, validate_case
from tests.support.replies import check_reply

pytestmark = pytest.mark.e2e


def hostile_messages(rng, count):
    """Empty, 100 KB, control characters, emoji, right-to-left text, HTML and
    script, SQL, Rasa's payload syntax typed by hand, values outside the contract."""
    fields = list(FIELDS)
    makers = [
        lambda: "",
        lambda: " \t\n ",
        lambda: rng.choice(["x" * 100_000, "fémur " * 16_667, "fémur " * rng.randint(200, 2000)]),
        lambda: "".join(chr(rng.randint(0, 31)) for _ in range(rng.randint(1, 40))),
        lambda: "".join(rng.choice("🦴💀🔥😀👍🏽🩻🧬") for _ in range(rng.randint(1, 30))),
        lambda: "كسر في عظم الفخذ " + "עצם הירך" * rng.randint(1, 5),
        lambda: rng.choice(
            ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>fémur</b>", "</div><iframe>"]
        ),
        lambda: rng.choice(["'; DROP TABLE events; --", "1 OR 1=1", '" OR ""="', "UNION SELECT * FROM events"]),
        lambda: f'/inform{{"{rng.choice(fields)}":"{rng.choice(["spine", "crâne", "42", "", "null", "true", "🦴"])}"}}',
        lambda: f'/inform{{"{rng.choice(fields)}": {rng.choice(["1", "[]", "{}", "null", "true", "-3.5"])}}}',
        lambda: rng.choice(
            ["/foo", "/restart_now", "/inform{", "/inform{}}", '/affirm{"nom": "Dupont"}', "/", "//", "/nlu_fallback"]
        ),
        lambda: f'/inform{{"nom": "Dupont", "date_of_birth": "1950-03-12", "bone": "{rng.choice(FIELDS["bone"])}"}}',
        lambda: "".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 200))),
        lambda: "9" * rng.randint(1, 400),
        lambda: "\u202e" + "ruméf" + "\u202c" + " \u200b\ufeff",
    ]
    return [rng.choice(makers)() for _ in range(count)]


def contract_slots_are_valid(slots):
    case = {name: slots.get(name) for name in FIELDS}
    validate_case(case)  # raises CaseError if a slot holds a value outside the contract


def test_one_thousand_hostile_messages(bot):
    rng = random.Random(20261127)
    messages = hostile_messages(rng, 1000)
    assert sum(len(text) >= 100_000 for text in messages) >= 10  # 100 KB, really sent
    conversations = 20
    for index in range(conversations):
        sender = f"fuzz-{index}"
        bot.send(sender, "fracture pathologique du fémur")  # a consultation in progress
        for text in messages[index::conversations]:
            replies = bot.send(sender, text)
            assert replies, f"no answer to {text[:80]!r}"
            for reply in replies:
                check_reply(reply, text)  # a text of the assistant, filled; never what was typed
        tracker = bot.tracker(sender)
        contract_slots_are_valid(tracker["slots"])
        assert tracker["slots"]["situation"] == "pathological_fracture"
        assert (tracker.get("active_loop") or {}).get("name") == "consultation_form", json.dumps(
            tracker.get("active_loop")
        )


def test_the_reply_check_accepts_a_filled_text_and_refuses_an_echo_or_a_stray_text():
    question = {"text": "*Question 1* — **Où siège la lésion sur cet os ?**", "buttons": [{"title": "Diaphyse"}]}
    check_reply(question, "fémur " * 2000)
    refused = "Je n'ai pas retenu la valeur donnée pour os atteint : valeur attendue parmi « Fémur », « Tibia »."
    check_reply({"text": refused}, '/inform{"bone": "crâne"}')
    for reply, typed in (
        ({"text": "fémur " * 2000}, "fémur " * 2000),  # an echo
        ({"text": "Vous avez écrit : <b>fémur</b>"}, "<b>fémur</b>"),  # French, an « é », and an echo
        (
            {"text": "Je n'ai pas retenu la valeur donnée pour <b>fémur</b> : valeur attendue parmi « Fémur »."},
            "<b>fémur</b>",
        ),
        ({"text": "Noté : situation clinique : Fracture pathologique."}, "x"),
        ({"text": question["text"], "buttons": [{"title": "Crâne"}]}, "crâne"),
    ):
        if typed == "x":  # a text of the assistant, then something else
            reply = {"text": reply["text"] + " Au revoir, Dupont."}
        with pytest.raises(AssertionError):
            check_reply(reply, typed)
