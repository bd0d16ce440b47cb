"""The rules of the chapter "Chirurgie des métastases osseuses des membres".

`decide(facts)` takes the decision itself (surgery, indication, Mirels
score, techniques, cases the chapter does not settle), for each situation:
the surgery excluded, the acetabulum, the long and small bones.
What is still to be asked, and in which order, is `decision.question_order`.

A fact may be missing (not asked yet) or `unknown` (the clinician does not
know): a missing fact is asked; an unknown one is never asked again, and the
decision is taken if every value it may have leads to the same one, or left
`undetermined` otherwise (`decision.branches` then says what each answer
would lead to). An unknown site never changes the indication, only the
technique: the surgery is then decided and the technique « selon la réponse ».
Every item's text, section and references come from `data/chapter.yml`; this
module only chooses codes. Which sentence of the chapter each rule applies is
in `docs/clinical-traceability.md`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from . import mirels
from .contract import (
    UNKNOWN,
    is_joint_end,
    known,
    site_applies,
)

INDICATED, NOT_INDICATED, DISCUSS, UNDETERMINED = "indicated", "not_indicated", "discuss", "undetermined"
SURGICAL = (INDICATED, DISCUSS)

SMALL_BONES = ("radius", "ulna", "fibula", "metacarpal", "metatarsal")
HAND_AND_FOOT_BONES = ("metacarpal", "metatarsal")
FEMORAL_HEAD_AND_NECK = ("head", "neck", "neck_trochanteric_extension")
# Arthroplasty is for "un pronostic vital supérieur à 6 mois-1 an" (4.2).
ARTHROPLASTY_PROGNOSIS = ("6_to_12_months", "gt_12_months")
# « une espérance de vie courte » (4.2): under 6 months, below the arthroplasty bracket.
SHORT_PROGNOSIS = ("lt_6_weeks", "6_weeks_to_6_months")
OSTEOSYNTHESIS = ("intramedullary_nailing", "locked_plate")
# Techniques that are an operation (as opposed to percutaneous, medical or
# radiotherapy treatments, or « plaque ou radiothérapie isolée »).
SURGICAL_TECHNIQUES = (
    "intramedullary_nailing",
    "locked_plate",
    "cemented_arthroplasty",
    "proximal_femoral_resection_megaprosthesis",
    "resection_reconstruction",
    "tha_acetabular_reinforcement",
)

ACETABULAR_ESCALATION = (
    "acetabular_stability_compromised",
    "acetabular_fracture_risk",
    "conservative_treatment_failed",
)
# A single bone lesion or a controlled oligometastatic disease (interpretation of 1).
SOLITARY = "solitary_bone_metastasis"
WHEN_SURGERY_CONSIDERED = ("prior_radiotherapy", "suspected_hypervascular", "diagnostic_uncertainty")
# Facts whose value can leave the decision open: when one is unknown, each of
# its values is weighed (branches); the others only add items under a condition.
DECISIVE = (
    "site",
    "life_expectancy",
    "fit_for_surgery",
    *mirels.FIELDS,
    *ACETABULAR_ESCALATION,
    "percutaneous_treatment_failed",
    "articular_involvement",
)


@dataclass(frozen=True)
class Technique:
    """A technique of the decision. `condition` lists the (field, value) pairs
    under which it holds, when those fields are `unknown` (any one suffices)."""

    code: str
    role: str
    variant: str | None = None
    condition: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Decision:
    """What `decide` settles: the rest of a recommendation follows from it."""

    surgery: str
    indication: str
    indication_variant: str | None = None
    techniques: tuple[Technique, ...] = ()
    silent: tuple[str, ...] = ()  # variants of the `guideline_silent` warning
    mirels: mirels.Assessment | None = None
    # The unknown facts the technique depends on while the surgery does not:
    # the technique is « selon la réponse » (the recommendation's branches).
    depends_on: tuple[str, ...] = ()

    def codes(self, *roles: str) -> list[str]:
        return [t.code for t in self.techniques if not roles or t.role in roles]

    def surgery_indication_and_options(self) -> tuple[str, str, tuple[tuple[str, str], ...]]:
        """The surgery, the indication and the options proposed (adjuncts
        aside): what a refinement question never changes. The one plan of the
        project (the dialogue's `consultation.progress.surgical_plan` reads it)."""
        options = tuple(sorted((t.code, t.role) for t in self.techniques if t.role != "adjunct"))
        return self.surgery, self.indication, options


def _if_known(facts: Mapping[str, Any], field: str, value: Any) -> tuple[tuple[str, Any], ...] | None:
    """() if `field` has `value`, the condition ((field, value),) if it is
    unknown, None if it has another value or is missing."""
    if facts.get(field) == value:
        return ()
    return ((field, value),) if facts.get(field) == UNKNOWN else None


# --------------------------------------------------------------------- decide


def decide(facts: Mapping[str, Any]) -> Decision:
    """The chapter's decision for validated facts (missing or unknown facts allowed)."""
    life, fit, bone = facts.get("life_expectancy"), facts.get("fit_for_surgery"), facts.get("bone")
    # Section 1: under 6 weeks, no benefit from surgery. Section 2.2: the only
    # contra-indication is a general condition that forbids surgery or anaesthesia.
    if life == "lt_6_weeks":
        return _surgery_excluded(facts, "life_lt_6_weeks")
    if fit is False:
        return _surgery_excluded(facts, "unfit")
    if bone == "acetabulum":
        return _acetabulum(facts)
    situation = facts.get("situation")
    if situation is None or bone is None or (site_applies(bone) and facts.get("site") is None):
        return Decision(UNDETERMINED, "undetermined")
    surgery, indication, assessment = _indication(facts)
    if surgery not in SURGICAL:
        return Decision(surgery, indication, mirels=assessment)
    if known(facts, "life_expectancy") is None or known(facts, "fit_for_surgery") is None:
        return Decision(UNDETERMINED, "undetermined", mirels=assessment)
    if site_applies(bone) and facts.get("site") == UNKNOWN:
        return _technique_by_site(facts, surgery, indication, assessment)
    techniques, silent = _long_bone_techniques(facts)
    if bone in SMALL_BONES:
        # 4.1: « plaque ou radiothérapie isolée »: one of the two options is not an operation.
        surgery = DISCUSS
    # Where 2.1, 2.2 or 2.3 settle the indication and 4 names no technique, the
    # surgery stays indicated: the `guideline_silent` warning says that the
    # technique is left to the RCP.
    return Decision(surgery, indication, None, techniques, silent, assessment)


def _technique_by_site(
    facts: Mapping[str, Any], surgery: str, indication: str, assessment: mirels.Assessment | None
) -> Decision:
    """An unknown site. The indication does not depend on it (2.2 and 2.3 do
    not name the site; the Mirels score weighs each site item the bone may
    have): it is settled whatever the site. The technique does (4: every bone
    with sites has a different one at its ends and its shaft): it is « selon
    la réponse », each site's technique shown as what that answer leads to."""
    return Decision(surgery, indication, None, mirels=assessment, depends_on=("site",))


def _indication(facts: Mapping[str, Any]) -> tuple[str, str, mirels.Assessment | None]:
    situation = facts["situation"]
    if situation == "pathological_fracture":  # 2.2
        return INDICATED, "pathological_fracture", None
    if situation == "refractory_pain":  # 2.3
        return INDICATED, "refractory_pain", None
    assessment = mirels.assess(facts)  # 2.1
    if assessment is None:
        return UNDETERMINED, "undetermined", None
    return assessment.surgery, assessment.indication, assessment


def _surgery_excluded(facts: Mapping[str, Any], reason: str) -> Decision:
    """Under 6 weeks (1) or unfit (2.2): no operation. For the acetabulum a
    percutaneous treatment may still be indicated (2.4, 4.2)."""
    situation = facts.get("situation")
    if facts.get("bone") != "acetabulum":
        variant = "unfit" if reason == "unfit" else None
        # 1 against 2.2: under 6 weeks no surgery, yet 2.2 names general
        # condition as the only contra-indication to fracture surgery.
        tension = (
            reason == "life_lt_6_weeks"
            and situation == "pathological_fracture"
            and facts.get("fit_for_surgery") is not False
        )
        silent = ("fracture_short_prognosis",) if tension else ()
        return Decision(NOT_INDICATED, reason, None, (Technique("supportive_care", "primary", variant),), silent)
    if situation == "pathological_fracture":
        return Decision(
            NOT_INDICATED, reason, None, (Technique("supportive_care", "primary"),), ("acetabular_fracture",)
        )
    escalate = _acetabular_escalation(facts)
    if escalate is None:
        return Decision(NOT_INDICATED, reason)
    if escalate is False:
        return Decision(
            NOT_INDICATED, "acetabulum_conservative", None, (Technique("medical_or_radiotherapy", "primary"),)
        )
    if escalate == UNKNOWN:
        condition = tuple((name, True) for name in ACETABULAR_ESCALATION if facts.get(name) == UNKNOWN)
        techniques: tuple[Technique, ...] = (
            Technique("medical_or_radiotherapy", "primary"),
            Technique("percutaneous_cementoplasty", "alternative", "no_surgery", condition),
        )
        return Decision(NOT_INDICATED, reason, "acetabulum_percutaneous", techniques)
    if facts.get("percutaneous_treatment_failed") is True:
        # The chapter does not say what to do when the percutaneous treatment
        # failed in a patient who cannot be operated on.
        techniques = (Technique("supportive_care", "primary", "after_percutaneous"),)
        return Decision(NOT_INDICATED, reason, None, techniques, ("acetabulum_percutaneous_failed_no_surgery",))
    not_failed = _if_known(facts, "percutaneous_treatment_failed", False) or ()
    if reason == "life_lt_6_weeks":
        # 1 first (« une antalgie efficace, associée éventuellement à de la
        # radiothérapie »), then the cementoplasty 4.2 prefers for « patients
        # fragiles et présentant une espérance de vie courte ».
        plan = [
            Technique("supportive_care", "primary"),
            Technique("percutaneous_cementoplasty", "alternative", "very_short_prognosis", not_failed),
            *_ablation(facts),
        ]
        return Decision(NOT_INDICATED, reason, "acetabulum_percutaneous", tuple(plan))
    fragile = facts.get("fit_for_surgery") is False and facts.get("life_expectancy") in SHORT_PROGNOSIS
    plan = [Technique("percutaneous_cementoplasty", "primary", "fragile" if fragile else "no_surgery", not_failed)]
    plan += _ablation(facts)
    if fragile:  # 4.2: « patients fragiles et présentant une espérance de vie courte »
        return Decision(NOT_INDICATED, "acetabulum_fragile", None, tuple(plan))
    return Decision(NOT_INDICATED, reason, "acetabulum_percutaneous", tuple(plan))


def _acetabular_escalation(facts: Mapping[str, Any]) -> Any:
    """2.4: True when the cotyle is unstable, at risk of fracture, or the
    conservative treatment failed; False when none; None while a fact is to be
    asked; `unknown` when unknown facts leave it open."""
    values = [facts.get(name) for name in ACETABULAR_ESCALATION]
    if True in values:
        return True
    if all(value is False for value in values):
        return False
    return None if None in values else UNKNOWN


def _ablation(facts: Mapping[str, Any]) -> list[Technique]:
    """Radiofrequency or cryotherapy (2.4) relieve pain but do not consolidate:
    offered when the lesion is treated for pain, not for instability alone."""
    painful = facts.get("conservative_treatment_failed") is True or facts.get("situation") == "refractory_pain"
    return [Technique("percutaneous_ablation", "alternative")] if painful else []


def _acetabulum(facts: Mapping[str, Any]) -> Decision:
    """2.4 and 4.2, for a patient whose fitness is not excluded."""
    life = facts.get("life_expectancy")
    long_enough = life in ARTHROPLASTY_PROGNOSIS
    if facts.get("situation") is None:
        # A fracture, an impending one and pain lead to different answers.
        return Decision(UNDETERMINED, "undetermined")
    if facts.get("situation") == "pathological_fracture":
        # The chapter speaks of lesions at risk, not of an established fracture.
        if known(facts, "life_expectancy") is None or known(facts, "fit_for_surgery") is None:
            return Decision(UNDETERMINED, "undetermined", silent=("acetabular_fracture",))
        techniques = (Technique("tha_acetabular_reinforcement", "alternative", "fracture"),) if long_enough else ()
        return Decision(DISCUSS, "acetabular_fracture", None, techniques, ("acetabular_fracture",))
    escalate = _acetabular_escalation(facts)
    if escalate is None or escalate == UNKNOWN:
        return Decision(UNDETERMINED, "undetermined")
    if escalate is False:
        conservative = (Technique("medical_or_radiotherapy", "primary"),)
        if facts.get("situation") == "impending_fracture":
            if known(facts, "life_expectancy") is None or known(facts, "fit_for_surgery") is None:
                return Decision(UNDETERMINED, "undetermined")  # under 6 weeks or unfit: no surgery to discuss
            # The team says the fracture is impending and that the acetabulum has
            # no imminent risk of fracture: 2.4 keeps medical treatment for lesions
            # « qui n'ont pas un risque imminent de fracture », so the two answers
            # lead to different treatments. The RCP checks which one holds.
            return Decision(
                DISCUSS, "acetabulum_conservative", None, conservative, ("acetabular_impending_without_risk",)
            )
        return Decision(NOT_INDICATED, "acetabulum_conservative", None, conservative)
    failed = facts.get("percutaneous_treatment_failed")
    if failed is None or failed == UNKNOWN:
        return Decision(UNDETERMINED, "undetermined")
    if failed is False:
        plan = [Technique("percutaneous_cementoplasty", "primary"), *_ablation(facts)]
        mechanical = (
            facts.get("acetabular_stability_compromised") is True or facts.get("acetabular_fracture_risk") is True
        )
        if mechanical and facts.get("fit_for_surgery") is True and long_enough:
            # 2.4 puts the percutaneous treatment first; 4.2 calls the THA with
            # a metal reinforcement « le traitement le plus indiqué » and keeps
            # cementoplasty « de préférence » for frail patients with a short prognosis.
            plan.append(Technique("tha_acetabular_reinforcement", "alternative", "before_percutaneous"))
            return Decision(
                DISCUSS,
                "acetabulum_percutaneous_or_arthroplasty",
                None,
                tuple(plan),
                ("acetabulum_percutaneous_vs_arthroplasty",),
            )
        flags = (facts.get("acetabular_stability_compromised"), facts.get("acetabular_fracture_risk"))
        if not all(flag is False for flag in flags) and life not in SHORT_PROGNOSIS:
            # Instability or fracture risk, fitness or a long prognosis not yet
            # known: the arthroplasty above depends on them.
            return Decision(UNDETERMINED, "undetermined")
        return Decision(NOT_INDICATED, "acetabulum_percutaneous", None, tuple(plan))
    # 2.4: surgery only after those fail, in a patient fit for heavy surgery;
    # 4.2: arthroplasty only for a prognosis over 6 months–1 year.
    if known(facts, "life_expectancy") is None or known(facts, "fit_for_surgery") is None:
        return Decision(UNDETERMINED, "undetermined")
    if not long_enough:
        return Decision(DISCUSS, "acetabulum_surgery", silent=("acetabulum_percutaneous_failed_short_prognosis",))
    return Decision(DISCUSS, "acetabulum_surgery", None, (Technique("tha_acetabular_reinforcement", "primary"),))


def _osteosynthesis(facts: Mapping[str, Any]) -> list[Technique] | None:
    """4.1: the osteosynthesis of a long-bone site, with its adjuncts; None
    where the chapter names no implant (proximal or distal tibia)."""
    bone, site = facts["bone"], facts.get("site")
    if site == "distal" and bone in ("femur", "humerus"):
        plan = [Technique("locked_plate", "primary")]
        # « en cas de mauvaise qualité osseuse, de perte osseuse importante ou de radiothérapie associée »
        causes = [_if_known(facts, "major_bone_loss", True), _if_known(facts, "prior_radiotherapy", True)]
        if () in causes:
            plan.append(Technique("curettage_cementation", "adjunct", "plate"))
        elif any(causes):
            plan.append(Technique("curettage_cementation", "adjunct", "plate", sum((c for c in causes if c), ())))
        return plan
    if bone == "tibia" and site != "diaphysis":
        return None
    trochanteric = bone == "femur" and site in ("trochanteric", "subtrochanteric")
    plan = [Technique("intramedullary_nailing", "primary", "subtrochanteric" if site == "subtrochanteric" else None)]
    if bone == "femur" and site == "diaphysis":
        plan.append(Technique("cephalic_screw", "adjunct"))
    elif trochanteric:  # a long cephalomedullary nail (figure 7): interpretation
        plan.append(Technique("cephalic_screw", "adjunct", "trochanteric"))
    bone_loss = _if_known(facts, "major_bone_loss", True)
    if bone_loss is not None:
        plan.append(Technique("curettage_cementation", "adjunct", None, bone_loss))
    return plan


def _long_bone_techniques(facts: Mapping[str, Any]) -> tuple[tuple[Technique, ...], tuple[str, ...]]:
    bone, site, life = facts["bone"], facts.get("site"), facts["life_expectancy"]
    arthroplasty_possible = life in ARTHROPLASTY_PROGNOSIS
    if bone in SMALL_BONES:
        return (Technique("plate_or_radiotherapy", "primary"),), ()
    if bone == "femur" and site in FEMORAL_HEAD_AND_NECK:
        if not arthroplasty_possible:
            return (), ("femoral_head_neck_short_prognosis",)
        if site == "neck_trochanteric_extension":
            grey_zone = ("megaprosthesis_grey_zone",) if life == "6_to_12_months" else ()
            return (Technique("proximal_femoral_resection_megaprosthesis", "primary"),), grey_zone
        return (Technique("cemented_arthroplasty", "primary", "hip"),), ()
    plan = _osteosynthesis(facts) or []
    silent: list[str] = [] if plan else ["tibia_metaphysis"]
    if life == "gt_12_months":
        plan, long_survival = _long_survival(facts, plan)
        # Without an implant, one warning says both silences (no implant, the resection to weigh).
        silent = long_survival or silent
    # 4.2: « Toutes les atteintes articulaires peuvent être traitées par
    # arthroplasties » — not offered at the ankle, where it is not a standard answer.
    # First-line beside the site's osteosynthesis: the chapter does not rank them.
    articular = _if_known(facts, "articular_involvement", True)
    ankle = bone == "tibia" and site == "distal"
    if is_joint_end(bone, site) and not ankle and arthroplasty_possible and articular is not None:
        first_line = next((i for i, t in enumerate(plan) if t.role == "alternative"), len(plan))
        variant = "articular" if first_line else "articular_only"
        # A single lesion over a year puts the resection alone first (see _long_survival).
        role = "alternative" if any(t.variant == "solitary" for t in plan) else "primary"
        plan.insert(first_line, Technique("cemented_arthroplasty", role, variant, articular))
    return tuple(plan), tuple(silent)


def _long_survival(facts: Mapping[str, Any], plan: list[Technique]) -> tuple[list[Technique], list[str]]:
    """Over a year (1): « résection-reconstruction » for a lasting stabilisation and
    « un contrôle tumoral local prolongé », yet « Il est rare de réaliser une résection
    chirurgicale carcinologique dans ce contexte », and 4.1 names the site's
    osteosynthesis, whose nail « dissémine » the tumour cells: two first-line options
    for the RCP to choose between. A fracture is stabilised first (2.2). A single
    bone lesion puts the resection first (the project's interpretation)."""
    if facts.get("situation") == "pathological_fracture":
        silent = "long_survival_resection_fracture" if plan else "long_survival_resection_no_implant"
        return [*plan, Technique("resection_reconstruction", "alternative", "fracture")], [silent]
    if facts.get(SOLITARY) is True:
        others = [replace(t, role="alternative") if t.role == "primary" else t for t in plan]
        return [Technique("resection_reconstruction", "primary", "solitary"), *others], []
    if not plan:  # 4.1 names no implant here: the resection is not the chapter's answer either
        return [Technique("resection_reconstruction", "alternative", "no_implant")], [
            "long_survival_resection_no_implant"
        ]
    nail = any(t.code == "intramedullary_nailing" for t in plan)
    silent = "long_survival_resection" if nail else "long_survival_resection_plate"
    return [*plan, Technique("resection_reconstruction", "primary")], [silent]


def solitary_changes(facts: Mapping[str, Any], decision: Decision) -> bool:
    """Whether a single bone lesion changes this decision: over a year, outside a
    fracture, it puts the resection first; on a fracture, it warns that the nail
    would compromise a later resection."""
    if "resection_reconstruction" not in decision.codes():
        return False
    return facts.get("situation") != "pathological_fracture" or "intramedullary_nailing" in decision.codes()
