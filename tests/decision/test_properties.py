"""Properties over the whole input space (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from decision import FIELDS, recommend
from decision.contract import SITES_BY_BONE, validate_case


@st.composite
def cases(draw):
    """Any valid case: each field absent or one of its values; the site drawn from the bone."""
    case = {}
    for name, values in FIELDS.items():
        if name == "site":
            continue
        if draw(st.booleans()):
            case[name] = draw(st.sampled_from(values))
    bone = case.get("bone")
    if bone in SITES_BY_BONE and draw(st.booleans()):
        case["site"] = draw(st.sampled_from(SITES_BY_BONE[bone]))
    return case


@settings(max_examples=1500, deadline=None)
@given(cases())
def test_any_valid_case_gets_a_complete_well_formed_recommendation(case):
    result = recommend(case)
    data = result.to_dict()
    # Never crashes, always sends the case to the RCP.
    assert result.warning_codes()[0] == "mdt_required"
    assert data["surgery"] in ("indicated", "not_indicated", "discuss", "undetermined")
    # No surgery under 6 weeks or for an unfit patient.
    if case.get("life_expectancy") == "lt_6_weeks" or case.get("fit_for_surgery") is False:
        assert data["surgery"] == "not_indicated"
        assert not {"cemented_arthroplasty", "intramedullary_nailing", "locked_plate", "resection_reconstruction",
                    "tha_acetabular_reinforcement", "proximal_femoral_resection_megaprosthesis"} & {t["code"] for t in data["techniques"]}
        assert data["postoperative"] == []
    # Every item carries its section, and its citations are listed once with their text.
    numbers = [citation["number"] for citation in data["citations"]]
    assert numbers == sorted(set(numbers))
    for item in result.items():
        assert item.section and isinstance(item.citations, list)
        assert set(item.citations) <= set(numbers)
        assert item.label_fr or item.text_fr
    # The Mirels score is the sum of its items.
    if data["mirels"]:
        assert data["mirels"]["score"] == sum(data["mirels"]["items"].values())
        assert case["bone"] != "acetabulum"
    # Missing facts are contract fields not yet given, each once.
    assert len(set(result.missing)) == len(result.missing)
    assert all(name in FIELDS and name not in case for name in result.missing)
    # Undetermined always says what each answer would lead to.
    if data["surgery"] == "undetermined":
        assert data["branches"] and (result.missing or case.get("life_expectancy") == "unknown")
    # The case echoed is the validated one.
    assert data["case"] == validate_case(case)


@settings(max_examples=400, deadline=None)
@given(cases())
def test_answering_the_missing_questions_in_order_always_reaches_a_decision(case):
    """Answering `missing[0]` again and again ends: no question loops, and a complete
    case is undetermined only when the life expectancy is unknown."""
    facts = dict(case)
    for _ in range(len(FIELDS) + 1):
        result = recommend(facts)
        if not result.missing:
            break
        name = result.missing[0]
        values = SITES_BY_BONE[facts["bone"]] if name == "site" else FIELDS[name]
        facts[name] = values[len(facts) % len(values)]
    assert result.missing == []
    assert result.surgery != "undetermined" or facts.get("life_expectancy") == "unknown"


def test_recommend_is_deterministic():
    case = {"situation": "impending_fracture", "bone": "femur", "site": "neck", "pain": "functional",
            "lesion_type": "lytic", "lesion_size": "gt_two_thirds", "life_expectancy": "gt_12_months", "fit_for_surgery": True}
    assert recommend(case).to_dict() == recommend(dict(case)).to_dict()
