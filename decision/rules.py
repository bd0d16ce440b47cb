"""The rules of the chapter "Chirurgie des métastases osseuses des membres".

Two questions are answered from the same facts:
- `questions(facts)`: what is still needed, in the order a clinician is asked,
  and only what the decision depends on;
- `decide(facts)`: the decision itself (surgery, indication, Mirels score,
  techniques, pending cases the chapter does not settle).

`recommend` assembles both with the work-up, the post-operative items, the
warnings and the citations. Every item's text, section and references come
from `data/chapter.yml` through `knowledge.item`; this module only chooses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Dict, List, Mapping, Optional, Tuple

from . import knowledge
from .contract import (
    FIELDS,
    LIFE_EXPECTANCY_CLASSES,
    SITES_BY_BONE,
    is_joint_end,
    mirels_site_item,
    site_applies,
    validate_case,
)
from .model import Branch, Item, Mirels, Recommendation

INDICATED, NOT_INDICATED, DISCUSS, UNDETERMINED = "indicated", "not_indicated", "discuss", "undetermined"
SURGICAL = (INDICATED, DISCUSS)

SMALL_BONES = ("radius", "ulna", "fibula", "metacarpal", "metatarsal")
# Arthroplasty is for "un pronostic vital supérieur à 6 mois-1 an" (4.2).
ARTHROPLASTY_PROGNOSIS = ("6_to_12_months", "gt_12_months")
# Prognoses a longer survival would change (targeted therapy, immunotherapy).
REVISABLE_PROGNOSIS = ("lt_6_weeks", "6_weeks_to_6_months", "6_to_12_months", "unknown")
OSTEOSYNTHESIS = ("intramedullary_nailing", "locked_plate")

MIRELS_PAIN = {"mild": 1, "moderate": 2, "functional": 3}
MIRELS_LESION_TYPE = {"blastic": 1, "mixed": 2, "lytic": 3}
MIRELS_LESION_SIZE = {"lt_one_third": 1, "one_to_two_thirds": 2, "gt_two_thirds": 3}
MIRELS_FIELDS = ("pain", "lesion_type", "lesion_size")
MIRELS_THRESHOLD = 9

ACETABULAR_ESCALATION = ("acetabular_stability_compromised", "acetabular_fracture_risk", "conservative_treatment_failed")
WHEN_SURGERY_CONSIDERED = ("prior_radiotherapy", "suspected_hypervascular", "diagnostic_uncertainty")

Technique = Tuple[str, str, Optional[str]]  # code, role, variant


@dataclass(frozen=True)
class Decision:
    """What `decide` settles: the rest of a recommendation follows from it."""

    surgery: str
    indication: str
    techniques: Tuple[Technique, ...] = ()
    silent: Tuple[str, ...] = ()  # variants of the `guideline_silent` warning
    mirels: Optional[Dict[str, int]] = None


# --------------------------------------------------------------------- decide


def decide(facts: Mapping[str, Any]) -> Decision:
    """The chapter's decision for validated facts (missing facts allowed)."""
    life, fit, bone = facts.get("life_expectancy"), facts.get("fit_for_surgery"), facts.get("bone")
    # Section 1: under 6 weeks, no benefit from surgery. Section 2.2: the only
    # contra-indication is a general condition that forbids surgery or anaesthesia.
    if life == "lt_6_weeks":
        return _no_surgery(facts, "life_lt_6_weeks")
    if fit is False:
        return _no_surgery(facts, "unfit")
    if bone == "acetabulum":
        return _acetabulum(facts)
    if None in (facts.get("situation"), bone, life, fit) or (site_applies(bone) and facts.get("site") is None):
        return Decision(UNDETERMINED, "undetermined")
    surgery, indication, mirels = _indication(facts)
    if surgery not in SURGICAL:
        return Decision(surgery, indication, mirels=mirels)
    if life == "unknown":
        return Decision(UNDETERMINED, "undetermined", mirels=mirels)
    techniques, silent = _long_bone_techniques(facts)
    return Decision(surgery, indication, techniques, silent, mirels)


