"""The recommendation and the questions as a clinician reads them."""

import re

from consultation.render import (
    case_summary,
    details,
    question,
    recommendation_messages,
    reference_message,
    short_answer,
    why_messages,
)
from decision import knowledge, recommend

CASE = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "neck",
    "life_expectancy": "6_to_12_months",
    "fit_for_surgery": True,
    "prior_radiotherapy": True,
    "suspected_hypervascular": False,
    "diagnostic_uncertainty": True,
}


def test_question_has_its_number_hint_and_buttons_setting_the_slot():
    asked = question("situation", 1)
    assert asked["text"].startswith("*Question 1* — **Quelle est la situation clinique ?**")
    assert "cimentoplastie" in asked["text"]  # the hint
    payloads = [button["payload"] for button in asked["buttons"]]
    assert payloads[0] == '/inform{"situation": "pathological_fracture"}'
    assert "unknown" not in payloads[-1]  # the situation is always known


def test_life_expectancy_question_offers_unknown_once():
    buttons = question("life_expectancy", 3)["buttons"]
    assert buttons[-1] == {"title": "Je ne sais pas", "payload": '/inform{"life_expectancy": "unknown"}'}
    assert len(buttons) == 5


def test_boolean_question_buttons_are_json_booleans_and_unknown():
    payloads = [b["payload"] for b in question("fit_for_surgery", 4)["buttons"]]
    assert payloads == [
        '/inform{"fit_for_surgery": true}',
        '/inform{"fit_for_surgery": false}',
        '/inform{"fit_for_surgery": "unknown"}',
    ]


def test_refining_question_says_so():
    asked = question("prior_radiotherapy", 6, refining=True, preface="Pour affiner cette réponse (facultatif) :")
    assert asked["text"].startswith("Pour affiner cette réponse (facultatif) :\n*Pour affiner — question 6*")


def test_site_question_shows_only_the_sites_of_the_bone():
    titles = [b["title"] for b in question("site", 3, ("proximal", "diaphysis", "distal"))["buttons"]]
    assert titles == ["Extrémité proximale", "Diaphyse", "Extrémité distale", "Je ne sais pas"]


def test_case_summary_lists_the_facts_in_french():
    summary = case_summary(CASE)
    assert "- Os atteint : Fémur" in summary and "- Localisation sur l'os : Col fémoral" in summary
    assert "- Site déjà irradié : Oui" in summary
    compromised = case_summary({"acetabular_stability_compromised": True, "major_bone_loss": "unknown"})
    assert "- Stabilité du cotyle compromise : Oui" in compromised  # reads right: compromised, yes
    assert "- Perte osseuse importante ou os de mauvaise qualité : Inconnu" in compromised
    assert case_summary({}) == "Aucune donnée du cas n'a encore été saisie."


def test_short_answer_gives_indication_options_and_warnings_that_matter():
    rec = recommend(CASE).to_dict()
    answer, follow_up = recommendation_messages(rec)
    assert answer.startswith("**Chirurgie indiquée** (à visée symptomatique)")
    assert "- Arthroplastie de hanche cimentée, en première intention *(§ 4.2 ; réf. 137, 142)*" in answer
    assert (
        "Site déjà irradié." in answer and "Doute diagnostique" not in answer
    )  # no nail here: no dissemination warning
    assert "Biopsie" not in answer and "**Bilan" not in answer  # the work-up is on demand
    assert "« bilan »" in follow_up and "« références »" in follow_up


def test_details_show_each_item_once_with_section_and_references():
    rec = recommend(CASE).to_dict()
    workup, postoperative, warnings, references = details(rec)
    assert workup.startswith("**Bilan avant la décision**") and "Biopsie préopératoire" in workup
    assert postoperative.startswith("**Après l'intervention**")
    assert "radiothérapie post-opératoire de toute la pièce osseuse" in postoperative.lower()
    assert "(§ 1 ; voir aussi 84, 85 (autres chapitres du référentiel))" in postoperative
    assert warnings.startswith("**Points d'attention**") and references.startswith("**Références**")
    everything = "\n".join([short_answer(rec), *details(rec)])
    for item in rec["workup"] + rec["postoperative"]:
        assert everything.count(item["label_fr"]) == 1, item["code"]


def test_references_are_printed_exactly_as_in_the_bibliography():
    rec = recommend(CASE).to_dict()
    references = details(rec, ["references"])[0].splitlines()
    assert references[0] == "**Références**"
    numbers = [int(re.match(r"(\d+)\. ", line).group(1)) for line in references[1:]]
    assert numbers == sorted(numbers)
    for line, number in zip(references[1:], numbers, strict=True):
        assert line == f"{number}. {knowledge.printed_reference(number)}"
        assert "*" not in line


