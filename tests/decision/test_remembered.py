"""`recommend` computes a case's recommendation once: the same case
asked again (a turn asks it several times, and the next turn again) gives the
recommendation already made, which no caller can change."""

import copy
import json
import pickle

import pytest

import decision.recommendation as recommendation
from decision import recommend, validate_case
from decision.recommendation import build

CASE = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "diaphysis",
    "life_expectancy": "6_to_12_months",
    "fit_for_surgery": True,
}


@pytest.fixture
def builds(monkeypatch):
    """The recommendations actually built (`build`, the real one, observed)."""
    made = []
    real = recommendation.build

    def observed(facts):
        made.append(dict(facts))
        return real(facts)

    monkeypatch.setattr(recommendation, "build", observed)
    recommendation.forget()
    yield made
    recommendation.forget()


def test_the_same_case_is_computed_once(builds) -> None:
    first = recommend(CASE)
    for _ in range(4):
        assert recommend(dict(CASE)) is first
    assert len(builds) == 1


def test_each_case_weighed_is_computed_once(builds) -> None:
    # A « pour affiner » question weighs every answer to it: each is a case of its own.
    supposed = [{**CASE, "major_bone_loss": value} for value in (True, False, "unknown")]
    for _ in range(3):
        for case in [CASE, *supposed]:
            recommend(case)
    assert len(builds) == 4
    assert recommend(supposed[0]).case["major_bone_loss"] is True


def test_a_turn_of_the_consultation_computes_each_case_once(builds) -> None:
    from consultation import progress

    # The answer given, and the « pour affiner » questions weighed: each answer to
    # each of them is a case; the case itself is asked for many times.
    case = {**CASE, "diagnostic_uncertainty": False}
    turn = progress.turn(case, None)
    assert turn.recommendation is not None and turn.refine_intro
    assert len(builds) > 1
    assert len(builds) == len({tuple(facts.items()) for facts in builds})
    assert sum(facts == {**builds[0], **case} for facts in builds) <= 1


def test_what_is_remembered_is_what_would_be_computed() -> None:
    assert recommend(CASE).to_dict() == build(validate_case(CASE)).to_dict()


def test_a_case_that_breaks_the_contract_is_still_refused() -> None:
    from decision import CaseError

    with pytest.raises(CaseError):
        recommend({**CASE, "bone": "skull"})
    with pytest.raises(CaseError):
        recommend({**CASE, "bone": ["femur"]})


def test_no_caller_can_change_the_recommendation_remembered() -> None:
    rec = recommend(CASE)
    before = rec.to_dict()
    with pytest.raises(TypeError):
        rec.techniques.append(rec.techniques[0])
    with pytest.raises(TypeError):
        rec.case["bone"] = "humerus"
    with pytest.raises(TypeError):
        rec.techniques[0].citations.append(1)
    with pytest.raises(TypeError):
        rec.warnings.clear()
    with pytest.raises(TypeError):
        rec.guideline.update({"edition": "autre"})
    with pytest.raises(TypeError):
        rec.further_reading.pop(next(iter(rec.further_reading)))
    with pytest.raises(AttributeError):  # the dataclass is frozen
        rec.surgery = "not_indicated"
    assert recommend(CASE).to_dict() == before


def test_what_callers_receive_to_keep_is_theirs() -> None:
    data = recommend(CASE).to_dict()
    data["case"]["bone"] = "humerus"
    data["techniques"][0]["citations"].append(999)
    data["techniques"].clear()
    assert recommend(CASE).to_dict() != data
    assert recommend(CASE).case["bone"] == "femur"
    # Copies are plain, changeable data; the JSON is the contract's.
    copied = copy.deepcopy(recommend(CASE).to_dict())
    copied["missing"].append("x")
    assert type(pickle.loads(pickle.dumps(recommend(CASE).techniques))) is list
    assert json.loads(json.dumps(recommend(CASE).to_dict())) == recommend(CASE).to_dict()
    assert recommend(CASE).missing == list(recommend(CASE).missing)
