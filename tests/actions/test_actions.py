"""Each custom action on a tracker built with `Tracker.from_dict`."""

from actions.action_ask_field import AskForField, AskForLifeExpectancy, AskForSite
from actions.action_change_answer import ActionChangeAnswer
from actions.action_explain_dont_know import ActionExplainDontKnow
from actions.action_explain_why import ActionExplainWhy
from actions.action_new_consultation import ActionNewConsultation
from actions.action_not_understood import ActionNotUnderstood
from actions.action_recommend import ActionRecommend
from actions.action_session_start import ActionSessionStart
from actions.action_show_details import ActionShowDetails
from actions.action_show_reference import ActionShowReference
from actions.action_show_summary import ActionShowSummary
from actions.action_validate_slot_mappings import ExtractCaseFacts
from actions.validate_consultation_form import ValidateConsultationForm
from decision import FIELDS, recommend
from decision.contract import UNKNOWN_ALLOWED
from paths import version
from tests.cases import FEMORAL_NECK

from .conftest import DOMAIN, make_tracker, slot_events

FEMUR_NECK = FEMORAL_NECK


def entity(name, value):
    return {"entity": name, "value": value, "start": 0, "end": 1}


ASKED = set(FIELDS) - {"primary_tumor", "performance_status"}


def test_domain_slots_are_the_contract_fields_filled_only_by_the_checked_extraction():
    for name in FIELDS:
        slot = DOMAIN["slots"][name]
        # `any`: booleans and codes, `unknown` included; only the action that
        # checks values against the contract fills them.
        assert slot["type"] == "any" and slot["influence_conversation"] is False, name
        assert slot["mappings"] == [{"type": "custom"}]
    assert set(DOMAIN["forms"]["consultation_form"]["required_slots"]) == ASKED
    assert {f"action_ask_{name}" for name in ASKED} <= set(DOMAIN["actions"])


def test_every_ask_action_exists_for_the_form():
    names = {cls().name() for cls in AskForField.__subclasses__()}
    assert names == {f"action_ask_{name}" for name in ASKED}


def test_extract_sets_valid_entities_and_infers_the_bone(run_action):
    tracker = make_tracker(
        text="fracture pertrochantérienne",
        entities=[entity("situation", "pathological_fracture"), entity("site", "trochanteric")],
    )
    messages, events = run_action(ExtractCaseFacts(), tracker)
    slots = slot_events(events)
    assert (
        slots["situation"] == "pathological_fracture" and slots["site"] == "trochanteric" and slots["bone"] == "femur"
    )
    assert messages[0]["text"].startswith("Noté : ")


def test_extract_refuses_a_value_outside_the_contract_without_repeating_it(run_action):
    tracker = make_tracker(slots={"bone": "femur"}, text='/inform{"bone":"spine"}', entities=[entity("bone", "spine")])
    messages, events = run_action(ExtractCaseFacts(), tracker)
    assert "bone" not in slot_events(events)
    assert "spine" not in messages[0]["text"] and "« Fémur »" in messages[0]["text"]


def test_a_button_answer_is_echoed_like_a_typed_one(run_action):
    tracker = make_tracker(text='/inform{"bone": "tibia"}', entities=[entity("bone", "tibia")])
    messages, _ = run_action(ExtractCaseFacts(), tracker)
    assert messages[0]["text"] == "Noté : os atteint : Tibia."


def test_every_question_accepts_i_dont_know_as_unknown(run_action):
    """« Je ne sais pas » is an answer for every question that offers it: by its
    button, or typed (the classifier's dont_know when the reader found nothing)."""
    for name in sorted(ASKED & UNKNOWN_ALLOWED):
        button = make_tracker(
            slots={"requested_slot": name},
            text=f'/inform{{"{name}": "unknown"}}',
            entities=[entity(name, "unknown")],
            active_loop="consultation_form",
        )
        assert slot_events(run_action(ExtractCaseFacts(), button)[1])[name] == "unknown", name
        typed = make_tracker(
            slots={"requested_slot": name},
            text="aucune idée pour l'instant",
            intent="dont_know",
            active_loop="consultation_form",
        )
        assert slot_events(run_action(ExtractCaseFacts(), typed)[1])[name] == "unknown", name
    for name in ("situation", "bone"):  # always known when a case is discussed
        tracker = make_tracker(
            slots={"requested_slot": name}, text="aucune idée", intent="dont_know", active_loop="consultation_form"
        )
        assert name not in slot_events(run_action(ExtractCaseFacts(), tracker)[1])


