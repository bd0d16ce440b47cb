"""What is read from the clinician's text, and what is not.

A « non » that belongs to a correction, a question or another field never
answers the pending question; questions and hypotheses state nothing; a
duration on the edge of two classes is offered as a choice; messages outside
the chapter are recognised whatever their wording.
"""

from __future__ import annotations

import pytest

from freetext.discourse import command, is_correction, is_question
from freetext.fields import BOOLEAN_FIELDS
from freetext.parser import boundaries, choices, extract_facts, interpret_answer
from freetext.scope import out_of_scope


def pairs(text: str) -> list[tuple[str, str]]:
    return [(f.field, f.value) for f in extract_facts(text)]


# ------------------------------------------------ the answer to the pending question

CORRECTIONS = [
    "oh non pardon, c'est le tibia",
    "non désolé je voulais dire le radius",
    "nan attends, c'est la partie distale",
    "mais non, en fait c'est l'acétabulum",
    "euh non, c'est une fracture avérée",
    "non non attendez",
    "nan en fait",
    "pardon non",
]


@pytest.mark.parametrize("field", sorted(BOOLEAN_FIELDS))
@pytest.mark.parametrize("text", CORRECTIONS)
def test_a_no_inside_a_correction_never_answers_a_yes_no_question(text: str, field: str) -> None:
    assert interpret_answer(text, field) is None


@pytest.mark.parametrize("field", sorted(BOOLEAN_FIELDS))
@pytest.mark.parametrize("text", ["non ?", "oui ?", "pourquoi ?", "non pourquoi ?", "c'est quoi ?", "comment ça non"])
def test_a_question_never_answers_a_yes_no_question(text: str, field: str) -> None:
    assert interpret_answer(text, field) is None


@pytest.mark.parametrize(
    "text,field",
    [
        ("qualité osseuse : non", "prior_radiotherapy"),
        ("l'irradiation : oui", "major_bone_loss"),
        ("non, c'est le fémur", "diagnostic_uncertainty"),
        ("non, la diaphyse", "suspected_hypervascular"),
        ("oui, lytique", "prior_radiotherapy"),
    ],
)
def test_a_yes_or_no_about_another_field_never_answers_the_pending_one(text: str, field: str) -> None:
    assert interpret_answer(text, field) is None


@pytest.mark.parametrize(
    "text,field,expected",
    [
        ("non", "prior_radiotherapy", "false"),
        ("ouais", "major_bone_loss", "true"),
        ("non, et l'espérance de vie est de 8 mois", "prior_radiotherapy", "false"),
        ("oui, sur le fémur", "prior_radiotherapy", "true"),
        ("non, il n'a jamais été irradié", "prior_radiotherapy", "false"),
        ("en fait oui, il a été irradié", "prior_radiotherapy", "true"),
        ("je crois pas", "suspected_hypervascular", "false"),
    ],
)
def test_a_plain_answer_and_a_stated_value_still_answer(text: str, field: str, expected: str) -> None:
    assert interpret_answer(text, field) == expected


def test_a_field_named_takes_the_dont_know_whatever_is_asked() -> None:
    assert pairs("qualité osseuse : je sais pas") == [("major_bone_loss", "unknown")]
    assert pairs("l'irradiation, aucune idée") == [("prior_radiotherapy", "unknown")]
    assert interpret_answer("qualité osseuse : je sais pas", "prior_radiotherapy") is None
    assert interpret_answer("je sais pas", "prior_radiotherapy") == "unknown"


def test_discourse_markers() -> None:
    assert is_question("et si la lésion était blastique")
    assert is_question("quel implant pour ce col")
    assert not is_question("fracture du col fémoral, EV 4 mois")
    assert is_correction("oh non pardon c'est le radius")
    assert not is_correction("non")


# ------------------------------------------------ questions and hypotheses state nothing


@pytest.mark.parametrize(
    "text",
    [
        "pourquoi pas un clou pour ce col fémoral ?",
        "pourquoi pas une arthroplastie de l'humérus",
        "et si la douleur était mécanique, ça change quoi ?",
        "imaginons qu'elle ait une lésion lytique",
        "s'il était déjà irradié, on ferait quoi ?",
    ],
)
def test_questions_and_hypotheses_state_no_fact(text: str) -> None:
    assert [p for p in pairs(text) if p[0] != "field"] == []


