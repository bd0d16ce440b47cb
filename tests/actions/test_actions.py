"""Each custom action on a tracker built with `Tracker.from_dict`."""

from actions.action_ask_field import AskForField, AskForLifeExpectancy, AskForSite
from actions.action_change_answer import ActionChangeAnswer
from actions.action_explain_dont_know import ActionExplainDontKnow
from actions.action_explain_why import ActionExplainWhy
from actions.action_validate_slot_mappings import ExtractCaseFacts
from actions.action_new_consultation import ActionNewConsultation
from actions.action_not_understood import ActionNotUnderstood
from actions.action_recommend import ActionRecommend
from actions.action_session_start import ActionSessionStart
from actions.action_show_reference import ActionShowReference
from actions.action_show_summary import ActionShowSummary
from actions.validate_consultation_form import ValidateConsultationForm
from decision import FIELDS, recommend

from .conftest import DOMAIN, make_tracker, slot_events

FEMUR_NECK = {"situation": "pathological_fracture", "bone": "femur", "site": "neck", "life_expectancy": "6_to_12_months",
              "fit_for_surgery": True, "prior_radiotherapy": False, "suspected_hypervascular": False, "diagnostic_uncertainty": False}


def entity(name, value):
    return {"entity": name, "value": value, "start": 0, "end": 1}


def test_domain_slots_are_the_contract_fields_with_their_values():
    for name, values in FIELDS.items():
        slot = DOMAIN["slots"][name]
        if values == (True, False):
            assert slot["type"] == "bool", name
        else:
            assert slot["type"] == "categorical" and tuple(slot["values"]) == values, name
        assert slot["mappings"] == [{"type": "custom"}]
    assert set(DOMAIN["forms"]["consultation_form"]["required_slots"]) == set(FIELDS) - {"primary_tumor"}
    asked = {f"action_ask_{name}" for name in FIELDS if name != "primary_tumor"}
    assert asked <= set(DOMAIN["actions"])


def test_every_ask_action_exists_for_the_form():
    names = {cls().name() for cls in AskForField.__subclasses__()}
    assert names == {f"action_ask_{name}" for name in FIELDS if name != "primary_tumor"}


def test_extract_sets_valid_entities_and_infers_the_bone(run_action):
    tracker = make_tracker(text="fracture pertrochantérienne", entities=[entity("situation", "pathological_fracture"), entity("site", "trochanteric")])
    messages, events = run_action(ExtractCaseFacts(), tracker)
    slots = slot_events(events)
    assert slots["situation"] == "pathological_fracture" and slots["site"] == "trochanteric" and slots["bone"] == "femur"
    assert messages[0]["text"].startswith("Noté : ")


def test_extract_refuses_a_value_outside_the_contract(run_action):
    tracker = make_tracker(slots={"bone": "femur"}, text='/inform{"bone":"spine"}', entities=[entity("bone", "spine")])
    messages, events = run_action(ExtractCaseFacts(), tracker)
    assert "bone" not in slot_events(events)
    assert "« spine »" in messages[0]["text"] and "« Fémur »" in messages[0]["text"]


def test_extract_reads_a_yes_as_the_answer_to_the_pending_boolean_question(run_action):
    tracker = make_tracker(slots={"requested_slot": "fit_for_surgery"}, text="oui", intent="affirm", active_loop="consultation_form")
    _, events = run_action(ExtractCaseFacts(), tracker)
    assert slot_events(events)["fit_for_surgery"] is True


def test_extract_reads_dont_know_as_unknown_life_expectancy(run_action):
    tracker = make_tracker(slots={"requested_slot": "life_expectancy"}, text="je ne sais pas", intent="dont_know", active_loop="consultation_form")
    _, events = run_action(ExtractCaseFacts(), tracker)
    assert slot_events(events)["life_expectancy"] == "unknown"