def test_extract_reads_a_yes_as_the_answer_to_the_pending_boolean_question(run_action):
    tracker = make_tracker(
        slots={"requested_slot": "fit_for_surgery"}, text="oui", intent="affirm", active_loop="consultation_form"
    )
    _, events = run_action(ExtractCaseFacts(), tracker)
    assert slot_events(events)["fit_for_surgery"] is True


def test_extract_reads_dont_know_as_unknown_life_expectancy(run_action):
    tracker = make_tracker(
        slots={"requested_slot": "life_expectancy"},
        text="je ne sais pas",
        intent="dont_know",
        active_loop="consultation_form",
    )
    _, events = run_action(ExtractCaseFacts(), tracker)
    assert slot_events(events)["life_expectancy"] == "unknown"


def test_extract_reports_a_correction(run_action):
    tracker = make_tracker(
        slots={"bone": "femur", "site": "diaphysis"}, text="en fait c'est le col", entities=[entity("site", "neck")]
    )
    messages, events = run_action(ExtractCaseFacts(), tracker)
    assert slot_events(events)["site"] == "neck"
    assert messages[-1]["text"] == "Correction notée : localisation sur l'os : Col fémoral (au lieu de Diaphyse)."


def test_extract_clears_a_site_that_does_not_exist_on_the_new_bone(run_action):
    tracker = make_tracker(
        slots={"bone": "femur", "site": "neck"}, text="c'est l'humérus", entities=[entity("bone", "humerus")]
    )
    messages, events = run_action(ExtractCaseFacts(), tracker)
    assert slot_events(events) == {
        "bone": "humerus",
        "site": None,
        "parsed_message_id": tracker.latest_message["message_id"],
    }
    assert any("n'existe pas" in m["text"] for m in messages)


def test_extract_reads_each_message_once(run_action):
    tracker = make_tracker(
        slots={"parsed_message_id": "m1"}, text="fémur", entities=[entity("bone", "femur")], message_id="m1"
    )
    assert run_action(ExtractCaseFacts(), tracker) == ([], [])


def test_form_asks_what_the_decision_module_still_needs(run_action):
    tracker = make_tracker(
        slots={"situation": "impending_fracture", "bone": "humerus"}, active_loop="consultation_form"
    )
    _, events = run_action(ValidateConsultationForm(), tracker)
    assert slot_events(events) == {"requested_slot": "site"}
    complete = make_tracker(slots=FEMUR_NECK, active_loop="consultation_form")
    messages, events = run_action(ValidateConsultationForm(), complete)
    # Every question answered: the form ends, and gives the answer in the same turn.
    assert slot_events(events)["requested_slot"] is None
    assert slot_events(events)["recommendation"]["case"] == recommend(FEMUR_NECK).to_dict()["case"]
    # The verdict first (the widget is told where the answer starts).
    assert messages[0]["custom"] == {"data": {"answer_start": True}}
    assert messages[1]["text"].startswith("**Chirurgie indiquée**")


def test_ask_action_numbers_questions_and_shows_only_the_sites_of_the_bone(run_action):
    tracker = make_tracker(
        slots={"situation": "pathological_fracture", "bone": "humerus", "asked_fields": ["situation", "bone"]}
    )
    messages, events = run_action(AskForSite(), tracker)
    assert messages[0]["text"].startswith("*Question 3* — **Où siège la lésion sur cet os ?**")
    assert slot_events(events)["asked_fields"] == ["situation", "bone", "site"]
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Extrémité proximale",
        "Diaphyse",
        "Extrémité distale",
        "Je ne sais pas",
    ]
    messages, _ = run_action(AskForLifeExpectancy(), make_tracker())
    assert messages[0]["buttons"][-1]["title"] == "Je ne sais pas"


