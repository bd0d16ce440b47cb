"""Properties over the whole input space (hypothesis), each one a statement of
the chapter or of the contract that must hold for every case."""

import os
from itertools import product

from hypothesis import example, given, settings
from hypothesis import strategies as st

from decision import FIELDS, recommend
from decision.contract import SITES_BY_BONE, UNKNOWN_ALLOWED, allowed_values, validate_case
from decision.rules import SURGICAL_TECHNIQUES, decide

RANK = {"not_indicated": 0, "discuss": 1, "indicated": 2}
MIRELS = {
    "pain": ("mild", "moderate", "functional"),
    "lesion_type": ("blastic", "mixed", "lytic"),
    "lesion_size": ("lt_one_third", "one_to_two_thirds", "gt_two_thirds"),
}
LONG_BONE_SITES = [(bone, site) for bone in ("femur", "humerus", "tibia") for site in SITES_BY_BONE[bone]]
OTHER_BONES = [(bone, None) for bone in ("radius", "ulna", "fibula", "metacarpal", "metatarsal")]
REFINING = ("major_bone_loss", "prior_radiotherapy", "suspected_hypervascular")


# Examples per property, as a share of the count each one states (`make test`):
# `make check` runs a tenth for the edit-test loop, `make mutation` a twelfth
# (the suite once per mutant), at least 60 each (tests/decision/conftest.py).
SHARE = {"default": 1, "check": 10, "mutation": 12}


