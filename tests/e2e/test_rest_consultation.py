"""Complete consultations over REST against the real Rasa and action servers,
answered in free French text (not button payloads); the slots are checked after
each answer and the final `recommendation` at the end."""

import itertools

import pytest

from tests.support.scripts import FEMORAL_NECK_FREE_TEXT

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
    sender, replies = play(bot, FEMORAL_NECK_FREE_TEXT)
    recommendation = slots(bot, sender)["recommendation"]
    assert recommendation["surgery"] == "indicated"
    assert [t["code"] for t in recommendation["techniques"]] == ["cemented_arthroplasty"]
    assert recommendation["case"]["site"] == "neck"
    answer = texts(replies)
    assert "**Chirurgie indiquée**" in answer and "Arthroplastie cimentée" in answer
    assert "137. Swanson KC, Pritchard DJ, Sim FH. Surgical treatment of metastatic disease of the femur." in answer


def test_first_message_fills_every_slot_it_mentions_and_nothing_is_asked_twice(bot):
    sender, replies = play(bot, [
        ("fracture du col fémoral, espérance de vie 4 mois",
         {"situation": "pathological_fracture", "bone": "femur", "site": "neck",
          "life_expectancy": "6_weeks_to_6_months", "requested_slot": "fit_for_surgery"}),
    ])
    assert "Noté : " in texts(replies)
    _, replies = play_more(bot, sender, [("état général trop altéré, inopérable", {"fit_for_surgery": False})])
    recommendation = slots(bot, sender)["recommendation"]
    assert recommendation["surgery"] == "not_indicated"
    assert [t["code"] for t in recommendation["techniques"]] == ["supportive_care"]


def test_impending_fracture_computes_mirels_from_free_text(bot):
    sender, _ = play(bot, [
        ("lésion lytique de la diaphyse humérale à risque fracturaire",
         {"situation": "impending_fracture", "bone": "humerus", "site": "diaphysis", "lesion_type": "lytic"}),
        ("plus d'un an", {"life_expectancy": "gt_12_months"}),
        ("oui", {"fit_for_surgery": True, "requested_slot": "pain"}),
        ("douleur mécanique à la mise en charge", {"pain": "functional", "requested_slot": "lesion_size"}),
        ("plus des deux tiers du diamètre", {"lesion_size": "gt_two_thirds", "requested_slot": "major_bone_loss"}),
        ("non", {"major_bone_loss": False}),
        ("non", {"prior_radiotherapy": False}),
        ("non", {"suspected_hypervascular": False}),
        ("non", {"diagnostic_uncertainty": False}),
    ])
    recommendation = slots(bot, sender)["recommendation"]
    assert recommendation["mirels"]["score"] == 10 and recommendation["intent"] == "preventive"
    assert recommendation["techniques"][0]["code"] == "resection_reconstruction"


def test_correction_after_the_answer_recomputes_it(bot):
    sender, _ = play(bot, [
        ("fracture pathologique de la diaphyse fémorale, espérance de vie 3 mois, opérable",
         {"site": "diaphysis", "fit_for_surgery": True, "requested_slot": "major_bone_loss"}),
        ("non", {}), ("non", {}), ("non", {}), ("non", {"diagnostic_uncertainty": False}),
    ])
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
    assert "Mirels" in texts(bot.send(sender, "qu'est-ce que le score de Mirels ?"))
    assert "rachis" in texts(bot.send(sender, "et pour une métastase vertébrale ?"))
    assert slots(bot, sender)["requested_slot"] == "situation"  # still in the consultation


def test_hand_typed_payload_outside_the_contract_is_refused(bot):
    sender, _ = play(bot, [("fracture du fémur", {"bone": "femur"})])
    replies = bot.send(sender, '/inform{"bone":"spine"}')
    assert "Je n'ai pas retenu « spine »" in texts(replies)
    assert slots(bot, sender)["bone"] == "femur"
