"""Complete consultations over REST against the real Rasa and action servers,
answered in free French text (not button payloads); the slots are checked after
each answer and the final `recommendation` at the end."""

import itertools
import json

import pytest

from consultation.texts import message
from decision import FIELDS
from harness.scripts import FEMORAL_NECK_FREE_TEXT

pytestmark = pytest.mark.e2e
_ids = itertools.count()


def texts(replies):
    return "\n".join(message.get("text", "") for message in replies)


def slots(bot, sender):
    return {name: value for name, value in bot.tracker(sender)["slots"].items() if value is not None}


def play(bot, turns):
    """Send each (message, expected slots) pair; check the slots after each answer."""
    sender = f"e2e-{next(_ids)}"
    replies = []
    for text, expected in turns:
        replies = bot.send(sender, text)
        assert replies, f"no answer to {text!r}"
        current = slots(bot, sender)
        for name, value in expected.items():
            assert current.get(name) == value, (text, name, current.get(name))
    return sender, replies


def play_more(bot, sender, turns):
    replies = []
    for text, expected in turns:
        replies = bot.send(sender, text)
        current = slots(bot, sender)
        for name, value in expected.items():
            assert current.get(name) == value, (text, name, current.get(name))
    return sender, replies


def test_consultation_from_greeting_to_recommendation_in_free_text(bot):
    sender, replies = play(bot, FEMORAL_NECK_FREE_TEXT[:7])
    answer = texts(replies)  # given as soon as the indication and the technique are settled
    assert "**Chirurgie indiquée**" in answer and "Arthroplastie de hanche cimentée" in answer
    assert "Pour affiner cette réponse" in answer and "déjà été irradié" in answer
    _, replies = play_more(bot, sender, FEMORAL_NECK_FREE_TEXT[7:])
    assert "La recommandation ci-dessus ne change pas." in texts(replies)
    recommendation = slots(bot, sender)["recommendation"]
    assert recommendation["surgery"] == "indicated"
    assert [t["code"] for t in recommendation["techniques"]] == ["cemented_arthroplasty"]
    assert recommendation["case"]["site"] == "neck" and recommendation["case"]["suspected_hypervascular"] is False
    references = texts(bot.send(sender, "références"))
    assert "137. Swanson KC, Pritchard DJ, Sim FH. Surgical treatment of metastatic disease of the femur." in references


def test_first_message_fills_every_slot_it_mentions_and_nothing_is_asked_twice(bot):
    sender, replies = play(
        bot,
        [
            (
                "fracture du col fémoral, espérance de vie 4 mois",
                {
                    "situation": "pathological_fracture",
                    "bone": "femur",
                    "site": "neck",
                    "life_expectancy": "6_weeks_to_6_months",
                    "requested_slot": "fit_for_surgery",
                },
            ),
        ],
    )
    assert "Noté : " in texts(replies)
    _, replies = play_more(bot, sender, [("état général trop altéré, inopérable", {"fit_for_surgery": False})])
    recommendation = slots(bot, sender)["recommendation"]
    assert recommendation["surgery"] == "not_indicated"
    assert [t["code"] for t in recommendation["techniques"]] == ["supportive_care"]


def test_impending_fracture_computes_mirels_from_free_text(bot):
    sender, _ = play(
        bot,
        [
            (
                "lésion lytique de la diaphyse humérale à risque fracturaire",
                {"situation": "impending_fracture", "bone": "humerus", "site": "diaphysis", "lesion_type": "lytic"},
            ),
            ("plus d'un an", {"life_expectancy": "gt_12_months"}),
            ("oui", {"fit_for_surgery": True, "requested_slot": "pain"}),
            ("douleur mécanique à la mise en charge", {"pain": "functional", "requested_slot": "lesion_size"}),
            (
                "plus des deux tiers du diamètre",
                {"lesion_size": "gt_two_thirds", "requested_slot": "solitary_bone_metastasis"},
            ),
            ("non, plusieurs lésions", {"solitary_bone_metastasis": False, "requested_slot": "diagnostic_uncertainty"}),
            ("non", {"diagnostic_uncertainty": False, "requested_slot": "major_bone_loss"}),
            ("non", {"major_bone_loss": False}),
            ("non", {"prior_radiotherapy": False}),
            ("non", {"suspected_hypervascular": False}),
        ],
    )
    recommendation = slots(bot, sender)["recommendation"]
    assert recommendation["mirels"]["score"] == 10 and recommendation["intent"] == "preventive"
    # Over a year, outside a fracture: two first-line options for the RCP (1 and 4.1).
    assert [(t["code"], t["role"]) for t in recommendation["techniques"]] == [
        ("intramedullary_nailing", "primary"),
        ("resection_reconstruction", "primary"),
    ]


def test_correction_after_the_answer_recomputes_it(bot):
    sender, _ = play(
        bot,
        [
            (
                "fracture pathologique de la diaphyse fémorale, espérance de vie 3 mois, opérable",
                {"site": "diaphysis", "fit_for_surgery": True, "requested_slot": "diagnostic_uncertainty"},
            ),
            ("non", {"diagnostic_uncertainty": False}),
            ("non", {}),
            ("non", {}),
            ("non", {"suspected_hypervascular": False}),
        ],
    )
    assert slots(bot, sender)["recommendation"]["techniques"][0]["code"] == "intramedullary_nailing"
    replies = bot.send(sender, "en fait c'est le col, pas la diaphyse")
    assert "Correction notée" in texts(replies)
    recommendation = slots(bot, sender)["recommendation"]
    assert recommendation["case"]["site"] == "neck"
    assert "guideline_silent" in [w["code"] for w in recommendation["warnings"]]


