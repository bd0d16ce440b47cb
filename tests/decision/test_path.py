"""The decision path (`decision.path`), case by case, as a clinician reads the
chapter: which questions decide, in which order, on which section, and what
another answer would have given.

Expected steps are written from the chapter: the situation's indication
(2.1 preventive surgery and the Mirels score, 2.2 fractures, 2.3 severe pain,
2.4 the acetabulum), the survival thresholds of section 1, the
contra-indication of 2.2, the techniques of 4.1 and 4.2, the diagnostic
doubt of section 3.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from decision import CaseError, recommend
from decision.knowledge import chapter
from decision.path import decision_path
from tests.decision.test_properties import cases as any_case

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

FIT_6_12 = {"life_expectancy": "6_to_12_months", "fit_for_surgery": True}

# name -> (case, [(field, answer, section)], (surgery, indication section, first-line options))
CASES = {
    # 2.2: a fracture is operated on; 4.2: the femoral neck takes a cemented arthroplasty
    # when the prognosis passes 6 months; 1: the survival; 2.2: fitness is the only contra-indication.
    "femoral neck fracture": (
        {"situation": "pathological_fracture", "bone": "femur", "site": "neck", **FIT_6_12},
        [
            ("situation", "pathological_fracture", "2.2"),
            ("bone", "femur", "4.1"),
            ("site", "neck", "4.2"),
            ("life_expectancy", "6_to_12_months", "1"),
            ("fit_for_surgery", True, "2.2"),
        ],
        ("indicated", "2.2", ["cemented_arthroplasty"]),
    ),
    # 1: under 6 weeks no surgery: fitness is not even asked.
    "fracture under 6 weeks": (
        {"situation": "pathological_fracture", "bone": "humerus", "site": "diaphysis", "life_expectancy": "lt_6_weeks"},
        [
            ("situation", "pathological_fracture", "2.2"),
            ("bone", "humerus", "4.1"),
            ("site", "diaphysis", "4.1"),
            ("life_expectancy", "lt_6_weeks", "1"),
        ],
        ("not_indicated", "1", ["supportive_care"]),
    ),
    # 2.2: « Les seules contre-indications sont le mauvais état général… »
    "fracture, unfit": (
        {
            "situation": "pathological_fracture",
            "bone": "tibia",
            "site": "diaphysis",
            "life_expectancy": "6_weeks_to_6_months",
            "fit_for_surgery": False,
        },
        [
            ("situation", "pathological_fracture", "2.2"),
            ("bone", "tibia", "4.1"),
            ("site", "diaphysis", "4.1"),
            ("life_expectancy", "6_weeks_to_6_months", "1"),
            ("fit_for_surgery", False, "2.2"),
        ],
        ("not_indicated", "2.2", ["supportive_care"]),
    ),
    # 4.1: radius, ulna, fibula, hand and foot: « plaque ou radiothérapie isolée »; no site to ask.
    "radius fracture": (
        {"situation": "pathological_fracture", "bone": "radius", **FIT_6_12},
        [
            ("situation", "pathological_fracture", "2.2"),
            ("bone", "radius", "4.1"),
            ("life_expectancy", "6_to_12_months", "1"),
            ("fit_for_surgery", True, "2.2"),
        ],
        ("discuss", "2.2", ["plate_or_radiotherapy"]),
    ),
    # 2.1: subtrochanteric (3) + functional pain (3) + lytic (3) = 9 already: the size
    # cannot bring it under the threshold, so it is not a question of the path.
    "impending subtrochanteric, Mirels settled": (
        {
            "situation": "impending_fracture",
            "bone": "femur",
            "site": "subtrochanteric",
            **FIT_6_12,
            "pain": "functional",
            "lesion_type": "lytic",
            "lesion_size": "lt_one_third",
        },
        [
            ("situation", "impending_fracture", "2.1"),
            ("bone", "femur", "4.1"),
            ("site", "subtrochanteric", "4.1"),
            ("life_expectancy", "6_to_12_months", "1"),
            ("fit_for_surgery", True, "1"),
            ("pain", "functional", "2.1"),
            ("lesion_type", "lytic", "2.1"),
            ("mirels", 10, "2.1"),
        ],
        ("indicated", "2.1", ["intramedullary_nailing"]),
    ),
    # 2.1: humerus (1) + mild (1) + blastic (1) = 3: even the largest lesion (3) leaves
    # 6, under 8, without functional pain: no preventive surgery, the size is not asked.
    "impending humerus, low Mirels": (
        {
            "situation": "impending_fracture",
            "bone": "humerus",
            "site": "diaphysis",
            **FIT_6_12,
            "pain": "mild",
            "lesion_type": "blastic",
            "lesion_size": "lt_one_third",
        },
        [
            ("situation", "impending_fracture", "2.1"),
            ("bone", "humerus", "4.1"),
            ("site", "diaphysis", "4.1"),
            ("life_expectancy", "6_to_12_months", "1"),
            ("fit_for_surgery", True, "1"),
            ("pain", "mild", "2.1"),
            ("lesion_type", "blastic", "2.1"),
            ("mirels", 4, "2.1"),
        ],
        ("not_indicated", "2.1", []),
    ),
    # 2.1 with the pain unknown: tibial shaft (2) + mixed (2) + over two thirds (3) = 7,
    # plus 1 to 3: 8 (borderline) to 10 (indicated): the score is a range, the decision waits.
    "impending tibia, pain unknown": (
        {
            "situation": "impending_fracture",
            "bone": "tibia",
            "site": "diaphysis",
            **FIT_6_12,
            "pain": "unknown",
            "lesion_type": "mixed",
            "lesion_size": "gt_two_thirds",
        },
        [
            ("situation", "impending_fracture", "2.1"),
            ("bone", "tibia", "4.1"),
            ("site", "diaphysis", "4.1"),
            ("life_expectancy", "6_to_12_months", "1"),
            ("fit_for_surgery", True, "1"),
            ("pain", "unknown", "2.1"),
            ("lesion_type", "mixed", "2.1"),
            ("lesion_size", "gt_two_thirds", "2.1"),
            ("mirels", None, "2.1"),
        ],
        ("undetermined", "1", []),
    ),
    # 2.3 for the indication and the fitness (« adapté à l'état général »); 4.2: a joint end
    # with articular involvement may take an arthroplasty over 6 months; 1: a single lesion
    # over a year (the project's reading of « résection-reconstruction »).
    "refractory pain, proximal humerus": (
        {
            "situation": "refractory_pain",
            "bone": "humerus",
            "site": "proximal",
            "life_expectancy": "gt_12_months",
            "fit_for_surgery": True,
            "articular_involvement": True,
            "solitary_bone_metastasis": False,
        },
        [
            ("situation", "refractory_pain", "2.3"),
            ("bone", "humerus", "4.1"),
            ("site", "proximal", "4.1"),
            ("life_expectancy", "gt_12_months", "1"),
            ("fit_for_surgery", True, "2.3"),
            ("articular_involvement", True, "4.2"),
            ("solitary_bone_metastasis", False, "1"),
        ],
        ("indicated", "2.3", ["intramedullary_nailing", "cemented_arthroplasty", "resection_reconstruction"]),
    ),
    # 2.4: instability alone calls for more than medical treatment (risk and conservative
    # failure are then not asked); surgery only after the percutaneous treatment failed;
    # 4.2: THA with a metal reinforcement over 6 months.
    "acetabulum, percutaneous failed": (
        {
            "situation": "refractory_pain",
            "bone": "acetabulum",
            **FIT_6_12,
            "acetabular_stability_compromised": True,
            "percutaneous_treatment_failed": True,
        },
        [
            ("situation", "refractory_pain", "2.4"),
            ("bone", "acetabulum", "2.4"),
            ("life_expectancy", "6_to_12_months", "1"),
            ("fit_for_surgery", True, "2.4"),
            ("acetabular_stability_compromised", True, "2.4"),
            ("percutaneous_treatment_failed", True, "2.4"),
        ],
        ("discuss", "2.4", ["tha_acetabular_reinforcement"]),
    ),
    # 2.4: stable, no imminent risk, conservative treatment not failed: medical treatment or radiotherapy.
    "acetabulum, stable": (
        {
            "situation": "refractory_pain",
            "bone": "acetabulum",
            **FIT_6_12,
            "acetabular_stability_compromised": False,
            "acetabular_fracture_risk": False,
            "conservative_treatment_failed": False,
        },
        [
            ("situation", "refractory_pain", "2.4"),
            ("bone", "acetabulum", "2.4"),
            ("life_expectancy", "6_to_12_months", "1"),
            ("fit_for_surgery", True, "2.4"),
            ("acetabular_stability_compromised", False, "2.4"),
            ("acetabular_fracture_risk", False, "2.4"),
            ("conservative_treatment_failed", False, "2.4"),
        ],
        ("not_indicated", "2.4", ["medical_or_radiotherapy"]),
    ),
    # 1: the survival unknown is a step of its own; the acetabular questions follow.
    "acetabulum, survival unknown (example)": (
        json.loads((EXAMPLES / "acetabulum_unknown_prognosis.json").read_text(encoding="utf-8")),
        [
            ("situation", "refractory_pain", "2.4"),
            ("bone", "acetabulum", "2.4"),
            ("life_expectancy", "unknown", "1"),
            ("fit_for_surgery", True, "2.4"),
            ("acetabular_stability_compromised", True, "2.4"),
            ("percutaneous_treatment_failed", True, "2.4"),
        ],
        ("undetermined", "1", []),
    ),
    # 3: a diagnostic doubt on a fracture: biopsy or minimal work-up first; the nail of 4.1.
    "femoral shaft fracture, diagnostic doubt": (
        {
            "situation": "pathological_fracture",
            "bone": "femur",
            "site": "diaphysis",
            "life_expectancy": "6_weeks_to_6_months",
            "fit_for_surgery": True,
            "diagnostic_uncertainty": True,
        },
        [
            ("situation", "pathological_fracture", "2.2"),
            ("bone", "femur", "4.1"),
            ("site", "diaphysis", "4.1"),
            ("life_expectancy", "6_weeks_to_6_months", "1"),
            ("fit_for_surgery", True, "2.2"),
            ("diagnostic_uncertainty", True, "3"),
        ],
        ("indicated", "2.2", ["intramedullary_nailing"]),
    ),
    # An unknown site: the indication (2.2) holds, the technique waits for the site (4.1, 4.2).
    "femoral fracture, site unknown": (
        {"situation": "pathological_fracture", "bone": "femur", "site": "unknown", **FIT_6_12},
        [
            ("situation", "pathological_fracture", "2.2"),
            ("bone", "femur", "4.1"),
            ("site", "unknown", "4.1"),
            ("life_expectancy", "6_to_12_months", "1"),
            ("fit_for_surgery", True, "2.2"),
        ],
        ("indicated", "2.2", []),
    ),
    # A survival not given yet: the step is there, unanswered, and the path goes on.
    "fracture, survival not given": (
        {"situation": "pathological_fracture", "bone": "femur", "site": "distal", "fit_for_surgery": True},
        [
            ("situation", "pathological_fracture", "2.2"),
            ("bone", "femur", "4.1"),
            ("site", "distal", "4.1"),
            ("life_expectancy", None, "1"),
            ("fit_for_surgery", True, "2.2"),
        ],
        ("undetermined", "1", []),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_path_has_the_chapters_steps_in_order_with_their_sections(name):
    case, steps, (surgery, section, options) = CASES[name]
    path = decision_path(case)
    assert [(step.field, step.value, step.section) for step in path.steps] == steps
    assert path.outcome.surgery == surgery
    assert path.outcome.section == section
    # The first-line options, in no particular order (the chapter does not rank them).
    assert {option.code for option in path.outcome.options if option.role == "primary"} == set(options)


def step(path, field):
    return next(step for step in path.steps if step.field == field)


def alternatives(path, field):
    return {alternative.value: alternative for alternative in step(path, field).alternatives}


def test_each_other_answer_says_where_it_leads():
    path = decision_path(CASES["femoral neck fracture"][0])
    # 1: under 6 weeks, no surgery; 4.2: arthroplasty over 6 months only, so under it the RCP chooses.
    life = alternatives(path, "life_expectancy")
    assert set(life) == {"lt_6_weeks", "6_weeks_to_6_months", "gt_12_months"}
    assert (life["lt_6_weeks"].surgery, life["lt_6_weeks"].techniques) == ("not_indicated", ["supportive_care"])
    assert (life["6_weeks_to_6_months"].surgery, life["6_weeks_to_6_months"].techniques) == ("indicated", [])
    # 2.2: unfit, no surgery.
    assert alternatives(path, "fit_for_surgery")[False].surgery == "not_indicated"
    # 4.1: the other sites of the femur take a nail or a plate; 4.2: the head an arthroplasty.
    site = alternatives(path, "site")
    assert site["diaphysis"].techniques == ["intramedullary_nailing"]
    assert site["distal"].techniques == ["locked_plate"]
    assert site["head"].techniques == ["cemented_arthroplasty"]
    assert "neck" not in site  # the answer given is not an alternative
    # A small bone: « plaque ou radiothérapie isolée » (4.1), to discuss.
    assert alternatives(path, "bone")["radius"].techniques == ["plate_or_radiotherapy"]


def test_an_unknown_answer_keeps_its_branches():
    path = decision_path(CASES["impending tibia, pain unknown"][0])
    pain = alternatives(path, "pain")
    # 7 + 1 = 8: Mirels' borderline, to discuss; 7 + 2 or 3 >= 9: indicated (2.1).
    assert set(pain) == {"mild", "moderate", "functional"}
    assert pain["mild"].surgery == "discuss"
    assert pain["moderate"].surgery == pain["functional"].surgery == "indicated"
    score = step(path, "mirels")
    assert score.value is None and score.score_range == [8, 10]
    assert path.outcome.unknown == ["pain"]


def test_the_mirels_step_holds_its_items_and_the_other_bands():
    path = decision_path(CASES["impending subtrochanteric, Mirels settled"][0])
    score = step(path, "mirels")
    assert score.items == {"site": 3, "pain": 3, "lesion_type": 3, "lesion_size": 1}
    bands = alternatives(path, "mirels")
    # 8: borderline, to discuss; under 8 with functional pain on a weight-bearing bone: to discuss (2.1).
    assert set(bands) == {"8", "4_to_7"}
    assert bands["8"].surgery == bands["4_to_7"].surgery == "discuss"
    assert step(path, "pain").points == 3


def test_the_diagnostic_doubt_puts_the_biopsy_first():
    path = decision_path(CASES["femoral shaft fracture, diagnostic doubt"][0])
    assert path.outcome.first == ["biopsy_or_minimal_workup"]
    without = alternatives(path, "diagnostic_uncertainty")[False]
    assert without.first == [] and without.techniques == ["intramedullary_nailing"]


def test_a_doubt_not_asked_yet_is_pending_not_a_step():
    path = decision_path(CASES["femoral neck fracture"][0])
    assert "diagnostic_uncertainty" not in [s.field for s in path.steps]
    assert "diagnostic_uncertainty" in path.outcome.pending


def test_every_section_is_one_of_the_chapter():
    sections = set(chapter()["sections"])
    for case, _steps, _outcome in CASES.values():
        path = decision_path(case)
        assert {s.section for s in path.steps} | {path.outcome.section} <= sections
        assert {o.section for o in path.outcome.options} <= sections


def test_the_path_serialises_to_json():
    data = decision_path(CASES["acetabulum, survival unknown (example)"][0]).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["steps"][2] == {
        "field": "life_expectancy",
        "value": "unknown",
        "section": "1",
        "alternatives": data["steps"][2]["alternatives"],
    }
    assert {a["value"] for a in data["steps"][2]["alternatives"]} == {
        "lt_6_weeks",
        "6_weeks_to_6_months",
        "6_to_12_months",
        "gt_12_months",
    }
    assert data["outcome"]["surgery"] == "undetermined"


def test_a_case_that_breaks_the_contract_is_refused():
    with pytest.raises(CaseError):
        decision_path({"situation": "fracture"})


# ------------------------------------------------------------------ properties


@settings(max_examples=150, deadline=None)
@given(any_case())
def test_any_case_has_a_path_that_ends_on_its_recommendation(case):
    path = decision_path(case)
    recommendation = recommend(case)
    assert path.outcome.surgery == recommendation.surgery
    assert path.outcome.indication == recommendation.indication.code
    fields = [step.field for step in path.steps]
    assert len(fields) == len(set(fields))  # each question once
    for step in path.steps:
        # Every answer given, unknown or not given appears as it is in the case.
        if step.field != "mirels":
            assert step.value == recommendation.case.get(step.field)
        assert step.value not in [alternative.value for alternative in step.alternatives]
    # A decisive answer of the case that the dialogue would ask is on the path.
    asked = {"situation", "bone", "life_expectancy"} & set(recommendation.case)
    assert asked <= set(fields) or recommendation.case.get("life_expectancy") == "lt_6_weeks"