def examples(count):
    """Examples per property under the running hypothesis profile."""
    share = SHARE[os.environ.get("HYPOTHESIS_PROFILE", "default")]
    return count if share == 1 else max(60, count // share)


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
        # A sentence the chapter states without a reference carries its quote and no number.
        assert item.section and isinstance(item.citations, list) and (item.citations or item.quote_fr)
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


# What a `guideline_silent` warning says when it is the technique the chapter leaves open.
TECHNIQUE_LEFT_TO_RCP = "le choix de la technique revient à la RCP"


@settings(max_examples=examples(1500), deadline=None)
@given(cases())
def test_every_indicated_case_has_a_first_line_technique_or_says_which_technique_is_left_open(case):
    """« Chirurgie indiquée » never comes with an unexplained empty plan: a first-line
    technique, or a `guideline_silent` warning saying that the chapter leaves the
    technique to the RCP, or, when the technique depends on an unknown fact, what each
    answer leads to (branches). The indication and the technique are two questions."""
    result = recommend(case)
    if result.surgery == "indicated" and not any(t.role == "primary" for t in result.techniques):
        left_open = any(TECHNIQUE_LEFT_TO_RCP in w.text_fr for w in result.warnings if w.code == "guideline_silent")
        assert left_open or result.branches
    if result.surgery in ("indicated", "discuss") and not result.techniques:
        assert "guideline_silent" in result.warning_codes() or result.branches


@settings(max_examples=examples(600), deadline=None)
@given(surgical_contexts(), st.sampled_from(("pathological_fracture", "refractory_pain")))
@example(
    {"bone": "femur", "site": "neck", "fit_for_surgery": True, "life_expectancy": "6_weeks_to_6_months"},
    "pathological_fracture",
)
def test_a_fracture_or_refractory_pain_of_a_fit_patient_on_a_long_bone_is_indicated_whatever_the_technique(
    context, situation
):
    """[2.2] « Les fractures sur lésions pathologiques nécessitent une prise en charge
    chirurgicale dans la majorité des cas, pour permettre une récupération fonctionnelle
    rapide et pour diminuer les douleurs post-fracturaire. » [2.3] « L'indication, inscrite
    dans le concept de gain de survie de qualité, est peu sujette à controverse dans ce
    contexte. » On the small bones one option (« radiothérapie isolée ») is no operation."""
    result = recommend({**context, "situation": situation})
    if context["bone"] in ("femur", "humerus", "tibia"):
        assert result.surgery == "indicated" and result.intent == "symptomatic"
    else:
        assert result.surgery == "discuss"


@settings(max_examples=examples(1500), deadline=None)
@given(cases())
@example(
    {
        "situation": "pathological_fracture",
        "bone": "tibia",
        "site": "distal",
        "life_expectancy": "gt_12_months",
        "fit_for_surgery": True,
    }
)
def test_the_chapter_s_silence_is_said_once(case):
    """One `guideline_silent` warning a case: when two silences meet, one text says both."""
    assert recommend(case).warning_codes().count("guideline_silent") <= 1


@settings(max_examples=examples(800), deadline=None)
@given(cases(), st.sampled_from(sorted(SITES_BY_BONE)))
def test_an_unknown_site_decides_the_surgery_when_every_site_does(case, bone):
    """As for an unknown Mirels item: an unknown site settles the surgery when every site
    of the bone gives the same one, and only then; the technique may still depend on it."""
    case = {**case, "bone": bone, "site": "unknown"}
    result = recommend(case)
    each = {recommend({**case, "site": site}).surgery for site in SITES_BY_BONE[bone]}
    if len(each) == 1 and "undetermined" not in each:
        assert result.surgery == next(iter(each))
    if result.surgery != "undetermined":
        assert each == {result.surgery}


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


# ------------------------------------------------------------ exact branches

OUTCOMES = ("indicated", "discuss", "not_indicated")


def known_values(name):
    return tuple(value for value in FIELDS[name] if value != "unknown")


@st.composite
def partial_cases(draw):
    """A complete case of the contract with a few fields (one to four) left
    out or answered `unknown`: small enough to enumerate every completion."""
    full = {name: draw(st.sampled_from(known_values(name))) for name in FIELDS if name != "site"}
    if full["bone"] in SITES_BY_BONE:
        full["site"] = draw(st.sampled_from(SITES_BY_BONE[full["bone"]]))
    opened = draw(st.lists(st.sampled_from(sorted(full)), min_size=1, max_size=4, unique=True))
    case = dict(full)
    for name in opened:
        if name in UNKNOWN_ALLOWED and draw(st.booleans()):
            case[name] = "unknown"
        else:
            del case[name]
    return case


def every_completion(facts):
    """Brute force: every complete case the facts may turn out to be, each
    missing or `unknown` field given each of its values in the contract, the
    site among the sites of the bone."""
    opened = [name for name in FIELDS if name != "site" and facts.get(name) in (None, "unknown")]
    for combination in product(*(known_values(name) for name in opened)):
        filled = {**facts, **dict(zip(opened, combination, strict=True))}
        sites, site = SITES_BY_BONE.get(filled["bone"], ()), facts.get("site")
        if site in (None, "unknown"):
            without_site = {name: value for name, value in filled.items() if name != "site"}
            yield from ({**without_site, "site": s} for s in sites) if sites else (without_site,)
        elif site in sites:
            yield filled


def reached(case):
    """(completion, surgery) for every completion of the case, by `decide`."""
    return [(completion, decide(completion).surgery) for completion in every_completion(validate_case(case))]


@settings(max_examples=examples(400), deadline=None)
@given(partial_cases())
def test_branch_possible_is_every_outcome_some_completion_reaches(case):
    """Contract: « `undetermined` means a fact the decision hinges on is missing or
    `unknown`; the recommendation then says what each answer would lead to. » Each
    branch's `possible` is exactly the set of surgeries that `decide` gives over every
    completion of the case with that answer, found here by brute force: never a part
    of it (review 2, F4)."""
    outcomes = reached(case)
    assert all(surgery in OUTCOMES for _, surgery in outcomes)  # a complete case is always decided
    for branch in recommend(case).branches:
        expected = {surgery for completion, surgery in outcomes if completion.get(branch.field) == branch.value}
        assert branch.possible == [s for s in OUTCOMES if s in expected], (branch, expected)
        if branch.surgery != "undetermined":
            assert expected == {branch.surgery}


@settings(max_examples=examples(400), deadline=None)
@given(partial_cases())
def test_a_decision_taken_while_facts_are_open_holds_for_every_completion(case):
    """Contract: « `undetermined` means a fact the decision hinges on is missing or
    `unknown`; the recommendation then says what each answer would lead to. » A
    surgery given while facts are missing or unknown is the one every completion of
    the case leads to (what lets the branches stop their search there)."""
    surgery = recommend(case).surgery
    if surgery != "undetermined":
        assert {outcome for _, outcome in reached(case)} == {surgery}
