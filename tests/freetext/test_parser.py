"""Tests of freetext.parser: context-free extraction and answer reading."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decision.contract import UNKNOWN_ALLOWED
from freetext import lexicon, parser
from freetext.lexicon import Role
from freetext.parser import FIELD_VALUES, Fact, extract_facts, interpret_answer
from freetext.tokens import expand, phrase_keys
from paths import ROOT
from tests.freetext.shorthand import recorded

REPO = ROOT


def pairs(text: str) -> list[tuple[str, str]]:
    return [(f.field, f.value) for f in extract_facts(text)]


def assert_well_formed(text: str, facts: list[Fact]) -> None:
    """Spans are slices of the text, sorted and non-overlapping."""
    end = 0
    for f in facts:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text
        assert f.start >= end, f"overlap at {f}"
        end = f.end


# --------------------------------------------------------------------------
# Table of real phrasings: text -> exactly these (field, value) facts, in order.

PHRASINGS: list[tuple[str, list[tuple[str, str]]]] = [
    # the reference example
    (
        "fracture du col fémoral, espérance de vie 4 mois",
        [
            ("situation", "pathological_fracture"),
            ("site", "neck"),
            ("bone", "femur"),
            ("life_expectancy", "6_weeks_to_6_months"),
        ],
    ),
    # primary tumour
    ("CBNPC avec métastase osseuse", [("primary_tumor", "lung")]),
    ("adénocarcinome pulmonaire", [("primary_tumor", "lung")]),
    ("cancer bronchique à petites cellules", [("primary_tumor", "lung")]),
    ("cancer du sein", [("primary_tumor", "other")]),
    ("patient suivi pour un cancer de la prostate", [("primary_tumor", "other")]),
    ("carcinome rénal à cellules claires", [("primary_tumor", "other")]),
    ("métastases pulmonaires multiples", []),
    # situation
    ("fracture pathologique", [("situation", "pathological_fracture")]),
    ("le fémur est fracturé", [("bone", "femur"), ("situation", "pathological_fracture")]),
    ("risque fracturaire élevé", [("situation", "impending_fracture")]),
    ("fracture imminente", [("situation", "impending_fracture")]),
    ("menace fracturaire", [("situation", "impending_fracture")]),
    ("douleur rebelle", [("situation", "refractory_pain")]),
    ("douleurs réfractaires", [("situation", "refractory_pain")]),
    ("la douleur reste rebelle", [("situation", "refractory_pain")]),
    ("pas de fracture mais un risque fracturaire", [("situation", "impending_fracture")]),
    # bone: current and old names, adjectives
    ("métastase du fémur", [("bone", "femur")]),
    ("lésion humérale", [("bone", "humerus")]),
    ("atteinte tibiale", [("bone", "tibia")]),
    ("métastase du radius", [("bone", "radius")]),
    ("lésion du cubitus", [("bone", "ulna")]),
    ("lésion de l'ulna", [("bone", "ulna")]),
    ("métastase du péroné", [("bone", "fibula")]),
    ("métastase de la fibula", [("bone", "fibula")]),
    ("lésion du 3e métacarpien", [("bone", "metacarpal")]),
    ("métastase d'un métatarsien", [("bone", "metatarsal")]),
    ("lésion du cotyle", [("bone", "acetabulum")]),
    ("atteinte cotyloïdienne", [("bone", "acetabulum")]),
    ("métastase de l'acétabulum", [("bone", "acetabulum")]),
    ("le nerf radial est intact", []),
    # site
    ("tête fémorale", [("site", "head"), ("bone", "femur")]),
    ("col du fémur", [("site", "neck"), ("bone", "femur")]),
    ("col étendu au massif trochantérien", [("site", "neck_trochanteric_extension")]),
    ("col du fémur étendu au massif trochantérien", [("bone", "femur"), ("site", "neck_trochanteric_extension")]),
    ("fracture pertrochantérienne", [("situation", "pathological_fracture"), ("site", "trochanteric")]),
    ("lésion du massif trochantérien", [("site", "trochanteric")]),
    ("lésion sous-trochantérienne", [("site", "subtrochanteric")]),
    ("diaphyse fémorale", [("site", "diaphysis"), ("bone", "femur")]),
    ("lésion diaphysaire de l'humérus", [("site", "diaphysis"), ("bone", "humerus")]),
    ("extrémité inférieure du fémur", [("site", "distal"), ("bone", "femur")]),
    ("fracture supracondylienne", [("situation", "pathological_fracture"), ("site", "distal")]),
    ("extrémité supérieure de l'humérus", [("site", "proximal"), ("bone", "humerus")]),
    ("tête humérale", [("site", "proximal"), ("bone", "humerus")]),
    ("tibia proximal", [("bone", "tibia"), ("site", "proximal")]),
    ("extrémité proximale du fémur", [("bone", "femur")]),  # proximal is not a femoral site
    ("c'est le col, pas la diaphyse", [("site", "neck")]),
    # articular involvement
    ("atteinte articulaire", [("articular_involvement", "true")]),
    ("la lésion touche l'articulation", [("articular_involvement", "true")]),
    ("sans atteinte articulaire", [("articular_involvement", "false")]),
    ("lésion extra-articulaire", [("articular_involvement", "false")]),
    # life expectancy
    ("espérance de vie de 3 semaines", [("life_expectancy", "lt_6_weeks")]),
    ("survie estimée à trois semaines", [("life_expectancy", "lt_6_weeks")]),
    ("quelques jours à vivre", [("life_expectancy", "lt_6_weeks")]),
    ("pronostic vital de moins de 6 semaines", [("life_expectancy", "lt_6_weeks")]),
    ("espérance de vie 6 semaines", [("life_expectancy", "6_weeks_to_6_months")]),
    ("4 mois d'espérance de vie", [("life_expectancy", "6_weeks_to_6_months")]),
    ("EV 2-3 mois", [("life_expectancy", "6_weeks_to_6_months")]),
    ("espérance de vie six mois", [("life_expectancy", "6_to_12_months")]),
    ("espérance de vie un an", [("life_expectancy", "6_to_12_months")]),
    ("espérance de vie entre 6 mois et 1 an", [("life_expectancy", "6_to_12_months")]),
    ("pronostic > 1 an", [("life_expectancy", "gt_12_months")]),
    ("espérance de vie de plus d'un an", [("life_expectancy", "gt_12_months")]),
    ("espérance de vie 18 mois", [("life_expectancy", "gt_12_months")]),
    ("espérance de vie d'un an et demi", [("life_expectancy", "gt_12_months")]),
    ("espérance de vie inconnue", [("life_expectancy", "unknown")]),
    ("pronostic non évaluable", [("life_expectancy", "unknown")]),
    # ambiguous or unrelated durations give nothing
    ("espérance de vie moins de 6 mois", []),
    ("espérance de vie de quelques semaines", []),
    ("espérance de vie de 2 à 8 mois", []),
    ("survie de plus de 6 mois", []),
    ("douleur depuis 3 mois", []),
    ("opéré il y a 2 ans", []),
    # performance status (contract 0.3.0: « PS 2 » gave nothing before)
    ("PS 2", [("performance_status", "2")]),
    ("OMS 0", [("performance_status", "0")]),
    ("ECOG 1", [("performance_status", "1")]),
    ("patient PS3", [("performance_status", "3")]),
    ("grabataire, OMS : 4", [("performance_status", "4")]),
    # fitness for surgery
    ("patient opérable", [("fit_for_surgery", "true")]),
    ("état général conservé", [("fit_for_surgery", "true")]),
    ("anesthésie possible", [("fit_for_surgery", "true")]),
    ("pas de contre-indication anesthésique", [("fit_for_surgery", "true")]),
    ("patient inopérable", [("fit_for_surgery", "false")]),
    ("contre-indication anesthésique", [("fit_for_surgery", "false")]),
    ("état général ne permettant pas la chirurgie", [("fit_for_surgery", "false")]),
    ("il n'est pas opérable", [("fit_for_surgery", "false")]),
    # pain (Mirels)
    ("douleur légère", [("pain", "mild")]),
    ("douleurs modérées", [("pain", "moderate")]),
    ("douleur mécanique", [("pain", "functional")]),
    ("douleur à la mise en charge", [("pain", "functional")]),
    ("douleur légère à modérée", []),
    # lesion type
    ("lésion condensante", [("lesion_type", "blastic")]),
    ("métastase blastique", [("lesion_type", "blastic")]),
    ("lésion mixte", [("lesion_type", "mixed")]),
    ("lésion lytique", [("lesion_type", "lytic")]),
    ("métastase ostéolytique", [("lesion_type", "lytic")]),
    ("la lésion n'est pas lytique", []),
    # lesion size
    # « lyse » says the lesion is lytic (was size only before the held-out review)
    ("lyse de moins d'un tiers du diamètre", [("lesion_type", "lytic"), ("lesion_size", "lt_one_third")]),
    ("entre un et deux tiers du diamètre", [("lesion_size", "one_to_two_thirds")]),
    ("atteinte de la moitié de la corticale", [("lesion_size", "one_to_two_thirds")]),
    ("plus des deux tiers du diamètre", [("lesion_size", "gt_two_thirds")]),
    # acetabulum
    # the roof destroyed, and the bone it belongs to (« cotyle »)
    ("toit du cotyle détruit", [("acetabular_stability_compromised", "true"), ("bone", "acetabulum")]),
    ("colonne postérieure atteinte", [("acetabular_stability_compromised", "true")]),
    ("instabilité du cotyle", [("acetabular_stability_compromised", "true")]),
    ("cotyle stable", [("acetabular_stability_compromised", "false")]),
    ("risque de protrusion", [("acetabular_fracture_risk", "true")]),
    ("fracture imminente du cotyle", [("acetabular_fracture_risk", "true"), ("bone", "acetabulum")]),
    ("pas de risque de protrusion", [("acetabular_fracture_risk", "false")]),
    # treatments that failed
    ("échec des antalgiques", [("conservative_treatment_failed", "true")]),
    # a radiotherapy whose effect is told was given to the lesion (was conservative_treatment_failed only
    # before the held-out review)
    ("radiothérapie inefficace", [("prior_radiotherapy", "true"), ("conservative_treatment_failed", "true")]),
    ("bien soulagé par la radiothérapie", [("conservative_treatment_failed", "false"), ("prior_radiotherapy", "true")]),
    ("douleur rebelle aux antalgiques", [("situation", "refractory_pain"), ("conservative_treatment_failed", "true")]),
    ("échec de la cimentoplastie", [("percutaneous_treatment_failed", "true")]),
    ("échec de la radiofréquence", [("percutaneous_treatment_failed", "true")]),
    ("échec de la cryothérapie", [("percutaneous_treatment_failed", "true")]),
    ("cimentoplastie efficace", [("percutaneous_treatment_failed", "false")]),
    # bone loss
    ("perte osseuse importante", [("major_bone_loss", "true")]),
    ("mauvaise qualité osseuse", [("major_bone_loss", "true")]),
    ("bonne qualité osseuse", [("major_bone_loss", "false")]),
    ("pas de perte osseuse importante", [("major_bone_loss", "false")]),
    # a single bone lesion or a controlled oligometastatic disease (contract 0.4.0)
    ("lésion osseuse unique", [("solitary_bone_metastasis", "true")]),
    ("métastase unique", [("solitary_bone_metastasis", "true")]),
    ("métastase osseuse solitaire", [("solitary_bone_metastasis", "true")]),
    ("une seule lésion osseuse", [("solitary_bone_metastasis", "true")]),
    ("pas d'autre lésion osseuse", [("solitary_bone_metastasis", "true")]),
    ("oligométastatique", [("solitary_bone_metastasis", "true")]),
    ("maladie oligométastatique contrôlée", [("solitary_bone_metastasis", "true")]),
    ("maladie oligo-métastatique stable", [("solitary_bone_metastasis", "true")]),
    ("métastases multiples", [("solitary_bone_metastasis", "false")]),
    ("plusieurs lésions osseuses", [("solitary_bone_metastasis", "false")]),
    ("métastases osseuses diffuses", [("solitary_bone_metastasis", "false")]),
    ("patient polymétastatique", [("solitary_bone_metastasis", "false")]),
    ("maladie oligométastatique non contrôlée", [("solitary_bone_metastasis", "false")]),
    ("pas de lésion osseuse unique", [("solitary_bone_metastasis", "false")]),
    ("lésion non unique", [("solitary_bone_metastasis", "false")]),
    ("8 Gy en fraction unique", [("prior_radiotherapy", "true")]),  # a single fraction is no single lesion
    ("récidive osseuse unique au fémur distal", [("bone", "femur"), ("site", "distal")]),
    # radiotherapy
    ("déjà irradié", [("prior_radiotherapy", "true")]),
    ("en territoire irradié", [("prior_radiotherapy", "true")]),
    ("non irradié", [("prior_radiotherapy", "false")]),
    ("jamais irradié", [("prior_radiotherapy", "false")]),
    ("il n'a jamais été irradié", [("prior_radiotherapy", "false")]),
    ("douleur irradiée à la jambe", []),
    # vascularity
    ("lésion hypervascularisée", [("suspected_hypervascular", "true")]),
    ("lésion très vascularisée", [("suspected_hypervascular", "true")]),
    ("lésion peu vascularisée", [("suspected_hypervascular", "false")]),
    ("pas hypervascularisée", [("suspected_hypervascular", "false")]),
    # diagnostic uncertainty
    ("doute diagnostique", [("diagnostic_uncertainty", "true")]),
    ("tumeur osseuse primitive possible", [("diagnostic_uncertainty", "true")]),
    ("métastase révélatrice", [("diagnostic_uncertainty", "true")]),
    ("diagnostic certain", [("diagnostic_uncertainty", "false")]),
    ("pas de doute diagnostique", [("diagnostic_uncertainty", "false")]),
    # hedges
    ("suspicion de fracture", []),
    ("fracture possible", []),
    ("possible atteinte articulaire", []),
    # missing or wrong accents, upper case, typos
    ("FRACTURE DU COL FÉMORAL", [("situation", "pathological_fracture"), ("site", "neck"), ("bone", "femur")]),
    ("metastase du femur", [("bone", "femur")]),
    ("lesion de l'humerus", [("bone", "humerus")]),
    ("lesion diaphysaire", [("site", "diaphysis")]),
    ("fracture perthrochanterienne", [("situation", "pathological_fracture"), ("site", "trochanteric")]),
    ("perthrochanterien", [("site", "trochanteric")]),
    ("lésion osteolytiqe", [("lesion_type", "lytic")]),
    ("fractrue du col", [("situation", "pathological_fracture"), ("site", "neck")]),
    ("métastase de l'hummérus", [("bone", "humerus")]),
    ("diaphise tibiale", [("site", "diaphysis"), ("bone", "tibia")]),
    ("ESPERANCE DE VIE 4 MOIS", [("life_expectancy", "6_weeks_to_6_months")]),
    # field and reference number
    ("modifier l'espérance de vie", [("field", "life_expectancy")]),
    ("je veux changer la localisation", [("field", "bone")]),
    ("je me suis trompé sur le type de lésion", [("field", "lesion_type")]),
    ("référence 144", [("reference_number", "144")]),
    ("c'est quoi la réf. 143 ?", [("reference_number", "143")]),
    ("montre-moi les références 137 et 144", [("reference_number", "137"), ("reference_number", "144")]),
    ("référence 300", []),
    # nothing to extract; yes/no is an intent, not an entity
    ("bonjour", []),
    ("oui", []),
    ("non", []),
    ("métastase vertébrale", []),
    ("quelle chimio pour un CBNPC ?", [("primary_tumor", "lung")]),
    # abbreviations and whole case descriptions
    ("K sein", [("primary_tumor", "other")]),
    ("ADK pulm", [("primary_tumor", "lung")]),
    ("fracture pertroch", [("situation", "pathological_fracture"), ("site", "trochanteric")]),
    ("EV sup à 1 an", [("life_expectancy", "gt_12_months")]),
    ("pas de CI anesthésique", [("fit_for_surgery", "true")]),
    ("il a déjà eu de la RT sur la zone", [("prior_radiotherapy", "true")]),
    (
        "fracture du col fémoral il y a 2 jours",
        [("situation", "pathological_fracture"), ("site", "neck"), ("bone", "femur")],
    ),
    (
        "CBNPC, lésion lytique diaphysaire du fémur, douleur mécanique, plus des deux tiers du diamètre, "
        "espérance de vie 8 mois, état général conservé, jamais irradié",
        [
            ("primary_tumor", "lung"),
            ("lesion_type", "lytic"),
            ("site", "diaphysis"),
            ("bone", "femur"),
            ("pain", "functional"),
            ("lesion_size", "gt_two_thirds"),
            ("life_expectancy", "6_to_12_months"),
            ("fit_for_surgery", "true"),
            ("prior_radiotherapy", "false"),
        ],
    ),
    (
        "lésion du cotyle, toit détruit, fracture imminente, échec des antalgiques, pas de cimentoplastie",
        [
            ("bone", "acetabulum"),
            ("acetabular_stability_compromised", "true"),
            ("acetabular_fracture_risk", "true"),
            ("conservative_treatment_failed", "true"),
            ("percutaneous_treatment_failed", "false"),
        ],
    ),
]


# §1: « Le traitement chirurgical est soit *préventif* lorsque le risque fracturaire est trop
# élevé ; soit « *curatif d'un symptôme* » en cas de fracture avérée sur lésion pathologique »:
# the two situations lead to different operations, so a risk of fracture typed in shorthand
# (« fx » for fracture, without « de ») must never read as a fracture that has happened.
FRACTURE_RISK_SHORTHAND = [
    ("risque fx fémur", [("situation", "impending_fracture"), ("bone", "femur")]),
    ("lytique à risque de fx", [("lesion_type", "lytic"), ("situation", "impending_fracture")]),
    ("lésion à risque fx du col", [("situation", "impending_fracture"), ("site", "neck")]),
    ("métastase à haut risque fx de l'humérus", [("situation", "impending_fracture"), ("bone", "humerus")]),
    ("faible risque de fx", []),
    ("risque fx modéré", []),
]


@pytest.mark.parametrize("text,expected", FRACTURE_RISK_SHORTHAND, ids=[t for t, _ in FRACTURE_RISK_SHORTHAND])
def test_a_fracture_risk_in_shorthand_is_impending_never_an_established_fracture(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert [(f.field, f.value) for f in extract_facts(text)] == expected


# Shorthand of the staff room: « m » for months, « 1 an 1/2 », « échec cimento »
# (no « de »), « ok anesth ».
STAFF_SHORTHAND = [
    ("EV 12 m", [("life_expectancy", "6_to_12_months")]),
    ("EV >12 m", [("life_expectancy", "gt_12_months")]),
    ("EV 1 an 1/2", [("life_expectancy", "gt_12_months")]),
    ("échec cimento", [("percutaneous_treatment_failed", "true")]),
    ("ok anesth", [("fit_for_surgery", "true")]),
    ("pas ok anesth", [("fit_for_surgery", "false")]),
]


@pytest.mark.parametrize("text,expected", STAFF_SHORTHAND, ids=[t for t, _ in STAFF_SHORTHAND])
def test_staff_room_shorthand(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(f.field, f.value) for f in extract_facts(text)] == expected


@pytest.mark.parametrize("text,expected", PHRASINGS, ids=[t for t, _ in PHRASINGS])
def test_phrasing_gives_expected_facts(text: str, expected: list[tuple[str, str]]) -> None:
    facts = extract_facts(text)
    assert [(f.field, f.value) for f in facts] == expected
    assert_well_formed(text, facts)


def test_phrasing_table_covers_every_field_and_value() -> None:
    seen = {pair for _, expected in PHRASINGS for pair in expected}
    for field, values in FIELD_VALUES.items():
        for value in values:
            assert (field, value) in seen, f"no phrasing gives {field}={value}"
    assert len(PHRASINGS) >= 80


# --------------------------------------------------------------------------
# Behaviours, one per test


def test_reference_example_spans_are_the_shortest_carrying_words() -> None:
    text = "fracture du col fémoral, espérance de vie 4 mois"
    facts = extract_facts(text)
    assert [(f.field, f.value, f.text) for f in facts] == [
        ("situation", "pathological_fracture", "fracture"),
        ("site", "neck", "col"),
        ("bone", "femur", "fémoral"),
        ("life_expectancy", "6_weeks_to_6_months", "4 mois"),
    ]
    assert facts[1].start == text.index("col") and facts[3].end == len(text)


def test_spans_point_into_the_original_text_despite_accents_and_case() -> None:
    text = "  Fracture du COL FÉMORAL,\tEspérance de vie : 4 MOIS !"
    facts = extract_facts(text)
    assert [f.text for f in facts] == ["Fracture", "COL", "FÉMORAL", "4 MOIS"]
    assert_well_formed(text, facts)


def test_decomposed_unicode_accents_are_handled() -> None:
    text = "lésion du fémur".replace("é", "e\u0301")  # NFD input
    facts = extract_facts(text)
    assert pairs(text) == [("bone", "femur")]
    assert_well_formed(text, facts)


def test_word_implying_bone_and_site_is_annotated_as_site_only() -> None:
    assert pairs("fracture sous-trochantérienne") == [
        ("situation", "pathological_fracture"),
        ("site", "subtrochanteric"),
    ]


def test_site_absent_from_the_named_bone_is_dropped() -> None:
    assert pairs("radius distal") == [("bone", "radius")]
    assert pairs("extrémité supérieure du fémur") == [("bone", "femur")]
    assert pairs("extrémité supérieure de l'humérus") == [("site", "proximal"), ("bone", "humerus")]


def test_neck_followed_by_trochanteric_extension_becomes_one_site() -> None:
    facts = extract_facts("col fémoral avec extension au massif trochantérien")
    assert [(f.field, f.value) for f in facts] == [("bone", "femur"), ("site", "neck_trochanteric_extension")]


def test_short_words_are_never_fuzzy_matched() -> None:
    assert pairs("cil") == []  # not "col"
    assert pairs("tbia") == []  # not "tibia": under 5 letters
    assert pairs("tete") == [("site", "head")]  # accent only, not a typo


def test_common_words_close_to_lexicon_words_are_not_corrected() -> None:
    for text in (
        "couleur de la peau",
        "en attente de la biopsie",
        "situation particulière",
        "état général insatisfaisant",
        "la morale",
        "en décubitus dorsal",
        "une personne âgée",
    ):
        assert pairs(text) == [], text


def test_misspelt_long_words_are_corrected() -> None:
    assert pairs("fxmxrxl") == []  # too far from any word
    assert pairs("humérsu") == [("bone", "humerus")]
    assert pairs("cotyl") == [("bone", "acetabulum")]
    assert pairs("condensente") == [("lesion_type", "blastic")]


def test_negated_categorical_value_is_not_extracted() -> None:
    assert pairs("pas la diaphyse") == []
    assert pairs("sans fracture") == []
    assert pairs("la lésion n'est pas condensante") == []


def test_negated_boolean_gives_false() -> None:
    assert pairs("non irradié") == [("prior_radiotherapy", "false")]
    assert pairs("pas d'atteinte articulaire") == [("articular_involvement", "false")]
    assert pairs("atteinte articulaire : non") == [("articular_involvement", "false")]
    assert pairs("aucun doute diagnostique") == [("diagnostic_uncertainty", "false")]


def test_negation_does_not_cross_punctuation_or_but() -> None:
    assert pairs("pas de fracture, douleur rebelle") == [("situation", "refractory_pain")]
    assert pairs("pas de doute : fracture pathologique") == [("situation", "pathological_fracture")]


def test_double_negation_gives_nothing() -> None:
    assert pairs("pas inopérable") == []


def test_hedged_value_is_dropped() -> None:
    assert pairs("fracture à confirmer") == []
    assert pairs("probable atteinte articulaire") == []
    assert pairs("atteinte articulaire non précisée") == []


@pytest.mark.parametrize(
    "duration,expected",
    [
        ("3 jours", "lt_6_weeks"),
        ("quinze jours", "lt_6_weeks"),
        ("une semaine", "lt_6_weeks"),
        ("1 mois", "lt_6_weeks"),
        ("moins de 6 semaines", "lt_6_weeks"),
        ("6 semaines", "6_weeks_to_6_months"),
        ("un mois et demi", "6_weeks_to_6_months"),
        ("deux à trois mois", "6_weeks_to_6_months"),
        ("environ 3 mois", "6_weeks_to_6_months"),
        ("5 mois", "6_weeks_to_6_months"),
        ("6 mois", "6_to_12_months"),
        ("8 mois", "6_to_12_months"),
        ("12 mois", "6_to_12_months"),
        ("un an", "6_to_12_months"),
        ("de 6 mois à un an", "6_to_12_months"),
        ("13 mois", "gt_12_months"),
        ("un an et demi", "gt_12_months"),
        ("deux ans", "gt_12_months"),
        ("> 1 an", "gt_12_months"),
        ("supérieure à un an", "gt_12_months"),
        ("plusieurs années", "gt_12_months"),
    ],
)
def test_life_expectancy_class_of_a_duration(duration: str, expected: str) -> None:
    assert pairs(f"espérance de vie {duration}") == [("life_expectancy", expected)]
    assert interpret_answer(duration, "life_expectancy") == expected


@pytest.mark.parametrize(
    "duration",
    [
        "moins de 6 mois",
        "quelques semaines",
        "quelques mois",
        "2 à 8 mois",
        "plus de 6 mois",
        "environ 6 semaines",
        "environ un an",
        "26 semaines",
        "au moins 6 mois",
        "moins d'un an",
        "5 mois maximum",
    ],
)
def test_duration_straddling_a_class_bound_gives_nothing(duration: str) -> None:
    assert [p for p in pairs(f"espérance de vie {duration}") if p[0] == "life_expectancy"] == []
    assert interpret_answer(duration, "life_expectancy") is None


def test_duration_needs_a_life_expectancy_cue_in_the_same_clause() -> None:
    assert pairs("lésion découverte il y a 4 mois") == []
    assert pairs("3 mois de radiothérapie") == []
    assert pairs("douleur depuis 2 semaines, espérance de vie 1 an") == [("life_expectancy", "6_to_12_months")]


def test_message_saying_only_a_duration_is_a_life_expectancy() -> None:
    assert pairs("4 mois") == [("life_expectancy", "6_weeks_to_6_months")]
    assert pairs("huit mois selon l'oncologue") == [("life_expectancy", "6_to_12_months")]
    assert pairs("trois ans avec l'immunothérapie") == []


def test_a_correction_saying_only_durations_gives_the_one_not_negated() -> None:
    assert pairs("pardon je voulais dire 6 mois, pas 6 semaines") == [("life_expectancy", "6_to_12_months")]
    assert pairs("en fait 8 mois") == [("life_expectancy", "6_to_12_months")]
    assert pairs("douleur depuis 3 mois, pas 6 semaines") == []


def test_message_saying_only_a_cued_value_is_read_without_cue() -> None:
    assert pairs("légère") == [("pain", "mild")]
    assert pairs("mécanique surtout") == [("pain", "functional")]
    assert pairs("inconnue") == []  # may answer any question
    assert pairs("fracture mécanique") == [("situation", "pathological_fracture")]


def test_word_between_cue_and_duration_that_may_change_it_blocks_reading() -> None:
    assert pairs("espérance de vie réduite à 3 mois") == []
    assert pairs("espérance de vie estimée par l'oncologue à 4 mois") == [("life_expectancy", "6_weeks_to_6_months")]
    assert pairs("survie estimée sup à 1 an") == [("life_expectancy", "gt_12_months")]


def test_a_range_from_one_class_bound_to_the_next_is_that_class() -> None:
    """The button « 6 semaines à 6 mois » typed; « 3 à 6 mois » ends on 6 months, which the
    label « 6 semaines à 6 mois » holds; « 4 à 6 semaines » ends on 6 weeks,
    which « Moins de 6 semaines » does not hold: it straddles two classes."""
    assert pairs("espérance de vie 6 semaines à 6 mois") == [("life_expectancy", "6_weeks_to_6_months")]
    assert pairs("espérance de vie entre 6 semaines et 6 mois") == [("life_expectancy", "6_weeks_to_6_months")]
    assert pairs("espérance de vie 3 à 6 mois") == [("life_expectancy", "6_weeks_to_6_months")]
    assert pairs("espérance de vie 4 à 6 semaines") == []


def test_lesion_size_as_a_fraction_or_a_percentage_near_a_lesion_word() -> None:
    assert pairs("méta lytique du fémur, 2/3 du diamètre") == [
        ("lesion_type", "lytic"),
        ("bone", "femur"),
        ("lesion_size", "one_to_two_thirds"),
    ]
    assert pairs("lésion lytique 40 %") == [("lesion_type", "lytic"), ("lesion_size", "one_to_two_thirds")]
    assert pairs("lyse 90 % du diamètre") == [("lesion_type", "lytic"), ("lesion_size", "gt_two_thirds")]
    assert pairs("atteinte de 3/4 de la corticale") == [("lesion_size", "gt_two_thirds")]
    assert pairs("1/4 du diam") == [("lesion_size", "lt_one_third")]
    assert pairs("la lésion envahit les 2/3 du fût") == [("lesion_size", "one_to_two_thirds")]
    assert pairs("lésion mixte, 1/3, douleur modérée") == [
        ("lesion_type", "mixed"),
        ("lesion_size", "one_to_two_thirds"),
        ("pain", "moderate"),
    ]
    assert pairs("lésion de la diaphyse, entre 1/3 et 1/2 du diamètre") == [
        ("site", "diaphysis"),
        ("lesion_size", "one_to_two_thirds"),
    ]


def test_a_number_that_is_not_a_part_of_the_diameter_is_no_lesion_size() -> None:
    assert pairs("PD-L1 60 %, lésion lytique du fémur") == [("lesion_type", "lytic"), ("bone", "femur")]
    assert pairs("fracture du 01/12") == [("situation", "pathological_fracture")]
    assert pairs("lésion lytique, Karnofsky 70 %") == [("lesion_type", "lytic")]
    assert pairs("tiers moyen du fémur") == [("site", "diaphysis"), ("bone", "femur")]
    assert pairs("60 % de chances de survie à 1 an") == []


def test_performance_status_is_read_as_stated_and_never_as_fitness() -> None:
    assert pairs("OMS 1, opérable") == [("performance_status", "1"), ("fit_for_surgery", "true")]
    assert pairs("état général OMS 3") == [("performance_status", "3")]
    assert interpret_answer("OMS 3", "fit_for_surgery") is None
    assert interpret_answer("PS 1 donc oui", "fit_for_surgery") == "true"
    assert pairs("ECOG 0, EV 2 ans") == [("performance_status", "0"), ("life_expectancy", "gt_12_months")]


@pytest.mark.parametrize("text", ["OMS 3-4", "PS 1 à 2", "ECOG 0/1", "OMS 2 ou 3", "PS ≤ 2", "OMS 5", "PS 1,5"])
def test_performance_status_range_or_off_the_scale_gives_nothing(text: str) -> None:
    assert pairs(text) == []
    assert interpret_answer(text, "performance_status") is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("fx patho du col fémoral", [("situation", "pathological_fracture"), ("site", "neck"), ("bone", "femur")]),
        ("fx", [("situation", "pathological_fracture")]),
        ("diaph humérale", [("site", "diaphysis"), ("bone", "humerus")]),
        ("méta révélatrice", [("diagnostic_uncertainty", "true")]),
        ("tibia prox", [("bone", "tibia"), ("site", "proximal")]),
        ("col fem", [("site", "neck"), ("bone", "femur")]),
        ("lésion pas hypervasc", [("suspected_hypervascular", "false")]),
        ("pas de doute diag", [("diagnostic_uncertainty", "false")]),
        ("ATCD de RT sur le fémur", [("prior_radiotherapy", "true"), ("bone", "femur")]),
        ("fracture sous troch", [("situation", "pathological_fracture"), ("site", "subtrochanteric")]),
        ("chir prophylactique", [("situation", "impending_fracture")]),
        ("échec de la cimento", [("percutaneous_treatment_failed", "true")]),
    ],
)
def test_abbreviations_read_as_their_full_word(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


def test_lexicon_phrases_are_written_with_full_words() -> None:
    """An abbreviation written in a phrase would never match (the message reads it in full)."""
    raw = yaml.safe_load(lexicon.LEXICON_PATH.read_text(encoding="utf-8"))
    raw["entities"]["situation"]["phrases"]["pathological_fracture"].append("fx")
    with pytest.raises(ValueError, match="fx"):
        lexicon.Lexicon(raw)


# --------------------------------------------------------------------------
# How clinicians write: each rule with phrasings a clinician would type.


@pytest.mark.parametrize(
    "text,expected",
    [
        # an estimate is a statement (« probablement », « sans doute », « a priori »); « possible » stays a doubt
        ("EV probablement 6-8 mois", [("life_expectancy", "6_to_12_months")]),
        ("a priori opérable", [("fit_for_surgery", "true")]),
        ("probablement une fx patho du col", [("situation", "pathological_fracture"), ("site", "neck")]),
        ("espérance de vie sans doute inférieure à 6 semaines", [("life_expectancy", "lt_6_weeks")]),
        ("fracture possible", []),
        # who estimated the prognosis is a cue for it
        ("l'onco donne un an", [("life_expectancy", "6_to_12_months")]),
        ("l'oncologue dit plutôt 8 mois", [("life_expectancy", "6_to_12_months")]),
        ("l'onco revoit à la baisse : 3-4 mois", [("life_expectancy", "6_weeks_to_6_months")]),
        ("EV 10 j", [("life_expectancy", "lt_6_weeks")]),
    ],
)
def test_estimates_and_who_made_them(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "douleur rebelle malgré la RT",
            [
                ("situation", "refractory_pain"),
                ("conservative_treatment_failed", "true"),
                ("prior_radiotherapy", "true"),
            ],
        ),
        ("morphine + RT sans effet", [("prior_radiotherapy", "true"), ("conservative_treatment_failed", "true")]),
        ("ATCD RT locale", [("prior_radiotherapy", "true")]),
        ("RT 8 Gy en une fraction", [("prior_radiotherapy", "true")]),
        ("pas de RT", [("prior_radiotherapy", "false")]),
        ("RT antalgique prévue", []),
        ("RT 20 Gy prévue", []),
        (
            "douleur rebelle malgré 8 Gy",
            [
                ("situation", "refractory_pain"),
                ("conservative_treatment_failed", "true"),
                ("prior_radiotherapy", "true"),
            ],
        ),
        ("toujours EVA 8 sous oxycodone", [("conservative_treatment_failed", "true")]),
        (
            "douleur rebelle sous morphine",
            [("situation", "refractory_pain"), ("conservative_treatment_failed", "true")],
        ),
        ("radiothérapie en cours", [("prior_radiotherapy", "true")]),
        ("une cimentoplastie il y a 1 mois, inefficace", [("percutaneous_treatment_failed", "true")]),
        ("cimento puis radiofréquence sans effet", [("percutaneous_treatment_failed", "true")]),
        ("cimentoplastie puis RF inefficaces", [("percutaneous_treatment_failed", "true")]),
        ("échec de la RF", [("percutaneous_treatment_failed", "true")]),
        ("cryo sans effet", [("percutaneous_treatment_failed", "true")]),
        ("douleur contrôlée sous palier 2", [("conservative_treatment_failed", "false")]),
        (
            "toujours douloureuse malgré la morphine",
            [("situation", "refractory_pain"), ("conservative_treatment_failed", "true")],
        ),
        ("inefficace", []),  # which treatment?
    ],
)
def test_treatments_tried_and_their_effect(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


def test_an_effect_answers_the_treatment_asked_about() -> None:
    assert interpret_answer("inefficace", "percutaneous_treatment_failed") == "true"
    assert interpret_answer("sans effet", "conservative_treatment_failed") == "true"
    assert interpret_answer("nn", "major_bone_loss") == "false"
    assert interpret_answer("nope", "percutaneous_treatment_failed") == "false"
    assert interpret_answer("yes", "fit_for_surgery") == "true"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("doute avec un chondrosarcome", [("diagnostic_uncertainty", "true")]),
        ("doute avec un sarcome", [("diagnostic_uncertainty", "true")]),
        ("on se pose la question d'un myélome", [("diagnostic_uncertainty", "true")]),
        ("on hésite avec un lymphome osseux primitif", [("diagnostic_uncertainty", "true")]),
        ("récusé par l'anesth", [("fit_for_surgery", "false")]),
        ("anesth OK", [("fit_for_surgery", "true")]),
        ("bon EG", [("fit_for_surgery", "true")]),
        ("anesthésiste réticent mais faisable", [("fit_for_surgery", "true")]),
        ("il ne peut plus poser le pied", [("pain", "functional")]),
        ("cotyle, mur médial soufflé", [("bone", "acetabulum"), ("acetabular_stability_compromised", "true")]),
        ("le toit me paraît bien entamé", [("acetabular_stability_compromised", "true")]),
        ("colonne post lysée", [("acetabular_stability_compromised", "true")]),
        ("extrémité sup de l'humérus", [("site", "proximal"), ("bone", "humerus")]),
        ("massif trochantérien étendu au col", [("site", "neck_trochanteric_extension")]),
        ("os très porotique", [("major_bone_loss", "true")]),
        ("os porotique", [("major_bone_loss", "true")]),
        ("épidermoïde bronchique", [("primary_tumor", "lung")]),
        ("carcinome épidermoïde du poumon", [("primary_tumor", "lung")]),
        ("épidermoïde du poumon", [("primary_tumor", "lung")]),
        ("ADK prouvé sur biopsie pulmonaire", [("primary_tumor", "lung")]),
        ("FP col fem D", [("situation", "pathological_fracture"), ("site", "neck"), ("bone", "femur")]),
        ("tête humérale lysée", [("site", "proximal"), ("bone", "humerus"), ("lesion_type", "lytic")]),
        ("lésion respectant la surface articulaire", [("articular_involvement", "false")]),
        ("protrusion imminente de la tête fémorale", [("acetabular_fracture_risk", "true")]),
        (
            "pas de fracture mais lésion lytique à risque",
            [("lesion_type", "lytic"), ("situation", "impending_fracture")],
        ),
    ],
)
def test_clinical_shorthand_vocabulary(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


def test_a_question_about_the_surgery_still_tells_the_case() -> None:
    """« Faut-il opérer préventivement ? » asks what to do; that there is no fracture yet is told."""
    assert pairs("faut-il opérer préventivement ?") == [("situation", "impending_fracture")]
    assert pairs("faut-il opérer cette fracture du col fémoral ?") == [
        ("situation", "pathological_fracture"),
        ("site", "neck"),
        ("bone", "femur"),
    ]
    assert pairs("enclouage préventif ?") == [("situation", "impending_fracture")]
    assert pairs("le patient est-il opérable ?") == []


@pytest.mark.parametrize(
    "text,field,expected",
    [
        ("non jamais irradié", "prior_radiotherapy", "false"),
        ("RTE antalgique faite", "prior_radiotherapy", "true"),
        ("frac du col", "situation", "pathological_fracture"),
        ("1/3 moyen", "site", "diaphysis"),
        ("tiers inférieur", "site", "distal"),
        ("col + troch", "site", "neck_trochanteric_extension"),
        ("toute la corticale", "lesion_size", "gt_two_thirds"),
        ("pas fait", "percutaneous_treatment_failed", "false"),
        ("on peut l'opérer", "fit_for_surgery", "true"),
        ("toujours douloureux", "conservative_treatment_failed", "true"),
        ("pulm", "primary_tumor", "lung"),
        ("prévention", "situation", "impending_fracture"),
        ("pas encore fait le scanner", "lesion_size", "unknown"),
        ("pas encore fait le scanner", "percutaneous_treatment_failed", "unknown"),
        ("je sais pas, scanner pas encore fait", "articular_involvement", "unknown"),  # UX review, c6
    ],
)
def test_short_answers_clinicians_type(text: str, field: str, expected: str) -> None:
    assert interpret_answer(text, field) == expected


def test_yes_or_no_after_the_name_of_a_yes_no_field_answers_it() -> None:
    assert pairs("correction perte osseuse : oui, importante") == [("major_bone_loss", "true")]
    assert pairs("la vascularisation : non") == [("suspected_hypervascular", "false")]
    assert pairs("l'irradiation : oui") == [("prior_radiotherapy", "true")]
    assert pairs("l'irradiation : oui ou non ?") == []


def test_age_and_percentages_are_not_life_expectancy() -> None:
    assert pairs("patient âgé de 70 ans, espérance de vie inconnue") == [("life_expectancy", "unknown")]
    assert pairs("survie à 1 an de 40 %") == []


def test_field_entity_only_when_the_field_has_no_value() -> None:
    assert pairs("modifier l'espérance de vie") == [("field", "life_expectancy")]
    assert pairs("l'espérance de vie est de 3 mois") == [("life_expectancy", "6_weeks_to_6_months")]
    assert pairs("je voudrais changer la douleur") == [("field", "pain")]
    assert pairs("la douleur est modérée") == [("pain", "moderate")]


def test_change_cue_turns_the_field_it_names_into_a_field_entity() -> None:
    assert pairs("modifier la réponse au doute diagnostique") == [("field", "diagnostic_uncertainty")]
    assert pairs("erreur, ce n'est pas le bon os") == [("field", "bone")]
    assert pairs("je me suis trompé, c'est le col") == [("site", "neck")]
    assert pairs("correction de l'espérance de vie : plutôt 8 mois") == [("life_expectancy", "6_to_12_months")]


def test_field_name_without_change_cue_counts_only_alone() -> None:
    assert pairs("la taille") == [("field", "lesion_size")]
    assert pairs("la cimentoplastie n'a pas marché") == [("percutaneous_treatment_failed", "true")]
    assert pairs("combien de points pour la localisation dans Mirels ?") == []


def test_acetabulum_reads_fracture_threat_as_acetabular_fracture_risk() -> None:
    assert pairs("cotyle, risque de fracture") == [("bone", "acetabulum"), ("acetabular_fracture_risk", "true")]
    assert pairs("lésion acétabulaire, pas de menace fracturaire, stable") == [
        ("bone", "acetabulum"),
        ("acetabular_fracture_risk", "false"),
        ("acetabular_stability_compromised", "false"),
    ]
    assert pairs("fémur, risque de fracture") == [("bone", "femur"), ("situation", "impending_fracture")]
    assert pairs("stable") == []


def test_clause_about_the_past_or_the_other_side_is_not_read() -> None:
    assert pairs("ATCD de fracture du col fémoral controlatéral il y a 3 ans, lésion lytique humérale") == [
        ("lesion_type", "lytic"),
        ("bone", "humerus"),
    ]
    assert pairs("fracture du poignet l'an dernier") == []
    assert pairs("zone irradiée l'an dernier") == [("prior_radiotherapy", "true")]


def test_complement_of_a_negated_value_is_kept_but_not_of_a_hedged_one() -> None:
    assert pairs("pas de fracture du col fémoral") == [("site", "neck"), ("bone", "femur")]
    assert pairs("suspicion de fracture du col fémoral") == []
    assert pairs("pas d'atteinte du col ou de la diaphyse") == []


def test_negated_boolean_span_includes_the_negation() -> None:
    assert [f.text for f in extract_facts("il n'a jamais été irradié")] == ["jamais été irradié"]
    assert [f.text for f in extract_facts("atteinte articulaire : non")] == ["atteinte articulaire : non"]


def test_yes_no_question_asks_rather_than_tells() -> None:
    assert pairs("la lésion est-elle hypervascularisée ?") == []
    assert pairs("est-ce que le patient est opérable ?") == []
    assert pairs("peut-on opérer avec une espérance de vie de 3 mois ?") == [("life_expectancy", "6_weeks_to_6_months")]


def test_value_said_to_be_spared_is_negated() -> None:
    assert pairs("le col n'est pas touché, c'est la diaphyse") == [("site", "diaphysis")]
    assert pairs("l'articulation est respectée") == [("articular_involvement", "false")]


def test_spine_and_other_out_of_scope_bones_are_ignored() -> None:
    assert pairs("fracture vertébrale T8") == []
    assert pairs("métastase costale") == []


def test_reference_numbers_outside_the_bibliography_are_ignored() -> None:
    assert pairs("référence 0") == []
    assert pairs("référence 151") == []
    assert pairs("réf 150") == [("reference_number", "150")]


def test_yes_and_no_are_not_facts() -> None:
    for text in ("oui", "non", "ouais", "pas du tout", "exact"):
        assert pairs(text) == []


def test_extract_facts_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        extract_facts(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\t", "\x00\x01\x02", "🦴💀🙂", "שלום עולם", "مرحبا كسر عنق الفخذ", "\u202efracture\u202c"]
)
def test_odd_inputs_do_not_crash(text: str) -> None:
    assert_well_formed(text, extract_facts(text))
    for field in FIELD_VALUES:
        interpret_answer(text, field)


def test_hundred_kilobytes_of_text_is_handled() -> None:
    chunk = "Fracture du col fémoral, espérance de vie 4 mois. 🦴 \x07 مرحبا "
    text = (chunk * (100_000 // len(chunk) + 1))[:100_000]
    facts = extract_facts(text)
    assert_well_formed(text, facts)
    assert len([f for f in facts if f.field == "bone"]) >= 1000


# --------------------------------------------------------------------------
# interpret_answer

ANSWERS: list[tuple[str, str, str | None]] = [
    ("4 mois", "life_expectancy", "6_weeks_to_6_months"),
    ("environ 3 mois", "life_expectancy", "6_weeks_to_6_months"),
    ("3 semaines", "life_expectancy", "lt_6_weeks"),
    ("plus d'un an", "life_expectancy", "gt_12_months"),
    ("je ne sais pas", "life_expectancy", "unknown"),
    ("inconnue", "life_expectancy", "unknown"),
    ("aucune idée", "life_expectancy", "unknown"),
    ("moins de 6 mois", "life_expectancy", None),
    ("oui", "life_expectancy", None),
    ("la moitié", "lesion_size", "one_to_two_thirds"),
    ("moins de la moitié", "lesion_size", None),
    ("moins d'un tiers", "lesion_size", "lt_one_third"),
    ("les trois quarts", "lesion_size", "gt_two_thirds"),
    ("80 %", "lesion_size", "gt_two_thirds"),
    ("20 pour cent", "lesion_size", "lt_one_third"),
    ("65 %", "lesion_size", None),
    # Mirels' middle class is closed: exactly a third or two thirds is "1/3 to 2/3"
    # (« 2/3 » typed by a clinician means that class).
    ("1/3", "lesion_size", "one_to_two_thirds"),
    ("2/3", "lesion_size", "one_to_two_thirds"),
    ("deux tiers", "lesion_size", "one_to_two_thirds"),
    ("un à deux tiers", "lesion_size", "one_to_two_thirds"),
    ("entre 1/3 et 1/2", "lesion_size", "one_to_two_thirds"),
    ("plus des 2/3", "lesion_size", "gt_two_thirds"),
    ("70 %", "lesion_size", "gt_two_thirds"),
    ("30 %", "lesion_size", "lt_one_third"),
    ("environ 30 %", "lesion_size", "lt_one_third"),
    ("environ un tiers", "lesion_size", None),
    ("plus de la moitié", "lesion_size", None),
    ("30-40 %", "lesion_size", None),
    ("le fémoral", "bone", "femur"),
    ("le péroné", "bone", "fibula"),
    ("oui", "bone", None),
    ("le col", "site", "neck"),
    ("la partie supérieure", "site", "proximal"),
    ("pas la diaphyse", "site", None),
    ("peut-être le col", "site", None),
    ("mécanique", "pain", "functional"),
    ("modérée", "pain", "moderate"),
    ("légère", "pain", "mild"),
    ("lytique", "lesion_type", "lytic"),
    ("poumon", "primary_tumor", "lung"),
    ("sein", "primary_tumor", "other"),
    ("fracture", "situation", "pathological_fracture"),
    ("pas encore fracturé", "situation", "impending_fracture"),
    ("la douleur", "situation", "refractory_pain"),
    ("oui", "prior_radiotherapy", "true"),
    ("o", "fit_for_surgery", "true"),
    ("ouais", "fit_for_surgery", "true"),
    ("exact", "major_bone_loss", "true"),
    ("tout à fait", "suspected_hypervascular", "true"),
    ("non", "fit_for_surgery", "false"),
    ("n", "fit_for_surgery", "false"),
    ("pas du tout", "articular_involvement", "false"),
    ("jamais", "prior_radiotherapy", "false"),
    ("non, jamais irradié", "prior_radiotherapy", "false"),
    ("stable", "acetabular_stability_compromised", "false"),
    ("échec", "conservative_treatment_failed", "true"),
    ("pas soulagé", "conservative_treatment_failed", "true"),
    ("aucun doute", "diagnostic_uncertainty", "false"),
    ("unique", "solitary_bone_metastasis", "true"),
    ("oui, une seule", "solitary_bone_metastasis", "true"),
    ("oligométastatique contrôlée", "solitary_bone_metastasis", "true"),
    ("plusieurs", "solitary_bone_metastasis", "false"),
    ("non, plusieurs lésions", "solitary_bone_metastasis", "false"),
    ("multiples", "solitary_bone_metastasis", "false"),
    ("diffuses", "solitary_bone_metastasis", "false"),
    ("je ne sais pas", "solitary_bone_metastasis", "unknown"),
    # Contract 0.3.0: « je ne sais pas » is an answer for every field but the primary, the situation
    # and the bone (was None).
    ("je ne sais pas", "prior_radiotherapy", "unknown"),
    ("je ne sais pas", "situation", None),
    ("non, il a été irradié", "prior_radiotherapy", None),
    ("oui", "not_a_field", None),
    ("144", "reference_number", "144"),
]


@pytest.mark.parametrize("text,field,expected", ANSWERS, ids=[f"{f}:{t}" for t, f, _ in ANSWERS])
def test_interpret_answer(text: str, field: str, expected: str | None) -> None:
    assert interpret_answer(text, field) == expected


def test_interpret_answer_keeps_a_context_free_fact_of_the_field() -> None:
    assert interpret_answer("fracture du col fémoral", "bone") == "femur"
    assert interpret_answer("fracture du col fémoral", "site") == "neck"


def test_interpret_answer_gives_none_on_contradiction() -> None:
    assert interpret_answer("le col ou la diaphyse", "site") is None
    assert interpret_answer("oui non", "fit_for_surgery") is None


def test_interpret_answer_returns_only_contract_codes() -> None:
    for text, field, _ in ANSWERS:
        value = interpret_answer(text, field)
        if value is not None and field in FIELD_VALUES:
            assert value in FIELD_VALUES[field] or (value == "unknown" and field in UNKNOWN_ALLOWED)


# --------------------------------------------------------------------------
# Lexicon and module


def test_lexicon_is_loaded_once() -> None:
    assert parser._lexicon() is parser._lexicon()


def test_lexicon_codes_are_contract_codes() -> None:
    lex = parser._lexicon()
    for e in lex.base_entries:
        if e.role in (Role.FACT, Role.CUED, Role.CONTEXT, Role.UPGRADE):
            assert e.value in FIELD_VALUES[e.field]


def test_parser_imports_neither_rasa_nor_spacy() -> None:
    code = (
        "import sys, freetext.parser as p; p.extract_facts('col fémoral');"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('rasa', 'spacy')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# --------------------------------------------------------------------------
# Properties


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_extract_facts_never_raises_and_spans_are_well_formed(text: str) -> None:
    facts = extract_facts(text)
    assert_well_formed(text, facts)
    for f in facts:
        assert f.field in FIELD_VALUES or f.field in ("field", "reference_number")


_WORDS = [
    "fracture",
    "col",
    "fémoral",
    "espérance",
    "de",
    "vie",
    "4",
    "mois",
    "pas",
    "non",
    "sans",
    "atteinte",
    "articulaire",
    "irradié",
    "un",
    "an",
    "et",
    "demi",
    "moins",
    "plus",
    ",",
    ".",
    "tête",
    "humérale",
    "référence",
    "144",
    "douleur",
    "modérée",
    "étendu",
    "au",
    "massif",
    "trochantérien",
    "quelques",
    "semaines",
    "é",
    "🦴",
    "\u0301",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=25), st.sampled_from(sorted(FIELD_VALUES)))
def test_clinical_word_soup_never_breaks_the_parser(words: list[str], field: str) -> None:
    text = " ".join(words)
    facts = extract_facts(text)
    assert_well_formed(text, facts)
    for f in facts:
        if f.field in FIELD_VALUES:
            assert f.value in FIELD_VALUES[f.field]
    answer = interpret_answer(text, field)
    assert answer is None or answer in FIELD_VALUES[field]


# --------------------------------------------------------------------------
# How clinicians write, beyond the dev set: general rules, each with phrasings
# of its own and controls that must not match.


@pytest.mark.parametrize(
    "text",
    [
        "entre 1/4 et 1/2",
        "20 à 40 %",
        "entre 20 et 40 %",
        "de 1/4 à 1/2",
        "1/4-1/2",
        "entre le quart et la moitié",
        "25 à 50 %",
    ],
)
def test_a_size_range_straddling_a_third_records_nothing(text: str) -> None:
    """Mirels' thirds: a range running across 1/3 (or 2/3) does not say which class the lesion is in."""
    assert interpret_answer(text, "lesion_size") is None
    assert [p for p in pairs(f"lésion lytique {text} du diamètre") if p[0] == "lesion_size"] == []


