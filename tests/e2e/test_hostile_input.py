"""A fuzz run of 1,000 generated hostile messages over REST: the bot always
answers in French, stays in the consultation, and no slot ever holds a value
outside the contract."""

import json
import random

import pytest

from decision import FIELDS, validate_case

pytestmark = pytest.mark.e2e

FRENCH_MARKERS = (
    "é",
    "è",
    "à",
    "ç",
    "Question",
    "Je ",
    "Vous",
    "Noté",
    "Correction",
    "Le ",
    "La ",
    "Aide",
    "Bonjour",
    "chapitre",
)


def hostile_messages(rng, count):
    """Empty, 100 KB, control characters, emoji, right-to-left text, HTML and
    script, SQL, Rasa's payload syntax typed by hand, values outside the contract."""
    fields = list(FIELDS)
    makers = [
        lambda: "",
        lambda: " \t\n ",
        lambda: "x" * 100_000 if rng.random() < 0.01 else "fémur " * rng.randint(200, 2000),
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
    conversations = 20
    for index in range(conversations):
        sender = f"fuzz-{index}"
        bot.send(sender, "fracture pathologique du fémur")  # a consultation in progress
        for text in messages[index::conversations]:
            replies = bot.send(sender, text)
            said = "\n".join(reply.get("text", "") for reply in replies)
            assert replies and said.strip(), f"no answer to {text[:80]!r}"
            assert any(marker in said for marker in FRENCH_MARKERS), (text[:80], said[:200])
        tracker = bot.tracker(sender)
        contract_slots_are_valid(tracker["slots"])
        assert tracker["slots"]["situation"] == "pathological_fracture"
        assert (tracker.get("active_loop") or {}).get("name") == "consultation_form", json.dumps(
            tracker.get("active_loop")
        )