def test_a_case_followed_by_its_question_is_still_read() -> None:
    assert ("bone", "humerus") in pairs("fracture pathologique de l'humérus, on opère ?")
    assert ("life_expectancy", "6_weeks_to_6_months") in pairs("pourquoi pas une PTH ? EV 3 mois")


def test_a_radiotherapy_to_come_is_no_prior_radiotherapy() -> None:
    assert ("prior_radiotherapy", "true") not in pairs("lésion du tibia, RT postopératoire à prévoir")
    assert ("prior_radiotherapy", "true") not in pairs("fracture du fémur, radiothérapie adjuvante ensuite")


# ------------------------------------------------ « col chir » is the humerus' surgical neck


def test_col_chir_is_the_proximal_humerus_never_the_femoral_neck() -> None:
    assert ("site", "neck") not in pairs("lésion lytique du col chir")
    assert ("site", "proximal") in pairs("lésion lytique du col chir")
    assert interpret_answer("au col chir", "site") == "proximal"


# ------------------------------------------------ life expectancy as clinicians say it


@pytest.mark.parametrize(
    "said,expected",
    [
        ("EV 2-5 mois", "6_weeks_to_6_months"),
        ("survie entre 2 et 4 mois", "6_weeks_to_6_months"),
        ("EV 4 à 6 mois", "6_weeks_to_6_months"),
        ("espérance de vie grosso modo 3 mois", "6_weeks_to_6_months"),
        ("EV ~ 9 mois", "6_to_12_months"),
        ("EV à peu près 8 mois", "6_to_12_months"),
        ("EV de 1 à 3 semaines", "lt_6_weeks"),
        ("EV quelques jours", "lt_6_weeks"),
        ("patiente en fin de vie", "lt_6_weeks"),
        ("EV plusieurs années", "gt_12_months"),
        ("EV 7 à 10 mois", "6_to_12_months"),
    ],
)
def test_life_expectancy_inside_one_class_is_taken(said: str, expected: str) -> None:
    assert ("life_expectancy", expected) in pairs(said)


@pytest.mark.parametrize(
    "said,low,high",
    [
        ("EV autour de 6 mois", "6_weeks_to_6_months", "6_to_12_months"),
        ("EV 6 mois environ", "6_weeks_to_6_months", "6_to_12_months"),
        ("EV 1 à 2 mois", "lt_6_weeks", "6_weeks_to_6_months"),
        ("EV environ un an", "6_to_12_months", "gt_12_months"),
        ("EV entre 10 mois et 2 ans", "6_to_12_months", "gt_12_months"),
        ("EV quelques semaines", "lt_6_weeks", "6_weeks_to_6_months"),
    ],
)
def test_life_expectancy_straddling_one_bound_offers_the_two_classes(said: str, low: str, high: str) -> None:
    assert [p for p in pairs(said) if p[0] == "life_expectancy"] == []
    straddle = choices(said)["life_expectancy"]
    assert (straddle.low, straddle.high) == (low, high)
    assert straddle.text in said


def test_a_straddling_answer_to_the_question_offers_the_choice_too() -> None:
    assert choices("à peu près 6 mois", "life_expectancy")["life_expectancy"][:2] == (
        "6_weeks_to_6_months",
        "6_to_12_months",
    )
    assert interpret_answer("à peu près 6 mois", "life_expectancy") is None


def test_a_straddle_over_two_bounds_offers_no_choice() -> None:
    assert choices("EV 2 semaines à 8 mois") == {}


def test_life_expectancy_inside_a_longer_message_is_read() -> None:
    text = "scanner fait : lyse de plus des 2/3, et l'oncologue donne une EV de 6 mois environ"
    assert ("lesion_size", "gt_two_thirds") in pairs(text)
    assert "life_expectancy" in choices(text)
    assert ("life_expectancy", "6_weeks_to_6_months") in pairs("TDM : lytique. EV entre 3 et 5 mois selon l'onco")


