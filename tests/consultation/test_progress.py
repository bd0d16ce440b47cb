"""The pacing of a consultation (consultation/progress.py), without Rasa: which
question comes next, when the answer comes, how a change is said, and how a
question waiting for its answer is asked again. Each case is read as a
clinician would: what should be asked, what should be said."""

from __future__ import annotations

from typing import Any

from consultation import progress
from decision import FIELDS, recommend
from decision.branches import OPEN_ORDER
from decision.question_order import QUESTION_ORDER

# A pathological fracture of the femoral neck, 8 months, fit, no doubt: the
# answer (cemented arthroplasty) is settled; irradiation and hypervascularity
# only refine it.
NECK_FRACTURE: dict[str, Any] = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "neck",
    "life_expectancy": "6_to_12_months",
    "fit_for_surgery": True,
    "diagnostic_uncertainty": False,
}
# A lesion of the distal femur, fractured, 8 months, fit: a locked plate; a
# major bone loss or an irradiated site adds the curettage-cementation (4.1).
DISTAL_FEMUR: dict[str, Any] = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "distal",
    "articular_involvement": False,
    "life_expectancy": "6_to_12_months",
    "fit_for_surgery": True,
    "diagnostic_uncertainty": False,
}


def impending(**facts: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "situation": "impending_fracture",
        "bone": "femur",
        "site": "diaphysis",
        "life_expectancy": "6_to_12_months",
        "fit_for_surgery": True,
        "diagnostic_uncertainty": False,
    }
    case.update(facts)
    return {name: value for name, value in case.items() if value is not None}


# ------------------------------------------------------------------ questions


def test_the_questions_follow_one_order_that_every_pacing_reads():
    """One order, written once: every field of the contract in it once, the
    questions the form asks and the facts the branch search tries both follow it."""
    assert sorted(QUESTION_ORDER) == sorted(FIELDS) and len(set(QUESTION_ORDER)) == len(QUESTION_ORDER)
    assert progress.ORDER == QUESTION_ORDER
    for order in OPEN_ORDER.values():
        assert list(order) == [name for name in QUESTION_ORDER if name in order]
    for case in ({}, {"bone": "acetabulum"}, impending(pain=None, lesion_type=None, lesion_size=None)):
        missing = recommend(case).missing
        assert missing == sorted(missing, key=QUESTION_ORDER.index), case


def test_a_case_told_question_by_question_starts_with_the_situation_then_the_bone():
    assert progress.next_question({}) == "situation"
    assert progress.next_question({"situation": "pathological_fracture"}) == "bone"
    assert progress.next_question({"situation": "pathological_fracture", "bone": "humerus"}) == "site"


def test_the_lesion_size_is_not_asked_when_site_pain_and_aspect_already_reach_the_mirels_threshold():
    """Subtrochanteric (3), functional pain (3), lytic (3): 10 to 12 whatever
    the size, « indiqué pour un score égal ou supérieur à 9 » (§ 2.1)."""
    case = impending(site="subtrochanteric", pain="functional", lesion_type="lytic")
    assert "lesion_size" not in progress.required(case)
    assert progress.answer_due(case)
    assert recommend(case).surgery == "indicated" and recommend(case).intent == "preventive"


def test_the_lesion_size_is_not_asked_when_no_size_can_reach_a_surgical_reading():
    """Humerus (1), mild pain (1), blastic (1): at most 6 with the largest
    lesion, below 8 and no mechanical pain: no preventive surgery whatever the size."""
    case = impending(bone="humerus", pain="mild", lesion_type="blastic")
    assert "lesion_size" not in progress.required(case)
    assert recommend(case).surgery == "not_indicated"


def test_the_lesion_size_is_asked_when_it_can_tip_the_mirels_reading():
    """Femoral shaft (2), functional pain (3), mixed (2): 8 to 10 depending on
    the size: borderline or indicated, the size decides."""
    case = impending(pain="functional", lesion_type="mixed")
    assert progress.next_question(case) == "lesion_size"
    assert not progress.answer_due(case)


def test_the_mirels_items_are_asked_while_none_is_known():
    case = impending()
    assert progress.required(case)[:3] == ["pain", "lesion_type", "lesion_size"]


