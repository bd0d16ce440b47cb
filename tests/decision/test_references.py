"""The references of a recommendation: a number is shown only where that
reference supports the claim; the chapter's reading list (137–142) is shown
once, apart from the items (clinical review 2, F3).

Each test quotes, in its docstring, the sentence(s) of the chapter it rests
on, verbatim. Expected numbers come from the chapter: the numbers it prints
after a sentence, the works a claim names (Mirels), and its reading list.
"""

import pytest
from hypothesis import given, settings

from decision import knowledge, recommend
from tests.decision.test_knowledge import SOURCE, shared_file
from tests.decision.test_properties import cases, examples

READING_LIST = {137, 138, 139, 140, 141, 142}
# The reviews of one bone in the reading list.
BONE_REVIEWS = {"femur": 137, "humerus": 138, "acetabulum": 141}
# The items whose claim is about the Mirels score itself: Mirels' paper (77)
# and the description of his classification (139) are what they rest on.
MIRELS_ITEMS = {
    ("indications", "mirels_indicated"),
    ("indications", "mirels_borderline"),
    ("indications", "mirels_below"),
    ("warnings", "mirels_limited_accuracy"),
}
# Related references of the rest of the bibliography, each for what it is about.
RELATED = {
    84: "postoperative radiotherapy",
    85: "postoperative radiotherapy",
    126: "percutaneous cementoplasty",
    127: "percutaneous cementoplasty and screw fixation",
    133: "interventional radiology",
    134: "percutaneous ablation",
    136: "cryoablation",
    150: "multidisciplinary management",
}
FEMORAL_NECK = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "neck",
    "life_expectancy": "6_to_12_months",
    "fit_for_surgery": True,
}
ACETABULUM_SURGERY = {
    "situation": "impending_fracture",
    "bone": "acetabulum",
    "life_expectancy": "gt_12_months",
    "fit_for_surgery": True,
    "acetabular_stability_compromised": True,
    "acetabular_fracture_risk": True,
    "percutaneous_treatment_failed": True,
}


def every_item():
    """(kind, code, variant, data) of every item and variant the data defines."""
    for kind in knowledge.KINDS:
        for code, entry in knowledge.chapter()[kind].items():
            for variant in [None, *entry.get("variants", {})]:
                yield kind, code, variant, knowledge.item(kind, code, variant)


def items_of(result):
    return [(kind, item) for kind in ("techniques", "workup", "postoperative", "warnings") for item in result[kind]] + [
        ("indication", result["indication"])
    ]


def test_no_item_cites_the_chapters_general_reading_as_support():
    """« Le lecteur pourra se reporter aux références suivantes pour approfondir
    le texte du référentiel concernant la chirurgie : (137–142). » The chapter
    gives these for its whole text, not for one sentence: no item cites them as
    support, except 139 (Mirels' classification) on the items about the
    Mirels score, whose claim rests on it."""
    for kind, code, variant, data in every_item():
        cited = set(data["citations"]) & READING_LIST
        if (kind, code) in MIRELS_ITEMS:
            assert cited <= {139}, (kind, code, variant)
        else:
            assert not cited, (kind, code, variant, sorted(cited))


def test_a_number_the_chapter_prints_supports_only_its_sentence():
    """[2.1] « Il est peu sensible et peu spécifique. Des améliorations sont
    proposées. (143) » [4.2] « C'est pourquoi, une arthroplastie totale de
    hanche associée à une reconstruction acétabulaire par renfort métallique
    acétabulaire constitue le traitement le plus indiqué (144). » 143 and 144
    are cited by an item only when it quotes the sentence they follow; the
    other numbers are related references of the rest of the bibliography,
    each on the items about its subject."""
    assert knowledge.cited_at(143) == ["2.1"] and knowledge.cited_at(144) == ["4.2"]
    assert knowledge.cited_at(137) == [] and knowledge.cited_at(77) == []
    for kind, code, variant, data in every_item():
        quoted = " ".join(quote["text"] for quote in data["quotes"])
        for number in data["citations"]:
            if number in (143, 144):
                assert f"({number})" in quoted, (kind, code, variant, number)
            elif number == 77:
                assert (kind, code) in MIRELS_ITEMS, (kind, code, variant)
            elif number != 139:
                assert number in RELATED, (kind, code, variant, number)
                assert not knowledge.reference(number)["cited_by_chapter"]


def test_sentences_the_chapter_states_without_a_reference_carry_no_number():
    """[1] « On rappelle que la CRP est élevée en post-opératoire en l'absence
    de toute infection et de toute tumeur ce qui en fait un mauvais marqueur
    d'infection post-opératoire. » [5] « Les protocoles d'antibioprophylaxie per
    opératoire sont également spécifiques de ce type de chirurgie à risque
    d'infection (prolongation de l'antibioprophylaxie pendant 48 h). » [3] « Les
    lignes de chimiothérapie et la radiothérapie pourront être débutées une fois
    la cicatrisation du patient acquise soit 3 semaines après la chirurgie. »
    [1] « Ceci est d'autant plus vrai avec l'avènement des thérapeutiques
    ciblées et de l'immunothérapie qui peuvent modifier considérablement le
    pronostic. » The chapter prints no reference after these sentences: their
    items carry their section and quotation, and no number."""
    surgical = recommend(FEMORAL_NECK).to_dict()
    other = recommend({**FEMORAL_NECK, "primary_tumor": "other", "life_expectancy": "unknown"}).to_dict()
    expected = {
        ("postoperative", "crp_not_infection_marker"): ("1", surgical),
        ("postoperative", "antibioprophylaxis_48h"): ("5", surgical),
        ("postoperative", "systemic_treatment_after_healing"): ("3", surgical),
        ("warnings", "prognosis_may_change"): ("1", surgical),
        ("warnings", "non_lung_primary"): ("1", other),
        ("warnings", "life_expectancy_unknown"): ("1", other),
    }
    for (kind, code), (section, result) in expected.items():
        [item] = [item for item in result[kind] if item["code"] == code]
        assert item["citations"] == [], code
        assert item["section"] == section and item["quote_fr"], code
        assert "bone_reading" not in item, code