def test_a_question_asked_again_keeps_its_number_so_the_count_never_runs_backwards(run_action):
    tracker = make_tracker(slots={"bone": "femur", "asked_fields": ["situation", "bone", "site", "life_expectancy"]})
    messages, events = run_action(AskForSite(), tracker)
    assert messages[0]["text"].startswith("*Question 3*") and "asked_fields" not in slot_events(events)


def test_fitness_question_recalls_the_performance_status_stated(run_action):
    from actions.action_ask_field import AskForFitForSurgery

    messages, _ = run_action(AskForFitForSurgery(), make_tracker(slots={"performance_status": "3"}))
    assert messages[0]["text"].startswith("Indice de performance noté : OMS 3.")
    assert [b["title"] for b in messages[0]["buttons"]] == ["Oui", "Non", "Je ne sais pas"]


def test_recommend_opens_on_the_verdict_with_the_case_in_one_line_and_keeps_the_json(run_action):
    messages, events = run_action(ActionRecommend(), make_tracker(slots=FEMUR_NECK))
    # The widget is told where the answer starts, to keep it in view.
    assert messages[0]["custom"] == {"data": {"answer_start": True}}
    messages = messages[1:]
    # The verdict is the first thing said; the case follows, in one line, not a list before it.
    assert messages[0]["text"].startswith("**Chirurgie indiquée**")
    assert "Récapitulatif du cas" not in " ".join(m.get("text") or "" for m in messages)
    assert "Arthroplastie de hanche cimentée, en première intention" in messages[0]["text"]
    assert messages[0]["text"].count("*Cas : ") == 1
    assert len(messages[0]["text"]) < 1100  # the short answer; the rest on demand
    assert "« bilan »" in messages[1]["text"] and "« références »" in messages[1]["text"]
    kept = dict(slot_events(events)["recommendation"])
    record = kept.pop("record")
    assert kept == recommend(FEMUR_NECK).to_dict()
    assert set(record) == {"recorded_at", "project_version", "guideline_edition", "guideline_sha256"}
    assert record["guideline_edition"] == kept["guideline"]["edition"]
    assert record["project_version"] == version()


def test_recommend_says_when_nothing_changed_instead_of_repeating_the_answer(run_action):
    given = recommend(FEMUR_NECK).to_dict()
    messages, events = run_action(
        ActionRecommend(), make_tracker(slots={**FEMUR_NECK, "recommendation": given}, text="ah oui d'accord bof")
    )
    assert events == [] and messages[0]["text"].startswith("Je n'ai pas compris. Le cas n'a pas changé")


def test_recommend_after_a_refining_answer_says_what_it_added(run_action):
    essential = {key: value for key, value in FEMUR_NECK.items() if key != "suspected_hypervascular"}
    given = recommend(essential).to_dict()
    messages, _ = run_action(
        ActionRecommend(), make_tracker(slots={**essential, "suspected_hypervascular": True, "recommendation": given})
    )
    assert messages[0]["text"].startswith("Recommandation mise à jour :")
    assert "Ajouté : Angioscanner ou artériographie" in messages[0]["text"]
    quiet = make_tracker(slots={**essential, "suspected_hypervascular": False, "recommendation": given})
    assert run_action(ActionRecommend(), quiet)[0][0]["text"] == "La recommandation ci-dessus ne change pas."


def test_form_gives_the_answer_as_soon_as_indication_and_options_are_settled(run_action):
    """Prior irradiation and hypervascularity change neither the indication nor the
    technique: the answer comes first, those questions after."""
    essential = {
        key: value for key, value in FEMUR_NECK.items() if key not in ("prior_radiotherapy", "suspected_hypervascular")
    }
    messages, events = run_action(
        ValidateConsultationForm(), make_tracker(slots=essential, active_loop="consultation_form")
    )
    assert slot_events(events)["requested_slot"] == "prior_radiotherapy"
    assert any((m.get("text") or "").startswith("**Chirurgie indiquée**") for m in messages)
    assert slot_events(events)["recommendation"]["surgery"] == "indicated"
    given = slot_events(events)["recommendation"]
    again, events = run_action(
        ValidateConsultationForm(),
        make_tracker(
            slots={**essential, "prior_radiotherapy": False, "recommendation": given}, active_loop="consultation_form"
        ),
    )
    # Not irradiated: said at once (the post-operative radiotherapy's reason now
    # says that surgery is easier in a territory not irradiated), and kept.
    assert [m["text"] for m in again if m.get("text")] == [
        "Recommandation mise à jour :\nModifié : Radiothérapie post-opératoire de toute la pièce osseuse."
    ]
    assert slot_events(events)["requested_slot"] == "suspected_hypervascular"
    assert slot_events(events)["recommendation"]["case"]["prior_radiotherapy"] is False


