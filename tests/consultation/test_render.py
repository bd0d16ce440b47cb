"""The recommendation and the questions as a clinician reads them."""

import re

from consultation.questions import case_summary, question
from consultation.render import branch_line, details, recommendation_messages, short_answer
from consultation.sources import reference_message
from consultation.technique_answers import technique_answer
from consultation.why import why_messages
from decision import knowledge, recommend
from tests.cases import LONG_SURVIVOR

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
    # A diagnostic doubt before a fracture: biopsy or minimal work-up first (§ 3), then the indication.
    doubt, indication = answer.split("\n\n")[:2]
    assert doubt.startswith("**Doute diagnostique** — biopsie préopératoire, ou bilan étiologique minimal")
    assert indication.startswith("**Chirurgie indiquée** (à visée symptomatique)")
    # § 4.2 prints no reference there; the femur's review is named once, on the indication.
    assert "- Arthroplastie de hanche cimentée, en première intention *(§ 4.2)*" in answer
    assert "*(§ 2.2 ; lecture complémentaire : réf. 137 (fémur))*" in answer
    # No nail here: no dissemination warning, and not « diagnostic avant tout implant ».
    assert "Site déjà irradié." in answer and "avant tout implant" not in answer
    assert "**Bilan" not in answer  # the rest of the work-up is on demand
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
    assert references[:2] == ["**Références**", "**À l'appui des éléments de la recommandation**"]
    numbered = [line for line in references if re.match(r"\d+\. ", line)]
    numbers = [int(re.match(r"(\d+)\. ", line).group(1)) for line in numbered]
    support, reading = numbers[: len(rec["citations"])], numbers[len(rec["citations"]) :]
    assert support == sorted(support) == [c["number"] for c in rec["citations"]]
    assert reading == [137, 138, 139, 141, 142]
    for line, number in zip(numbered, numbers, strict=True):
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
    why = why_messages(rec, everything=True)[0]
    assert "**Technique(s) — Arthroplastie de hanche cimentée**" in why
    assert (
        "Section 4.2 (« Arthroplasties ») ; sans référence : le chapitre n'en cite pas à cet endroit ; "
        "lecture complémentaire : réf. 137 (fémur)." in why
    )
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


def test_general_reading_of_the_chapter_is_shown_once_apart_from_the_items():
    """« Le lecteur pourra se reporter aux références suivantes pour approfondir le
    texte du référentiel concernant la chirurgie : (137–142). » In the chat, the
    items print the references that support them (none here but 84, 85 and 150,
    related references), the femur's review as complementary reading, and the
    chapter's reading list once, in « références », with its sentence."""
    rec = recommend(CASE).to_dict()
    everything = "\n".join([short_answer(rec), *details(rec)])
    assert everything.count("Lectures générales du chapitre (137–142)") == 1
    assert everything.count("(137–142). »") == 1  # the chapter's sentence, quoted once
    assert not re.search(r"réf\. [\d, ]*\b(13[78]|14[0-2])\b", everything.replace("lecture complémentaire : réf.", ""))
    assert "140. " not in everything and "La référence 140 porte sur le rachis" in everything
    why = why_messages(rec, everything=True)[0]
    assert why.count("Lectures générales du chapitre (137–142)") == 1


def test_a_sentence_without_reference_is_printed_with_its_section_only():
    """[1] « On rappelle que la CRP est élevée en post-opératoire en l'absence de
    toute infection et de toute tumeur ce qui en fait un mauvais marqueur
    d'infection post-opératoire. » [5] « Les protocoles d'antibioprophylaxie per
    opératoire sont également spécifiques de ce type de chirurgie à risque
    d'infection (prolongation de l'antibioprophylaxie pendant 48 h). » No number
    is printed after these sentences in the chapter."""
    rec = recommend(CASE).to_dict()
    postoperative = details(rec, ["postoperative"])[0]
    assert "- Ne pas se fier à la CRP pour dépister une infection post-opératoire *(§ 1)*" in postoperative
    assert "- Antibioprophylaxie prolongée 48 heures *(§ 5)*" in postoperative
    why = why_messages(rec, everything=True)[0]
    crp = why.split("Ne pas se fier à la CRP", 1)[1]
    assert crp.split("\n")[2].endswith("; sans référence : le chapitre n'en cite pas à cet endroit.")


