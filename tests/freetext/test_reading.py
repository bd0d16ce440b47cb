"""What the Rasa server's NLU read of a message, carried to the action server
(`freetext.reading`): told to the parser there, it gives exactly what
reading the message again would, and is never used for another text."""

from pathlib import Path

import pytest
import yaml

from freetext import reading
from freetext.analysis import ANALYSES, analyze
from freetext.discourse import COMMANDS, command
from freetext.lexicon import load_lexicon
from freetext.parser import boundaries, choices, extract_facts, interpret_answer
from freetext.scope import SCOPES, out_of_scope

HERE = Path(__file__).resolve().parent
TYPED = [
    item["text"]
    for name in ("shorthand_dev.yml", "shorthand_dev_2.yml")
    for item in yaml.safe_load((HERE / name).read_text(encoding="utf-8"))
]
OURS = [
    "Monsieur 70 ans, carcinome épidermoïde, fracture sur métastase du fémur sous-trochantérien, "
    "EV environ 1 an, PS 2, opérable ?",
    "ah non, pas le fémur : l'humérus",
    "retire le site, je n'en suis pas sûr",
    "je n'ai jamais dit qu'il était irradié",
    "métastase sacrée, quelle prise en charge ?",
    "zolédronate ou dénosumab ?",
    "la survie est estimée à 6 mois pile",
    "1 à 3 mois",
    "",
    "   ",
    "/inform",
]


def forget() -> None:
    for memo in (ANALYSES, SCOPES, COMMANDS):
        memo.clear()


@pytest.mark.parametrize("text", OURS + TYPED[::4])
def test_a_carried_reading_reads_as_the_message_itself(text: str) -> None:
    forget()
    carried = reading.carry(text)
    read = {
        "facts": extract_facts(text),
        "choices": choices(text),
        "boundaries": boundaries(text),
        "scope": out_of_scope(text),
        "command": command(text) if text.strip() else None,
        "analysis": analyze(load_lexicon(), text) if text.strip() else None,
    }
    forget()
    assert reading.remember(carried, text) == bool(text.strip())
    if not text.strip():
        return
    assert ANALYSES.get((text, None, True), lambda: pytest.fail("not carried")) == read["analysis"]
    assert extract_facts(text) == read["facts"]
    assert choices(text) == read["choices"]
    assert boundaries(text) == read["boundaries"]
    assert out_of_scope(text) == read["scope"]
    assert command(text) == read["command"]
    assert reading.carried_out_of_scope(carried, text) == read["scope"]


def test_the_carried_reading_is_json() -> None:
    import json

    text = OURS[0]
    carried = reading.carry(text)
    assert json.loads(json.dumps(carried)) == carried


@pytest.mark.parametrize(
    "other",
    [
        "Monsieur [NOM] 70 ans",  # a masked text of another length
        "fracture du tibia",  # the same length as the text read
    ],
)
def test_a_reading_is_never_used_for_another_text(other: str) -> None:
    text = "fracture du fémur"
    carried = reading.carry(text)
    forget()
    assert not reading.remember(carried, other)
    assert {f.value for f in extract_facts("fracture du tibia")} >= {"tibia"}


@pytest.mark.parametrize("damaged", [None, {}, {"version": "0:old"}, "texte", {"version": "x", "facts": 3}])
def test_no_reading_or_a_foreign_one_is_read_again(damaged: object) -> None:
    text = "fracture du fémur, EV 4 mois"
    forget()
    assert not reading.remember(damaged, text)
    assert reading.carried_out_of_scope(damaged, "métastase de L2") is not None
    assert {f.field for f in extract_facts(text)} >= {"bone", "life_expectancy"}


def test_a_reading_damaged_in_transit_is_not_used() -> None:
    text = "fracture du fémur, EV 4 mois"
    carried = {**reading.carry(text), "facts": [["bone"]]}
    forget()
    assert not reading.remember(carried, text)


def test_the_answer_to_the_question_pending_is_read_in_context() -> None:
    # The NLU cannot know the question pending: the answer is read where it is known.
    text = "non"
    carried = reading.carry(text)
    forget()
    reading.remember(carried, text)
    assert interpret_answer(text, "prior_radiotherapy") == "false"
