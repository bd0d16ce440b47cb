"""The clinical review's cases (tests/decision/review_cases/, copied from
shared/reviews/clinical-cases/), each with the output the review expects,
written from the chapter's sentences, not from the engine. One entry per case
file: a reviewer can read a line and check it against the review."""

import json
from pathlib import Path

import pytest

from decision import recommend

CASES = Path(__file__).with_name("review_cases")

# file stem -> (surgery, first-line techniques, other techniques that must be
# there, techniques that must not, warnings that must be there, work-up that
# must be there)
EXPECTED = {
    # F01: 2.4 percutaneous first, 4.2 THA « le plus indiqué »: both, conflict flagged, CT.
    "F01_acetabulum_fit_long_unstable": (
        "discuss",
        ["percutaneous_cementoplasty"],
        ["tha_acetabular_reinforcement"],
        [],
        ["guideline_silent"],
        ["ct_bone_window"],
    ),
    # F02: nailing first-line for a humeral shaft; resection-reconstruction to weigh; tension named.
    "F02_humerus_diaphysis_fracture_gt12": (
        "indicated",
        ["intramedullary_nailing"],
        ["resection_reconstruction"],
        [],
        ["guideline_silent"],
        [],
    ),
    # F02b: outside a fracture, nailing stays first-line, beside resection-reconstruction
    # (clinical review 2, F2: two first-line options for the RCP, § 1 and § 4.1 side by side).
    "F02b_impending_humerus_gt12": (
        "indicated",
        ["intramedullary_nailing", "resection_reconstruction"],
        [],
        [],
        ["guideline_silent", "mirels_limited_accuracy"],
        [],
    ),
    # F03: proximal tibia, over a year: the silence stays, resection is not the sole answer.
    # Indicated (2.2), the technique left to the RCP (second review, F1; was « discuss »).
    "F03_tibia_proximal_gt12": ("indicated", [], [], [], ["guideline_silent"], []),
    "F03b_tibia_proximal_6to12": ("indicated", [], [], [], ["guideline_silent"], []),
    # F04: non-urgent doubt: biopsy before any implant, dissemination warned.
    "F04_diagnostic_uncertainty": (
        "indicated",
        ["intramedullary_nailing"],
        [],
        [],
        ["nailing_dissemination"],
        ["biopsy_or_minimal_workup"],
    ),
    # F05: a frail patient is not offered again the percutaneous treatment that failed.
    "F05_acetabulum_unfit_percut_failed": (
        "not_indicated",
        ["supportive_care"],
        [],
        ["percutaneous_cementoplasty"],
        ["guideline_silent"],
        [],
    ),
    # F06: no arthroplasty under 6 months, and « indiquée » never with an unexplained empty
    # plan: the warning says the technique is an RCP decision (the first review's second
    # option; the second review, F1, asks « indicated »: was « discuss »).
    "F06_femoral_neck_short": ("indicated", [], [], ["cemented_arthroplasty"], ["guideline_silent"], []),
    # F07: fibula not weight-bearing; Mirels flagged on a metatarsal; small bones: plate or RT, to discuss.
    "F07a_fibula_functional": ("discuss", ["plate_or_radiotherapy"], [], [], ["mirels_limited_accuracy"], []),
    "F07b_metatarsal_mirels9": ("discuss", ["plate_or_radiotherapy"], [], [], ["mirels_limited_accuracy"], []),
    "F07c_radius_fracture": ("discuss", ["plate_or_radiotherapy"], [], [], [], []),
    # F08: a subtrochanteric nail fixes the neck.
    "F08_subtrochanteric": ("indicated", ["intramedullary_nailing"], ["cephalic_screw"], [], [], []),
    # F09: same decision, plus the 2.2 tension.
    "F09_fracture_lt6w": ("not_indicated", ["supportive_care"], [], [], ["guideline_silent"], []),
    # F10: an established acetabular fracture is never sent to medical treatment.
    "F10_acetabular_fracture_all_false": ("discuss", [], [], ["medical_or_radiotherapy"], ["guideline_silent"], []),
    # F11 (file F13): no ankle arthroplasty as the only option.
    # Indicated (2.2), the technique left to the RCP (second review, F1; was « discuss »).
    "F13_distal_tibia_articular": ("indicated", [], [], ["cemented_arthroplasty"], ["guideline_silent"], []),
    # F12/F14: percutaneous for instability; ablation (pain) not as an equal alternative.
    "F14_acetabulum_percut": (
        "not_indicated",
        ["percutaneous_cementoplasty"],
        [],
        ["percutaneous_ablation"],
        [],
        ["ct_bone_window"],
    ),
    # Mirels: 6 functional (humerus, not weight-bearing) to discuss; 7 mild no; 8 discuss; 9 and 12 indicated.
    "M06_humerus_functional": ("discuss", ["intramedullary_nailing"], [], [], ["mirels_limited_accuracy"], []),
    "M07_functional": ("discuss", ["intramedullary_nailing"], [], [], [], []),
    "M07_mild": ("not_indicated", [], [], [], [], []),
    "M08": ("discuss", ["intramedullary_nailing"], [], [], [], []),
    "M08_humerus_functional": ("discuss", ["intramedullary_nailing"], [], [], [], []),
    "M09": ("indicated", ["intramedullary_nailing"], [], [], [], []),
    "M12": ("indicated", ["intramedullary_nailing"], ["cephalic_screw"], [], [], []),
    # Probes the review found correct.
    "P_acet_conservative": ("not_indicated", ["medical_or_radiotherapy"], [], [], [], ["ct_bone_window"]),
    # The first review found « supportive care + cementoplasty (alternative) » acceptable (§4.2);
    # the second (F12) puts § 1 first: analgesia ± radiotherapy, then the cementoplasty.
    "P_acet_lt6w": ("not_indicated", ["supportive_care"], ["percutaneous_cementoplasty"], [], [], []),
    "P_acet_short_failed": ("discuss", [], [], [], ["guideline_silent"], []),
    "P_acet_surgery": ("discuss", ["tha_acetabular_reinforcement"], [], [], [], []),
    "P_hypervascular_prior_rt": (
        "indicated",
        ["locked_plate"],
        ["curettage_cementation"],
        [],
        ["irradiated_field"],
        ["angio_ct_or_arteriography", "preoperative_embolization"],
    ),
    "P_metacarpal_fracture_gt12": ("discuss", ["plate_or_radiotherapy"], [], ["resection_reconstruction"], [], []),
    "P_neck_troch_ext": (
        "indicated",
        ["proximal_femoral_resection_megaprosthesis"],
        [],
        [],
        ["guideline_silent"],
        ["acetabular_assessment"],
    ),
    "P_other_primary_hypervasc": (
        "indicated",
        ["intramedullary_nailing"],
        [],
        [],
        ["non_lung_primary"],
        ["angio_ct_or_arteriography"],
    ),
    # Articular involvement of the humeral head over 6 months: the arthroplasty is
    # first-line beside the nail (clinical review 2, F10; it was an alternative).
    "P_refractory_pain": (
        "indicated",
        ["intramedullary_nailing", "cemented_arthroplasty"],
        ["curettage_cementation"],
        [],
        [],
        [],
    ),
    "P_unfit": ("not_indicated", ["supportive_care"], [], ["cemented_arthroplasty"], [], []),
    "P_unknown_life": ("undetermined", [], [], [], ["life_expectancy_unknown"], []),
}


def test_every_case_file_has_its_expected_output():
    assert sorted(EXPECTED) == sorted(path.stem for path in CASES.glob("*.json"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_review_case(name):
    surgery, primary, present, absent, warnings, workup = EXPECTED[name]
    result = recommend(json.loads((CASES / f"{name}.json").read_text(encoding="utf-8")))
    codes = [item.code for item in result.techniques]
    assert result.surgery == surgery
    assert [item.code for item in result.techniques if item.role == "primary"] == primary
    assert set(present) <= set(codes) and not set(absent) & set(codes)
    assert set(warnings) <= set(result.warning_codes())
    assert set(workup) <= {item.code for item in result.workup}
