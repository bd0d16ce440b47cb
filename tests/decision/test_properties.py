"""Properties over the whole input space (hypothesis), each one a statement of
the chapter or of the contract that must hold for every case."""

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from decision import FIELDS, recommend
from decision.contract import SITES_BY_BONE, UNKNOWN_ALLOWED, allowed_values
from decision.rules import SURGICAL_TECHNIQUES

RANK = {"not_indicated": 0, "discuss": 1, "indicated": 2}
MIRELS = {
    "pain": ("mild", "moderate", "functional"),
    "lesion_type": ("blastic", "mixed", "lytic"),
    "lesion_size": ("lt_one_third", "one_to_two_thirds", "gt_two_thirds"),
}
LONG_BONE_SITES = [(bone, site) for bone in ("femur", "humerus", "tibia") for site in SITES_BY_BONE[bone]]
OTHER_BONES = [(bone, None) for bone in ("radius", "ulna", "fibula", "metacarpal", "metatarsal")]
REFINING = ("major_bone_loss", "prior_radiotherapy", "suspected_hypervascular")


def examples(count):
    """Examples per property: fewer when `make mutation` runs the suite once per mutant."""
    return max(60, count // 12) if os.environ.get("HYPOTHESIS_PROFILE") == "mutation" else count


@st.composite
def cases(draw, unknown=True):
    """Any valid case: each field absent, one of its values or (where allowed)
    `unknown`; the site drawn from the bone."""
    case = {}
    for name in FIELDS:
        if name == "site":
            continue
        if draw(st.booleans()):
            values = allowed_values(name) if unknown else FIELDS[name]
            case[name] = draw(st.sampled_from([v for v in values if unknown or v != "unknown"]))
    bone = case.get("bone")
    if bone in SITES_BY_BONE and draw(st.booleans()):
        case["site"] = draw(st.sampled_from(SITES_BY_BONE[bone] + (("unknown",) if unknown else ())))
    return case


@st.composite
def surgical_contexts(draw):
    """A fit patient with a known prognosis of 6 weeks or more, on a limb bone."""
    bone, site = draw(st.sampled_from(LONG_BONE_SITES + OTHER_BONES))
    case = {
        "bone": bone,
        "fit_for_surgery": True,
        "life_expectancy": draw(st.sampled_from(("6_weeks_to_6_months", "6_to_12_months", "gt_12_months"))),
    }
    if site:
        case["site"] = site
    return case


@settings(max_examples=examples(1500), deadline=None)
@given(cases())
def test_any_valid_case_gets_a_complete_well_formed_recommendation(case):
    result = recommend(case)
    data = result.to_dict()
    assert result.warning_codes()[0] == "mdt_required"
    assert data["surgery"] in ("indicated", "not_indicated", "discuss", "undetermined")
    numbers = [citation["number"] for citation in data["citations"]]
    assert numbers == sorted(set(numbers))
    for item in result.items():
        assert item.section and isinstance(item.citations, list) and item.citations
        assert set(item.citations) <= set(numbers)
        assert 140 not in item.citations  # the spine
        assert item.label_fr or item.text_fr
    assert all("*" not in citation["reference"] or citation["number"] == 104 for citation in data["citations"])
    assert len(set(result.missing)) == len(result.missing)
    assert all(name in FIELDS and case.get(name) is None for name in result.missing)
    assert set(result.refinements) <= set(result.missing)
    if data["surgery"] == "undetermined":
        assert data["branches"] and (result.missing or "unknown" in case.values())


@settings(max_examples=examples(1500), deadline=None)
@given(cases(), st.sampled_from(({"life_expectancy": "lt_6_weeks"}, {"fit_for_surgery": False})))
def test_under_6_weeks_or_unfit_is_never_surgery(case, excluded):
    """[1] « moins de 6 semaines ne tirent aucun bénéfice d'une intervention chirurgicale »;
    [2.2] the only contra-indication is a general condition that forbids surgery."""
    result = recommend({**case, **excluded})
    assert result.surgery == "not_indicated"
    assert not set(SURGICAL_TECHNIQUES) & {t.code for t in result.techniques}
    assert result.postoperative == []


@settings(max_examples=examples(600), deadline=None)
@given(
    surgical_contexts(),
    st.sampled_from(MIRELS["pain"]),
    st.sampled_from(MIRELS["lesion_type"]),
    st.sampled_from(MIRELS["lesion_size"]),
)
def test_mirels_9_or_more_is_never_not_indicated(context, pain, lesion_type, lesion_size):
    """[2.1] « Un traitement chirurgical prophylactique est indiqué pour un score égal ou
    supérieur à 9. »"""
    result = recommend(
        {
            **context,
            "situation": "impending_fracture",
            "pain": pain,
            "lesion_type": lesion_type,
            "lesion_size": lesion_size,
        }
    )
    if result.mirels.score >= 9:
        assert result.surgery in ("indicated", "discuss")
        assert result.indication.code == "mirels_indicated"


@settings(max_examples=examples(600), deadline=None)
@given(surgical_contexts(), st.sampled_from(sorted(MIRELS)), st.data())
def test_a_higher_mirels_item_never_lowers_the_indication(context, raised, data):
    """[2.1] The score is a sum and the threshold a minimum: raising one item never
    makes the indication weaker."""
    case = {
        **context,
        "situation": "impending_fracture",
        **{
            name: data.draw(st.sampled_from(values[:-1] if name == raised else values))
            for name, values in MIRELS.items()
        },
    }
    higher = {**case, raised: MIRELS[raised][MIRELS[raised].index(case[raised]) + 1]}
    assert RANK[recommend(higher).surgery] >= RANK[recommend(case).surgery]


def options(result):
    return {(t.code, t.role) for t in result.techniques if t.role != "adjunct"}


@settings(max_examples=examples(800), deadline=None)
@given(cases(), st.sampled_from(REFINING + ("diagnostic_uncertainty",)), st.sampled_from((True, False, "unknown")))
def test_a_work_up_fact_never_removes_an_option_it_does_not_concern(case, name, value):
    """Prior irradiation, hypervascularity, bone loss and diagnostic doubt add adjuncts,
    work-up and warnings; they never change the indication nor remove an option."""
    before = recommend({**case, name: None})
    after = recommend({**case, name: value})
    if before.surgery == "undetermined":
        return  # nothing settled yet to compare with
    assert after.surgery == before.surgery
    assert options(after) == options(before)


@settings(max_examples=examples(1500), deadline=None)
@given(cases())
def test_every_indicated_case_has_a_first_line_technique(case):
    """« Chirurgie indiquée » never comes with an empty plan: where the chapter names no
    technique, the surgery is to be discussed and the silence is said."""
    result = recommend(case)
    if result.surgery == "indicated":
        assert any(t.role == "primary" for t in result.techniques)
    if result.surgery in ("indicated", "discuss") and not result.techniques:
        assert "guideline_silent" in result.warning_codes()


@settings(max_examples=examples(1500), deadline=None)
@given(cases())
def test_chapter_boundaries_hold_for_every_case(case):
    """[4.2] arthroplasty only over 6 months; [1] resection-reconstruction never the only
    first-line option (« Il est rare de réaliser une résection chirurgicale carcinologique
    dans ce contexte ») unless the bone lesion is single, and never first on a fracture
    (« l'urgence est la stabilisation de la fracture »); [4.1] no implant named for the
    tibial ends."""
    result = recommend(case)
    codes = {t.code: t.role for t in result.techniques}
    if case.get("life_expectancy") in ("lt_6_weeks", "6_weeks_to_6_months"):
        assert "cemented_arthroplasty" not in codes and "tha_acetabular_reinforcement" not in codes
        assert "proximal_femoral_resection_megaprosthesis" not in codes
    if codes.get("resection_reconstruction") == "primary":
        assert case.get("life_expectancy") == "gt_12_months"
        assert case.get("situation") != "pathological_fracture"
        others = [code for code, role in codes.items() if role == "primary" and code != "resection_reconstruction"]
        assert others or case.get("solitary_bone_metastasis") is True
    if (
        case.get("bone") == "tibia"
        and case.get("site") in ("proximal", "distal")
        and result.surgery in ("indicated", "discuss")
    ):
        assert "guideline_silent" in result.warning_codes()
    missing = set(result.missing)
    if case.get("situation") != "impending_fracture" or case.get("bone") == "acetabulum":
        assert not missing & set(MIRELS)
    if case.get("bone") != "acetabulum":
        assert not {name for name in missing if name.startswith("acetabular") or name.endswith("treatment_failed")}
    if case.get("bone") not in SITES_BY_BONE:
        assert "site" not in missing


@settings(max_examples=examples(400), deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_answering_the_missing_questions_in_order_always_reaches_a_decision(case, rng):
    """Answering `missing[0]` again and again, « je ne sais pas » included, ends: no
    question loops, an unknown answer is never asked again, and a complete case is
    undetermined only when a decisive fact is unknown."""
    facts = dict(case)
    for _ in range(len(FIELDS) + 1):
        result = recommend(facts)
        if not result.missing:
            break
        name = result.missing[0]
        values = list(SITES_BY_BONE[facts["bone"]] if name == "site" else FIELDS[name])
        if name in UNKNOWN_ALLOWED:
            values.append("unknown")
        facts[name] = rng.choice(values)
        assert name not in recommend(facts).missing
    assert result.missing == []
    assert result.surgery != "undetermined" or "unknown" in facts.values()


def test_recommend_is_deterministic():
    case = {
        "situation": "impending_fracture",
        "bone": "femur",
        "site": "neck",
        "pain": "functional",
        "lesion_type": "lytic",
        "lesion_size": "gt_two_thirds",
        "life_expectancy": "gt_12_months",
        "fit_for_surgery": True,
    }
    assert recommend(case).to_dict() == recommend(dict(case)).to_dict()