@pytest.mark.parametrize(
    "text,expected",
    [
        ("entre 1/3 et 1/2", "one_to_two_thirds"),
        ("entre 70 et 80 %", "gt_two_thirds"),
        ("10 à 20 %", "lt_one_third"),
        ("le quart", "lt_one_third"),
        ("entre la moitié et les deux tiers", "one_to_two_thirds"),
    ],
)
def test_a_size_range_within_one_third_class_is_that_class(text: str, expected: str) -> None:
    assert interpret_answer(text, "lesion_size") == expected
    assert pairs(f"lésion condensante, {text} du diamètre") == [("lesion_type", "blastic"), ("lesion_size", expected)]


def lesion_types(text: str) -> set[str]:
    return {value for field, value in pairs(text) if field == "lesion_type"}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("lyse > 2/3", [("lesion_type", "lytic"), ("lesion_size", "gt_two_thirds")]),
        ("lyse 50 %", [("lesion_type", "lytic"), ("lesion_size", "one_to_two_thirds")]),
        ("fémur diaphysaire, lyse corticale", [("bone", "femur"), ("site", "diaphysis"), ("lesion_type", "lytic")]),
        ("lyses multiples du fémur", [("lesion_type", "lytic"), ("bone", "femur")]),
        ("lyse circonférentielle", [("lesion_type", "lytic"), ("lesion_size", "gt_two_thirds")]),
        (
            "lésion ostéolytique du tibia, 1/4 du diamètre",
            [("lesion_type", "lytic"), ("bone", "tibia"), ("lesion_size", "lt_one_third")],
        ),
        # controls: the tumour lysis syndrome, a negated lysis, a word that merely contains « lyse »
        ("syndrome de lyse tumorale", []),
        ("pas de lyse", []),
        ("analyse du scanner", []),
    ],
)
def test_lysis_anywhere_in_a_description_says_lytic(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("lésion ostéocondensante 30 %", [("lesion_type", "blastic"), ("lesion_size", "lt_one_third")]),
        ("métastase condensante du fémur", [("lesion_type", "blastic"), ("bone", "femur")]),
        ("plage d'ostéocondensation du tibia", [("lesion_type", "blastic"), ("bone", "tibia")]),
        ("condensation pulmonaire", []),  # a lung consolidation, not a bone lesion
    ],
)
def test_condensing_words_say_blastic(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "lésion mixte à prédominance lytique",
        "lésion lytique avec composante condensante",
        "lésion lytico-condensante",
        "lésion d'aspect mixte, 40 %",
        "ostéolyse avec plages condensantes",
    ],
)
def test_a_lesion_both_lytic_and_condensing_is_mixed(text: str) -> None:
    assert lesion_types(text) == {"mixed"}
    assert interpret_answer(text, "lesion_type") == "mixed"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("lytique ou mixte, difficile à dire", {"lytic", "mixed"}),  # alternatives: two values, none recorded
        ("lytique voire condensante", {"lytic", "blastic"}),
        ("lésion lytique, pas condensante", {"lytic"}),
        ("réponse mixte sous immunothérapie", set()),  # a response to treatment, not a lesion
    ],
)
def test_lesion_types_offered_as_alternatives_or_negated_are_not_mixed(text: str, expected: set[str]) -> None:
    assert lesion_types(text) == expected
    assert interpret_answer(text, "lesion_type") == (expected.pop() if len(expected) == 1 else None)