def _no_surgery(facts: Mapping[str, Any], reason: str) -> Decision:
    if facts.get("bone") != "acetabulum":
        variant = "unfit" if reason == "unfit" else None
        return Decision(NOT_INDICATED, reason, (("supportive_care", "primary", variant),))
    # 4.2: painful or high-risk acetabular lesions in frail patients with a
    # short prognosis are treated preferably by cementoplasty.
    escalate = _acetabular_escalation(facts)
    if escalate is None:
        techniques: Tuple[Technique, ...] = ()
    elif not escalate:
        techniques = (("medical_or_radiotherapy", "primary", None),)
    elif reason == "life_lt_6_weeks":
        techniques = (("supportive_care", "primary", None), ("percutaneous_cementoplasty", "alternative", "fragile"))
    else:
        techniques = (("percutaneous_cementoplasty", "primary", "fragile"), ("percutaneous_ablation", "alternative", None))
    return Decision(NOT_INDICATED, reason, techniques, _acetabular_silence(facts))


def _acetabular_escalation(facts: Mapping[str, Any]) -> Optional[bool]:
    """2.4: True when the cotyle is unstable, at risk of fracture, or the
    conservative treatment failed; False when none; None while unknown."""
    values = [facts.get(name) for name in ACETABULAR_ESCALATION]
    if True in values:
        return True
    return False if None not in values else None


def _acetabular_silence(facts: Mapping[str, Any]) -> Tuple[str, ...]:
    return ("acetabular_fracture",) if facts.get("situation") == "pathological_fracture" else ()


def _acetabulum(facts: Mapping[str, Any]) -> Decision:
    silent = _acetabular_silence(facts)
    escalate = _acetabular_escalation(facts)
    if escalate is None:
        return Decision(UNDETERMINED, "undetermined", silent=silent)
    if not escalate:
        return Decision(NOT_INDICATED, "acetabulum_conservative", (("medical_or_radiotherapy", "primary", None),), silent)
    failed = facts.get("percutaneous_treatment_failed")
    if failed is None:
        return Decision(UNDETERMINED, "undetermined", silent=silent)
    if not failed:
        percutaneous = (("percutaneous_cementoplasty", "primary", None), ("percutaneous_ablation", "alternative", None))
        return Decision(NOT_INDICATED, "acetabulum_percutaneous", percutaneous, silent)
    # 2.4: surgery only after those fail, in a patient fit for heavy surgery;
    # 4.2: arthroplasty only for a prognosis over 6 months–1 year.
    life = facts.get("life_expectancy")
    if life in (None, "unknown") or facts.get("fit_for_surgery") is None:
        return Decision(UNDETERMINED, "undetermined", silent=silent)
    if life not in ARTHROPLASTY_PROGNOSIS:
        return Decision(DISCUSS, "acetabulum_surgery", silent=silent + ("acetabulum_percutaneous_failed_short_prognosis",))
    return Decision(DISCUSS, "acetabulum_surgery", (("tha_acetabular_reinforcement", "primary", None),), silent)


def mirels_items(facts: Mapping[str, Any]) -> Optional[Dict[str, int]]:
    """Mirels' four items, once pain, lesion type and size are known (2.1)."""
    if any(facts.get(name) is None for name in MIRELS_FIELDS) or facts.get("bone") in (None, "acetabulum"):
        return None
    return {
        "site": mirels_site_item(facts["bone"], facts.get("site")),
        "pain": MIRELS_PAIN[facts["pain"]],
        "lesion_type": MIRELS_LESION_TYPE[facts["lesion_type"]],
        "lesion_size": MIRELS_LESION_SIZE[facts["lesion_size"]],
    }


def _indication(facts: Mapping[str, Any]) -> Tuple[str, str, Optional[Dict[str, int]]]:
    situation = facts["situation"]
    if situation == "pathological_fracture":
        return INDICATED, "pathological_fracture", None
    if situation == "refractory_pain":
        return INDICATED, "refractory_pain", None
    items = mirels_items(facts)
    if items is None:
        return UNDETERMINED, "undetermined", None
    score = sum(items.values())
    if score >= MIRELS_THRESHOLD:
        return INDICATED, "mirels_indicated", items
    if score == MIRELS_THRESHOLD - 1:
        return DISCUSS, "mirels_borderline", items
    if facts["pain"] == "functional":
        weight_bearing = items["site"] >= 2  # lower limb or peritrochanteric
        return DISCUSS, "functional_pain_weight_bearing" if weight_bearing else "functional_pain", items
    return NOT_INDICATED, "mirels_below", items