@pytest.mark.parametrize(
    "said,expected,other",
    [
        ("EV 6 mois", "6_to_12_months", "6_weeks_to_6_months"),
        ("survie estimée à un an", "6_to_12_months", "gt_12_months"),
        ("espérance de vie de 6 semaines", "6_weeks_to_6_months", "lt_6_weeks"),
    ],
)
def test_a_bound_stated_plainly_is_taken_and_named(said: str, expected: str, other: str) -> None:
    assert ("life_expectancy", expected) in pairs(said)
    assert boundaries(said)["life_expectancy"].other == other


def test_a_value_inside_a_class_is_no_bound() -> None:
    assert boundaries("EV 4 mois") == {}


# ------------------------------------------------ out of scope


@pytest.mark.parametrize(
    "text,reason",
    [
        ("métastase de T10, on opère ?", "spine"),
        ("lésion lytique en D7", "spine"),
        ("tassement de L5 sur méta", "spine"),
        ("méta C3 avec épidurite", "spine"),
        ("métastase vertébrale douloureuse", "spine"),
        ("lésion du rachis lombaire", "spine"),
        ("lésion lytique de l'ilium gauche", "pelvis"),
        ("méta de la branche ilio-pubienne", "pelvis"),
        ("fracture du sacrum sur méta", "pelvis"),
        ("lésion de l'ischion droit", "pelvis"),
        ("après l'enclouage, combien de grays ?", "radiotherapy_dose"),
        ("30 Gy en 10 séances pour le fémur ?", "radiotherapy_dose"),
        ("quel fractionnement pour l'humérus ?", "radiotherapy_dose"),
        ("zolédronate ou dénosumab ?", "bone_drug"),
        ("faut-il des bisphosphonates", "bone_drug"),
        ("Prolia", "bone_drug"),
    ],
)
def test_out_of_scope_whatever_the_wording(text: str, reason: str) -> None:
    found = out_of_scope(text)
    assert found is not None and found.reason == reason
    assert all(w in text for w in found.words)


@pytest.mark.parametrize(
    "text",
    [
        "??",
        "fracture pathologique du fémur, métastases vertébrales multiples",
        "adénocarcinome T2 N1 M1, fracture du col fémoral",
        "osimertinib en L1, EV > 1 an",
        "lésion du cotyle et de l'aile iliaque",
        "déjà irradié, 8 Gy en une fraction",
        "fracture de l'humérus, patient sous dénosumab",
        "lésion de l'humérus en L2 de chimio",
    ],
)
def test_limb_cases_and_plain_statements_stay_in_scope(text: str) -> None:
    assert out_of_scope(text) is None


# ------------------------------------------------ removing a fact


@pytest.mark.parametrize(
    "text,kind,fields,unknown",
    [
        ("enlève la qualité osseuse", "removal", ("major_bone_loss",), False),
        ("merci de retirer le doute diagnostique", "removal", ("diagnostic_uncertainty",), False),
        ("supprimez l'espérance de vie", "removal", ("life_expectancy",), False),
        ("je n'ai jamais dit ça", "denial", (), False),
        ("j'ai pas dit que l'irradiation était oui, je sais pas", "denial", ("prior_radiotherapy",), True),
    ],
)
def test_a_sentence_can_take_a_fact_out(text: str, kind: str, fields: tuple[str, ...], unknown: bool) -> None:
    found = command(text)
    assert found is not None
    assert (found.kind, found.fields, found.unknown) == (kind, fields, unknown)


def test_a_denied_value_is_not_read() -> None:
    assert ("prior_radiotherapy", "true") not in pairs("j'ai pas dit que l'irradiation était oui")


@pytest.mark.parametrize("text", ["matériel retiré en 2020, fracture du fémur", "il a enlevé son attelle"])
def test_the_same_verbs_in_a_case_description_remove_nothing(text: str) -> None:
    assert command(text) is None


def test_a_dose_of_something_else_is_no_radiotherapy_dose() -> None:
    found = out_of_scope("quelle dose de paracétamol ?")
    assert found is None or found.reason != "radiotherapy_dose"