def test_details_on_demand(run_action):
    given = recommend(FEMUR_NECK).to_dict()
    messages, _ = run_action(
        ActionShowDetails(), make_tracker(slots={**FEMUR_NECK, "recommendation": given}, text="bilan")
    )
    assert len(messages) == 1 and messages[0]["text"].startswith("**Bilan avant la décision**")
    messages, _ = run_action(
        ActionShowDetails(), make_tracker(slots={**FEMUR_NECK, "recommendation": given}, text="détails")
    )
    assert [m["text"].split("**")[1] for m in messages] == [
        "Bilan avant la décision",
        "Après l'intervention",
        "Points d'attention",
        "Références",
    ]
    assert "décrivez d'abord le cas" in run_action(ActionShowDetails(), make_tracker(text="bilan"))[0][0]["text"]


def test_why_not_a_technique_names_the_answer_that_would_bring_it(run_action):
    """[2.4] « La chirurgie ne sera envisagée qu'après échec de ces traitements dans le
    cadre d'un patient en assez bon état général pour supporter une intervention
    chirurgicale lourde »: no THA for a patient who cannot be operated on."""
    case = {
        "situation": "refractory_pain",
        "bone": "acetabulum",
        "life_expectancy": "6_to_12_months",
        "fit_for_surgery": False,
        "acetabular_stability_compromised": True,
        "percutaneous_treatment_failed": False,
    }
    tracker = make_tracker(
        slots={**case, "recommendation": recommend(case).to_dict()},
        text="et pourquoi pas une PTH avec armature ?",
        intent="ask_why",
    )
    messages, _ = run_action(ActionExplainWhy(), tracker)
    assert "ne fait pas partie des options pour ce cas" in messages[0]["text"]
    assert "si l'état général permettait l'intervention et l'anesthésie (ici : non)" in messages[0]["text"]
    assert "le traitement le plus indiqué (144)" in messages[0]["text"]
    proposed = make_tracker(
        slots={**FEMUR_NECK, "recommendation": recommend(FEMUR_NECK).to_dict()},
        text="pourquoi une prothèse ?",
        intent="ask_why",
    )
    assert "fait partie des options pour ce cas" in run_action(ActionExplainWhy(), proposed)[0][0]["text"]


def test_why_explains_the_pending_question_or_the_recommendation(run_action):
    during = make_tracker(slots={"requested_slot": "life_expectancy"}, active_loop="consultation_form")
    assert "élément capital" in run_action(ActionExplainWhy(), during)[0][0]["text"]
    given = {**FEMUR_NECK, "recommendation": recommend(FEMUR_NECK).to_dict()}
    [short] = run_action(ActionExplainWhy(), make_tracker(slots=given, text="pourquoi ?", intent="ask_why"))[0]
    # The reasons that decided, in one message, with a button for every item and its quotations.
    assert "Ce qui a décidé" in short["text"] and "> « " not in short["text"]
    assert [b["title"] for b in short["buttons"]] == ["Tout le détail"]
    payload = short["buttons"][0]["payload"]
    button = make_tracker(slots=given, text=payload, intent="ask_why", entities=[entity("delivery", "all")])
    assert "> « " in run_action(ActionExplainWhy(), button)[0][0]["text"]
    typed = make_tracker(slots=given, text="pourquoi tout ?", intent="ask_why")
    assert "> « " in run_action(ActionExplainWhy(), typed)[0][0]["text"]
    # While a refining question waits: « pourquoi ? » is about it, « pourquoi la recommandation ? » about the answer.
    waiting = {**given, "requested_slot": "suspected_hypervascular"}
    asked = make_tracker(slots=waiting, text="pourquoi ?", intent="ask_why", active_loop="consultation_form")
    assert "Pourquoi cette question" in run_action(ActionExplainWhy(), asked)[0][0]["text"]
    for text in ("pourquoi cette recommandation ?", "pourquoi tout ?"):
        about = make_tracker(slots=waiting, text=text, intent="ask_why", active_loop="consultation_form")
        assert "Pourquoi cette question" not in run_action(ActionExplainWhy(), about)[0][0]["text"], text
    assert "Aucune recommandation" in run_action(ActionExplainWhy(), make_tracker())[0][0]["text"]


