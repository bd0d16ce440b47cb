"""Answers to a question (interpret_answer): the buttons typed as text, « je ne sais pas », yes and no."""

from __future__ import annotations

import unicodedata

import pytest
import yaml

from consultation import texts as texts_module
from decision.contract import UNKNOWN_ALLOWED
from freetext.parser import FIELD_VALUES, extract_facts, interpret_answer

TEXTS = texts_module.TEXTS


def button_labels() -> list[tuple[str, str, str | None]]:
    """(field, label, value it must give) for every button of every question in texts.yml:
    the field's values, Oui / Non for a boolean field, and « Je ne sais pas »."""
    texts = yaml.safe_load(TEXTS.read_text(encoding="utf-8"))
    dont_know = texts["messages"]["dont_know_button"]
    out: list[tuple[str, str, str | None]] = []
    for field, spec in texts["fields"].items():
        for value, label in (spec.get("values") or {}).items():
            out.append((field, label, value))
        if FIELD_VALUES[field] == ("true", "false"):
            for value, label in texts["booleans"].items():
                out.append((field, label, "true" if value is True else "false"))
        if dont_know not in (spec.get("values") or {}).values():
            out.append((field, dont_know, "unknown" if field in UNKNOWN_ALLOWED else None))
    return out


LABELS = button_labels()


def without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def test_every_question_of_texts_yml_has_its_buttons() -> None:
    fields = {field for field, _, _ in LABELS}
    assert fields == set(yaml.safe_load(TEXTS.read_text(encoding="utf-8"))["fields"])
    assert fields <= set(FIELD_VALUES)
    for field in fields:
        values = {value for f, _, value in LABELS if f == field}
        assert set(FIELD_VALUES[field]) - {"unknown"} <= values, field


@pytest.mark.parametrize("field,label,value", LABELS, ids=[f"{f}:{label}" for f, label, _ in LABELS])
def test_a_button_label_typed_as_text_gives_its_value(field: str, label: str, value: str | None) -> None:
    """« Un à deux tiers » typed is what the button sends; so is « un à deux tiers » or « Un a deux tiers »."""
    for typed in (label, label.lower(), without_accents(label), f"{label} ", f"{label.lower()}."):
        assert interpret_answer(typed, field) == value, typed


DONT_KNOW = [
    "je ne sais pas",
    "Je sais pas",
    "jsp",
    "je sais pas trop",
    "aucune idée",
    "nsp",
    "chais pas",
    "je ne sais pas, il a mal surtout",
    "pas encore fait le scanner",
    "à voir",
    "pas évalué",
    "à voir avec l'oncologue",
    "pas mesuré",
    "pas vu les images",
    "je n'en sais rien",
    "en attente du scanner",
    "impossible à dire",
    "pas d'information",
    "inconnu",
    "non renseigné",
    "on ne sait pas encore",
    "impossible de savoir",
    "l'IRM n'est pas faite",
    "en cours d'évaluation",
    "scanner pas encore fait",
    "pas d'imagerie",
    "à revoir",
]


@pytest.mark.parametrize("text", DONT_KNOW)
def test_i_dont_know_is_unknown_for_every_field_that_accepts_it(text: str) -> None:
    for field in sorted(UNKNOWN_ALLOWED):
        assert interpret_answer(text, field) == "unknown", field


@pytest.mark.parametrize("text", DONT_KNOW)
def test_i_dont_know_never_answers_the_primary_the_situation_or_the_bone(text: str) -> None:
    """The contract: a case discussed always states them (decision.contract.UNKNOWN_ALLOWED)."""
    for field in ("primary_tumor", "situation", "bone"):
        assert interpret_answer(text, field) is None, field


@pytest.mark.parametrize("text", DONT_KNOW)
def test_i_dont_know_is_no_fact_without_a_question(text: str) -> None:
    assert extract_facts(text) == []


def test_the_field_s_own_reading_of_a_phrase_wins_over_i_dont_know() -> None:
    """« Y a-t-il un doute diagnostique ? » « pas sûr » : there is a doubt."""
    assert interpret_answer("pas sûr", "diagnostic_uncertainty") == "true"
    assert interpret_answer("pas sûr", "prior_radiotherapy") == "unknown"


def test_a_hedge_is_not_i_dont_know() -> None:
    assert interpret_answer("peut-être", "prior_radiotherapy") is None
    assert interpret_answer("peut-être le col", "site") is None


def test_i_dont_know_beside_a_value_gives_nothing() -> None:
    assert interpret_answer("je ne sais pas, oui", "prior_radiotherapy") is None
    assert interpret_answer("à vérifier dans le dossier de radiothérapie", "prior_radiotherapy") == "unknown"
