"""How the answer reads: the verdict first, the case in one
line, the diagnosis first on a doubt, what the chapter leaves to the RCP,
« pourquoi ? » short with the rest on demand, « rapport » in one message, no
paragraph twice and none of the wording slips of the second trial."""

from __future__ import annotations

import re

import pytest

from consultation.progress import change_lines
from consultation.questions import case_line, case_summary
from consultation.render import details, recommendation_messages, short_answer
from consultation.technique_answers import technique_answer
from consultation.texts import texts
from consultation.why import why_buttons, why_messages
from decision import knowledge, recommend

FIT = {"fit_for_surgery": True}
# Humeral shaft about to break, Mirels well above 9, a year or more to live.
HUMERUS_AT_RISK = {
    "situation": "impending_fracture",
    "bone": "humerus",
    "site": "diaphysis",
    "life_expectancy": "6_to_12_months",
    "pain": "functional",
    "lesion_type": "lytic",
    "lesion_size": "gt_two_thirds",
    **FIT,
}
FEMORAL_SHAFT_FRACTURE = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "diaphysis",
    "life_expectancy": "6_to_12_months",
    **FIT,
}
HIP_FRACTURE_LONG_SURVIVOR = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "head",
    "life_expectancy": "gt_12_months",
    **FIT,
    "diagnostic_uncertainty": False,
}
# A neck fracture with a few months to live: the chapter names no implant (§ 4.2).
NECK_FRACTURE_FEW_MONTHS = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "neck_trochanteric_extension",
    "life_expectancy": "6_weeks_to_6_months",
    **FIT,
    "diagnostic_uncertainty": False,
}
ACETABULUM = {
    "situation": "refractory_pain",
    "bone": "acetabulum",
    "pain": "functional",
    "lesion_type": "mixed",
    "conservative_treatment_failed": True,
    "life_expectancy": "gt_12_months",
    **FIT,
}


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def answer_of(case) -> str:
    return recommendation_messages(recommend(case).to_dict())[0]


# --------------------------------------------------------- 1. verdict first


@pytest.mark.parametrize(
    "case", [HUMERUS_AT_RISK, FEMORAL_SHAFT_FRACTURE, HIP_FRACTURE_LONG_SURVIVOR, NECK_FRACTURE_FEW_MONTHS, ACETABULUM]
)
def test_the_answer_opens_on_the_verdict_and_folds_the_case_into_one_line(case):
    rec = recommend(case).to_dict()
    answer = answer_of(case)
    verdict = texts()["surgery"]
    first = paragraphs(answer)[0]
    assert first.startswith("**") and any(first[2:].startswith(label) for label in verdict.values()), first
    assert "Récapitulatif du cas" not in answer
    recap = [line for line in answer.splitlines() if line.startswith("*Cas : ")]
    assert len(recap) == 1, answer  # one line, not one line per fact
    # Every fact stated is in it, by its label.
    assert "fémur" in recap[0] or "humérus" in recap[0] or "acétabulum" in recap[0]
    # The options come before the recap.
    if rec["techniques"]:
        assert answer.index(rec["techniques"][0]["label_fr"]) < answer.index(recap[0])


def test_the_case_line_names_the_facts_briefly_and_says_what_is_still_to_be_given():
    line = case_line({**FEMORAL_SHAFT_FRACTURE, "primary_tumor": "lung", "prior_radiotherapy": "unknown"})
    assert line.count("\n") == 0 and line.startswith("*Cas : ") and line.endswith(".*")
    assert "fracture pathologique" in line and "diaphyse" in line and "6 à 12 mois" in line
    assert "site déjà irradié : à préciser" in line
    assert "pulmonaire" not in line  # the chapter's own case goes without saying
    assert "primitif : autre" in case_line({**FEMORAL_SHAFT_FRACTURE, "primary_tumor": "other"})


# --------------------------------------------------- 2. the diagnosis first