def test_a_refining_question_whose_every_answer_leaves_the_answer_as_it_is_is_not_asked():
    """An irradiated distal femur already has the curettage-cementation with its
    plate (« en cas de … perte osseuse importante ou de radiothérapie associée »):
    a major bone loss would add nothing, so it is not asked."""
    irradiated = {**DISTAL_FEMUR, "prior_radiotherapy": True}
    assert "major_bone_loss" in recommend(irradiated).missing
    assert "major_bone_loss" not in progress.required(irradiated)
    assert "major_bone_loss" in progress.required(DISTAL_FEMUR)


def test_every_refining_question_that_can_add_an_item_is_still_asked():
    """Irradiation adds a warning, hypervascularity an angiography and an
    embolisation: both are asked after the answer."""
    assert progress.answer_due(NECK_FRACTURE)
    assert progress.required(NECK_FRACTURE) == ["prior_radiotherapy", "suspected_hypervascular"]
    assert progress.refining(NECK_FRACTURE) == progress.required(NECK_FRACTURE)


def test_the_diagnostic_doubt_is_asked_before_the_answer_because_it_changes_the_sequence_of_care():
    case = {key: value for key, value in NECK_FRACTURE.items() if key != "diagnostic_uncertainty"}
    assert progress.essential(case) == ["diagnostic_uncertainty"]
    assert progress.turn(case, None).messages == []


# ------------------------------------------------------------ when it is said


def test_a_case_told_in_one_sentence_gets_the_answer_at_once_then_the_refining_questions():
    said = progress.turn(NECK_FRACTURE, None)
    assert said.recommendation is not None and said.recommendation["surgery"] == "indicated"
    # The verdict first, where the web widget keeps it in view; the case in one line within the answer.
    assert said.messages[0].startswith("**Chirurgie indiquée**") and said.answer_at == 0
    assert "Arthroplastie de hanche cimentée, en première intention" in "\n".join(said.messages)
    assert said.refine_intro  # « Pour affiner » questions follow


def test_an_aside_changes_nothing_and_says_nothing():
    given = progress.recommendation_for(NECK_FRACTURE)
    assert progress.turn(dict(NECK_FRACTURE), given) == progress.Turn()


def test_a_refining_answer_that_adds_items_says_them_at_once():
    given = progress.recommendation_for(NECK_FRACTURE)
    said = progress.turn({**NECK_FRACTURE, "suspected_hypervascular": True}, given)
    assert said.messages == [
        "Recommandation mise à jour :\n"
        "Ajouté : Angioscanner ou artériographie ; Embolisation préopératoire si le risque hémorragique est élevé."
    ]
    assert said.recommendation is not None and said.recommendation["case"]["suspected_hypervascular"] is True


def test_a_bone_loss_on_a_distal_femur_adds_the_curettage_cementation_at_once():
    given = progress.recommendation_for(DISTAL_FEMUR)
    said = progress.turn({**DISTAL_FEMUR, "major_bone_loss": True}, given)
    assert said.messages[0].startswith("Recommandation mise à jour :\nAjouté : Curetage-cimentation")
    assert "ne change pas" not in " ".join(said.messages)


def test_new_imaging_that_settles_the_mirels_score_is_said_as_a_change_never_as_no_change():
    """A humeral shaft with moderate pain, aspect and size not known yet, the
    prognosis unknown: the score is 5 to 9. The scan comes back lytic and over
    two thirds: 9, surgery indicated whatever the prognosis that allows it."""
    before = impending(
        bone="humerus", pain="moderate", lesion_type="unknown", lesion_size="unknown", life_expectancy="unknown"
    )
    given = progress.recommendation_for(before)
    said = progress.turn({**before, "lesion_type": "lytic", "lesion_size": "gt_two_thirds"}, given)
    assert "ne change pas" not in " ".join(said.messages)
    assert "Score de Mirels : 9/12 (au lieu de 5 à 9/12)." in said.messages[0]
    assert any("Selon la réponse" in text for text in said.messages[1:])  # the answer shown again


def test_a_change_of_indication_shows_the_new_answer_whole():
    """Fit for surgery corrected to unfit: no operation, said as such, then the whole answer."""
    given = progress.recommendation_for(NECK_FRACTURE)
    said = progress.turn({**NECK_FRACTURE, "fit_for_surgery": False}, given)
    assert said.messages[0].startswith("Recommandation mise à jour :\nIndication : Chirurgie non indiquée")
    assert "Retiré : Arthroplastie de hanche cimentée, en première intention" in said.messages[0]
    assert any(text.startswith("**Chirurgie non indiquée**") for text in said.messages)