def test_reference_by_number(run_action):
    messages, _ = run_action(
        ActionShowReference(), make_tracker(text="référence 144", entities=[entity("reference_number", "144")])
    )
    assert messages[0]["text"].startswith("**Référence 144.** Wegrzyn J")
    # 137 is in the chapter's reading list « (137–142) »: its text, and what it is.
    messages, _ = run_action(ActionShowReference(), make_tracker(text="référence 137"))
    assert messages[0]["text"].startswith("**Référence 137.** Swanson KC")
    assert "Lecture générale du chapitre" in messages[0]["text"]
    messages, _ = run_action(ActionShowReference(), make_tracker(text="réf 999"))
    assert "1 à 150" in messages[0]["text"]  # the count, read from references.json
    messages, _ = run_action(ActionShowReference(), make_tracker(text="la référence"))
    assert "Quelle référence" in messages[0]["text"]


def test_summary(run_action):
    messages, _ = run_action(ActionShowSummary(), make_tracker(slots={"bone": "tibia"}))
    assert "- Os atteint : Tibia" in messages[0]["text"] and len(messages) == 1


def test_new_consultation_asks_before_clearing_a_case_in_progress(run_action):
    """« Recommencer » with answers given: a question with Oui / Non buttons, nothing
    cleared, and the turn ends on it (the form's own question would bury it)."""
    for text in ("nouveau cas", "on recommence", "/start_consultation"):
        messages, events = run_action(
            ActionNewConsultation(), make_tracker(slots=FEMUR_NECK, text=text, intent="start_consultation")
        )
        assert not slot_events(events), text
        assert ("followup", "action_listen") in [(event["event"], event.get("name")) for event in events]
        assert messages[-1]["text"] == "Effacer le cas en cours et commencer un nouveau cas ?"
        titles = [button["title"] for button in messages[-1]["buttons"]]
        assert titles == ["Oui, nouveau cas", "Non, garder ce cas"]


def test_emoji_or_symbols_alone_never_ask_to_clear_the_case(run_action):
    """A message without a French word (emoji, punctuation, another script)
    that the classifier took for « nouveau cas »: not understood, the pending question named again, the
    form left running, nothing cleared."""
    for text in ("🦴💀🔥👍🏽", "!!! …", "🩻 :-)", "ⅹⵆ⽓ᆽ≓ḟ⮇ᄿ Θᬠ", "كسر في عظم الفخذ"):
        tracker = make_tracker(slots=FEMUR_NECK, text=text, intent="start_consultation")
        messages, events = run_action(ActionNewConsultation(), tracker)
        assert not slot_events(events), text
        assert not any(event.get("event") == "active_loop" for event in events), text
        assert all("Effacer le cas" not in (message.get("text") or "") for message in messages), text
        assert messages and "compris" in messages[0]["text"], text


def confirm(answer):
    return make_tracker(
        slots=FEMUR_NECK,
        text=f'/start_consultation{{"delivery": "{answer}"}}',
        intent="start_consultation",
        entities=[entity("delivery", answer)],
    )


def test_new_consultation_confirmed_clears_everything_and_repeats_the_disclaimer(run_action):
    messages, events = run_action(ActionNewConsultation(), confirm("confirmed"))
    assert all(value is None for value in slot_events(events).values())
    assert set(FIELDS) <= set(slot_events(events))
    assert not any(event.get("event") == "followup" for event in events)  # the form asks question 1 next
    assert "RCP" in messages[-1]["text"] and "identifiante" in messages[-1]["text"]
    assert {"data": {"new_consultation": True}} in [m.get("custom") for m in messages]  # the widget clears its log