@pytest.mark.parametrize("case", [HUMERUS_AT_RISK, FEMORAL_SHAFT_FRACTURE])
def test_a_stated_diagnostic_doubt_puts_the_diagnosis_before_any_implant_on_line_1(case):
    """§ 3 and § 4.1: while a primary bone tumour is not ruled out, no nail (it
    would spread it along the canal): the diagnosis comes first."""
    first = paragraphs(answer_of({**case, "diagnostic_uncertainty": True}))[0]
    assert first.startswith("**Doute diagnostique : diagnostic avant tout implant**"), first
    assert "biopsie" in first.lower()
    for other in (False, "unknown"):
        assert not answer_of({**case, "diagnostic_uncertainty": other}).startswith("**Doute")


def test_a_doubt_before_a_fracture_not_nailed_keeps_the_chapter_s_urgent_sequence_first():
    """§ 3: before a fracture, biopsy or a minimal work-up then surgery first — the
    diagnosis is still line 1, without claiming « avant tout implant »."""
    first = paragraphs(answer_of({**HIP_FRACTURE_LONG_SURVIVOR, "diagnostic_uncertainty": True}))[0]
    assert first.startswith("**Doute diagnostique**") and "biopsie préopératoire" in first
    assert "avant tout implant" not in first


def test_what_the_chapter_leaves_to_the_rcp_is_named_under_the_headline():
    answer = answer_of(NECK_FRACTURE_FEW_MONTHS)
    second = paragraphs(answer)[1]
    assert second.startswith("**Laissé à la RCP** : ")
    assert "implant" in second and "col du fémur" in second and "§ 4.2" in second
    assert "ne tranche pas tout ce cas" not in answer


def test_every_silence_of_the_chapter_has_its_open_question_in_a_few_words():
    variants = knowledge.chapter()["warnings"]["guideline_silent"]["variants"]
    left_open = texts()["answer"]["left_open"]
    assert set(variants) == set(left_open)
    for variant, text in left_open.items():
        assert re.search(r"§ \d", text), variant  # which sections
        assert len(text) < len(knowledge.item("warnings", "guideline_silent", variant)["text_fr"]) + 40, variant


def test_a_tibial_end_over_a_year_says_which_options_the_rcp_weighs():
    answer = answer_of(
        {
            "situation": "pathological_fracture",
            "bone": "tibia",
            "site": "proximal",
            "articular_involvement": False,
            "life_expectancy": "gt_12_months",
            **FIT,
            "diagnostic_uncertainty": False,
        }
    )
    left = next(p for p in paragraphs(answer) if p.startswith("**Laissé à la RCP**"))
    assert "tibia" in left and "résection-reconstruction" in left


# ------------------------------------------------------------- 3. pourquoi


def test_why_gives_the_reasons_that_decided_in_one_short_message_and_offers_the_rest():
    rec = recommend(HIP_FRACTURE_LONG_SURVIVOR).to_dict()
    [short] = why_messages(rec)
    everything = "\n\n".join(why_messages(rec, everything=True))
    assert "\n\n" not in short  # one bubble
    assert "Arthroplastie de hanche cimentée" in short and "Chirurgie indiquée" in short
    assert not any(line.startswith(">") for line in short.splitlines())  # no block of quotations
    assert "Bilan avant la décision" not in short and "Antibioprophylaxie" not in short
    assert len(short) * 3 < len(everything)
    assert "« pourquoi tout »" in short
    assert why_buttons()[0]["payload"].startswith("/ask_why")
    assert "Antibioprophylaxie" in everything and "> «" in everything


def test_why_with_a_mirels_score_gives_the_score_among_the_reasons():
    [short] = why_messages(recommend(HUMERUS_AT_RISK).to_dict())
    assert "Score de Mirels" in short and "Enclouage centromédullaire" in short


# ------------------------------------------------------- 4. no paragraph twice


def test_why_a_proposed_technique_prints_its_rationale_once():
    rec = recommend(HIP_FRACTURE_LONG_SURVIVOR).to_dict()
    item = rec["techniques"][0]
    text = "\n".join(technique_answer("pourquoi une prothèse ?", HIP_FRACTURE_LONG_SURVIVOR, rec))
    assert item["code"] == "cemented_arthroplasty"
    assert text.count(item["rationale_fr"]) == 1
    assert "(e)" not in text


def test_why_not_says_the_conditions_in_plain_french():
    rec = recommend(HIP_FRACTURE_LONG_SURVIVOR).to_dict()
    text = "\n".join(technique_answer("pourquoi pas un clou ?", HIP_FRACTURE_LONG_SURVIVOR, rec))
    assert " = " not in text and "(e)" not in text
    assert "si la lésion siégeait au massif trochantérien, en région sous-trochantérienne ou à la diaphyse" in text