@pytest.mark.parametrize(
    "text",
    [
        "douleur à la charge",
        "douleur en charge",
        "douleur en portant son sac",
        "douleur à la préhension",
        "douleur qui l'empêche de tenir un verre",
        "douleur humérale qui l'empêche de marcher",
        "douleur d'effort",
        "douleurs d'appui",
        "douleur mécanique",
        "douleur au moindre mouvement",
        "dlr de rythme mécanique",
        "elle a mal quand elle marche",
        "douloureux lors de la mise en charge",
        "ne peut plus tenir sa tasse",
        "douleurs lors des efforts",
        "douleur pour marcher",
        "la douleur empêche la marche",
        "douleur à la moindre mise en charge",
    ],
)
def test_pain_tied_to_load_or_use_is_functional(text: str) -> None:
    assert [p for p in pairs(text) if p[0] == "pain"] == [("pain", "functional")]


@pytest.mark.parametrize(
    "text",
    [
        "douleur au repos",
        "douleur nocturne",
        "douleur qui l'empêche de dormir",
        "douleur prise en charge par l'équipe de soins palliatifs",
        "reprise de la marche après l'opération",
        "quelle est la marche à suivre pour la douleur ?",
        "douleur liée à la charge tumorale",
        "fracture mécanique",
        "à la charge de l'équipe",
        "douleur en tenant compte de la morphine",
        "douleur en montant la dose de morphine",
    ],
)
def test_pain_at_rest_and_other_uses_of_load_words_are_not_functional(text: str) -> None:
    assert [p for p in pairs(text) if p[0] == "pain"] == []


