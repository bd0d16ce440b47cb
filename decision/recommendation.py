"""A recommendation assembled from the chapter's decision (`rules.decide`):
the indication, the techniques, the work-up, the post-operative items, the
warnings, what each pending answer would change (branches), the references
that support the items and, apart, the chapter's reading list (137–142),
printed as in the bibliography.

Item texts, sections and references come from `data/chapter.yml` through
`knowledge.item`; this module only chooses which items a case calls for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache, lru_cache
from typing import Any

from . import knowledge, mirels
from .consistency import contradictions
from .contract import UNKNOWN, UPPER_LIMB_BONES, bones_for_site, is_joint_end, known, validate_case
from .model import Branch, Item, Mirels, Recommendation, freeze
from .rules import (
    ACETABULAR_ESCALATION,
    DECISIVE,
    DISCUSS,
    FEMORAL_HEAD_AND_NECK,
    HAND_AND_FOOT_BONES,
    INDICATED,
    NOT_INDICATED,
    QUESTION_ORDER,
    SMALL_BONES,
    SOLITARY,
    SURGICAL,
    SURGICAL_TECHNIQUES,
    UNDETERMINED,
    Decision,
    Technique,
    _considered,
    completions,
    decide,
    questions,
    solitary_changes,
    values_of,
)

# Prognoses a longer survival would change (targeted therapy, immunotherapy).
REVISABLE_PROGNOSIS = ("lt_6_weeks", "6_weeks_to_6_months", "6_to_12_months", "unknown")
POSTOPERATIVE = (
    "radiotherapy_whole_bone",
    "systemic_treatment_after_healing",
    "antibioprophylaxis_48h",
    "thromboembolic_prevention",
    "crp_not_infection_marker",
    "long_term_follow_up",
    "early_weight_bearing",
    "targeted_therapy_immunotherapy",
)
# « Les complications per-opératoires prédominantes sont l'hémorragie et les embolies graisseuses » (5).
BLEEDING_AND_EMBOLISM = SURGICAL_TECHNIQUES + ("curettage_cementation",)
# A refinement never changes the sequence of care: a diagnostic doubt does
# (biopsy before any implant), so it is always asked before the answer.
SEQUENCE_FACTS = ("diagnostic_uncertainty",)
# What is implanted or resected: outside urgency, with a diagnostic doubt, it
# waits for the histology (« après confirmation histologique d'une métastase »).
IMPLANTS = SURGICAL_TECHNIQUES + ("cephalic_screw", "curettage_cementation", "plate_or_radiotherapy")
# The outcomes a branch may list, in this order.
OUTCOMES = (INDICATED, DISCUSS, NOT_INDICATED)
# The open facts of a case are given values in the order of the questions
# (`rules.QUESTION_ORDER`), those of the acetabulum only for it, the Mirels
# items only for the other bones.
ACETABULUM_ONLY = (*ACETABULAR_ESCALATION, "percutaneous_treatment_failed")
OPEN_ORDER = {
    "acetabulum": tuple(name for name in QUESTION_ORDER if name not in mirels.FIELDS),
    "other": tuple(name for name in QUESTION_ORDER if name not in ACETABULUM_ONLY),
}
# Cases remembered across turns (about 1 kB each) before the memory is emptied.
MAX_REMEMBERED = 20_000


# Recommendations remembered (about 20 kB each): a turn weighs the case, and
# every answer to each question still open (`consultation.progress`), several
# times; the next turn weighs most of them again.
REMEMBERED_CASES = 1024


def recommend(case: Mapping[str, Any]) -> Recommendation:
    """The recommendation for a case of the decision contract.

    Raises `contract.CaseError` when the case breaks the contract. Computed
    once per case: the same case (the same facts, in the same order) gives the
    same object, which cannot be changed (`model.freeze`).
    """
    facts = validate_case(case)
    try:
        return _remembered(tuple(facts.items()))
    except TypeError:  # a value that cannot be a key (none passes the contract's check)
        return freeze(build(facts))


def forget() -> None:
    """Forget the recommendations made (`decision_bench` times their making)."""
    _remembered.cache_clear()


@lru_cache(maxsize=REMEMBERED_CASES)
def _remembered(facts: tuple[tuple[str, Any], ...]) -> Recommendation:
    recommendation: Recommendation = freeze(build(dict(facts)))
    return recommendation


def build(facts: dict[str, Any]) -> Recommendation:
    """The recommendation for facts already validated."""
    decision = decide(facts)
    pending = questions(facts)
    considered = _considered(facts)
    bone = facts.get("bone")

    histology = _histology_first(facts, considered)
    techniques = [
        _technique_item(bone, technique, histology if technique.code in IMPLANTS else None)
        for technique in decision.techniques
    ]
    recommendation = Recommendation(
        guideline=dict(knowledge.guideline()),
        case=dict(facts),
        surgery=decision.surgery,
        intent=_intent(facts, decision),
        indication=_indication_item(facts, decision),
        mirels=_mirels(decision.mirels),
        techniques=techniques,
        workup=_workup(facts, decision, considered),
        postoperative=_postoperative(facts, decision),
        warnings=_warnings(facts, decision, considered),
        missing=pending,
        branches=branches(facts, pending) if decision.surgery == UNDETERMINED or decision.depends_on else [],
        refinements=refinements(facts, pending),
    )
    return replace(recommendation, citations=_citations(recommendation.items()), further_reading=_further_reading())


def _intent(facts: Mapping[str, Any], decision: Decision) -> str | None:
    situation = facts.get("situation")
    if decision.surgery not in SURGICAL or situation is None:
        return None
    return "preventive" if situation == "impending_fracture" else "symptomatic"


# ---------------------------------------------------------------------- items


def _item(
    kind: str,
    code: str,
    variant: str | None = None,
    *,
    bone: str | None = None,
    role: str | None = None,
    condition_fr: str | None = None,
) -> Item:
    data = knowledge.item(kind, code, variant)
    return Item(
        code=code,
        role=role,
        label_fr=data.get("label_fr"),
        rationale_fr=data.get("rationale_fr"),
        text_fr=data.get("text_fr"),
        section=data["section"],
        citations=list(data["citations"]),
        quote_fr=data["quote_fr"],
        condition_fr=condition_fr,
        quotes=[dict(quote) for quote in data["quotes"]] if len(data["quotes"]) > 1 else None,
        bone_reading=knowledge.bone_reading(data, bone) or None,
    )


def condition_text(condition: Sequence[tuple[str, Any]]) -> str | None:
    """ "si la perte osseuse est importante" — the facts an item waits for."""
    if not condition:
        return None
    return " ou ".join(knowledge.condition(name, value) for name, value in condition)


def _technique_item(bone: str | None, technique: Technique, prerequisite: str | None = None) -> Item:
    condition = ", ".join(text for text in (condition_text(technique.condition), prerequisite) if text)
    return _item(
        "techniques",
        technique.code,
        technique.variant,
        bone=bone,
        role=technique.role,
        condition_fr=condition or None,
    )


def _histology_first(facts: Mapping[str, Any], considered: list[Decision]) -> str | None:
    """Outside urgency (no fracture), a diagnostic doubt puts the biopsy before
    any implant (work-up `biopsy_or_minimal_workup`, variant `non_urgent`):
    every implant then waits for the histology; conditionally if the doubt is unknown."""
    doubt = facts.get("diagnostic_uncertainty")
    if not considered or facts.get("situation") == "pathological_fracture" or doubt not in (True, UNKNOWN):
        return None
    return knowledge.histology_condition(doubt)


def _indication_item(facts: Mapping[str, Any], decision: Decision) -> Item:
    variant = decision.indication_variant
    if decision.indication == "unfit" and variant is None:
        variant = _unfit_variant(facts)
    if decision.indication == "undetermined":
        if facts.get("life_expectancy") == UNKNOWN:
            variant = "life_unknown"
        elif any(facts.get(name) == UNKNOWN for name in DECISIVE):
            variant = "unknown_fact"
    return _item("indications", decision.indication, variant, bone=facts.get("bone"))


def _unfit_variant(facts: Mapping[str, Any]) -> str | None:
    """The unfit indication said as the situation is: the chapter names the
    contra-indication for a fracture (2.2); a preventive or pain surgery, or
    an acetabular lesion, is told so, not as a fracture."""
    situation = facts.get("situation")
    if situation == "pathological_fracture":
        return None
    if facts.get("bone") == "acetabulum":
        return "acetabulum"
    variants = {"impending_fracture": "preventive", "refractory_pain": "refractory_pain"}
    return variants.get(situation or "", "no_situation")


def _mirels(assessment: mirels.Assessment | None) -> Mirels | None:
    if assessment is None:
        return None
    key = mirels.interpretation_key(assessment)
    result = Mirels(
        items=dict(assessment.items),
        interpretation_fr="",
        threshold=mirels.THRESHOLD,
        unknown=list(assessment.unknown),
        unknown_points={name: list(points) for name, points in assessment.unknown_points.items()},
    )
    low, high = result.score_range
    score = f"{result.score}/12" if result.score is not None else f"{low} à {high}/12"
    return replace(result, interpretation_fr=f"{score}. {knowledge.mirels_text(key)}")


def _workup(facts: Mapping[str, Any], decision: Decision, considered: list[Decision]) -> list[Item]:
    bone = facts.get("bone")
    items: list[Item] = []

    def add(code: str, variant: str | None = None, condition: Sequence[tuple[str, Any]] = ()) -> None:
        items.append(_item("workup", code, variant, bone=bone, condition_fr=condition_text(condition)))

    if considered:
        add("xray_whole_bone", None if bone in UPPER_LIMB_BONES else "lower_limb")
        add("ct_bone_window")
        hypervascular = _condition(facts, "suspected_hypervascular")
        if hypervascular is not None:
            add("angio_ct_or_arteriography", None, hypervascular)
            add(
                "preoperative_embolization",
                "other_primary" if facts.get("primary_tumor") == "other" else None,
                hypervascular,
            )
        doubt = _condition(facts, "diagnostic_uncertainty")
        if doubt is not None:
            urgent = facts.get("situation") == "pathological_fracture"
            add("biopsy_or_minimal_workup", "urgent" if urgent else "non_urgent", doubt)
            add("etiological_imaging", None, doubt)
        planned = {code for d in considered for code in d.codes()}
        hip = bone == "femur" and facts.get("site") in FEMORAL_HEAD_AND_NECK
        if hip and planned & {"cemented_arthroplasty", "proximal_femoral_resection_megaprosthesis"}:
            add("acetabular_assessment")
    elif bone == "acetabulum" and facts.get("situation") is not None:
        add("ct_bone_window", "acetabulum")  # stability is judged on the CT
    if facts.get("fit_for_surgery") == UNKNOWN and facts.get("life_expectancy") != "lt_6_weeks":
        add("fitness_assessment")
    add("mdt_discussion")
    return items


def _condition(facts: Mapping[str, Any], name: str) -> tuple[tuple[str, Any], ...] | None:
    """() when the fact holds, its condition when unknown, None otherwise."""
    value = facts.get(name)
    if value is True:
        return ()
    return ((name, True),) if value == UNKNOWN else None


def _postoperative(facts: Mapping[str, Any], decision: Decision) -> list[Item]:
    if decision.surgery not in SURGICAL:
        return []
    bone = facts.get("bone")
    condition_fr = None
    if decision.surgery == DISCUSS:
        key = "small_bone" if bone in SMALL_BONES else "acetabulum" if bone == "acetabulum" else "discuss"
        condition_fr = knowledge.surgery_condition(key)
    items = []
    # The chapter is silent on re-irradiation: an irradiated site (or one that
    # may be) sends the post-operative radiotherapy to the radiotherapist.
    irradiation = {False: "not_irradiated", True: "irradiated", UNKNOWN: "maybe_irradiated"}
    for code in POSTOPERATIVE:
        variant = irradiation.get(facts.get("prior_radiotherapy")) if code == "radiotherapy_whole_bone" else None
        items.append(_item("postoperative", code, variant, bone=bone, condition_fr=condition_fr))
    return items


def _warnings(facts: Mapping[str, Any], decision: Decision, considered: list[Decision]) -> list[Item]:
    bone, life = facts.get("bone"), facts.get("life_expectancy")
    items = [_item("warnings", "mdt_required", bone=bone)]

    def add(code: str, variant: str | None = None, condition: Sequence[tuple[str, Any]] = ()) -> None:
        items.append(_item("warnings", code, variant, bone=bone, condition_fr=condition_text(condition)))

    for variant in contradictions(facts):
        add("inconsistent_facts", variant)

    for variant in decision.silent:
        add("guideline_silent", variant)
    irradiated = _condition(facts, "prior_radiotherapy")
    if irradiated is not None:
        add("irradiated_field", None, irradiated)
    if facts.get("primary_tumor") == "other":
        add("non_lung_primary")
    if decision.mirels is not None:
        add("mirels_limited_accuracy", "hand_and_foot" if bone in HAND_AND_FOOT_BONES else None)
    if life == UNKNOWN:
        # Branches follow only while the decision is open.
        add("life_expectancy_unknown", None if decision.surgery == UNDETERMINED else "decided")
    if life in REVISABLE_PROGNOSIS:
        add("prognosis_may_change")
    # An operation indicated whose technique is left to the RCP or to an unknown
    # fact is an operation all the same.
    operation = set(decision.codes()) & set(BLEEDING_AND_EMBOLISM) or (
        decision.surgery == INDICATED and not decision.codes("primary")
    )
    if decision.surgery in SURGICAL and operation:
        add("intraoperative_complications")
    doubt = _condition(facts, "diagnostic_uncertainty")
    nailing = any("intramedullary_nailing" in d.codes() for d in considered)
    if doubt is not None and nailing:
        add("nailing_dissemination", None, doubt)
    # 4.2: arthroplasty « indiquées chez des patients ayant un pronostic vital
    # supérieur à 6 mois-1 an »: under 6 months the articular involvement is said.
    site = facts.get("site")
    joint_end = is_joint_end(bone, site) and not (bone == "tibia" and site == "distal")  # not the ankle
    if joint_end and facts.get("articular_involvement") is True and life == "6_weeks_to_6_months" and considered:
        add("articular_involvement_short_prognosis")
    solitary = _condition(facts, SOLITARY)
    if solitary is not None and solitary_changes(facts, decision):
        # Interpretation (1, 4.1): a single bone lesion over a year puts the resection
        # first; a nail, which spreads tumour cells, would compromise it later.
        nail = "intramedullary_nailing" in decision.codes()
        if facts.get("situation") == "pathological_fracture":
            add("nailing_compromises_resection", None, solitary)
        else:
            add("solitary_lesion_resection_first", None if nail else "no_nail", solitary)
    return items


# ------------------------------------------------------------------ branches


def _open_fields(facts: Mapping[str, Any], pending: Sequence[str]) -> list[str]:
    """The facts that may still change the decision: the unknown life
    expectancy first, then those still to be asked, then the other unknowns."""
    unknown = [name for name in DECISIVE if facts.get(name) == UNKNOWN]
    ordered = [name for name in unknown if name == "life_expectancy"]
    ordered += [name for name in pending if name in DECISIVE or name in ("situation", "bone")]
    ordered += [name for name in unknown if name not in ordered]
    return list(dict.fromkeys(ordered))


def _answers(facts: Mapping[str, Any], name: str) -> tuple[Any, ...]:
    """The values `name` takes in a valid completion of the case: a site of its
    bone, a bone that has the site given (`unknown` aside)."""
    if name == "bone" and known(facts, "site") is not None:
        return bones_for_site(facts["site"])
    return values_of(facts, name)


def _next_open(facts: Mapping[str, Any]) -> str | None:
    """The open fact (missing or `unknown`) to give a value next while the
    decision is undetermined: the questions every case starts with, then the
    acetabulum's own questions or the Mirels items of an impending fracture,
    then the other decisive facts, then any other fact of the contract. Any
    order gives the same outcomes; this one reaches a decision soonest."""
    order = OPEN_ORDER["acetabulum" if facts.get("bone") == "acetabulum" else "other"]
    for name in order:
        if facts.get(name) in (None, UNKNOWN) and (name not in ("site", "bone") or _answers(facts, name)):
            return name
    return None


Outcomes = frozenset[tuple[str, tuple[str, ...]]]
# Cases already weighed (the case, frozen -> the outcomes of its completions),
# shared by every call: a turn's cases come back on the next turns.
_REACHED: dict[frozenset[tuple[str, Any]], Outcomes] = {}


def _reached(facts: Mapping[str, Any]) -> Outcomes:
    """The (surgery, first-line techniques) that the completions of `facts`
    reach, each open fact given each of its values in turn. A decision taken
    while facts are open holds for every completion (`rules.decide`; property
    tested), so the search stops there; it stops too once every surgery is
    reached (the techniques found so far are then not all, and not used).
    The largest search, a case with neither the situation nor the bone, weighs
    about a thousand undecided cases (some 10 ms; then remembered)."""
    key = frozenset(facts.items())
    remembered = _REACHED.get(key)
    if remembered is not None:
        return remembered
    decision = decide(facts)
    name = _next_open(facts) if decision.surgery == UNDETERMINED else None
    found: Outcomes = frozenset()
    if name is None:
        found = frozenset({(decision.surgery, tuple(decision.codes("primary")))})
    else:
        surgeries: set[str] = set()
        for value in _answers(facts, name):
            more = _reached({**facts, name: value})
            found |= more
            surgeries.update(surgery for surgery, _ in more)
            if len(surgeries) == len(OUTCOMES):
                break  # every surgery is reached: the other values cannot add one
    if len(_REACHED) >= MAX_REMEMBERED:
        _REACHED.clear()
    _REACHED[key] = found
    return found


def branches(facts: Mapping[str, Any], pending: Sequence[str]) -> list[Branch]:
    """What each answer to the question the decision hinges on would lead to:
    the first open fact whose answers lead to different outcomes. Each
    branch's `possible` is weighed over every completion of the other open
    facts (`_reached`): exact, never a part of the outcomes."""
    candidates = [name for name in _open_fields(facts, pending) if _answers(facts, name)]
    first: list[Branch] = []
    for name in candidates:
        result = [_branch(name, value, _reached({**facts, name: value})) for value in _answers(facts, name)]
        if not first:
            first = result
        if len({(b.surgery, tuple(b.techniques), tuple(b.possible)) for b in result}) > 1:
            return result
    return first


def _branch(name: str, value: Any, outcomes: Outcomes) -> Branch:
    possible = [surgery for surgery in OUTCOMES if any(reached == surgery for reached, _ in outcomes)]
    if len(outcomes) == 1:
        ((surgery, primaries),) = outcomes
        return Branch(name, value, surgery, list(primaries), possible)
    return Branch(name, value, UNDETERMINED, [], possible)


def refinements(facts: Mapping[str, Any], pending: Sequence[str]) -> list[str]:
    """The pending facts whose answer changes neither the surgery nor the
    options proposed (only an adjunct, the work-up or a warning), whatever
    the unknown facts turn out to be."""
    unknown = [name for name in DECISIVE if facts.get(name) == UNKNOWN]
    hypotheses = list(completions(facts, unknown))
    if any(decide(hypothesis).surgery == UNDETERMINED for hypothesis in hypotheses):
        return []  # a question still to be asked decides first
    found = []
    for name in pending:
        if name in SEQUENCE_FACTS or name in DECISIVE or not values_of(facts, name):
            continue
        if all(
            len({decide({**hypothesis, name: value}).plan() for value in values_of(facts, name)}) == 1
            for hypothesis in hypotheses
        ):
            found.append(name)
    return found


# ----------------------------------------------------------------- citations


def _citations(items: list[Item]) -> list[dict[str, Any]]:
    """Every reference an item cites as support, once (never the reading list's
    bone reviews, which are not support)."""
    return [citation(number) for number in sorted({number for item in items for number in item.citations})]


def citation(number: int) -> dict[str, Any]:
    """Reference `number` as a recommendation lists it: its printed text and
    whether the chapter names it."""
    record = knowledge.reference(number)
    found: dict[str, Any] = {
        "number": number,
        "reference": knowledge.printed_reference(number),
        "cited_by_chapter": record["cited_by_chapter"],
    }
    if record.get("same_work_as"):
        found["same_work_as"] = [dict(link) for link in record["same_work_as"]]
    return found


@cache
def _further_reading() -> dict[str, Any]:
    """`further_reading()`, the same for every recommendation: made once, frozen."""
    made: dict[str, Any] = freeze(further_reading())
    return made


def further_reading() -> dict[str, Any]:
    """The chapter's reading list, shown once, apart from the items' support:
    « Le lecteur pourra se reporter aux références suivantes pour approfondir
    le texte du référentiel concernant la chirurgie : (137–142). » The range is
    kept as printed; the texts listed are those about the limbs (140, on the
    spine, is named in `not_listed` with its reason)."""
    reading = knowledge.reading()
    listed, not_listed = [], []
    for number in reading["references"]:
        about = knowledge.reading_about(number)
        if about.get("omitted_fr"):
            not_listed.append({"number": number, "reason_fr": about["omitted_fr"]})
        else:
            listed.append({**citation(number), **({"bone": about["bone"]} if about.get("bone") else {})})
    return {"quote_fr": reading["text"], "range": reading["range"], "references": listed, "not_listed": not_listed}
