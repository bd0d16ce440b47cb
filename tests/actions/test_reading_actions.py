"""The extraction, ask and change actions on what is read from the text."""

from actions.action_ask_field import AskForLifeExpectancy, AskForPriorRadiotherapy, AskForSituation
from actions.action_change_answer import ActionChangeAnswer
from actions.action_validate_slot_mappings import ExtractCaseFacts
from freetext.parser import extract_facts

from .conftest import make_tracker, slot_events

FORM = "consultation_form"
CASE = {"situation": "pathological_fracture", "bone": "femur", "site": "diaphysis"}


def entities(text):
    return [{"entity": f.field, "value": f.value, "start": f.start, "end": f.end} for f in extract_facts(text)]


def user(text, slots=None):
    return [{"event": "user", "text": text, "parse_data": {"text": text, "entities": entities(text)}}] + [
        {"event": "slot", "name": name, "value": value} for name, value in (slots or {}).items()
    ]


def test_a_correction_during_a_yes_no_question_corrects_and_leaves_the_question_unanswered(run_action):
    text = "ah non désolé c'est le tibia"
    tracker = make_tracker(
        slots={**CASE, "requested_slot": "diagnostic_uncertainty"},
        text=text,
        intent="deny",
        entities=entities(text),
        active_loop=FORM,
    )
    messages, events = run_action(ExtractCaseFacts(), tracker)
    slots = slot_events(events)
    assert slots["bone"] == "tibia"
    assert "diagnostic_uncertainty" not in slots
    assert not any("doute diagnostique" in m["text"] for m in messages)


def test_out_of_scope_sets_no_slot_and_says_why(run_action):
    text = "méta T11 avec recul du mur, on opère ?"
    tracker = make_tracker(text=text, intent="inform", entities=entities(text))
    messages, events = run_action(ExtractCaseFacts(), tracker)
    assert set(slot_events(events)) == {"parsed_message_id"}
    assert "rachis" in messages[0]["text"] and "rien noté" in messages[0]["text"]


def test_a_straddling_life_expectancy_is_offered_as_two_buttons_and_the_question_is_not_repeated(run_action):
    text = "autour de 6 mois"
    tracker = make_tracker(
        slots={**CASE, "requested_slot": "life_expectancy"}, text=text, entities=entities(text), active_loop=FORM
    )
    messages, events = run_action(ExtractCaseFacts(), tracker)
    assert "life_expectancy" not in slot_events(events)
    choice = messages[-1]
    assert [b["payload"] for b in choice["buttons"]] == [
        '/inform{"life_expectancy": "6_weeks_to_6_months"}',
        '/inform{"life_expectancy": "6_to_12_months"}',
    ]
    assert [b["title"] for b in choice["buttons"]] == ["6 semaines à 6 mois", "6 à 12 mois"]

    # The form then asks for the life expectancy: its ask action stays silent this turn...
    said = {"event": "bot", "text": choice["text"], "data": {"buttons": choice["buttons"]}}
    turn = [{"event": "user", "text": text}, said]
    asking = make_tracker(slots={**CASE, "requested_slot": "life_expectancy"}, events=turn, active_loop=FORM)
    assert run_action(AskForLifeExpectancy(), asking)[0] == []
    # ...but another field's question is still asked, and so is the question on the next turn.
    assert run_action(AskForPriorRadiotherapy(), asking)[0] != []
    later = make_tracker(slots=CASE, events=[*turn, {"event": "user", "text": "pardon ?"}], active_loop=FORM)
    assert run_action(AskForLifeExpectancy(), later)[0] != []


def test_i_never_said_that_removes_what_the_previous_message_wrote(run_action):
    events = [
        *user("non", {"major_bone_loss": False}),
        {"event": "bot", "text": "Noté : perte osseuse importante ou os de mauvaise qualité : Non."},
        *user("je n'ai pas dit ça"),
    ]
    tracker = make_tracker(
        slots={**CASE, "major_bone_loss": False}, text="je n'ai pas dit ça", events=events, active_loop=FORM
    )
    messages, result = run_action(ExtractCaseFacts(), tracker)
    assert slot_events(result)["major_bone_loss"] is None
    assert messages[-1]["text"] == "Retiré : perte osseuse importante ou os de mauvaise qualité : Non."


def test_change_answer_does_not_repeat_a_removal_already_done(run_action):
    text = "retire la qualité osseuse"
    events = [
        *user(text),
        {"event": "slot", "name": "major_bone_loss", "value": None},
        {"event": "bot", "text": "Retiré : perte osseuse importante ou os de mauvaise qualité : Non."},
    ]
    tracker = make_tracker(slots=CASE, text=text, intent="change_answer", events=events)
    assert run_action(ActionChangeAnswer(), tracker) == ([], [])
    plain = make_tracker(slots=CASE, text="je veux modifier", intent="change_answer")
    messages, _ = run_action(ActionChangeAnswer(), plain)
    assert "Quelle réponse" in messages[0]["text"]


def test_a_typed_reply_to_the_choice_offered_before_is_read(run_action):
    buttons = [
        {"title": "6 semaines à 6 mois", "payload": '/inform{"life_expectancy": "6_weeks_to_6_months"}'},
        {"title": "6 à 12 mois", "payload": '/inform{"life_expectancy": "6_to_12_months"}'},
    ]
    events = [
        {"event": "user", "text": "environ 6 mois"},
        {"event": "bot", "text": "« environ 6 mois » tombe à la limite…", "data": {"buttons": buttons}},
        {"event": "user", "text": "plutôt au-delà"},
    ]
    tracker = make_tracker(
        slots={**CASE, "requested_slot": "life_expectancy"}, text="plutôt au-delà", events=events, active_loop=FORM
    )
    _, result = run_action(ExtractCaseFacts(), tracker)
    assert slot_events(result)["life_expectancy"] == "6_to_12_months"


def test_no_first_question_after_an_out_of_scope_message_but_a_pending_one_is_asked_again(run_action):
    text = "lésion de l'aile iliaque, on opère ?"
    fresh = make_tracker(text=text, active_loop=FORM, slots={"requested_slot": "situation"})
    assert run_action(AskForSituation(), fresh) == ([], [])
    pending = make_tracker(
        text=text,
        active_loop=FORM,
        slots={**CASE, "requested_slot": "prior_radiotherapy", "asked_fields": ["prior_radiotherapy"]},
    )
    assert run_action(AskForPriorRadiotherapy(), pending)[0] != []