def test_total_hip_arthroplasty_with_reinforcement_keeps_144_as_support():
    """[4.2] « C'est pourquoi, une arthroplastie totale de hanche associée à une
    reconstruction acétabulaire par renfort métallique acétabulaire constitue
    le traitement le plus indiqué (144). » 144 is printed after that sentence:
    it supports the item; 141, the review of the acetabulum, is only its
    complementary reading."""
    result = recommend(ACETABULUM_SURGERY).to_dict()
    [tha] = [item for item in result["techniques"] if item["code"] == "tha_acetabular_reinforcement"]
    assert tha["citations"] == [144]
    assert tha["bone_reading"] == [141]
    assert not {c["number"] for c in result["citations"]} & READING_LIST
    assert any(c["number"] == 144 and c["cited_by_chapter"] for c in result["citations"])


@pytest.mark.parametrize(
    ("bone", "site", "review"),
    [
        ("femur", "diaphysis", 137),
        ("humerus", "diaphysis", 138),
        ("acetabulum", None, 141),
        ("tibia", "diaphysis", None),
    ],
)
def test_a_bone_review_is_reading_for_that_bones_items_only(bone, site, review):
    """« Le lecteur pourra se reporter aux références suivantes pour approfondir
    le texte du référentiel concernant la chirurgie : (137–142). » Among them,
    137 is about the femur, 138 the humerus, 141 the acetabulum: the review of
    the case's bone is listed as complementary reading of its indication and
    techniques, never as their support, and never for another bone."""
    case = {
        "situation": "pathological_fracture",
        "bone": bone,
        "life_expectancy": "6_to_12_months",
        "fit_for_surgery": True,
    }
    if site:
        case["site"] = site
    result = recommend(case).to_dict()
    readings = {n for _, item in items_of(result) for n in item.get("bone_reading", [])}
    assert readings == ({review} if review else set())
    if review:
        assert result["indication"]["bone_reading"] == [review]
        assert all(item.get("bone_reading") == [review] for item in result["techniques"])
        assert review not in {n for _, item in items_of(result) for n in item["citations"]}
        about = {entry["number"]: entry for entry in result["further_reading"]["references"]}[review]
        assert about["bone"] == bone


def test_the_general_reading_is_given_once_apart_from_the_items():
    """« Le lecteur pourra se reporter aux références suivantes pour approfondir
    le texte du référentiel concernant la chirurgie : (137–142). » The sentence
    and its range are shown as printed, once per recommendation; the texts are
    those of the references about the limbs, 140 (the spine) named apart."""
    result = recommend(FEMORAL_NECK).to_dict()
    reading = result["further_reading"]
    assert reading["quote_fr"] == knowledge.reading()["text"] and reading["range"] == "137–142"
    assert "(137–142)" in reading["quote_fr"]
    assert [entry["number"] for entry in reading["references"]] == [137, 138, 139, 141, 142]
    for entry in reading["references"]:
        assert entry["reference"] == knowledge.printed_reference(entry["number"]) and entry["cited_by_chapter"]
    assert [entry["number"] for entry in reading["not_listed"]] == [140]
    assert "rachis" in reading["not_listed"][0]["reason_fr"]
    # The items' support is another list: no general reading in it here.
    assert not {c["number"] for c in result["citations"]} & READING_LIST


def test_the_reading_sentence_is_verbatim_at_the_head_of_the_chapter():
    """« Le lecteur pourra se reporter aux références suivantes pour approfondir
    le texte du référentiel concernant la chirurgie : (137–142). » It opens the
    chapter, before section 1; its range is the reading list's numbers."""
    head = shared_file(SOURCE).split("### 1.", 1)[0]
    assert knowledge.reading()["text"] in head
    first, last = (int(n) for n in knowledge.reading()["range"].split("–"))
    assert set(range(first, last + 1)) == set(knowledge.reading()["references"]) == READING_LIST


@settings(max_examples=examples(400), deadline=None)
@given(cases())
def test_no_recommendation_cites_the_reading_list_as_support_or_the_spine_for_a_limb(case):
    """« Le lecteur pourra se reporter aux références suivantes pour approfondir
    le texte du référentiel concernant la chirurgie : (137–142). » For any case:
    the support of the items never holds 137, 138, 140, 141 or 142, 139 only on
    the Mirels items; the bone review is that of the case's bone; 140 is never
    shown for a limb; the general reading is the same, once."""
    result = recommend(case).to_dict()
    bone_review = BONE_REVIEWS.get(case.get("bone"))
    for kind, item in items_of(result):
        assert not set(item["citations"]) & (READING_LIST - {139}), (kind, item["code"])
        if 139 in item["citations"]:
            assert (kind.replace("indication", "indications"), item["code"]) in MIRELS_ITEMS
        assert item.get("bone_reading", [bone_review]) == [bone_review]
    assert 140 not in {c["number"] for c in result["citations"]}
    assert 140 not in {entry["number"] for entry in result["further_reading"]["references"]}
    assert result["further_reading"]["range"] == "137–142"
