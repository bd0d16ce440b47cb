"""Numbered options for channels without buttons, and the answer back to the
option's payload: shared by Matrix/Tchap, Telegram and Slack."""

import asyncio

import pytest

from channels.buttonless import (
    ANSWER_HINT,
    OptionsMemory,
    normalise,
    numbered,
    options_from_buttons,
    render_turn,
    resolve,
    translating,
)
from consultation.questions import question

BONE = options_from_buttons(question("bone", 2)["buttons"])
YES_NO = options_from_buttons(question("prior_radiotherapy", 5)["buttons"])
SITUATION = options_from_buttons(question("situation", 1)["buttons"])


def test_the_bot_s_buttons_become_options_in_their_order():
    assert BONE[0] == ("Fémur", '/inform{"bone": "femur"}')
    assert BONE[-1] == ("Acétabulum (cotyle)", '/inform{"bone": "acetabulum"}')  # the bone is always known
    assert YES_NO[-1] == ("Je ne sais pas", '/inform{"prior_radiotherapy": "unknown"}')
    assert options_from_buttons([{"title": "Lien", "url": "https://x"}, {"title": "", "payload": "/x"}]) == []


def test_a_question_lists_its_options_one_per_line_numbered_from_1():
    text = numbered("**Quel os est atteint ?**", BONE[:3])
    assert text == ("**Quel os est atteint ?**\n\n1. Fémur\n2. Humérus\n3. Tibia\n\n*" + ANSWER_HINT + "*")
    assert numbered("Texte", []) == "Texte"
    assert numbered("Q", BONE[:1], hint=None) == "Q\n\n1. Fémur"


@pytest.mark.parametrize("answer", ["2", " 2 ", "2.", "2)", "n°2", "N° 2", "numéro 2", "option 2"])
def test_the_number_of_an_option_is_its_payload(answer):
    assert resolve(answer, BONE) == '/inform{"bone": "humerus"}'


@pytest.mark.parametrize(
    "answer, payload",
    [
        ("fémur", '/inform{"bone": "femur"}'),
        ("FEMUR", '/inform{"bone": "femur"}'),
        ("Fémur !", '/inform{"bone": "femur"}'),
        ("ulna", '/inform{"bone": "ulna"}'),
        ("cubitus", '/inform{"bone": "ulna"}'),
        ("Ulna (cubitus)", '/inform{"bone": "ulna"}'),
    ],
)
def test_the_words_of_an_option_are_its_payload_whatever_the_case_accents_or_punctuation(answer, payload):
    assert resolve(answer, BONE) == payload
    assert resolve("je ne sais pas", YES_NO) == '/inform{"prior_radiotherapy": "unknown"}'


def test_oui_and_non_answer_a_closed_question():
    assert resolve("Oui", YES_NO) == '/inform{"prior_radiotherapy": true}'
    assert resolve("non.", YES_NO) == '/inform{"prior_radiotherapy": false}'
    assert resolve("risque fracturaire", SITUATION) == '/inform{"situation": "impending_fracture"}'


@pytest.mark.parametrize(
    "answer",
    [
        "le col du fémur",  # a sentence: the NLU reads it
        "non, jamais irradié",
        "4 mois",  # a duration, not an option number
        "11",
        "0",  # outside the options
        "",
        "   ",
        "?",
        "pourquoi ?",
    ],
)
def test_anything_else_goes_to_the_nlu_unchanged(answer):
    assert resolve(answer, BONE) == answer
    assert resolve(answer, YES_NO) == answer


def test_without_options_nothing_is_translated():
    assert resolve("2", []) == "2"


def test_two_options_with_the_same_words_are_not_guessed():
    twins = [("Oui", "/a"), ("oui", "/b")]
    assert resolve("oui", twins) == "oui"
    assert resolve("2", twins) == "/b"


def test_normalise():
    assert normalise("  Acétabulum (cotyle) ! ") == "acetabulum cotyle"
    assert normalise("Moins d’un tiers") == "moins d'un tiers"


def test_memory_keeps_the_last_options_of_each_conversation():
    memory = OptionsMemory()
    memory.remember("a", BONE)
    memory.remember("b", YES_NO)
    assert memory.resolve("a", "1") == '/inform{"bone": "femur"}'
    assert memory.resolve("b", "1") == '/inform{"prior_radiotherapy": true}'
    assert memory.resolve("c", "1") == "1"


def test_a_turn_without_buttons_closes_the_question():
    memory = OptionsMemory()
    memory.remember_turn("a", [{"text": "Noté."}, {"text": "Q", "buttons": [{"title": "Oui", "payload": "/y"}]}])
    assert memory.resolve("a", "oui") == "/y"
    memory.remember_turn("a", [{"text": "**Chirurgie indiquée**"}, {"text": "**Références**"}])
    assert memory.resolve("a", "1") == "1"


def test_memory_forgets_the_least_recently_shown_beyond_its_limit():
    store = {}
    memory = OptionsMemory(store, limit=2)
    for name in ("a", "b", "c"):
        memory.remember(name, YES_NO)
    assert list(store) == ["b", "c"]
    memory.remember("b", BONE)
    memory.remember("d", YES_NO)
    assert list(store) == ["b", "d"]


def test_memory_lives_in_the_mapping_it_is_given_so_it_can_be_saved():
    store = {}
    OptionsMemory(store).remember("room", BONE[:2])
    reloaded = OptionsMemory({key: [list(pair) for pair in value] for key, value in store.items()})
    assert reloaded.resolve("room", "2") == '/inform{"bone": "humerus"}'


def test_render_turn_numbers_the_options_of_each_message():
    rendered = render_turn(
        [
            {"text": "Bonjour."},
            {"text": "Q ?", "buttons": [{"title": "Oui", "payload": "/y"}]},
            {"image": "https://example.org/x.png"},
            {"custom": {"x": 1}},
        ]
    )
    assert [message["text"] for message in rendered] == [
        "Bonjour.",
        "Q ?\n\n1. Oui\n\n*" + ANSWER_HINT + "*",
        "https://example.org/x.png",
    ]
    assert rendered[1]["options"] == [("Oui", "/y")]


class _Message:
    def __init__(self, text, sender_id):
        self.text, self.sender_id = text, sender_id


def test_an_input_channel_s_messages_are_translated_then_the_options_forgotten():
    memory, seen = OptionsMemory(), []

    async def on_new_message(message):
        seen.append(message.text)

    handle = translating(on_new_message, memory)
    memory.remember("42", YES_NO)
    asyncio.run(handle(_Message("2", 42)))
    asyncio.run(handle(_Message("2", 42)))
    assert seen == ['/inform{"prior_radiotherapy": false}', "2"]