@pytest.mark.parametrize("text", ["à la charge", "en portant", "d'effort", "à la préhension", "quand il marche"])
def test_a_load_or_use_answers_the_pain_question(text: str) -> None:
    assert interpret_answer(text, "pain") == "functional"


def said(text: str) -> dict[str, set[str]]:
    """Every value read per field."""
    out: dict[str, set[str]] = {}
    for field, value in pairs(text):
        out.setdefault(field, set()).add(value)
    return out


@pytest.mark.parametrize(
    "text",
    [
        "douleurs invalidantes non calmées par les morphiniques",
        "douleurs rebelles aux opioïdes",
        "douleur non soulagée par les antalgiques de palier 3",
        "douleurs invalidantes malgré les morphiniques",
        "douleur intense sous morphine",
        "douleurs mal calmées par l'oxycodone",
        "douleur résistante aux antalgiques",
        "douleurs non calmées par la RT",
        "douleur non soulagée par le tramadol",
        "douleur persistante malgré le fentanyl",
    ],
)
def test_pain_the_treatments_do_not_relieve_is_refractory_and_the_treatment_failed(text: str) -> None:
    facts = said(text)
    assert facts["situation"] == {"refractory_pain"}
    assert facts["conservative_treatment_failed"] == {"true"}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("douleurs invalidantes", {}),  # how much it hurts, not that it resists treatment
        ("douleur sous morphine", {}),
        ("douleur bien calmée par la morphine", {"conservative_treatment_failed": {"false"}}),
        ("douleur contrôlée sous palier 2", {"conservative_treatment_failed": {"false"}}),
    ],
)
def test_pain_under_or_relieved_by_treatment_is_not_refractory(text: str, expected: dict[str, set[str]]) -> None:
    assert said(text) == expected


