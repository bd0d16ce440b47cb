"""The clinician's questions and asides, during a pending question and after
the answer (actions/action_discuss.py and the actions that fall back on it):
each is answered, none is « Je n'ai pas compris votre réponse sur … », and no
action of them sets a slot (the form then asks its question again)."""

from actions.action_discuss import ActionDiscuss
from actions.action_explain_why import ActionExplainWhy
from actions.action_not_understood import ActionNotUnderstood
from actions.action_recommend import ActionRecommend
from decision import recommend

from .conftest import make_tracker

NECK_4_MONTHS = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "neck",
    "life_expectancy": "6_weeks_to_6_months",
    "fit_for_surgery": True,
    "diagnostic_uncertainty": False,
}
EXTENDED_NECK = {**NECK_4_MONTHS, "site": "neck_trochanteric_extension"}
NOT_UNDERSTOOD = "Je n'ai pas compris votre réponse"


def during(case, pending, text, intent="inform"):
    """A tracker where the recommendation was given and a refining question waits."""
    slots = {**case, "recommendation": recommend(case).to_dict(), "requested_slot": pending}
    return make_tracker(slots=slots, text=text, intent=intent, active_loop="consultation_form")


def after(case, text, intent="inform"):
    return make_tracker(slots={**case, "recommendation": recommend(case).to_dict()}, text=text, intent=intent)


def said(messages):
    return "\n".join(message.get("text") or "" for message in messages)


def test_a_technique_question_read_as_an_answer_is_answered_and_sets_nothing(run_action):
    messages, events = run_action(
        ActionNotUnderstood(), during(NECK_4_MONTHS, "prior_radiotherapy", "et une prothèse cervico-céphalique ?")
    )
    assert NOT_UNDERSTOOD not in said(messages)
    assert "**Arthroplastie de hanche cimentée** ne fait pas partie des options" in said(messages)
    assert "Hémi- ou totale ?" in said(messages)
    assert events == []


def test_question_marks_or_a_question_with_no_topic_explain_the_pending_question(run_action):
    for text in ("??", "non ?", "c'est-à-dire ?"):
        messages, events = run_action(ActionNotUnderstood(), during(NECK_4_MONTHS, "prior_radiotherapy", text))
        assert said(messages).startswith("Cette question porte sur : site déjà irradié."), text
        assert events == []


def test_an_unusable_answer_that_asks_nothing_is_still_explained_as_before(run_action):
    messages, _ = run_action(ActionNotUnderstood(), during(NECK_4_MONTHS, "prior_radiotherapy", "bleu"))
    assert said(messages).startswith("Je n'ai pas compris votre réponse sur site déjà irradié.")


def test_a_hypothesis_during_the_form_is_weighed_on_a_copy(run_action):
    tracker = during(NECK_4_MONTHS, "prior_radiotherapy", "et si l'espérance de vie était de 2 ans ?", "ask_about_case")
    messages, events = run_action(ActionDiscuss(), tracker)
    assert "rien n'est enregistré" in said(messages)
    assert "Arthroplastie de hanche cimentée" in said(messages)  # over 6 months (§ 4.2)
    assert events == []


def test_why_not_a_total_hip_for_an_extended_neck_lesion_names_the_megaprosthesis_and_the_prognosis(run_action):
    messages, _ = run_action(ActionExplainWhy(), after(EXTENDED_NECK, "pourquoi pas une PTH ?", "ask_why"))
    text = said(messages)
    assert "Résection fémorale proximale et méga-prothèse cimentée" in text
    assert "renfort métallique acétabulaire" not in text
    assert "si l'espérance de vie était de 6 à 12 mois ou plus de 12 mois" in text


def test_the_source_is_given_even_before_a_case(run_action):
    tracker = make_tracker(text="ça repose sur quel référentiel ?", intent="ask_why")
    messages, _ = run_action(ActionExplainWhy(), tracker)
    assert "Auvergne Rhône-Alpes" in said(messages) and "Aucune recommandation" not in said(messages)


def test_after_the_answer_a_question_read_as_a_fact_is_answered_not_called_unchanged(run_action):
    messages, events = run_action(ActionRecommend(), after(NECK_4_MONTHS, "on partirait plutôt sur un clou gamma ?"))
    assert "Clou céphalomédullaire long, verrouillé par vis cervicale" in said(messages)
    assert "Je n'ai pas compris" not in said(messages)
    assert events == []
    messages, _ = run_action(ActionRecommend(), after(NECK_4_MONTHS, "bleu"))
    assert said(messages).startswith("Je n'ai pas compris.")


def test_the_discussion_intents_each_get_an_answer(run_action):
    for intent, text, expected in [
        ("ask_about_case", "alors, conclusion ?", "**En bref**"),
        ("ask_about_case", "bon, et maintenant ?", "**En bref**"),
        ("ask_about_case", "de quoi as-tu encore besoin pour décider ?", "**Pour affiner**"),
        ("ask_about_case", "une biopsie d'abord ?", "n'impose pas de biopsie"),
        ("ask_about_case", "tu appliques quel référentiel ?", "J'applique un seul texte"),
        ("ask_clarify", "hein ?", "Que voulez-vous savoir ?"),
    ]:
        messages, events = run_action(ActionDiscuss(), after(NECK_4_MONTHS, text, intent))
        assert expected in said(messages), intent
        assert events == []