def test_nothing_changed_is_said_only_when_the_clinician_reads_the_same_answer():
    given = progress.recommendation_for(NECK_FRACTURE)
    said = progress.turn({**NECK_FRACTURE, "suspected_hypervascular": False}, given)
    assert said.messages == ["La recommandation ci-dessus ne change pas."]
    assert said.recommendation is not None  # kept with this answer, for the report
    assert progress.view(said.recommendation) == progress.view(given)


def test_a_correction_that_reopens_the_decision_says_the_answer_no_longer_holds():
    given = progress.recommendation_for(NECK_FRACTURE)
    said = progress.turn({**NECK_FRACTURE, "bone": "humerus", "site": None}, given)
    assert said.messages == [
        "La recommandation ci-dessus ne tient plus : elle dépend maintenant de la réponse à : localisation sur l'os."
    ]
    assert said.recommendation is not None and said.recommendation["surgery"] == "undetermined"


def test_the_one_plan_is_the_indication_and_the_options_never_an_adjunct():
    given = progress.recommendation_for(DISTAL_FEMUR)
    cemented = progress.recommendation_for({**DISTAL_FEMUR, "major_bone_loss": True})
    assert progress.surgical_plan(given) == progress.surgical_plan(cemented)  # the curettage is an adjunct
    assert progress.surgical_plan(given)[:2] == ("indicated", "pathological_fracture")
    assert progress.surgical_plan(given) != progress.surgical_plan(
        progress.recommendation_for({**DISTAL_FEMUR, "fit_for_surgery": False})
    )
    assert progress.surgical_plan(None) is None


# ------------------------------------------------------------- always current


def test_the_report_reads_every_answer_given_even_one_the_kept_answer_missed():
    """A bone loss answered after the recommendation kept: what « rapport »
    reads has the curettage-cementation and the answer."""
    kept = progress.recommendation_for(DISTAL_FEMUR)
    now = progress.current({**DISTAL_FEMUR, "major_bone_loss": True}, kept)
    assert now is not None and now["case"]["major_bone_loss"] is True
    assert "curettage_cementation" in [item["code"] for item in now["techniques"]]
    assert progress.current(DISTAL_FEMUR, kept) == kept  # still that of the case: the same record
    assert progress.current(DISTAL_FEMUR, None) is None  # no answer given yet


# ------------------------------------------------------------ asking again


def test_the_fitness_question_after_who_1_recalls_it_and_offers_yes_first_without_answering_it():
    asked = progress.question_message("fit_for_surgery", {"performance_status": "1"}, [], False)
    assert asked["text"].startswith("Indice de performance noté : OMS 1.")
    assert asked["buttons"][0]["title"] == "Oui"


def test_a_question_keeps_its_number_when_asked_again():
    asked = ["situation", "bone", "site"]
    assert progress.question_message("site", {"bone": "femur"}, asked, False)["text"].startswith("*Question 3*")
    assert progress.question_message("life_expectancy", {}, asked, False)["text"].startswith("*Question 4*")


def test_a_question_waiting_after_an_aside_is_a_one_line_reminder_with_its_buttons():
    """The pain question has a hint and a number: the reminder keeps neither."""
    asked = ["situation", "bone", "site", "life_expectancy", "fit_for_surgery", "pain"]
    whole = progress.question_message("pain", impending(), asked, False)
    again = progress.reask("pain", impending(), asked, False)
    assert "\n" in whole["text"] and again["text"] == "*Toujours en attente* — Comment est la douleur ?"
    assert again["buttons"] == whole["buttons"]


def test_a_refining_question_waiting_after_an_aside_is_a_one_line_reminder_with_its_buttons():
    asked = [*NECK_FRACTURE, "prior_radiotherapy"]
    whole = progress.question_message("prior_radiotherapy", NECK_FRACTURE, asked, True)
    again = progress.reask("prior_radiotherapy", NECK_FRACTURE, asked, True)
    assert "\n" not in again["text"] and len(again["text"]) < len(whole["text"])
    assert again["text"] == "*Toujours en attente* — Le site à opérer a-t-il déjà été irradié ?"
    assert again["buttons"] == whole["buttons"]


# ----------------------------------------------------------------- routing


def test_a_message_that_changed_the_case_gets_the_questions_then_the_answer_once():
    assert progress.route(True, False, True, []) == progress.ASK
    assert progress.route(True, False, False, [progress.ASK]) == progress.ANSWER
    assert progress.route(True, False, False, [progress.ASK, progress.ANSWER]) is None
    assert progress.route(True, True, True, []) is None  # the form already has it
    assert progress.route(False, False, True, []) is None  # nothing of the case changed
