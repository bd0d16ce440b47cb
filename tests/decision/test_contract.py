"""Validation of case facts: every value outside the contract is refused."""

import pytest

from decision import CaseError, recommend, validate_case, validate_fact
from decision.contract import bones_for_site, coerce_boolean, is_joint_end, mirels_site_item


def problems_of(case):
    with pytest.raises(CaseError) as error:
        validate_case(case)
    return {problem.field: problem for problem in error.value.problems}


def test_defaults_primary_tumor_to_lung():
    assert validate_case({}) == {"primary_tumor": "lung"}


def test_none_means_not_known_yet():
    assert validate_case({"bone": None}) == {"primary_tumor": "lung"}


def test_every_problem_is_reported_not_just_the_first():
    found = problems_of({"bone": "spine", "fit_for_surgery": "yes", "colour": "blue"})
    assert set(found) == {"bone", "fit_for_surgery", "colour"}
    assert "femur" in found["bone"].allowed and found["bone"].received == "spine"


def test_identifying_fields_are_refused_with_their_reason():
    found = problems_of({"nom": "X", "date_of_birth": "1950-01-01", "IPP": "123"})
    assert all("identifying" in problem.allowed for problem in found.values())


def test_site_must_belong_to_the_bone():
    assert "site" in problems_of({"bone": "humerus", "site": "neck"})
    assert "site" in problems_of({"bone": "radius", "site": "diaphysis"})
    assert validate_case({"bone": "tibia", "site": "proximal"})["site"] == "proximal"


def test_booleans_are_strict_on_the_command_line_and_lenient_for_entities():
    assert "fit_for_surgery" in problems_of({"fit_for_surgery": "true"})
    assert validate_case({"fit_for_surgery": "true"}, strict=False)["fit_for_surgery"] is True
    assert validate_fact("prior_radiotherapy", "False", strict=False) is False
    with pytest.raises(CaseError):
        validate_fact("prior_radiotherapy", "maybe", strict=False)
    assert coerce_boolean(1) is None


def test_wrong_types_are_refused():
    assert "bone" in problems_of({"bone": 3})
    assert "(case)" in problems_of(["femur"])
    assert "1" in problems_of({1: "femur"})


def test_recommend_refuses_a_case_outside_the_contract():
    with pytest.raises(CaseError):
        recommend({"life_expectancy": "3 mois"})


def test_helpers_of_the_contract():
    assert bones_for_site("neck") == ("femur",)
    assert set(bones_for_site("diaphysis")) == {"femur", "humerus", "tibia"}
    assert is_joint_end("femur", "distal") and not is_joint_end("femur", "neck") and is_joint_end("tibia", "proximal")
    with pytest.raises(ValueError):
        mirels_site_item("acetabulum", None)
    assert str(CaseError(())) == ""
