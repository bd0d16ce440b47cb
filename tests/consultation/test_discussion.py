"""Discussing the case (consultation/discussion.py): the clinician's questions
beside the form's, answered from the decision module, never writing a fact.

Expected values come from the chapter's sentences: arthroplasty « indiquées
chez des patients ayant un pronostic vital supérieur à 6 mois-1 an » (§ 4.2),
the proximal femoral resection with a megaprosthesis when the neck lesion
reaches the trochanteric region (§ 4.2), the total hip arthroplasty with a
metal acetabular reinforcement for the acetabulum (§ 4.2), the Mirels
threshold of 9 (§ 2.1), the biopsy when the diagnosis is in doubt (§ 3)."""

import copy
import re

import pytest

from consultation import discussion_words
from consultation.discussion import answer, topic
from consultation.discussion_words import concepts_named
from consultation.technique_answers import technique_answer
from consultation.what_if import hypothesis
from decision import knowledge, recommend
from tests.support.guideline import SOURCE

GUIDELINE = SOURCE

NECK_4_MONTHS = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "neck",
    "life_expectancy": "6_weeks_to_6_months",
    "fit_for_surgery": True,
    "diagnostic_uncertainty": False,
}
NECK_EXTENDED_4_MONTHS = {**NECK_4_MONTHS, "site": "neck_trochanteric_extension"}
NECK_2_YEARS = {**NECK_4_MONTHS, "life_expectancy": "gt_12_months"}
DISTAL_FEMUR_9_MONTHS = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "distal",
    "life_expectancy": "6_to_12_months",
    "fit_for_surgery": True,
}
# Mirels 1 (upper limb) + 1 (mild pain) + 3 (lytic) + 2 (one to two thirds) = 7.
HUMERUS_MILD_PAIN = {
    "situation": "impending_fracture",
    "bone": "humerus",
    "site": "diaphysis",
    "life_expectancy": "6_to_12_months",
    "fit_for_surgery": True,
    "pain": "mild",
    "lesion_type": "lytic",
    "lesion_size": "one_to_two_thirds",
}


def said(text, case, pending=None, intent=None, given=True):
    rec = recommend(case).to_dict() if given else None
    return "\n".join(answer(text, case, rec, pending, intent) or [])


# ------------------------------------------------------------------ topics


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bon, on part sur quoi au bout du compte, au final ?", "verdict"),
        ("sur quelles recommandations tu t'appuies ?", "source"),
        ("que me faut-il encore pour conclure ?", "missing"),
        ("faut-il une biopsie avant l'ostéosynthèse ?", "biopsy"),
        ("???", "clarify"),
        ("hein, c'est-à-dire ?", "clarify"),
        ("je ne comprends pas cette question", "clarify"),
        ("et une prothèse totale de hanche ?", "technique"),
        ("et si l'espérance de vie était de 18 mois ?", "what_if"),
        ("sur quel point le texte est-il flou ici ?", "open_points"),
        ("fracture du col fémoral", None),
        ("non", None),
        ("merci", None),
    ],
)
def test_what_a_message_asks_is_read_from_its_words(text, expected):
    assert topic(text) == expected


def test_the_intent_says_what_is_asked_when_the_words_do_not():
    assert topic("bon alors", "ask_about_case") == "verdict"
    assert topic("bon alors", "ask_clarify") == "clarify"
    assert topic("ok", "inform") is None


def test_a_longer_technique_name_wins_over_the_shorter_one_it_holds():
    assert [concept for concept, _ in concepts_named("on partirait sur un clou gamma long ?")] == [
        "cephalomedullary_nail"
    ]
    assert [concept for concept, _ in concepts_named("une attelle, ou un clou ?")] == ["splint", "nail"]


# ------------------------------------------------------------------ techniques


def test_a_total_hip_for_a_neck_lesion_reaching_the_trochanter_is_the_femoral_megaprosthesis_with_the_real_reason():
    text = said("pourquoi pas une PTH ?", NECK_EXTENDED_4_MONTHS)
    assert "**Résection fémorale proximale et méga-prothèse cimentée** ne fait pas partie des options" in text
    assert "renfort métallique acétabulaire" not in text  # never the acetabular technique
    assert "si l'espérance de vie était de 6 à 12 mois ou plus de 12 mois (ici : 6 semaines à 6 mois)" in text
    assert "cet os" not in text