@pytest.mark.parametrize(
    "text,failed",
    [
        ("soulagé par la RT", "false"),
        ("douleur bien soulagée par l'irradiation", "false"),
        ("bonne réponse à la radiothérapie", "false"),
        ("RT antalgique faite, efficace", "false"),
        ("RT inefficace", "true"),
        ("échec de la RT", "true"),
        ("la RT n'a rien donné", "true"),
        ("RT antalgique faite mais inefficace", "true"),
        ("douleurs résistantes à la radiothérapie", "true"),
    ],
)
def test_a_radiotherapy_that_relieved_or_failed_was_given_to_the_lesion(text: str, failed: str) -> None:
    facts = said(text)
    assert facts["conservative_treatment_failed"] == {failed}
    assert facts["prior_radiotherapy"] == {"true"}


@pytest.mark.parametrize(
    "text",
    [
        "RT encéphalique",
        "a reçu une RT encéphalique",
        "ATCD de RT médiastinale",
        "irradiation cérébrale il y a 2 mois",
        "radiothérapie pan-encéphalique faite",
        "RT thoracique",
        "pas de RT encéphalique",
    ],
)
def test_a_radiotherapy_of_another_site_is_not_the_lesion_s(text: str) -> None:
    assert "prior_radiotherapy" not in said(text)