def test_follow_ups_why_reference_mirels_and_out_of_scope(bot):
    sender, _ = play(bot, [("bonjour", {"requested_slot": "situation"})])
    assert "Pourquoi cette question" in texts(bot.send(sender, "pourquoi ?"))
    assert "Wegrzyn J" in texts(bot.send(sender, "référence 144"))
    mirels = texts(bot.send(sender, "qu'est-ce que le score de Mirels ?"))
    assert "quatre items" in mirels and "égal ou supérieur à 9" in mirels
    assert "rachis" in texts(bot.send(sender, "et pour une métastase vertébrale ?"))
    assert slots(bot, sender)["requested_slot"] == "situation"  # still in the consultation


def test_hand_typed_payload_outside_the_contract_is_refused(bot):
    sender, _ = play(bot, [("fracture du fémur", {"bone": "femur"})])
    replies = bot.send(sender, '/inform{"bone":"spine"}')
    assert "Je n'ai pas retenu la valeur donnée pour os atteint" in texts(replies) and "spine" not in texts(replies)
    assert slots(bot, sender)["bone"] == "femur"


# --------------------------------------- every path reaches the answer, every fact counts

KNOWN = {"situation": "douleur rebelle", "bone": "fémur"}  # always known: never « je ne sais pas »


def test_every_question_answered_i_dont_know_still_reaches_a_recommendation(bot):
    """Whatever is asked, « je ne sais pas » is an answer: never a loop."""
    for first in ("fracture du fémur", "lésion acétabulaire douloureuse", "risque fracturaire de l'humérus"):
        sender = f"dk-{next(_ids)}"
        replies = bot.send(sender, first)
        asked = []
        for _ in range(25):
            requested = slots(bot, sender).get("requested_slot")
            if requested is None:
                break
            asked.append(requested)
            replies = bot.send(sender, KNOWN.get(requested, "je ne sais pas"))
        assert slots(bot, sender).get("requested_slot") is None, (first, asked)
        assert len(asked) == len(set(asked)), (first, asked)  # nothing asked twice
        assert slots(bot, sender).get("recommendation"), (first, asked)
        assert "Cette information est nécessaire" not in texts(replies)


def test_a_fact_stated_after_the_answer_is_never_ignored(bot):
    """The c3 consultation of the UX review: a percutaneous treatment that failed,
    said after the answer, must change it."""
    answers = {
        "situation": "refractory_pain",
        "bone": "acetabulum",
        "life_expectancy": "6_weeks_to_6_months",
        "fit_for_surgery": True,
        "acetabular_stability_compromised": True,
        "percutaneous_treatment_failed": False,
        "diagnostic_uncertainty": False,
        "prior_radiotherapy": True,
        "suspected_hypervascular": False,
    }
    sender = f"fact-{next(_ids)}"
    bot.send(sender, "bonjour")
    for _ in range(len(answers)):
        requested = slots(bot, sender).get("requested_slot")
        if requested is None:
            break
        bot.send(sender, "/inform" + json.dumps({requested: answers[requested]}))
    before = slots(bot, sender)["recommendation"]
    assert before["case"]["percutaneous_treatment_failed"] is False and before["surgery"] == "not_indicated"
    replies = bot.send(sender, "ah pardon, en fait il a déjà eu une cimentoplastie il y a 1 mois, inefficace")
    after = slots(bot, sender)["recommendation"]
    assert after["case"]["percutaneous_treatment_failed"] is True, texts(replies)
    assert "Correction notée" in texts(replies) and "Recommandation mise à jour" in texts(replies)
    assert after["surgery"] == "discuss"
    # Under 6 months the chapter names no operation after the percutaneous failure: said, for the RCP.
    # What the RCP has to settle, named under the headline.
    assert "Laissé à la RCP" in texts(replies) and "échec des traitements percutanés" in texts(replies)


def test_a_message_not_understood_after_the_answer_says_so_and_does_not_repeat_it(bot):
    sender, _ = play(bot, FEMORAL_NECK_FREE_TEXT)
    replies = texts(bot.send(sender, "il a surtout mal la nuit"))
    assert "Je n'ai pas compris" in replies and "**Chirurgie indiquée**" not in replies


def test_a_fact_in_a_message_read_as_another_intent_still_changes_the_case(bot):
    """The classifier's intent does not decide whether a stated fact counts
    (policies/case_facts_policy.py): here a « pourquoi » that also says the patient is unfit."""
    sender, _ = play(bot, FEMORAL_NECK_FREE_TEXT)
    replies = texts(bot.send(sender, '/ask_why{"fit_for_surgery": false}'))
    recommendation = slots(bot, sender)["recommendation"]
    assert recommendation["case"]["fit_for_surgery"] is False and recommendation["surgery"] == "not_indicated"
    assert "Correction notée" in replies and "**Chirurgie non indiquée**" in replies


def test_the_restart_button_starts_a_consultation_with_one_disclaimer(bot):
    """« The assistant helps a team decide; it never replaces the RCP. Say so
    once, briefly, at the start of a consultation » (the brief): after
    « /restart » (the widget's button), the new consultation's start says it,
    and nothing else repeats it."""
    sender = f"e2e-{next(_ids)}"
    bot.send(sender, "fracture du col fémoral")
    said = [reply.get("text") or "" for reply in bot.send(sender, "/restart")]
    assert "Nouveau départ" in said[0]
    assert said.count(message("disclaimer")) == 1
    assert sum("seule à décider" in text for text in said) == 1
    assert not set(FIELDS) & set(slots(bot, sender))  # nothing of the former case is kept