def _osteosynthesis(facts: Mapping[str, Any]) -> Optional[List[Technique]]:
    """4.1: the osteosynthesis of a long-bone site, with its adjuncts; None
    where the chapter names no implant (proximal or distal tibia)."""
    bone, site = facts["bone"], facts.get("site")
    if site == "distal" and bone in ("femur", "humerus"):
        plan: List[Technique] = [("locked_plate", "primary", None)]
        if facts.get("major_bone_loss") or facts.get("prior_radiotherapy"):
            plan.append(("curettage_cementation", "adjunct", "plate"))
        return plan
    if bone == "tibia" and site != "diaphysis":
        return None
    plan = [("intramedullary_nailing", "primary", "subtrochanteric" if site == "subtrochanteric" else None)]
    if bone == "femur" and site == "diaphysis":
        plan.append(("cephalic_screw", "adjunct", None))
    if facts.get("major_bone_loss"):
        plan.append(("curettage_cementation", "adjunct", None))
    return plan


def _long_bone_techniques(facts: Mapping[str, Any]) -> Tuple[Tuple[Technique, ...], Tuple[str, ...]]:
    bone, site, life = facts["bone"], facts.get("site"), facts["life_expectancy"]
    arthroplasty_possible = life in ARTHROPLASTY_PROGNOSIS
    if bone in SMALL_BONES:
        return (("plate_or_radiotherapy", "primary", None),), ()
    if bone == "femur" and site in ("head", "neck", "neck_trochanteric_extension"):
        code = "cemented_arthroplasty" if site != "neck_trochanteric_extension" else "proximal_femoral_resection_megaprosthesis"
        if arthroplasty_possible:
            return ((code, "primary", None),), ()
        return (), ("femoral_head_neck_short_prognosis",)
    plan: List[Technique] = []
    silent: Tuple[str, ...] = ()
    long_survival = life == "gt_12_months"
    if long_survival:  # section 1: over one year, resection-reconstruction
        plan.append(("resection_reconstruction", "primary", None))
    osteosynthesis = _osteosynthesis(facts)
    if osteosynthesis is None:
        silent = () if long_survival else ("tibia_metaphysis",)
    elif long_survival:
        plan.extend(_as_alternative(technique) for technique in osteosynthesis)
    else:
        plan.extend(osteosynthesis)
    if is_joint_end(bone, site) and facts.get("articular_involvement") and arthroplasty_possible:
        plan.append(("cemented_arthroplasty", "alternative", "articular"))
    return tuple(plan), silent


def _as_alternative(technique: Technique) -> Technique:
    code, role, variant = technique
    if role != "primary":
        return technique
    if code == "intramedullary_nailing" and variant is None:
        variant = "alternative_long_survival"
    return code, "alternative", variant


# ------------------------------------------------------------------ questions


def questions(facts: Mapping[str, Any]) -> List[str]:
    """The facts still needed, in the order the dialogue asks them."""
    pending: List[str] = []

    def need(*names: str) -> None:
        pending.extend(name for name in names if facts.get(name) is None)

    bone, life = facts.get("bone"), facts.get("life_expectancy")
    need("situation", "bone")
    if site_applies(bone):
        need("site")
    need("life_expectancy", "fit_for_surgery")
    surgery_excluded = life == "lt_6_weeks" or facts.get("fit_for_surgery") is False
    if bone == "acetabulum":
        if _acetabular_escalation(facts) is not True:
            need("acetabular_stability_compromised", "acetabular_fracture_risk")
            if facts.get("acetabular_stability_compromised") is False and facts.get("acetabular_fracture_risk") is False:
                need("conservative_treatment_failed")
        elif not surgery_excluded:
            need("percutaneous_treatment_failed")
    if surgery_excluded:
        return pending
    if is_joint_end(bone, facts.get("site")) and life in ARTHROPLASTY_PROGNOSIS + ("unknown",):
        need("articular_involvement")
    if facts.get("situation") == "impending_fracture" and bone not in (None, "acetabulum"):
        need(*MIRELS_FIELDS)
    considered = _considered(facts)
    if considered is not None:
        if any(code in OSTEOSYNTHESIS for code, _, _ in considered.techniques):
            need("major_bone_loss")
        need(*WHEN_SURGERY_CONSIDERED)
    return pending


def _considered(facts: Mapping[str, Any]) -> Optional[Decision]:
    """The decision if surgery is on the table, else None. With an unknown
    life expectancy, surgery is on the table if some prognosis would lead to it."""
    decision = decide(facts)
    if decision.surgery in SURGICAL:
        return decision
    if facts.get("life_expectancy") == "unknown":
        for life in ARTHROPLASTY_PROGNOSIS + ("6_weeks_to_6_months",):
            hypothesis = decide({**facts, "life_expectancy": life})
            if hypothesis.surgery in SURGICAL:
                return hypothesis
    return None


# ------------------------------------------------------------------ recommend