def test_a_reference_of_the_reading_list_says_it_is_general_reading():
    """« Le lecteur pourra se reporter aux références suivantes pour approfondir le
    texte du référentiel concernant la chirurgie : (137–142). » [4.2] « C'est
    pourquoi, une arthroplastie totale de hanche associée à une reconstruction
    acétabulaire par renfort métallique acétabulaire constitue le traitement le
    plus indiqué (144). » « Référence 137 » prints its text and says it is
    general reading of the chapter (a review of the femur); « référence 144 »
    says the chapter cites it at a sentence of § 4.2."""
    swanson = reference_message(137)
    assert swanson.startswith(f"**Référence 137.** {knowledge.printed_reference(137)}")
    assert "Lecture générale du chapitre" in swanson and "(137–142)" in swanson and "(fémur)" in swanson
    assert "Lecture générale du chapitre" in reference_message(142)
    assert "rachis" in reference_message(140)
    assert "à l'appui d'une phrase du § 4.2" in reference_message(144)
    assert "à l'appui d'une phrase du § 2.1" in reference_message(143)
    assert "Lecture générale" not in reference_message(144)


def test_each_branch_reads_as_its_exact_outcomes():
    """Review 2, F4: a branch says every outcome its answer allows. One surgery whatever
    the other answers reads as that surgery, the technique left to them; several read as
    a list; a settled answer keeps its technique."""
    fit = {"situation": "pathological_fracture", "life_expectancy": "6_to_12_months", "fit_for_surgery": True}
    rec = recommend(fit)
    text = short_answer(rec.to_dict())
    assert "- si os atteint = fémur : chirurgie indiquée, technique selon les autres réponses" in text
    assert "- si os atteint = humérus : chirurgie indiquée, technique selon les autres réponses" in text
    assert "- si os atteint = radius : chirurgie à discuter en RCP (plaque d'ostéosynthèse" in text
    every = {
        "field": "bone",
        "value": "femur",
        "surgery": "undetermined",
        "techniques": [],
        "possible": ["indicated", "discuss", "not_indicated"],
    }
    assert branch_line(every) == (
        "- si os atteint = fémur : chirurgie indiquée, chirurgie à discuter en RCP ou chirurgie non indiquée "
        "selon les autres réponses"
    )
    treatment = {**every, "possible": ["not_indicated"]}
    assert branch_line(treatment) == (
        "- si os atteint = fémur : chirurgie non indiquée, prise en charge selon les autres réponses"
    )


NECK_FRACTURE_3_MONTHS = {**CASE, "life_expectancy": "6_weeks_to_6_months", "prior_radiotherapy": False}


def test_indicated_surgery_whose_technique_the_chapter_leaves_open_reads_as_an_indication():
    """A femoral-neck fracture in a fit patient with weeks to months to live: the chapter
    settles the indication (§ 2.2) and names no implant (§ 4.2): the first line is an
    indication, never « à discuter »."""
    answer = short_answer(recommend({**NECK_FRACTURE_3_MONTHS, "diagnostic_uncertainty": False}).to_dict())
    headline, left_open = answer.split("\n\n")[:2]
    assert headline.startswith(
        "**Chirurgie indiquée — technique à choisir en RCP** (à visée symptomatique). "
        "Une fracture sur lésion pathologique"
    )
    # What the RCP has to settle, named right under the headline: the implant for the neck (§ 4.2).
    assert left_open.startswith("**Laissé à la RCP** : quel implant pour la tête ou le col du fémur")
    assert "discuter" not in answer
    assert "Aucune technique n'est nommée" not in answer  # the headline has said it
    assert "Le chapitre ne tranche pas tout ce cas" not in answer