def test_a_radiotherapy_of_the_lesion_s_bone_still_counts() -> None:
    assert pairs("a reçu une RT sur le fémur") == [("prior_radiotherapy", "true"), ("bone", "femur")]
    assert pairs("ATCD de RT sur le fémur, RT encéphalique aussi") == [
        ("prior_radiotherapy", "true"),
        ("bone", "femur"),
    ]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("pas sur ce site, seulement une RT encéphalique", "false"),
        ("seulement une RT encéphalique", "false"),
        ("non, seulement une irradiation cérébrale", "false"),
        ("pas à ce niveau", "false"),
        ("pas ici, seulement au cerveau", "false"),
        ("RT du primitif", "false"),
        ("oui, au fémur", "true"),
        ("pas sûr", "unknown"),  # « sûr », not « sur »
    ],
)
def test_an_irradiation_elsewhere_answers_no_to_the_irradiation_question(text: str, expected: str) -> None:
    assert interpret_answer(text, "prior_radiotherapy") == expected


@pytest.mark.parametrize(
    "text",
    [
        "CPC",
        "CBPC",
        "CBNPC",
        "CPNPC",
        "ADK pulmonaire",
        "ADC pulmonaire",
        "épidermoïde bronchique",
        "carcinome neuroendocrine pulmonaire",
        "CBNPC diagnostiqué il y a 18 mois",
        "patiente suivie pour un CPC depuis 2 ans, fracture du col fémoral",
        "ADK pulmonaire diagnostiqué l'an dernier, lésion lytique du fémur",
    ],
)
def test_lung_cancer_names_and_abbreviations_give_lung_also_inside_a_sentence(text: str) -> None:
    assert said(text).get("primary_tumor") == {"lung"}
    assert interpret_answer(text, "primary_tumor") == "lung"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("cancer du sein il y a 10 ans, actuellement ADK pulmonaire", [("primary_tumor", "lung")]),
        ("fracture du col il y a 2 ans", []),  # a past fracture is not the case's
        ("adénocarcinome", []),  # of which organ?
        ("métastases pulmonaires d'un cancer du rein", [("primary_tumor", "other")]),
    ],
)
def test_a_primary_told_in_the_past_is_the_primary_unless_another_one_is_current(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("fracture du pilon tibial", {"situation": {"pathological_fracture"}, "site": {"distal"}, "bone": {"tibia"}}),
        ("plateau tibial", {"site": {"proximal"}, "bone": {"tibia"}}),
        ("tibia, plateau", {"site": {"proximal"}, "bone": {"tibia"}}),
        ("lésion de la palette humérale", {"site": {"distal"}, "bone": {"humerus"}}),
        ("col chirurgical", {"site": {"proximal"}, "bone": {"humerus"}}),
        ("col anatomique de l'humérus", {"site": {"proximal"}, "bone": {"humerus"}}),
        ("malléole interne", {"site": {"distal"}, "bone": {"tibia"}}),
        ("tubérosité tibiale antérieure", {"site": {"proximal"}, "bone": {"tibia"}}),
        ("lésion du fût fémoral", {"site": {"diaphysis"}, "bone": {"femur"}}),
        ("toit du cotyle", {"bone": {"acetabulum"}}),
        ("arrière-fond du cotyle", {"bone": {"acetabulum"}}),
        ("sourcil cotyloïdien", {"bone": {"acetabulum"}}),
        ("fracture basicervicale", {"situation": {"pathological_fracture"}, "site": {"neck"}}),
        # controls
        ("col du fémur", {"site": {"neck"}, "bone": {"femur"}}),  # the femoral neck is not the surgical neck
        ("malléole externe", {"bone": {"fibula"}}),  # no site on the fibula
        ("plateau technique du CHU", {}),
        ("la lésion envahit les 2/3 du fût", {"lesion_size": {"one_to_two_thirds"}}),
    ],
)
def test_anatomy_words_give_the_bone_and_the_site(text: str, expected: dict[str, set[str]]) -> None:
    assert said(text) == expected


