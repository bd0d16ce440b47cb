"""A recommendation assembled from the chapter's decision (`rules.decide`):
the indication, the techniques, the work-up, the post-operative items, the
warnings, what each pending answer would change (branches), and the
references of every item, printed as in the bibliography.

Item texts, sections and references come from `data/chapter.yml` through
`knowledge.item`; this module only chooses which items a case calls for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from . import knowledge, mirels
from .contract import UNKNOWN, validate_case
from .model import Branch, Item, Mirels, Recommendation
from .rules import (
    DECISIVE,
    DISCUSS,
    FEMORAL_HEAD_AND_NECK,
    HAND_AND_FOOT_BONES,
    INDICATED,
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
)
# The chapter's references that are about one bone (137 femur, 138 humerus,
# 141 acetabulum): an item keeps them only for that bone.
BONE_REFERENCES = {137: "femur", 138: "humerus", 141: "acetabulum"}
# « Les complications per-opératoires prédominantes sont l'hémorragie et les embolies graisseuses » (5).
BLEEDING_AND_EMBOLISM = SURGICAL_TECHNIQUES + ("curettage_cementation",)
# A refinement never changes the sequence of care: a diagnostic doubt does
# (biopsy before any implant), so it is always asked before the answer.
SEQUENCE_FACTS = ("diagnostic_uncertainty",)
# At most this many other open facts are combined when weighing one answer.
MAX_COMBINED = 4


def recommend(case: Mapping[str, Any]) -> Recommendation:
    """The recommendation for a case of the decision contract.

    Raises `contract.CaseError` when the case breaks the contract.
    """
    return build(validate_case(case))


def build(facts: dict[str, Any]) -> Recommendation:
    """The recommendation for facts already validated."""
    decision = decide(facts)
    pending = questions(facts)
    considered = _considered(facts)
    bone = facts.get("bone")

    techniques = [_technique_item(bone, technique) for technique in decision.techniques]
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
        branches=branches(facts, pending) if decision.surgery == UNDETERMINED else [],
        refinements=refinements(facts, pending),
    )
    return replace(recommendation, citations=_citations(recommendation.items()))


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
        citations=_for_bone(data["citations"], bone),
        quote_fr=data["quote_fr"],
        condition_fr=condition_fr,
        quotes=[dict(quote) for quote in data["quotes"]] if len(data["quotes"]) > 1 else None,
    )


def _for_bone(citations: Sequence[int], bone: str | None) -> list[int]:
    """An item's references, without those about another bone (137 is about
    the femur, 138 the humerus, 141 the acetabulum); never emptied."""
    if bone is None:
        return list(citations)
    kept = [n for n in citations if BONE_REFERENCES.get(n, bone) == bone]
    return kept or list(citations)


def condition_text(condition: Sequence[tuple[str, Any]]) -> str | None:
    """ "si la perte osseuse est importante" — the facts an item waits for."""
    if not condition:
        return None
    return " ou ".join(knowledge.condition(name, value) for name, value in condition)


def _technique_item(bone: str | None, technique: Technique) -> Item:
    return _item(
        "techniques",
        technique.code,
        technique.variant,
        bone=bone,
        role=technique.role,
        condition_fr=condition_text(technique.condition),
    )


def _indication_item(facts: Mapping[str, Any], decision: Decision) -> Item:
    variant = decision.indication_variant
    if decision.indication == "undetermined":
        if facts.get("life_expectancy") == UNKNOWN:
            variant = "life_unknown"
        elif any(facts.get(name) == UNKNOWN for name in DECISIVE):
            variant = "unknown_fact"
    return _item("indications", decision.indication, variant, bone=facts.get("bone"))


def _mirels(assessment: mirels.Assessment | None) -> Mirels | None:
    if assessment is None:
        return None
    key = mirels.interpretation_key(assessment)
    result = Mirels(
        items=dict(assessment.items), interpretation_fr="", threshold=mirels.THRESHOLD, unknown=list(assessment.unknown)
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
        add("xray_whole_bone")
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
    for code in POSTOPERATIVE:
        variant = (
            "not_irradiated" if code == "radiotherapy_whole_bone" and facts.get("prior_radiotherapy") is False else None
        )
        items.append(_item("postoperative", code, variant, bone=bone, condition_fr=condition_fr))
    return items


def _warnings(facts: Mapping[str, Any], decision: Decision, considered: list[Decision]) -> list[Item]:
    bone, life = facts.get("bone"), facts.get("life_expectancy")
    items = [_item("warnings", "mdt_required", bone=bone)]

    def add(code: str, variant: str | None = None, condition: Sequence[tuple[str, Any]] = ()) -> None:
        items.append(_item("warnings", code, variant, bone=bone, condition_fr=condition_text(condition)))

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
        add("life_expectancy_unknown")
    if life in REVISABLE_PROGNOSIS:
        add("prognosis_may_change")
    if decision.surgery in SURGICAL and set(decision.codes()) & set(BLEEDING_AND_EMBOLISM):
        add("intraoperative_complications")
    doubt = _condition(facts, "diagnostic_uncertainty")
    nailing = any("intramedullary_nailing" in d.codes() for d in considered)
    if doubt is not None and nailing:
        add("nailing_dissemination", None, doubt)
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


def _outcomes(facts: Mapping[str, Any], others: Sequence[str]) -> list[Decision]:
    return [decide(hypothesis) for hypothesis in completions(facts, others)]


def branches(facts: Mapping[str, Any], pending: Sequence[str]) -> list[Branch]:
    """What each answer to the question the decision hinges on would lead to:
    the first open fact whose answers lead to different decisions."""
    candidates = [name for name in _open_fields(facts, pending) if values_of(facts, name)]
    first: list[Branch] = []
    for name in candidates:
        others = [other for other in candidates if other != name][:MAX_COMBINED]
        result = [_branch(name, value, _outcomes({**facts, name: value}, others)) for value in values_of(facts, name)]
        if not first:
            first = result
        if len({(b.surgery, tuple(b.techniques), tuple(b.possible)) for b in result}) > 1:
            return result
    return first


def _branch(name: str, value: Any, outcomes: list[Decision]) -> Branch:
    surgeries = sorted({d.surgery for d in outcomes} - {UNDETERMINED}, key=[INDICATED, DISCUSS, "not_indicated"].index)
    primaries = {tuple(d.codes("primary")) for d in outcomes}
    if len(surgeries) == 1 and len(primaries) == 1 and UNDETERMINED not in {d.surgery for d in outcomes}:
        return Branch(name, value, surgeries[0], list(next(iter(primaries))))
    return Branch(name, value, UNDETERMINED, [], surgeries)


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
    numbers = sorted({number for item in items for number in item.citations})
    citations = []
    for number in numbers:
        record = knowledge.reference(number)
        citation = {
            "number": number,
            "reference": knowledge.printed_reference(number),
            "cited_by_chapter": record["cited_by_chapter"],
        }
        if record.get("same_work_as"):
            citation["same_work_as"] = [dict(link) for link in record["same_work_as"]]
        citations.append(citation)
    return citations
