"""`update_facts` writes only what the clinician stated, without Rasa.

The entities are those the NLU gives: the parser's context-free facts.
"""

from __future__ import annotations

import pytest

from consultation.facts import update_facts
from freetext.fields import BOOLEAN_FIELDS
from freetext.parser import extract_facts

FEMUR_CASE = {"situation": "pathological_fracture", "bone": "femur", "site": "diaphysis"}


def read(text, requested=None, current=None, intent="inform", previous=None):
    entities = [{"entity": f.field, "value": f.value} for f in extract_facts(text)]
    return update_facts(
        dict(FEMUR_CASE if current is None else current),
        entities,
        {"name": intent, "confidence": 1.0},
        text,
        requested,
        previous,
    )


# ------------------------------------------------ a correction never answers the pending question


@pytest.mark.parametrize("pending", sorted(BOOLEAN_FIELDS))
@pytest.mark.parametrize(
    "text,corrected",
    [
        ("oh non pardon c'est le radius", {"bone": "radius"}),
        ("nan en fait c'est la partie distale", {"site": "distal"}),
        ("non attendez, c'est le col", {"site": "neck"}),
        ("euh non, pas la diaphyse, l'extrémité distale", {"site": "distal"}),
    ],
)
def test_a_correction_is_applied_and_the_pending_question_stays_unanswered(pending, text, corrected) -> None:
    update = read(text, requested=pending)
    assert pending not in update.slots
    for name, value in corrected.items():
        assert update.slots.get(name) == value
    assert not any(m.startswith("Noté") and "Non" in m for m in update.messages)


@pytest.mark.parametrize("pending", sorted(BOOLEAN_FIELDS))
@pytest.mark.parametrize("text", ["non ?", "pourquoi ?", "oui mais pourquoi cette question ?", "nan en fait"])
def test_a_question_or_a_bare_take_back_sets_nothing(pending, text) -> None:
    update = read(text, requested=pending)
    assert update.slots == {}


def test_a_plain_no_still_answers() -> None:
    assert read("non", requested="prior_radiotherapy").slots == {"prior_radiotherapy": False}
    assert read("non, et EV 8 mois", requested="prior_radiotherapy").slots == {
        "prior_radiotherapy": False,
        "life_expectancy": "6_to_12_months",
    }


def test_the_field_named_takes_the_answer_not_the_pending_one() -> None:
    update = read("qualité osseuse : je ne sais pas", requested="prior_radiotherapy")
    assert update.slots == {"major_bone_loss": "unknown"}
    update = read("qualité osseuse : je ne sais pas", requested="prior_radiotherapy", intent="dont_know")
    assert update.slots == {"major_bone_loss": "unknown"}
    assert read("l'irradiation : non", requested="major_bone_loss").slots == {"prior_radiotherapy": False}


# ------------------------------------------------ words about another subject fill nothing


def test_a_radiotherapy_dose_question_sets_nothing() -> None:
    update = read("pour l'humérus, combien de Gy après la chirurgie ? 20 Gy en 5 fois ?", current={})
    assert update.slots == {}
    assert update.out_of_scope == "radiotherapy_dose"
    assert "rien noté" in update.messages[0]


def test_a_question_or_hypothesis_writes_no_fact() -> None:
    assert read("et s'il avait une douleur mécanique ?", requested="diagnostic_uncertainty").slots == {}
    assert read("pourquoi pas une prothèse pour le col ?", requested="prior_radiotherapy").slots == {}
    assert read("faut-il biopsier d'abord ?", requested="prior_radiotherapy").slots == {}


def test_col_chir_keeps_the_proximal_humerus() -> None:
    current = {"situation": "pathological_fracture", "bone": "humerus", "site": "proximal"}
    update = read("pas métaphysaire, au col chir", requested="articular_involvement", current=current)
    assert "site" not in update.slots and "bone" not in update.slots


def test_a_misread_site_never_wipes_a_valid_one_but_a_new_bone_clears_its_site() -> None:
    current = {"situation": "pathological_fracture", "bone": "humerus", "site": "proximal"}
    update = update_facts(current, [{"entity": "site", "value": "neck"}], None, "col", None)
    assert "site" not in update.slots
    update = update_facts(current, [{"entity": "bone", "value": "radius"}], None, "radius", None)
    assert update.slots == {"bone": "radius", "site": None}


# ------------------------------------------------ out of scope: nothing set, the reason said


@pytest.mark.parametrize(
    "text,reason",
    [
        ("lésion lytique de D9, on opère ?", "spine"),
        ("méta de l'aile iliaque gauche", "pelvis"),
        ("Xgeva ou acide zolédronique ?", "bone_drug"),
    ],
)
def test_out_of_scope_sets_nothing_and_says_what_is_covered(text, reason) -> None:
    update = read(text, current={})
    assert update.slots == {} and update.out_of_scope == reason
    assert "membres" in update.messages[-1]
    quiet = read(text, current={}, intent="out_of_scope")
    assert quiet.slots == {} and len(quiet.messages) == 1


def test_double_question_marks_set_nothing_and_are_not_out_of_scope() -> None:
    update = read("??", requested="lesion_type")
    assert update.slots == {} and update.out_of_scope is None