@pytest.mark.parametrize(
    "text,bone,site",
    [
        ("le pilon", "tibia", "distal"),
        ("la palette", "humerus", "distal"),
        ("le plateau", "tibia", "proximal"),
        ("col chirurgical", "humerus", "proximal"),
        ("le cotyle", "acetabulum", None),
    ],
)
def test_a_part_of_a_bone_answers_the_bone_and_the_site_questions(text: str, bone: str, site: str | None) -> None:
    assert interpret_answer(text, "bone") == bone
    assert interpret_answer(text, "site") == site


@pytest.mark.parametrize(
    "text,field,expected",
    [
        ("non, c'est un CBNPC", "diagnostic_uncertainty", "false"),
        ("non c'est un adénocarcinome", "diagnostic_uncertainty", "false"),
        ("non parce que c'est une métastase prouvée", "diagnostic_uncertainty", "false"),
        ("oui vu le scanner", "articular_involvement", "true"),
        ("non vu l'IRM", "articular_involvement", "false"),
        ("oui, d'après le radiologue", "suspected_hypervascular", "true"),
        ("non c'est un CBNPC", "primary_tumor", "lung"),
        # controls: a justification saying the opposite, a negated value
        ("non, il a été irradié", "prior_radiotherapy", None),
        ("non c'est pas un CBNPC", "primary_tumor", None),
    ],
)
def test_a_yes_or_no_followed_by_a_justification_answers_the_question(
    text: str, field: str, expected: str | None
) -> None:
    assert interpret_answer(text, field) == expected