def test_extract_reports_a_correction(run_action):
    tracker = make_tracker(slots={"bone": "femur", "site": "diaphysis"}, text="en fait c'est le col", entities=[entity("site", "neck")])
    messages, events = run_action(ExtractCaseFacts(), tracker)
    assert slot_events(events)["site"] == "neck"
    assert messages[-1]["text"] == "Correction notée : localisation sur l'os : Col fémoral (au lieu de Diaphyse)."


def test_extract_clears_a_site_that_does_not_exist_on_the_new_bone(run_action):
    tracker = make_tracker(slots={"bone": "femur", "site": "neck"}, text="c'est l'humérus", entities=[entity("bone", "humerus")])
    messages, events = run_action(ExtractCaseFacts(), tracker)
    assert slot_events(events) == {"bone": "humerus", "site": None, "parsed_message_id": tracker.latest_message["message_id"]}
    assert any("n'existe pas" in m["text"] for m in messages)


def test_extract_reads_each_message_once(run_action):
    tracker = make_tracker(slots={"parsed_message_id": "m1"}, text="fémur", entities=[entity("bone", "femur")], message_id="m1")
    assert run_action(ExtractCaseFacts(), tracker) == ([], [])


def test_form_asks_what_the_decision_module_still_needs(run_action):
    tracker = make_tracker(slots={"situation": "impending_fracture", "bone": "humerus"}, active_loop="consultation_form")
    _, events = run_action(ValidateConsultationForm(), tracker)
    assert slot_events(events) == {"requested_slot": "site"}
    complete = make_tracker(slots=FEMUR_NECK, active_loop="consultation_form")
    assert slot_events(run_action(ValidateConsultationForm(), complete)[1]) == {"requested_slot": None}


def test_ask_action_shows_progress_and_only_the_sites_of_the_bone(run_action):
    messages, _ = run_action(AskForSite(), make_tracker(slots={"situation": "pathological_fracture", "bone": "humerus"}))
    assert messages[0]["text"].startswith("*Question 3 sur 5*")
    assert [b["title"] for b in messages[0]["buttons"]][:3] == ["Extrémité proximale", "Diaphyse", "Extrémité distale"]
    messages, _ = run_action(AskForLifeExpectancy(), make_tracker())
    assert messages[0]["buttons"][-1]["title"] == "Je ne sais pas"


def test_recommend_sends_summary_answer_references_and_keeps_the_json(run_action):
    messages, events = run_action(ActionRecommend(), make_tracker(slots=FEMUR_NECK))
    assert messages[0]["text"].startswith("**Récapitulatif du cas**")
    assert messages[1]["text"].startswith("**Chirurgie indiquée**")
    assert messages[2]["text"].startswith("**Références**")
    kept = dict(slot_events(events)["recommendation"])
    record = kept.pop("record")
    assert kept == recommend(FEMUR_NECK).to_dict()
    assert set(record) == {"recorded_at", "project_version", "guideline_edition"}
    assert record["guideline_edition"] == kept["guideline"]["edition"]


def test_why_explains_the_pending_question_or_the_recommendation(run_action):
    during = make_tracker(slots={"requested_slot": "life_expectancy"}, active_loop="consultation_form")
    assert "élément capital" in run_action(ActionExplainWhy(), during)[0][0]["text"]
    after = make_tracker(slots={**FEMUR_NECK, "recommendation": recommend(FEMUR_NECK).to_dict()})
    assert "> « " in run_action(ActionExplainWhy(), after)[0][0]["text"]
    assert "Aucune recommandation" in run_action(ActionExplainWhy(), make_tracker())[0][0]["text"]


def test_reference_by_number(run_action):
    messages, _ = run_action(ActionShowReference(), make_tracker(text="référence 144", entities=[entity("reference_number", "144")]))
    assert messages[0]["text"].startswith("**Référence 144.** Wegrzyn J")
    messages, _ = run_action(ActionShowReference(), make_tracker(text="réf 999"))
    assert "1 à 150" in messages[0]["text"]
    messages, _ = run_action(ActionShowReference(), make_tracker(text="la référence"))
    assert "Quelle référence" in messages[0]["text"]