# ------------------------------------------------ undoing a fact


def test_a_removal_clears_the_field_named_and_says_it() -> None:
    current = {**FEMUR_CASE, "major_bone_loss": False}
    update = read("enlève la qualité osseuse", current=current, requested="prior_radiotherapy")
    assert update.slots == {"major_bone_loss": None}
    assert update.messages == ["Retiré : perte osseuse importante ou os de mauvaise qualité : Non."]


def test_removing_a_field_never_given_says_so() -> None:
    update = read("retire l'irradiation")
    assert update.slots == {}
    assert "Rien à retirer" in update.messages[0]


def test_a_denial_removes_what_the_previous_message_wrote() -> None:
    current = {**FEMUR_CASE, "diagnostic_uncertainty": False}
    update = read("je n'ai jamais dit ça", current=current, previous={"diagnostic_uncertainty": False})
    assert update.slots == {"diagnostic_uncertainty": None}
    assert update.messages == ["Retiré : doute diagnostique : Non."]
    assert read("j'ai pas dit ça", previous={}).slots == {}


def test_a_denial_with_dont_know_makes_the_field_unknown() -> None:
    current = {**FEMUR_CASE, "major_bone_loss": False}
    update = read("j'ai jamais dit que la qualité osseuse était non, aucune idée", current=current)
    assert update.slots == {"major_bone_loss": "unknown"}
    assert "au lieu de Non" in update.messages[0]


# ------------------------------------------------ life expectancy


def test_a_straddling_life_expectancy_is_a_choice_and_writes_nothing() -> None:
    update = read("environ 6 mois", requested="life_expectancy")
    assert "life_expectancy" not in update.slots
    assert update.choice is not None
    assert update.choice.field == "life_expectancy"
    assert update.choice.values == ("6_weeks_to_6_months", "6_to_12_months")
    assert "« 6 semaines à 6 mois »" in update.choice.text and "« 6 à 12 mois »" in update.choice.text
    assert update.choice.text not in update.messages


def test_a_straddling_life_expectancy_in_a_longer_message_is_never_dropped_silently() -> None:
    update = read("TDM : lytique, plus des deux tiers ; l'onco dit EV 1 an environ", requested="lesion_type")
    assert update.slots == {"lesion_type": "lytic", "lesion_size": "gt_two_thirds"}
    assert update.choice is not None and update.choice.values == ("6_to_12_months", "gt_12_months")


def test_a_range_inside_a_class_is_written() -> None:
    assert read("entre 2 et 5 mois je pense", requested="life_expectancy").slots == {
        "life_expectancy": "6_weeks_to_6_months"
    }
    assert read("3-6 mois", requested="life_expectancy").slots == {"life_expectancy": "6_weeks_to_6_months"}


def test_a_bound_is_taken_and_the_class_named() -> None:
    update = read("EV 6 mois", requested="life_expectancy")
    assert update.slots == {"life_expectancy": "6_to_12_months"}
    assert update.messages[0] == "Noté : espérance de vie : 6 à 12 mois."
    assert "« 6 mois » est compté dans « 6 à 12 mois »" in update.messages[1]
    assert "« 6 semaines à 6 mois »" in update.messages[1]


OFFERED = ("6_weeks_to_6_months", "6_to_12_months")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("plutôt moins", "6_weeks_to_6_months"),
        ("la première", "6_weeks_to_6_months"),
        ("au-dessus", "6_to_12_months"),
        ("moins de 6 mois", "6_weeks_to_6_months"),
        ("6 à 12 mois", "6_to_12_months"),
    ],
)
def test_a_typed_reply_to_the_choice_picks_one_of_the_two_values(text, expected) -> None:
    update = update_facts(FEMUR_CASE, [], None, text, "life_expectancy", None, OFFERED)
    assert update.slots == {"life_expectancy": expected}


@pytest.mark.parametrize("text", ["plus ou moins", "pourquoi plus ?", "plus de douleur"])
def test_a_reply_that_picks_neither_side_writes_nothing(text) -> None:
    assert update_facts(FEMUR_CASE, [], None, text, "life_expectancy", None, OFFERED).slots == {}
    assert update_facts(FEMUR_CASE, [], None, "plutôt moins", "life_expectancy").slots == {}


# ------------------------------------------------ a doubt on a field named is that field's unknown


@pytest.mark.parametrize(
    "text",
    [
        "attendez, irradiée je n'en suis plus sûre, mettez inconnu",
        "la radiothérapie antérieure, je ne suis pas certain en fait",
        "irradié : mets je ne sais pas",
    ],
)
@pytest.mark.parametrize("requested", ["diagnostic_uncertainty", "major_bone_loss", None])
def test_a_doubt_on_the_radiotherapy_writes_only_its_unknown(text: str, requested: str | None) -> None:
    current = {**FEMUR_CASE, "prior_radiotherapy": True}
    update = update_facts(
        current, [{"entity": f.field, "value": f.value} for f in extract_facts(text)], None, text, requested
    )
    assert update.slots == {"prior_radiotherapy": "unknown"}
