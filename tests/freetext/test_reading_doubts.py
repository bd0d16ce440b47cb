"""Doubts, abbreviations and estimates the typed-consultation bench misread.

A doubt said right after a fact (« irradiée ? je ne suis pas certaine ») makes
that fact unknown; a life expectancy reported by the oncologist inside a longer
sentence is read; « hum » shortens humérus only next to a site or a side; a
destroyed acetabular roof compromises the stability of the cup (chapter §2.4:
« atteinte étendue du toit, de la colonne postérieure ou du mur médial »).
"""

from __future__ import annotations

import pytest

from freetext.parser import extract_facts, interpret_answer


def pairs(text: str) -> list[tuple[str, str]]:
    return [(f.field, f.value) for f in extract_facts(text)]


# ------------------------------------------------ a doubt on a fact is that fact's unknown

DOUBTED = [
    ("la lésion a été irradiée, je ne suis pas certaine", "prior_radiotherapy"),
    ("déjà irradié mais j'en suis pas sûr", "prior_radiotherapy"),
    ("irradiation antérieure : je n'en suis pas sûre du tout", "prior_radiotherapy"),
    ("hypervascularisée ? je ne sais pas", "suspected_hypervascular"),
    ("radiothérapie préalable, tu mets inconnu", "prior_radiotherapy"),
    ("la vascularisation, notez je ne sais pas", "suspected_hypervascular"),
]


@pytest.mark.parametrize(("text", "field"), DOUBTED)
def test_a_doubt_after_a_fact_makes_that_field_unknown(text: str, field: str) -> None:
    assert pairs(text) == [(field, "unknown")]


@pytest.mark.parametrize(("text", "field"), DOUBTED)
@pytest.mark.parametrize("asked", ["diagnostic_uncertainty", "major_bone_loss", "articular_involvement"])
def test_a_doubt_on_another_field_never_answers_the_question(text: str, field: str, asked: str) -> None:
    assert interpret_answer(text, asked) is None


def test_what_is_not_known_of_a_stated_fact_leaves_the_fact() -> None:
    assert pairs("irradiée, je ne sais pas à quelle dose") == [("prior_radiotherapy", "true")]
    # a bone is never unknown: the doubt is about something else, the bone stays
    assert ("bone", "tibia") in pairs("fracture du tibia, je ne sais pas")


# ------------------------------------------------ a life expectancy the oncologist reported


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("finalement l'oncologue vient de nous dire plutôt deux ans", "gt_12_months"),
        ("elle m'a dit finalement quatre mois", "6_weeks_to_6_months"),
        ("bon, l'onco m'a dit plutôt dix mois", "6_to_12_months"),
    ],
)
def test_a_reported_life_expectancy_is_read(text: str, value: str) -> None:
    assert ("life_expectancy", value) in pairs(text)


@pytest.mark.parametrize(
    "text",
    [
        "aucune évaluation de l'espérance de vie à ce stade",
        "pas encore d'estimation du pronostic",
        "la survie n'est pas encore évaluée",
        "espérance de vie pas estimée",
    ],
)
def test_no_estimate_of_the_life_expectancy_is_unknown(text: str) -> None:
    assert ("life_expectancy", "unknown") in pairs(text)


# ------------------------------------------------ « hum » next to a site is the humerus


@pytest.mark.parametrize(
    "text", ["méta lytique diaph hum. gauche", "fracture de la diaphyse humér gauche", "lésion distale hum droite"]
)
def test_hum_next_to_a_site_or_a_side_is_the_humerus(text: str) -> None:
    assert ("bone", "humerus") in pairs(text)


@pytest.mark.parametrize("text", ["hum, je dirais pas", "hum je ne sais plus", "fracture hum attends"])
def test_hum_alone_is_no_bone(text: str) -> None:
    assert ("bone", "humerus") not in pairs(text)


# ------------------------------------------------ a destroyed acetabular roof


@pytest.mark.parametrize(
    "text",
    [
        "le toit du cotyle est complètement détruit",
        "toit acétabulaire rompu",
        "le toit cotyloïdien est effondré",
        "colonne postérieure du cotyle lysée",
    ],
)
def test_a_destroyed_roof_compromises_the_acetabular_stability(text: str) -> None:
    facts = pairs(text)
    assert ("acetabular_stability_compromised", "true") in facts
    assert ("bone", "acetabulum") in facts or text.startswith("colonne")
