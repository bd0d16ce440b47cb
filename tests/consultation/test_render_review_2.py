"""What the clinician reads of the second clinical review's severity-3 fixes:
contradictory answers, an unknown life expectancy that decides nothing, the
articular involvement under 6 months, and the RCP report."""

import re

from consultation.render import details, short_answer
from consultation.texts import field_name, texts, value_label
from consultation.why import why_messages
from decision import FIELDS, knowledge, recommend
from records.report import report_markdown

DIAPHYSIS_ARTICULAR = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "diaphysis",
    "life_expectancy": "6_to_12_months",
    "fit_for_surgery": True,
    "articular_involvement": True,
}


def test_contradictory_answers_are_shown_whole_in_the_short_answer_the_details_the_why_and_the_report():
    rec = recommend(DIAPHYSIS_ARTICULAR).to_dict()
    [text] = [w["text_fr"] for w in rec["warnings"] if w["code"] == "inconsistent_facts"]
    answer = short_answer(rec)
    assert (
        "**Réponses contradictoires** : « atteinte articulaire : Oui » et « localisation sur l'os : Diaphyse »"
        in answer
    )
    assert "laquelle des deux réponses est juste ?" in answer
    assert any(text in part for part in details(rec, ["warnings"]))
    assert text in why_messages(rec, everything=True)[0]
    assert text in report_markdown(rec)


def test_contradictions_name_the_facts_with_the_dialogue_labels():
    """Each « name : value » of an `inconsistent_facts` text is a field name and a value
    label as the dialogue shows them (consultation/texts.yml)."""
    names = {field_name(name): name for name in FIELDS}
    entry = knowledge.chapter()["warnings"]["inconsistent_facts"]
    for variant in entry["variants"]:
        text = knowledge.item("warnings", "inconsistent_facts", variant)["text_fr"]
        pairs = re.findall(r"« ([^«»:]+) : ([^«»]+) »", text)
        named = re.findall(r"« ([^«»:]+) »", text)
        assert pairs, variant
        for name, value in pairs:
            field = names[name]
            labels = [
                value_label(field, v) for v in (FIELDS[field] if FIELDS[field] != (True, False) else (True, False))
            ]
            assert value in labels, (variant, name, value)
        for name in named:
            assert name in names or name in texts()["booleans"].values(), (variant, name)


def test_unknown_life_expectancy_flag_promises_no_detail_when_no_branch_follows():
    unfit = recommend(
        {**DIAPHYSIS_ARTICULAR, "articular_involvement": None, "life_expectancy": "unknown", "fit_for_surgery": False}
    )
    answer = short_answer(unfit.to_dict())
    assert "Espérance de vie inconnue" in answer and "détaillée" not in answer
    fit = recommend({**DIAPHYSIS_ARTICULAR, "articular_involvement": None, "life_expectancy": "unknown"})
    assert "chaque hypothèse est détaillée" in short_answer(fit.to_dict())


def test_articular_involvement_under_6_months_is_flagged_in_the_short_answer():
    rec = recommend(
        {
            **DIAPHYSIS_ARTICULAR,
            "bone": "humerus",
            "site": "proximal",
            "life_expectancy": "6_weeks_to_6_months",
        }
    ).to_dict()
    assert (
        "Atteinte articulaire : le chapitre réserve l'arthroplastie aux pronostics de plus de 6 mois."
        in short_answer(rec)
    )
