"""The items of a recommendation: the indication, the techniques, the
work-up, the post-operative items and the warnings a case calls for, each
with its text, section and references from `data/chapter.yml` (through
`knowledge.item`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from . import knowledge, mirels
from .consistency import contradictions
from .contract import UNKNOWN, UPPER_LIMB_BONES, is_joint_end
from .model import Item, Mirels
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
    solitary_changes,
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
# What is implanted or resected: outside urgency, with a diagnostic doubt, it
# waits for the histology (« après confirmation histologique d'une métastase »).
IMPLANTS = SURGICAL_TECHNIQUES + ("cephalic_screw", "curettage_cementation", "plate_or_radiotherapy")


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