def test_a_total_hip_for_a_neck_lesion_is_the_hip_arthroplasty_and_for_the_acetabulum_the_reinforced_one():
    neck = said("on pourrait poser une prothèse totale ?", NECK_4_MONTHS)
    assert "**Arthroplastie de hanche cimentée** ne fait pas partie des options" in neck
    assert "si l'espérance de vie était de 6 à 12 mois ou plus de 12 mois" in neck
    acetabulum = {
        "situation": "refractory_pain",
        "bone": "acetabulum",
        "life_expectancy": "6_to_12_months",
        "fit_for_surgery": True,
        "acetabular_stability_compromised": True,
        "percutaneous_treatment_failed": True,
    }
    assert "Prothèse totale de hanche avec cotyle cimenté dans un renfort métallique acétabulaire" in said(
        "une PTH ?", acetabulum
    )


def test_a_total_hip_with_no_bone_known_says_what_each_reading_would_be():
    text = said("pourquoi pas une PTH ?", {"situation": "pathological_fracture"})
    assert "peut désigner" in text
    assert "Arthroplastie cimentée" in text
    assert "Prothèse totale de hanche avec cotyle cimenté dans un renfort métallique acétabulaire" in text


def test_hemi_or_total_is_said_to_be_left_open_by_the_chapter_and_the_quotes_are_verbatim():
    text = said("et une prothèse bipolaire ?", NECK_2_YEARS)
    assert "fait partie des options pour ce cas, en première intention" in text
    assert "Le chapitre ne le précise pas" in text
    source = knowledge.printed(GUIDELINE.read_text(encoding="utf-8"))
    for note in discussion_words.data()["notes"].values():
        for quoted in re.findall(r"« ([^»]+) »", note):
            assert quoted in source, quoted


def test_a_massive_prosthesis_at_the_distal_femur_is_the_resection_reconstruction_not_the_arthroplasty():
    text = said("pourquoi pas une prothèse massive ?", DISTAL_FEMUR_9_MONTHS)
    assert "**Résection-reconstruction** ne fait pas partie des options" in text
    assert "si l'espérance de vie était de plus de 12 mois" in text  # « supérieure à 1 an » (§ 1)
    assert "Arthroplastie cimentée" not in text


def test_a_gamma_nail_is_the_cephalomedullary_nail_proposed_at_the_trochanter_not_at_the_neck():
    neck = said("plutôt un clou gamma ?", NECK_2_YEARS)
    assert "**Clou céphalomédullaire long, verrouillé par vis cervicale** ne fait pas partie des options" in neck
    assert "Ici, le chapitre propose : Arthroplastie de hanche cimentée, en première intention." in neck
    trochanter = said("plutôt un clou gamma ?", {**NECK_4_MONTHS, "site": "trochanteric"})
    nail = "**Clou céphalomédullaire long, verrouillé par vis cervicale**"
    assert f"{nail} fait partie de la recommandation" in trochanter


def test_a_splint_is_said_to_be_outside_the_chapter():
    text = said("une simple attelle ?", {**NECK_4_MONTHS, "bone": "humerus", "site": "diaphysis"})
    assert "le chapitre n'en parle pas comme traitement" in text


def test_a_technique_not_recognised_is_asked_back():
    assert "Je n'ai pas reconnu la technique" in technique_answer("bof ?", NECK_4_MONTHS, None)[0]


# ------------------------------------------------------------------ what if


def test_a_hypothesis_gives_the_other_answer_without_touching_the_case():
    case = copy.deepcopy(HUMERUS_MILD_PAIN)
    text = said("et si elle avait en fait une douleur fonctionnelle, ça donnerait quoi ?", case)
    assert case == HUMERUS_MILD_PAIN
    assert "rien n'est enregistré" in text
    assert "La recommandation deviendrait : **Chirurgie indiquée** (à visée préventive)." in text  # Mirels 9


def test_a_hypothesis_is_read_on_a_copy():
    stated, supposed = hypothesis("et si le site était déjà irradié ?", HUMERUS_MILD_PAIN, None)
    assert stated == {"prior_radiotherapy": True}
    assert supposed["prior_radiotherapy"] is True and "prior_radiotherapy" not in HUMERUS_MILD_PAIN


def test_a_hypothesis_that_is_already_the_case_changes_nothing_and_one_with_no_fact_is_asked_back():
    assert "ne changerait pas" in said("et si la douleur était légère ?", HUMERUS_MILD_PAIN)
    assert "Je n'ai pas reconnu de donnée du cas" in said("et si on attendait ?", HUMERUS_MILD_PAIN)