def test_summary(run_action):
    messages, _ = run_action(ActionShowSummary(), make_tracker(slots={"bone": "tibia"}))
    assert "- Os atteint : Tibia" in messages[0]["text"] and len(messages) == 1


def test_new_consultation_clears_everything_and_repeats_the_disclaimer(run_action):
    messages, events = run_action(ActionNewConsultation(), make_tracker(slots=FEMUR_NECK, text="nouveau cas", intent="start_consultation"))
    assert all(value is None for value in slot_events(events).values())
    assert set(FIELDS) <= set(slot_events(events))
    assert "RCP" in messages[-1]["text"] and "identifiante" in messages[-1]["text"]


def test_change_answer_forgets_the_named_field(run_action):
    tracker = make_tracker(slots=FEMUR_NECK, text="modifier l'espérance de vie", intent="change_answer",
                           entities=[entity("field", "life_expectancy")])
    messages, events = run_action(ActionChangeAnswer(), tracker)
    assert slot_events(events) == {"recommendation": None, "life_expectancy": None}
    assert messages[0]["text"] == "D'accord, reprenons : espérance de vie."
    messages, events = run_action(ActionChangeAnswer(), make_tracker(text="je me suis trompé", intent="change_answer"))
    assert events == [] and "Quelle réponse" in messages[0]["text"]


def test_dont_know_explains_why_the_fact_is_needed(run_action):
    tracker = make_tracker(slots={"requested_slot": "fit_for_surgery"}, intent="dont_know", active_loop="consultation_form")
    assert "seule contre-indication" in run_action(ActionExplainDontKnow(), tracker)[0][0]["text"]


def test_not_understood_names_what_was_expected_unless_already_said(run_action):
    tracker = make_tracker(slots={"requested_slot": "bone"}, text="bof", active_loop="consultation_form")
    text = run_action(ActionNotUnderstood(), tracker)[0][0]["text"]
    assert text.startswith("Je n'ai pas compris votre réponse sur os atteint") and "« Fémur »" in text
    events = [{"event": "user", "text": "x"}, {"event": "bot", "text": "Je n'ai pas retenu « spine »"}]
    assert run_action(ActionNotUnderstood(), make_tracker(events=events))[0] == []


def test_session_start_says_the_disclaimer_once_and_keeps_the_case(run_action):
    messages, events = run_action(ActionSessionStart(), make_tracker(slots={"bone": "femur"}, events=[]))
    assert len(messages) == 1 and "RCP" in messages[0]["text"]
    assert events[0]["event"] == "session_started" and {"bone": "femur"}.items() <= slot_events(events).items()


def test_new_consultation_keeps_the_case_unless_the_request_is_clear(run_action):
    unsure = make_tracker(slots=FEMUR_NECK, text="\x0b\x12\x12", intent="start_consultation")
    messages, events = run_action(ActionNewConsultation(), unsure)
    assert events == [] and "conservé" in messages[0]["text"]


def test_random_letters_the_classifier_reads_as_new_case_keep_the_case(run_action):
    garbled = make_tracker(slots=FEMUR_NECK, text="ⅹⵆ⽓ᆽ≓ḟ⮇ᄿ Θᬠ", intent="start_consultation")
    messages, events = run_action(ActionNewConsultation(), garbled)
    assert events == [] and "conservé" in messages[0]["text"]


def test_a_stray_slash_is_not_a_new_case_button(run_action):
    for text in ("/", "//", "/start_consultation_now"):
        messages, events = run_action(ActionNewConsultation(), make_tracker(slots=FEMUR_NECK, text=text, intent="start_consultation"))
        assert events == [], text
    _, events = run_action(ActionNewConsultation(), make_tracker(slots=FEMUR_NECK, text="/start_consultation", intent="start_consultation"))
    assert events