def recommend(case: Mapping[str, Any]) -> Recommendation:
    """The recommendation for a case of the decision contract.

    Raises `contract.CaseError` when the case breaks the contract.
    """
    return _recommend(validate_case(case), with_branches=True)


def _recommend(facts: Dict[str, Any], with_branches: bool) -> Recommendation:
    decision = decide(facts)
    pending = questions(facts)
    life = facts.get("life_expectancy")
    surgical = decision.surgery in SURGICAL

    techniques = [_item("techniques", code, variant, role=role) for code, role, variant in decision.techniques]
    workup: List[Item] = []
    postoperative: List[Item] = []
    if surgical:
        workup += [_item("workup", "xray_whole_bone"), _item("workup", "ct_bone_window")]
        if facts.get("suspected_hypervascular"):
            workup += [_item("workup", "angio_ct_or_arteriography"), _item("workup", "preoperative_embolization")]
        if facts.get("diagnostic_uncertainty"):
            workup.append(_item("workup", "biopsy_or_minimal_workup"))
        postoperative = [
            _item("postoperative", code)
            for code in (
                "radiotherapy_whole_bone",
                "systemic_treatment_after_healing",
                "antibioprophylaxis_48h",
                "thromboembolic_prevention",
                "crp_not_infection_marker",
            )
        ]
    workup.append(_item("workup", "mdt_discussion"))

    warnings = [_item("warnings", "mdt_required")]
    warnings += [_item("warnings", "guideline_silent", variant) for variant in decision.silent]
    if facts.get("prior_radiotherapy"):
        warnings.append(_item("warnings", "irradiated_field"))
    if facts.get("primary_tumor") == "other":
        warnings.append(_item("warnings", "non_lung_primary"))
    if decision.mirels is not None:
        warnings.append(_item("warnings", "mirels_limited_accuracy"))
    if life == "unknown":
        warnings.append(_item("warnings", "life_expectancy_unknown"))
    if life in REVISABLE_PROGNOSIS:
        warnings.append(_item("warnings", "prognosis_may_change"))

    branches = _branches(facts, pending) if with_branches and decision.surgery == UNDETERMINED else []
    intent = None
    if surgical and facts.get("situation") is not None:
        intent = "preventive" if facts["situation"] == "impending_fracture" else "symptomatic"
    recommendation = Recommendation(
        guideline=dict(knowledge.guideline()),
        case=dict(facts),
        surgery=decision.surgery,
        intent=intent,
        indication=_indication_item(decision.indication),
        mirels=_mirels(decision.mirels),
        techniques=techniques,
        workup=workup,
        postoperative=postoperative,
        warnings=warnings,
        missing=pending,
        branches=branches,
    )
    return replace(recommendation, citations=_citations(recommendation.items()))


def _branches(facts: Dict[str, Any], pending: List[str]) -> List[Branch]:
    """What each answer to the question the decision hinges on would lead to."""
    if facts.get("life_expectancy") == "unknown":
        name, values = "life_expectancy", LIFE_EXPECTANCY_CLASSES
    elif pending:
        name = pending[0]
        values = SITES_BY_BONE[facts["bone"]] if name == "site" else FIELDS[name]
    else:  # pragma: no cover - undetermined always has a pending or unknown fact
        return []
    branches = []
    for value in values:
        decision = decide({**facts, name: value})
        primary = [code for code, role, _ in decision.techniques if role == "primary"]
        branches.append(Branch(name, value, decision.surgery, primary))
    return branches


def _item(kind: str, code: str, variant: Optional[str] = None, role: Optional[str] = None) -> Item:
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
    )


def _indication_item(key: str) -> Item:
    return _item("indications", key)


def _mirels(items: Optional[Dict[str, int]]) -> Optional[Mirels]:
    if items is None:
        return None
    score = sum(items.values())
    texts = knowledge.chapter()["mirels"]
    if score >= MIRELS_THRESHOLD:
        interpretation = texts["indicated"]
    elif score == MIRELS_THRESHOLD - 1:
        interpretation = texts["borderline"]
    else:
        interpretation = texts["below"]
    return Mirels(items=dict(items), interpretation_fr=f"{score}/12. {interpretation}", threshold=MIRELS_THRESHOLD)


def _citations(items: List[Item]) -> List[Dict[str, Any]]:
    numbers = sorted({number for item in items for number in item.citations})
    return [
        {
            "number": number,
            "reference": knowledge.reference(number)["reference"],
            "cited_by_chapter": knowledge.reference(number)["cited_by_chapter"],
        }
        for number in numbers
    ]