def test_the_justification_after_a_yes_or_no_is_read_as_usual() -> None:
    assert pairs("non c'est un CBNPC") == [("primary_tumor", "lung")]
    assert pairs("non, c'est un adénocarcinome pulmonaire") == [("primary_tumor", "lung")]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("ah non pardon c'est la diaphyse", [("site", "diaphysis")]),
        ("non non c'est la diaphyse", [("site", "diaphysis")]),
        ("non en fait le col", [("site", "neck")]),
        ("non plutôt la diaphyse", [("site", "diaphysis")]),
        ("je me suis trompé c'est le col", [("site", "neck")]),
        ("désolé, c'est distal", [("site", "distal")]),
        # controls: still negations, and a hedge still reaches past « c'est »
        ("c'est pas la diaphyse", []),
        ("peut-être que c'est une fracture pathologique", []),
        ("possible que c'est le col", []),
        ("non pas la diaphyse", []),
        ("ce n'est pas le col", []),
    ],
)
def test_a_correction_takes_back_the_previous_answer_and_states_the_new_one(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert pairs(text) == expected


def test_a_correction_of_the_site_without_the_bone_is_read_on_the_case_s_bone() -> None:
    """The consultation knows the bone: the site told alone is checked against it (shorthand.recorded)."""
    assert recorded("ah non pardon c'est la diaphyse", None, {"bone": "femur", "site": "neck"}) == {"site": "diaphysis"}
    assert recorded("non en fait c'est distal", "site", {"bone": "humerus", "site": "proximal"}) == {"site": "distal"}
    assert recorded("ah non pardon c'est le col", None, {"bone": "humerus", "site": "proximal"}) == {}  # no neck there


@pytest.mark.parametrize(
    "text",
    [
        "je pense pas",
        "je ne crois pas",
        "ça m'étonnerait",
        "peu probable",
        "j'en doute",
        "probablement pas",
        "a priori pas",
        "je ne pense pas, l'IRM est normale",
        "pas à ma connaissance",
        "il me semble que non",
        "pas vraiment",
    ],
)
def test_a_hedged_no_answers_no(text: str) -> None:
    for field in ("fit_for_surgery", "suspected_hypervascular", "articular_involvement", "diagnostic_uncertainty"):
        assert interpret_answer(text, field) == "false", field
    assert pairs(text) == []  # a yes or a no is no fact without a question


@pytest.mark.parametrize(
    "text",
    [
        "probablement oui",
        "je pense que oui",
        "a priori oui",
        "probablement",
        "a priori",
        "sans doute",
        "je crois que oui",
        "plutôt oui",
    ],
)
def test_a_hedged_yes_answers_yes(text: str) -> None:
    for field in ("fit_for_surgery", "suspected_hypervascular", "major_bone_loss"):
        assert interpret_answer(text, field) == "true", field


@pytest.mark.parametrize(
    "text",
    [
        "peut-être",
        "possible",
        "c'est possible",
        "je pense qu'il faut voir avec l'anesthésiste",
        "peut-être pas",
    ],
)
def test_a_doubt_stays_undecided(text: str) -> None:
    assert interpret_answer(text, "fit_for_surgery") is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("je ne pense pas qu'il y ait d'atteinte articulaire", [("articular_involvement", "false")]),
        ("atteinte articulaire peu probable", [("articular_involvement", "false")]),
        ("ça m'étonnerait qu'il soit opérable", [("fit_for_surgery", "false")]),
        ("fracture peu probable", []),  # a category is not negated into another one
    ],
)
def test_an_estimate_that_it_is_not_so_negates_in_a_description(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


def test_alternatives_matching_the_same_words_are_expanded_once() -> None:
    """« douleur|douleurs » match the same words (a plural's s is dropped): one variant, not two."""
    assert [phrase_keys(v) for v in expand("(douleur|douleurs) (calmee|calmees|soulagee)")] == [
        ("douleur", "calmee"),
        ("douleur", "soulagee"),
    ]