def test_new_consultation_declined_keeps_the_case(run_action):
    messages, events = run_action(ActionNewConsultation(), confirm("kept"))
    assert events == [] and "conservé" in messages[0]["text"]


def test_a_typed_yes_or_no_answers_the_question_to_clear_the_case(run_action):
    asked = [
        {"event": "user", "text": "nouveau cas"},
        {"event": "bot", "text": "Effacer le cas en cours et commencer un nouveau cas ?"},
    ]
    for intent, cleared in (("affirm", True), ("deny", False)):
        tracker = make_tracker(slots=FEMUR_NECK, text="x", intent=intent, events=[*asked, {"event": "user"}])
        messages, events = run_action(ActionNotUnderstood(), tracker)
        assert bool(slot_events(events)) is cleared, intent
        # Then question 1, or the question that was pending.
        assert ("followup", "consultation_form") in [(event["event"], event.get("name")) for event in events]
    tracker = make_tracker(slots=FEMUR_NECK, text="oui", intent="affirm", events=[{"event": "bot", "text": "Autre."}])
    assert not slot_events(run_action(ActionNotUnderstood(), tracker)[1])


def test_change_answer_forgets_the_named_field(run_action):
    tracker = make_tracker(
        slots=FEMUR_NECK,
        text="modifier l'espérance de vie",
        intent="change_answer",
        entities=[entity("field", "life_expectancy")],
    )
    messages, events = run_action(ActionChangeAnswer(), tracker)
    assert slot_events(events) == {"recommendation": None, "life_expectancy": None}
    assert messages[0]["text"] == "D'accord, reprenons : espérance de vie."
    messages, events = run_action(ActionChangeAnswer(), make_tracker(text="je me suis trompé", intent="change_answer"))
    assert events == [] and "Quelle réponse" in messages[0]["text"]


def test_dont_know_to_a_question_that_cannot_stay_unknown_explains_why(run_action):
    tracker = make_tracker(slots={"requested_slot": "situation"}, intent="dont_know", active_loop="consultation_form")
    text = run_action(ActionExplainDontKnow(), tracker)[0][0]["text"]
    assert "ne peut pas rester inconnue" in text and "nouveau cas" in text


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


def test_nothing_but_a_confirmation_clears_a_case_in_progress(run_action):
    for text in ("\x0b\x12\x12", "ⅹⵆ⽓ᆽ≓ḟ⮇ᄿ Θᬠ", "/", "//", "/start_consultation_now"):
        messages, events = run_action(
            ActionNewConsultation(), make_tracker(slots=FEMUR_NECK, text=text, intent="start_consultation")
        )
        assert not slot_events(events), text
        if not text.startswith("/"):  # not French words: not understood (see the emoji test above)
            assert "compris" in messages[-1]["text"]
        else:
            assert messages[-1]["text"] == "Effacer le cas en cours et commencer un nouveau cas ?"
    # A confirmation typed as text, not the button's payload, asks again.
    typed = make_tracker(
        slots=FEMUR_NECK, text="confirmed", intent="start_consultation", entities=[entity("delivery", "confirmed")]
    )
    assert not slot_events(run_action(ActionNewConsultation(), typed)[1])


def test_new_consultation_without_a_case_starts_at_once(run_action):
    messages, events = run_action(
        ActionNewConsultation(), make_tracker(text="nouveau cas", intent="start_consultation")
    )
    assert set(FIELDS) <= set(slot_events(events)) and "identifiante" in messages[-1]["text"]


