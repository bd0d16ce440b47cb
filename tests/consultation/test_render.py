"""The recommendation and the questions as a clinician reads them."""

import re

from consultation.render import case_summary, question, recommendation_messages, reference_message, why_messages
from decision import knowledge, recommend

CASE = {"situation": "pathological_fracture", "bone": "femur", "site": "neck", "life_expectancy": "6_to_12_months",
        "fit_for_surgery": True, "prior_radiotherapy": True, "suspected_hypervascular": False, "diagnostic_uncertainty": True}


def test_question_has_progress_hint_and_buttons_setting_the_slot():
    asked = question("situation", 1, 5)
    assert asked["text"].startswith("*Question 1 sur 5* — **Quelle est la situation clinique ?**")
    assert "cimentoplastie" in asked["text"]  # the hint
    payloads = [button["payload"] for button in asked["buttons"]]
    assert payloads[0] == '/inform{"situation": "pathological_fracture"}'
    assert payloads[-1] == "/dont_know"


def test_life_expectancy_question_offers_unknown_not_dont_know():
    buttons = question("life_expectancy", 3, 5)["buttons"]
    assert buttons[-1] == {"title": "Je ne sais pas", "payload": '/inform{"life_expectancy": "unknown"}'}
    assert len(buttons) == 5


def test_boolean_question_buttons_are_json_booleans():
    payloads = [b["payload"] for b in question("fit_for_surgery", 4, 5)["buttons"]]
    assert payloads == ['/inform{"fit_for_surgery": true}', '/inform{"fit_for_surgery": false}', "/dont_know"]


def test_site_question_shows_only_the_sites_of_the_bone():
    titles = [b["title"] for b in question("site", 3, 6, ("proximal", "diaphysis", "distal"))["buttons"]]
    assert titles == ["Extrémité proximale", "Diaphyse", "Extrémité distale", "Je ne sais pas"]


def test_case_summary_lists_the_facts_in_french():
    summary = case_summary(CASE)
    assert "- Os atteint : Fémur" in summary and "- Localisation sur l'os : Col fémoral" in summary
    assert "- Irradiation antérieure : Oui" in summary
    assert case_summary({}) == "Aucune donnée du cas n'a encore été saisie."


def test_recommendation_lists_each_item_with_section_and_references():
    rec = recommend(CASE).to_dict()
    answer, references, follow_up = recommendation_messages(rec)
    assert answer.startswith("**Chirurgie indiquée** (à visée symptomatique)")
    assert "- Arthroplastie cimentée, en première intention *(§ 4.2 ; réf. 137, 142)*" in answer
    assert "Biopsie préopératoire" in answer and "Site déjà irradié" in answer
    for item in ("**Technique(s)**", "**Bilan avant la décision**", "**Après l'intervention**", "**Points d'attention**"):
        assert item in answer
    assert "pourquoi ?" in follow_up


def test_references_are_printed_exactly_as_in_the_bibliography():
    rec = recommend(CASE).to_dict()
    references = recommendation_messages(rec)[1].splitlines()
    assert references[0] == "**Références**"
    numbers = [int(re.match(r"(\d+)\. ", line).group(1)) for line in references[1:]]
    assert numbers == sorted(numbers)
    for line, number in zip(references[1:], numbers):
        assert line == f"{number}. {knowledge.reference(number)['reference']}"


def test_undetermined_recommendation_says_what_each_answer_leads_to():
    rec = recommend({**CASE, "life_expectancy": "unknown"}).to_dict()
    answer = recommendation_messages(rec)[0]
    assert "**Selon la réponse**" in answer
    assert "- si espérance de vie = moins de 6 semaines : chirurgie non indiquée : pas de chirurgie" in answer


def test_mirels_score_is_shown_with_its_items():
    rec = recommend({"situation": "impending_fracture", "bone": "humerus", "site": "diaphysis", "life_expectancy": "6_to_12_months",
                     "fit_for_surgery": True, "pain": "functional", "lesion_type": "lytic", "lesion_size": "gt_two_thirds"}).to_dict()
    assert "**Score de Mirels : 10/12** (site 1, douleur 3, aspect 3, taille 3)" in recommendation_messages(rec)[0]


def test_why_gives_rationale_section_and_verbatim_quote():
    rec = recommend(CASE).to_dict()
    why = why_messages(rec)[0]
    assert "**Technique(s) — Arthroplastie cimentée**" in why
    assert "Section 4.2 (« Arthroplasties ») ; réf. 137, 142." in why
    assert "> « Les localisations préférentielles pour l'arthroplastie sont les lésions de la tête et du col du fémur. » (§ 4.2)" in why


def test_reference_shows_full_text_and_duplicates():
    text = reference_message(144)
    assert text.startswith("**Référence 144.** Wegrzyn J, Malatray M")
    assert "Citée par le chapitre" in text
    assert "même article que la référence 82" in reference_message(83)
    assert "autre chapitre" in reference_message(77)
