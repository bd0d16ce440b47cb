"""The case facts of the decision contract (`shared/spec/decision-contract.md`).

This module is the single definition of the input vocabulary: field names, the
values each one accepts, defaults, and validation. The dialogue's slots, the
command line and the audit record all go through `validate_case` or
`validate_fact`, so a value outside the contract cannot enter anywhere.

Extensions of the published contract (`docs/contract-changelog.md`): every
field the clinician may not know accepts `unknown` (`UNKNOWN_ALLOWED`),
`performance_status` records a WHO/ECOG performance status as stated, and
`solitary_bone_metastasis` says whether the bone lesion is the only one (or the
oligometastatic disease controlled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BOOLEAN = (True, False)

FEMUR_SITES = (
    "head",
    "neck",
    "neck_trochanteric_extension",
    "trochanteric",
    "subtrochanteric",
    "diaphysis",
    "distal",
)
LONG_BONE_SITES = ("proximal", "diaphysis", "distal")
SITES_BY_BONE = {"femur": FEMUR_SITES, "humerus": LONG_BONE_SITES, "tibia": LONG_BONE_SITES}
ALL_SITES = tuple(dict.fromkeys(FEMUR_SITES + LONG_BONE_SITES))

# Field name -> allowed values, in the contract's order (which is also the
# order in which the dialogue asks them).
FIELDS: dict = {
    "primary_tumor": ("lung", "other"),
    "situation": ("pathological_fracture", "impending_fracture", "refractory_pain"),
    "bone": (
        "femur",
        "humerus",
        "tibia",
        "radius",
        "ulna",
        "fibula",
        "metacarpal",
        "metatarsal",
        "acetabulum",
    ),
    "site": ALL_SITES,
    "articular_involvement": BOOLEAN,
    "life_expectancy": (
        "lt_6_weeks",
        "6_weeks_to_6_months",
        "6_to_12_months",
        "gt_12_months",
        "unknown",
    ),
    "fit_for_surgery": BOOLEAN,
    "pain": ("mild", "moderate", "functional"),
    "lesion_type": ("blastic", "mixed", "lytic"),
    "lesion_size": ("lt_one_third", "one_to_two_thirds", "gt_two_thirds"),
    "acetabular_stability_compromised": BOOLEAN,
    "acetabular_fracture_risk": BOOLEAN,
    "conservative_treatment_failed": BOOLEAN,
    "percutaneous_treatment_failed": BOOLEAN,
    "major_bone_loss": BOOLEAN,
    "prior_radiotherapy": BOOLEAN,
    "suspected_hypervascular": BOOLEAN,
    "diagnostic_uncertainty": BOOLEAN,
    # Extension: the WHO (OMS) / ECOG performance status, as stated by the
    # team. Informative: it is never read as fitness for surgery by itself.
    "performance_status": ("0", "1", "2", "3", "4"),
    # Extension: a single bone lesion, or an oligometastatic disease under
    # control (the project's reading of « contrôle tumoral local prolongé », 1).
    # Asked only over a year of survival, where resection-reconstruction is weighed.
    "solitary_bone_metastasis": BOOLEAN,
}

UNKNOWN = "unknown"
# Fields the clinician may answer « je ne sais pas »: the answer is recorded as
# `unknown` and the recommendation says what each answer would change. The
# situation and the bone are always known when a case is discussed.
UNKNOWN_ALLOWED = frozenset(FIELDS) - {"primary_tumor", "situation", "bone"}

DEFAULTS = {"primary_tumor": "lung"}

# Keys that would carry identifying data. The contract collects none; they are
# rejected with a message that says why, not just as unknown fields.
IDENTIFYING_KEYS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "surname",
        "nom",
        "prenom",
        "prénom",
        "patient",
        "patient_name",
        "patient_id",
        "birth_date",
        "date_of_birth",
        "dob",
        "ddn",
        "date_naissance",
        "date_de_naissance",
        "ipp",
        "nir",
        "nip",
        "social_security_number",
        "ssn",
        "record_number",
        "medical_record_number",
        "mrn",
        "numero_dossier",
        "dossier",
        "address",
        "adresse",
        "phone",
        "telephone",
        "téléphone",
        "email",
        "e_mail",
        "mail",
    }
)

LIFE_EXPECTANCY_CLASSES = tuple(v for v in FIELDS["life_expectancy"] if v != "unknown")

UPPER_LIMB_BONES = ("humerus", "radius", "ulna", "metacarpal")
PERITROCHANTERIC_SITES = ("head", "neck", "neck_trochanteric_extension", "trochanteric", "subtrochanteric")


@dataclass(frozen=True)
class Problem:
    """One way in which a case breaks the contract."""

    field: str
    received: Any
    allowed: str

    def __str__(self) -> str:
        return f"{self.field}: received {self.received!r}; allowed: {self.allowed}"


class CaseError(ValueError):
    """Raised by `validate_case`; carries every problem found, not just the first."""

    def __init__(self, problems: tuple[Problem, ...]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def allowed_values(field: str) -> tuple[Any, ...]:
    """Every value `field` accepts, `unknown` included where it is allowed."""
    values = FIELDS[field]
    return values + (UNKNOWN,) if field in UNKNOWN_ALLOWED and UNKNOWN not in values else values


def known(facts: Mapping[str, Any], field: str) -> Any:
    """The value of `field` if it is known: None when missing or `unknown`."""
    value = facts.get(field)
    return None if value == UNKNOWN else value


def _describe(values: tuple[Any, ...]) -> str:
    return ", ".join("true" if v is True else "false" if v is False else v for v in values)


def coerce_boolean(value: Any) -> bool | None:
    """JSON booleans, and the strings "true"/"false" that Rasa entities carry."""
    if value is True or value is False:
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def validate_fact(field: str, value: Any, *, strict: bool = True) -> Any:
    """Return `value` normalised for `field`, or raise `CaseError`.

    With `strict=False`, the strings "true"/"false" are accepted for boolean
    fields (entity values arrive as strings); the command line is strict.
    """
    if field in IDENTIFYING_KEYS or field.lower() in IDENTIFYING_KEYS:
        raise CaseError((Problem(field, value, "no identifying data is accepted (the contract has no such field)"),))
    if field not in FIELDS:
        raise CaseError((Problem(field, value, "a field of the contract: " + ", ".join(FIELDS)),))
    allowed = FIELDS[field]
    if value == UNKNOWN and field in UNKNOWN_ALLOWED:
        return UNKNOWN
    unknown = f", {UNKNOWN}" if field in UNKNOWN_ALLOWED and UNKNOWN not in allowed else ""
    if allowed == BOOLEAN:
        normalised = value if (value is True or value is False) else (None if strict else coerce_boolean(value))
        if normalised is None:
            raise CaseError((Problem(field, value, f"true, false (a JSON boolean){unknown}"),))
        return normalised
    if not isinstance(value, str) or value not in allowed:
        raise CaseError((Problem(field, value, _describe(allowed) + unknown),))
    return value


def validate_case(case: Any, *, strict: bool = True) -> dict:
    """Check a whole case; return it normalised, with defaults, or raise `CaseError`.

    `None` values mean "not known yet" and are dropped. The site must belong to
    the bone (the femoral neck is not a humeral site).
    """
    if not isinstance(case, Mapping):
        raise CaseError((Problem("(case)", type(case).__name__, "a JSON object of case facts"),))
    problems = []
    facts = {}
    for field, value in case.items():
        if not isinstance(field, str):
            problems.append(Problem(str(field), value, "a field name (string)"))
            continue
        if value is None and field in FIELDS:
            continue
        try:
            facts[field] = validate_fact(field, value, strict=strict)
        except CaseError as error:
            problems.extend(error.problems)
    site, bone = facts.get("site"), facts.get("bone")
    if site not in (None, UNKNOWN) and bone is not None:
        sites = SITES_BY_BONE.get(bone, ())
        if site not in sites:
            allowed = _describe(sites) if sites else f"no site for bone {bone!r} (leave it out)"
            problems.append(Problem("site", site, allowed))
    if problems:
        raise CaseError(tuple(problems))
    return {**DEFAULTS, **facts}


def site_applies(bone: str | None) -> bool:
    return bone in SITES_BY_BONE


def bones_for_site(site: str) -> tuple[str, ...]:
    """The bones on which `site` exists (used to infer the bone from a site)."""
    return tuple(bone for bone, sites in SITES_BY_BONE.items() if site in sites)


def is_joint_end(bone: str | None, site: str | None) -> bool:
    """A lesion at a joint end other than the femoral head or neck: the
    contract's condition for asking `articular_involvement`."""
    if bone == "femur":
        return site == "distal"
    return bone in ("humerus", "tibia") and site in ("proximal", "distal")


WEIGHT_BEARING_BONES = ("femur", "tibia", "acetabulum")


def weight_bearing(bone: str | None) -> bool:
    """« zone portante » (2.1): the femur, the tibia and the acetabulum carry the
    body's weight; the fibula, the foot's and the hand's small bones and the
    upper limb do not (interpretation: docs/clinical-traceability.md)."""
    return bone in WEIGHT_BEARING_BONES


def mirels_site_item(bone: str, site: str | None) -> int:
    """Mirels' site item, derived from bone and site: upper limb 1, lower limb 2,
    peritrochanteric 3 (contract, after Mirels 1989)."""
    if bone == "acetabulum":
        raise ValueError("the Mirels score does not apply to the acetabulum")
    if bone in UPPER_LIMB_BONES:
        return 1
    if bone == "femur" and site in PERITROCHANTERIC_SITES:
        return 3
    return 2