def test_indicated_surgery_whose_technique_depends_on_an_unknown_site_says_what_each_site_leads_to():
    rec = recommend(
        {
            "situation": "pathological_fracture",
            "bone": "femur",
            "site": "unknown",
            "life_expectancy": "6_weeks_to_6_months",
            "fit_for_surgery": True,
        }
    ).to_dict()
    answer = short_answer(rec)
    assert answer.startswith(
        "**Chirurgie indiquée — technique selon la réponse** (à visée symptomatique) : "
        "elle dépend d'une réponse encore inconnue (localisation sur l'os)"
    )
    assert "**Selon la réponse**" in answer
    assert "- si localisation sur l'os = col fémoral : chirurgie indiquée — technique à choisir en RCP" in answer
    assert (
        "- si localisation sur l'os = diaphyse : chirurgie indiquée (enclouage centromédullaire verrouillé)" in answer
    )
    assert "Aucune technique n'est nommée" not in answer


def test_why_not_a_hip_arthroplasty_for_a_neck_fracture_at_3_months_keeps_the_indication():
    rec = recommend(NECK_FRACTURE_3_MONTHS).to_dict()
    text = "\n".join(technique_answer("pourquoi pas une PTH ?", NECK_FRACTURE_3_MONTHS, rec))
    assert "**Arthroplastie de hanche cimentée** ne fait pas partie des options pour ce cas." in text
    assert "si l'espérance de vie était de 6 à 12 mois ou plus de 12 mois (ici : 6 semaines à 6 mois)" in text
    assert "« Toutes les atteintes articulaires peuvent être traitées par arthroplasties." in text


def test_surgery_to_discuss_on_every_site_lists_each_site_s_technique_not_that_none_is_named():
    rec = recommend(
        {
            "situation": "impending_fracture",
            "bone": "femur",
            "site": "unknown",
            "life_expectancy": "6_to_12_months",
            "fit_for_surgery": True,
            "pain": "functional",
            "lesion_type": "blastic",
            "lesion_size": "lt_one_third",
        }
    ).to_dict()
    answer = short_answer(rec)
    assert answer.startswith("**Chirurgie à discuter en RCP** (à visée préventive)")
    assert "**Score de Mirels : 7 à 8/12 (site ?, douleur 3, aspect 1, taille 1).**" in answer
    assert "- si localisation sur l'os = diaphyse : chirurgie à discuter en RCP (enclouage" in answer
    assert "Aucune technique n'est nommée" not in answer


def test_single_lesion_question_and_what_its_answer_changes_in_the_short_answer():
    """Contract 0.4.0: « La lésion osseuse est-elle unique… ? » with Oui / Non / Je ne
    sais pas; unknown, the short answer keeps the two first-line options and says what a
    single lesion would change; on a fracture, that a nail would compromise a later resection."""
    asked = question("solitary_bone_metastasis", 5)
    assert asked["text"].startswith("*Question 5* — **La lésion osseuse est-elle unique")
    assert [b["title"] for b in asked["buttons"]] == ["Oui", "Non", "Je ne sais pas"]
    assert "oligométastatique" in asked["text"]  # the hint
    long_survivor = LONG_SURVIVOR
    unknown = short_answer(recommend({**long_survivor, "solitary_bone_metastasis": "unknown"}).to_dict())
    assert "- Enclouage centromédullaire verrouillé, en première intention" in unknown
    assert "- Résection-reconstruction, en première intention" in unknown
    assert "En cas de lésion osseuse unique : résection-reconstruction en première intention." in unknown
    fracture = {**long_survivor, "situation": "pathological_fracture", "solitary_bone_metastasis": True}
    assert "un enclouage compromettrait une résection ultérieure" in short_answer(recommend(fracture).to_dict())
    # Stated, the single lesion is said as a fact, not as a condition.
    stated = short_answer(recommend({**long_survivor, "solitary_bone_metastasis": True}).to_dict())
    assert "- Résection-reconstruction, en première intention" in stated
    assert "- Enclouage centromédullaire verrouillé, en alternative" in stated
    assert "Lésion osseuse unique : résection-reconstruction en première intention" in stated
    assert "En cas de lésion osseuse unique" not in stated
    assert "Lésion osseuse unique ou maladie oligométastatique contrôlée : Oui" in case_summary(fracture)