def test_undetermined_recommendation_says_what_each_answer_leads_to():
    rec = recommend({**CASE, "life_expectancy": "unknown"}).to_dict()
    answer = short_answer(rec)
    assert "**Selon la réponse**" in answer
    assert (
        "- si espérance de vie = moins de 6 semaines : chirurgie non indiquée "
        "(pas de chirurgie : antalgie efficace, radiothérapie éventuelle)" in answer
    )
    open_case = recommend(
        {
            "situation": "impending_fracture",
            "bone": "femur",
            "site": "diaphysis",
            "life_expectancy": "6_to_12_months",
            "fit_for_surgery": True,
        }
    ).to_dict()
    text = short_answer(open_case)
    assert (
        "- si douleur (score de Mirels) = fonctionnelle : "
        "chirurgie indiquée ou chirurgie à discuter en RCP selon les autres réponses" in text
    )
    assert (
        "Questions en attente : douleur (score de Mirels), aspect radiologique (score de Mirels), "
        "taille de la lésion (score de Mirels)." in text
    )


def test_mirels_score_is_shown_with_its_items():
    rec = recommend(
        {
            "situation": "impending_fracture",
            "bone": "humerus",
            "site": "diaphysis",
            "life_expectancy": "6_to_12_months",
            "fit_for_surgery": True,
            "pain": "functional",
            "lesion_type": "lytic",
            "lesion_size": "gt_two_thirds",
        }
    ).to_dict()
    assert "**Score de Mirels : 10/12 (site 1, douleur 3, aspect 3, taille 3).**" in short_answer(rec)
    partial = recommend(
        {
            "situation": "impending_fracture",
            "bone": "femur",
            "site": "trochanteric",
            "life_expectancy": "6_to_12_months",
            "fit_for_surgery": True,
            "pain": "functional",
            "lesion_type": "lytic",
            "lesion_size": "unknown",
        }
    ).to_dict()
    assert "**Score de Mirels : 10 à 12/12 (site 3, douleur 3, aspect 3, taille ?).**" in short_answer(partial)


def test_percutaneous_plan_is_not_headed_surgery_not_indicated():
    rec = recommend(
        {
            "situation": "impending_fracture",
            "bone": "acetabulum",
            "life_expectancy": "6_weeks_to_6_months",
            "fit_for_surgery": True,
            "acetabular_fracture_risk": True,
            "percutaneous_treatment_failed": False,
        }
    ).to_dict()
    assert short_answer(rec).startswith("**Pas de chirurgie ouverte : traitement percutané indiqué**")


def test_why_gives_rationale_section_and_verbatim_quote():
    rec = recommend(CASE).to_dict()
    why = why_messages(rec)[0]
    assert "**Technique(s) — Arthroplastie de hanche cimentée**" in why
    assert "Section 4.2 (« Arthroplasties ») ; réf. 137, 142." in why
    assert "> « L'atteinte cotyloïdienne doit également être prise en compte" in why  # every sentence it rests on
    assert (
        "> « Les localisations préférentielles pour l'arthroplastie "
        "sont les lésions de la tête et du col du fémur. » (§ 4.2)" in why
    )


def test_reference_shows_full_text_and_duplicates():
    text = reference_message(144)
    assert text.startswith("**Référence 144.** Wegrzyn J, Malatray M")
    assert "Citée par le chapitre" in text
    assert "même article que la référence 82" in reference_message(83)
    assert "autre chapitre" in reference_message(77)


def test_single_lesion_question_and_what_its_answer_changes_in_the_short_answer():
    """Contract 0.4.0: « La lésion osseuse est-elle unique… ? » with Oui / Non / Je ne
    sais pas; unknown, the short answer keeps the two first-line options and says what a
    single lesion would change; on a fracture, that a nail would compromise a later resection."""
    asked = question("solitary_bone_metastasis", 5)
    assert asked["text"].startswith("*Question 5* — **La lésion osseuse est-elle unique")
    assert [b["title"] for b in asked["buttons"]] == ["Oui", "Non", "Je ne sais pas"]
    assert "oligométastatique" in asked["text"]  # the hint
    long_survivor = {
        "situation": "impending_fracture",
        "bone": "femur",
        "site": "diaphysis",
        "life_expectancy": "gt_12_months",
        "fit_for_surgery": True,
        "pain": "functional",
        "lesion_type": "lytic",
        "lesion_size": "gt_two_thirds",
    }
    unknown = short_answer(recommend({**long_survivor, "solitary_bone_metastasis": "unknown"}).to_dict())
    assert "- Enclouage centromédullaire verrouillé, en première intention" in unknown
    assert "- Résection-reconstruction, en première intention" in unknown
    assert "En cas de lésion osseuse unique : résection-reconstruction en première intention." in unknown
    fracture = {**long_survivor, "situation": "pathological_fracture", "solitary_bone_metastasis": True}
    assert "un enclouage compromettrait une résection ultérieure" in short_answer(recommend(fracture).to_dict())
    assert "Lésion osseuse unique ou maladie oligométastatique contrôlée : Oui" in case_summary(fracture)