def test_the_rcp_sheet_in_the_chat_as_a_download_and_as_pdf_is_one_and_the_same(run_action):
    """One RCP report (records/report.py): « rapport » in the chat, the widget's
    download (`delivery: file`) and the PDF carry the same recommendation."""
    import base64
    import io

    from pypdf import PdfReader

    import diagram
    from actions.action_report import ActionReport
    from consultation.progress import recommendation_for
    from records.report import report_pdf

    given = recommendation_for(FEMUR_NECK)
    typed = make_tracker(slots={**FEMUR_NECK, "recommendation": given}, text="rapport", intent="ask_report")
    [chat] = run_action(ActionReport(), typed)[0]  # one message
    assert chat["text"].startswith("**Chirurgie indiquée**") and "python -m" not in chat["text"]
    assert "\n\n" not in chat["text"] and "Consultation : test." in chat["text"].splitlines()[-2]
    button = make_tracker(
        slots={**FEMUR_NECK, "recommendation": given},
        text='/ask_report{"delivery": "file"}',
        intent="ask_report",
        entities=[entity("delivery", "file")],
    )
    [filed] = run_action(ActionReport(), button)[0]
    report = filed["custom"]["data"]["rcp_report"]
    assert report["markdown"].startswith("# Fiche d'aide à la décision pour la RCP")
    assert report["filename"].startswith("recapitulatif-rcp-") and report["filename"].endswith(".md")
    assert report["pdf_filename"] == report["filename"][:-3] + ".pdf"
    # The widget's PDF is the sheet's (the Matrix one), from the same Markdown.
    sent = base64.b64decode(report["pdf_base64"], validate=True)
    assert sent.startswith(b"%PDF")
    # (with the case's decision path, diagram/)
    assert len(sent) == len(report_pdf(report["markdown"], diagram.draw(given["case"])))
    pdf = PdfReader(io.BytesIO(sent))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    for expected in (
        "Fiche d'aide à la décision pour la RCP",
        "Chirurgie indiquée",
        "Arthroplastie de hanche cimentée",
        "137. Swanson KC",
    ):
        assert expected in text, expected


def test_in_matrix_the_rcp_sheet_also_comes_as_a_pdf_file_elsewhere_only_in_the_chat(run_action):
    """Matrix can post a file: « rapport » there gives the Markdown in the chat
    and the same sheet as a PDF the bridge uploads. The web widget and the
    other messengers get the chat text only."""
    import base64
    import io

    from pypdf import PdfReader

    from actions.action_report import ActionReport
    from consultation.progress import recommendation_for

    given = recommendation_for(FEMUR_NECK)
    slots = {**FEMUR_NECK, "recommendation": given}
    matrix = make_tracker(slots=slots, text="rapport", intent="ask_report", input_channel="matrix")
    sheet, attached = run_action(ActionReport(), matrix)[0]
    assert sheet["text"].startswith("**Chirurgie indiquée**")
    pdf = attached["custom"]["data"]["file"]
    assert pdf["mimetype"] == "application/pdf"
    assert pdf["filename"].startswith("recapitulatif-rcp-") and pdf["filename"].endswith(".pdf")
    content = base64.b64decode(pdf["base64"], validate=True)
    assert content.startswith(b"%PDF")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)
    for expected in (
        "Fiche d'aide à la décision pour la RCP",
        "Chirurgie indiquée",
        "Arthroplastie de hanche cimentée",
    ):
        assert expected in text, expected
    for channel in ("socketio", "telegram", "slack", "rest"):
        web = make_tracker(slots=slots, text="rapport", intent="ask_report", input_channel=channel)
        messages = run_action(ActionReport(), web)[0]
        assert [m["text"] for m in messages] == [sheet["text"]], channel
        assert not any(m.get("custom") for m in messages), channel


def test_a_correction_after_the_answer_gives_the_new_answer_before_the_question_it_opens(run_action):
    """A percutaneous treatment that failed, said after the answer: the THA is
    proposed at once; the diagnostic question it opens comes after, and is not
    labelled as a refinement."""
    case = {
        "situation": "refractory_pain",
        "bone": "acetabulum",
        "life_expectancy": "6_to_12_months",
        "fit_for_surgery": True,
        "acetabular_stability_compromised": True,
        "percutaneous_treatment_failed": False,
    }
    given = recommend(case).to_dict()
    corrected = {**case, "percutaneous_treatment_failed": True}
    messages, events = run_action(
        ValidateConsultationForm(),
        make_tracker(slots={**corrected, "recommendation": given}, active_loop="consultation_form"),
    )
    assert slot_events(events)["requested_slot"] == "diagnostic_uncertainty"
    assert messages[0]["text"].startswith("Recommandation mise à jour :")
    assert "Ajouté : Prothèse totale de hanche" in messages[0]["text"]
    assert slot_events(events)["recommendation"]["techniques"][0]["code"] == "tha_acetabular_reinforcement"
    from actions.action_ask_field import AskForDiagnosticUncertainty

    asked = run_action(AskForDiagnosticUncertainty(), make_tracker(slots={**corrected, "recommendation": given}))[0]
    assert "Pour affiner" not in asked[0]["text"]


