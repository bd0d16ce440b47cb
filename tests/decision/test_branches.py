"""What each answer still open would lead to (`branches`): the outcomes a
branch lists are all those its answer allows, never a part of them (second
clinical review, F4). The brute-force proof over small partial cases is in
test_properties.py; here, the reviewer's examples, read as a clinician reads
the chapter."""

from decision import recommend

FIT_FRACTURE_6_TO_12_MONTHS = {
    "situation": "pathological_fracture",
    "life_expectancy": "6_to_12_months",
    "fit_for_surgery": True,
}


def possible(result):
    return {(branch.field, branch.value): branch.possible for branch in result.branches}


def test_a_pathological_fracture_of_unknown_bone_in_a_fit_patient_with_6_to_12_months_is_indicated():
    """[2.2] « Les fractures sur lésions pathologiques nécessitent une prise en charge
    chirurgicale dans la majorité des cas, pour permettre une récupération fonctionnelle
    rapide et pour diminuer les douleurs post-fracturaire. » [2.2] « Les seules
    contre-indications sont le mauvais état général du patient ne permettant pas
    d'envisager une intervention chirurgicale et/ou une anesthésie. » A fit patient with
    6 to 12 months: whatever the site of the femur or of the humerus, surgery is
    indicated, only the technique depends on the site (review 2, case 86)."""
    result = recommend(FIT_FRACTURE_6_TO_12_MONTHS)
    assert result.surgery == "undetermined" and result.missing == ["bone"]
    outcomes = possible(result)
    assert outcomes[("bone", "femur")] == ["indicated"]
    assert outcomes[("bone", "humerus")] == ["indicated"]
    # The tibial ends have no implant named (4.1): indicated on the shaft at least,
    # and never « not indicated » for a fit patient.
    assert "indicated" in outcomes[("bone", "tibia")]
    assert "not_indicated" not in outcomes[("bone", "tibia")]


def test_a_pathological_fracture_of_a_long_bone_is_indicated_or_not_according_to_prognosis_and_fitness():
    """[2.2] « Les fractures sur lésions pathologiques nécessitent une prise en charge
    chirurgicale dans la majorité des cas, pour permettre une récupération fonctionnelle
    rapide et pour diminuer les douleurs post-fracturaire. » [1] « Les patients ayant une
    espérance de vie de moins de 6 semaines ne tirent aucun bénéfice d'une intervention
    chirurgicale. » With only the situation known, a fracture of the femur, the humerus or
    the tibia may be indicated (fit, 6 weeks or more) or not (under 6 weeks, or unfit):
    both are listed (review 2, case 85)."""
    result = recommend({"situation": "pathological_fracture"})
    outcomes = possible(result)
    for bone in ("femur", "humerus", "tibia"):
        assert {"indicated", "not_indicated"} <= set(outcomes[("bone", bone)]), bone
    # [4.1] every humeral site has its implant (nail, or plate at the distal end):
    # nothing is left to discuss for lack of a technique.
    assert outcomes[("bone", "humerus")] == ["indicated", "not_indicated"]


def test_the_empty_case_lists_indicated_where_a_fracture_in_a_fit_patient_would_be_operated():
    """[2.2] « Les fractures sur lésions pathologiques nécessitent une prise en charge
    chirurgicale dans la majorité des cas, pour permettre une récupération fonctionnelle
    rapide et pour diminuer les douleurs post-fracturaire. » [1] « Les patients ayant une
    espérance de vie de moins de 6 semaines ne tirent aucun bénéfice d'une intervention
    chirurgicale. » Nothing known yet: a fracture of a long bone may be operated on or
    not, and each branch says so (review 2, case 81)."""
    result = recommend({})
    assert result.surgery == "undetermined" and result.branches
    long_bone = {("situation", "pathological_fracture"), ("bone", "femur"), ("bone", "humerus"), ("bone", "tibia")}
    shown = [branch for branch in result.branches if (branch.field, branch.value) in long_bone]
    assert shown
    for branch in shown:
        assert {"indicated", "not_indicated"} <= set(branch.possible), branch
    for branch in result.branches:
        assert branch.possible, branch  # never an empty list for an open answer


def test_a_settled_branch_lists_its_single_outcome():
    """[2.2] « Les seules contre-indications sont le mauvais état général du patient ne
    permettant pas d'envisager une intervention chirurgicale et/ou une anesthésie. »"""
    result = recommend(
        {
            "situation": "pathological_fracture",
            "bone": "femur",
            "site": "diaphysis",
            "life_expectancy": "6_to_12_months",
            "fit_for_surgery": "unknown",
        }
    )
    assert {(b.value, b.surgery, tuple(b.possible)) for b in result.branches} == {
        (True, "indicated", ("indicated",)),
        (False, "not_indicated", ("not_indicated",)),
    }


def test_acetabular_arthroplasty_while_fitness_is_unknown_is_left_to_the_answer():
    """[2.4] « La chirurgie ne sera envisagée qu'après échec de ces traitements dans le
    cadre d'un patient en assez bon état général pour supporter une intervention
    chirurgicale lourde avec un risque de complications élevé. » An unstable acetabulum,
    percutaneous treatment not tried, 6 to 12 months: the THA with reinforcement is for
    the RCP to weigh if the patient can bear it, not otherwise. While fitness is not
    known, the answer is not given as if the patient could not."""
    case = {
        "situation": "refractory_pain",
        "bone": "acetabulum",
        "life_expectancy": "6_to_12_months",
        "acetabular_stability_compromised": True,
        "percutaneous_treatment_failed": False,
    }
    for fitness in (None, "unknown"):
        result = recommend({**case, "fit_for_surgery": fitness})
        assert result.surgery == "undetermined", fitness
    outcomes = {b.value: b.surgery for b in recommend({**case, "fit_for_surgery": "unknown"}).branches}
    assert outcomes == {True: "discuss", False: "not_indicated"}


def test_an_impending_acetabular_fracture_without_risk_is_not_discussed_before_the_prognosis_is_known():
    """[1] « Les patients ayant une espérance de vie de moins de 6 semaines ne tirent aucun
    bénéfice d'une intervention chirurgicale. » Under 6 weeks nothing is to be discussed
    at the acetabulum: while the prognosis is missing, the decision waits for it."""
    case = {
        "situation": "impending_fracture",
        "bone": "acetabulum",
        "fit_for_surgery": True,
        "acetabular_stability_compromised": False,
        "acetabular_fracture_risk": False,
        "conservative_treatment_failed": False,
    }
    assert recommend(case).surgery == "undetermined"
    assert recommend({**case, "life_expectancy": "lt_6_weeks"}).surgery == "not_indicated"
    assert recommend({**case, "life_expectancy": "6_to_12_months"}).surgery == "discuss"


def test_a_site_given_without_its_bone_is_weighed_on_the_bones_that_have_it():
    """[4.1] « Les localisations préférentielles pour l'ostéosynthèse sont les atteintes
    diaphysaires des os longs (fémur, humérus, tibia) ainsi que les lésions
    métaphyso-diaphysaires. » Contract: the femoral neck is not a humeral site."""
    result = recommend({**FIT_FRACTURE_6_TO_12_MONTHS, "site": "neck"})
    assert [(b.field, b.value) for b in result.branches] in ([], [("bone", "femur")])
    assert {b.value for b in recommend({**FIT_FRACTURE_6_TO_12_MONTHS, "site": "diaphysis"}).branches} <= {
        "femur",
        "humerus",
        "tibia",
    }