def test_conditional_items_name_the_condition_once_and_acronyms_keep_their_capitals():
    rec = recommend({**FEMORAL_SHAFT_FRACTURE, "prior_radiotherapy": "unknown", "diagnostic_uncertainty": "unknown"})
    text = "\n".join(details(rec.to_dict()))
    assert "Si le site a déjà été irradié : la chirurgie" in text
    assert not re.search(r"irradié : site déjà irradié", text, re.IGNORECASE)
    assert "IRM ou TEP" in text and "iRM" not in text
    assert "diagnostic : doute diagnostique" not in text.lower()


def test_an_added_item_is_one_sentence_with_one_full_stop():
    before = recommend(FEMORAL_SHAFT_FRACTURE).to_dict()
    after = recommend({**FEMORAL_SHAFT_FRACTURE, "prior_radiotherapy": True}).to_dict()
    said = change_lines(before, after)
    assert said and all(line.endswith(".") and not line.endswith("..") for line in said)


def test_an_unknown_irradiation_is_not_said_as_an_irradiated_site():
    answer = answer_of({**NECK_FRACTURE_FEW_MONTHS, "prior_radiotherapy": "unknown"})
    assert "Site déjà irradié." not in answer
    assert "Site déjà irradié." in answer_of({**NECK_FRACTURE_FEW_MONTHS, "prior_radiotherapy": True})


def test_refractory_pain_to_discuss_is_not_called_an_undisputed_indication():
    """§ 2.3: « une indication fréquente de traitement chirurgical », never « peu discutée »,
    which contradicts a surgery « à discuter en RCP » (small bones)."""
    answer = answer_of({"situation": "refractory_pain", "bone": "radius", "life_expectancy": "6_to_12_months", **FIT})
    assert answer.startswith("**Chirurgie à discuter en RCP**")
    assert "peu discutée" not in answer and "indication fréquente" in answer


def test_an_impending_fracture_in_an_unfit_patient_is_not_called_a_pathological_fracture():
    answer = answer_of({**HUMERUS_AT_RISK, "fit_for_surgery": False})
    assert "d'une fracture pathologique" not in paragraphs(answer)[0]


def test_the_lower_limb_long_view_is_not_asked_for_an_upper_limb_bone():
    """§ 3: « une pangonométrie en cas d'atteinte des membres inférieurs »."""
    humerus = "\n".join(details(recommend(HUMERUS_AT_RISK).to_dict(), ["workup"]))
    femur = "\n".join(details(recommend(FEMORAL_SHAFT_FRACTURE).to_dict(), ["workup"]))
    assert "Radiographies de tout l'os atteint" in humerus and "pangonométrie" not in humerus
    assert "pangonométrie" in femur


def test_mirels_items_are_not_labelled_as_such_for_the_acetabulum():
    for text in (case_summary(ACETABULUM), answer_of(ACETABULUM)):
        assert "Mirels" not in text, text
        assert "douleur" in text.lower()
    assert "Douleur (score de Mirels)" in case_summary(HUMERUS_AT_RISK)


def test_the_summary_shown_on_request_is_not_followed_by_the_same_case_line():
    rec = recommend(FEMORAL_SHAFT_FRACTURE).to_dict()
    assert "*Cas : " not in short_answer(rec, recap=False)


def test_facts_noted_for_the_acetabulum_do_not_name_the_mirels_score():
    from consultation.facts import update_facts

    facts = [{"entity": "bone", "value": "acetabulum"}, {"entity": "pain", "value": "functional"}]
    [noted] = update_facts({}, facts, {"name": "inform", "confidence": 1.0}, "cotyle, douleur mécanique", None).messages
    assert "douleur : Fonctionnelle" in noted and "Mirels" not in noted
    femur = [{"entity": "bone", "value": "femur"}, {"entity": "pain", "value": "functional"}]
    [noted] = update_facts({}, femur, {"name": "inform", "confidence": 1.0}, "fémur, douleur mécanique", None).messages
    assert "douleur (score de Mirels) : Fonctionnelle" in noted