# A lesion of the distal femur, fractured: a locked plate; a major bone loss
# adds the curettage-cementation (4.1).
DISTAL_FEMUR = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "distal",
    "articular_involvement": False,
    "life_expectancy": "6_to_12_months",
    "fit_for_surgery": True,
    "diagnostic_uncertainty": False,
}


def test_the_rcp_sheet_asked_right_after_a_refining_answer_holds_that_answer(run_action):
    """« rapport » typed just after « grosse perte osseuse »: the sheet has the
    bone loss and the curettage-cementation, even if the recommendation kept
    was computed before."""
    from actions.action_report import ActionReport
    from consultation.progress import recommendation_for

    kept = recommendation_for(DISTAL_FEMUR)
    tracker = make_tracker(
        slots={**DISTAL_FEMUR, "major_bone_loss": True, "recommendation": kept}, text="rapport", intent="ask_report"
    )
    [sheet] = [message["text"] for message in run_action(ActionReport(), tracker)[0] if message.get("text")]
    assert "perte osseuse importante : oui" in sheet
    assert "Curetage-cimentation" in sheet


def test_the_summary_after_the_doubt_was_answered_lists_it_and_no_longer_waits_for_it(run_action):
    case = {key: value for key, value in DISTAL_FEMUR.items() if key != "diagnostic_uncertainty"}
    kept = recommend(case).to_dict()
    tracker = make_tracker(slots={**DISTAL_FEMUR, "recommendation": kept}, text="récap", intent="ask_summary")
    summary, answer = (message["text"] for message in run_action(ActionShowSummary(), tracker)[0])
    assert "Doute diagnostique : Non" in summary
    assert "Questions en attente" not in answer


def test_a_refining_answer_during_the_form_updates_the_recommendation_in_the_same_turn(run_action):
    kept = recommend(DISTAL_FEMUR).to_dict()
    tracker = make_tracker(
        slots={**DISTAL_FEMUR, "major_bone_loss": True, "recommendation": kept}, active_loop="consultation_form"
    )
    messages, events = run_action(ValidateConsultationForm(), tracker)
    assert messages[0]["text"].startswith("Recommandation mise à jour :\nAjouté : Curetage-cimentation")
    assert slot_events(events)["recommendation"]["case"]["major_bone_loss"] is True
    # The form ends on that answer: the recommend action that follows says nothing more.
    done = make_tracker(
        slots={**DISTAL_FEMUR, "major_bone_loss": True, "recommendation": slot_events(events)["recommendation"]},
        events=[
            {"event": "user", "text": "oui"},
            {"event": "slot", "name": "recommendation", "value": slot_events(events)["recommendation"]},
        ],
    )
    assert run_action(ActionRecommend(), done) == ([], [])


def test_the_question_waiting_when_the_clinician_asked_something_else_is_recalled_in_one_line(run_action):
    from actions.action_ask_field import AskForPriorRadiotherapy

    slots = {**FEMUR_NECK, "prior_radiotherapy": None, "recommendation": recommend(FEMUR_NECK).to_dict()}
    waiting = [
        {"event": "slot", "name": "requested_slot", "value": "prior_radiotherapy"},
        {"event": "user", "text": "référence 139"},
        {"event": "bot", "text": "**Référence 139.** …"},
    ]
    messages, _ = run_action(AskForPriorRadiotherapy(), make_tracker(slots=slots, events=waiting))
    assert messages[0]["text"] == "*Toujours en attente* — Le site à opérer a-t-il déjà été irradié ?"
    assert [button["title"] for button in messages[0]["buttons"]] == ["Oui", "Non", "Je ne sais pas"]
    first = [{"event": "slot", "name": "requested_slot", "value": "fit_for_surgery"}, {"event": "user", "text": "oui"}]
    messages, _ = run_action(AskForPriorRadiotherapy(), make_tracker(slots=slots, events=first))
    assert "**Le site à opérer a-t-il déjà été irradié ?**" in messages[0]["text"]