def test_a_hypothesis_may_answer_the_pending_question():
    text = said("et si oui ?", NECK_2_YEARS, pending="prior_radiotherapy")
    assert "(site déjà irradié : Oui)" in text


# ------------------------------------------------------------------ the rest


def test_what_is_missing_names_the_unknown_facts_that_matter_and_the_exam_that_settles_them():
    case = {
        "situation": "impending_fracture",
        "bone": "tibia",
        "site": "diaphysis",
        "life_expectancy": "unknown",
        "fit_for_surgery": True,
        "pain": "functional",
        "lesion_type": "unknown",
        "lesion_size": "unknown",
        "diagnostic_uncertainty": False,
    }
    text = said("il me manque quoi pour décider ?", case)
    deciding = text.split("**Pour affiner**")[0]
    assert "- espérance de vie (inconnu) : l'estimation de l'oncologue" in deciding
    assert "- aspect radiologique (score de Mirels) (inconnu) : scanner centré sur la lésion" in deciding
    assert "- taille de la lésion (score de Mirels) (inconnu) : scanner centré sur la lésion" in deciding
    assert "site déjà irradié" not in deciding  # it only refines


def test_nothing_is_missing_once_the_case_is_complete():
    complete = {**NECK_2_YEARS, "prior_radiotherapy": False, "suspected_hypervascular": False}
    assert "Rien ne manque" in said("il manque quoi ?", complete, intent="ask_missing")


def test_the_source_is_the_chapter_with_its_edition_even_before_any_case():
    text = said("c'est quel référentiel ?", {}, given=False)
    assert "Chirurgie des métastases osseuses des membres" in text and "Auvergne Rhône-Alpes" in text
    assert f"Édition : {knowledge.chapter()['guideline']['edition']}." in text


def test_the_biopsy_follows_the_diagnostic_doubt():
    doubt = said("on biopsie d'abord ?", {**NECK_2_YEARS, "diagnostic_uncertainty": True})
    assert doubt.startswith("Oui : un doute diagnostique est noté.")
    assert "la biopsie en préopératoire peut être indiquée en cas de doute" in doubt
    assert "n'impose pas de biopsie" in said("on biopsie d'abord ?", NECK_2_YEARS)
    assert "Cela dépend du doute diagnostique" in said(
        "faut biopsier ?", {k: v for k, v in NECK_2_YEARS.items() if k != "diagnostic_uncertainty"}
    )


def test_what_the_chapter_leaves_open_is_its_silence_for_this_case():
    text = said("qu'est-ce que le texte ne tranche pas ici ?", NECK_4_MONTHS)
    assert "ne nomme aucun implant pour la tête et le col du fémur" in text
    diaphysis = {**NECK_4_MONTHS, "site": "diaphysis"}
    assert "le chapitre tranche l'indication et la technique" in said("zone grise ?", diaphysis)


def test_the_roles_of_the_options_are_explained_with_this_case_s_options():
    text = said("alternative par rapport à quoi ?", NECK_2_YEARS)
    assert "« en alternative » : une option qu'il admet aussi" in text
    assert "- En première intention : Arthroplastie de hanche cimentée" in text


def test_question_marks_alone_explain_the_pending_question_never_a_refusal():
    text = said("??", NECK_2_YEARS, pending="lesion_size")
    assert text.startswith("Cette question porte sur : taille de la lésion (score de Mirels).")
    assert "« Plus de deux tiers »" in text
    assert "Je n'ai pas compris" not in text


def test_the_verdict_is_short_and_says_what_is_still_missing_before_the_answer():
    text = said("donc on fait quoi ?", NECK_2_YEARS)
    assert text.startswith("**En bref** : **Chirurgie indiquée**")
    assert "Options : Arthroplastie de hanche cimentée, en première intention." in text
    before = said("donc on fait quoi ?", {"situation": "pathological_fracture", "bone": "femur"}, given=False)
    assert "Pas encore de réponse : il me manque" in before and "espérance de vie" in before
    assert "Aucun cas" in said("au final ?", {}, given=False)


def test_the_discussions_words_hold_its_cues_and_topics():
    """What the clinician may say to discuss the case is no name for the privacy screen."""
    assert {"imaginons", "supposons", "techniques", "what"} <= discussion_words.words()
