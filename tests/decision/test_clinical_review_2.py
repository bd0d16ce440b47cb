"""The second clinical review's severity-3 findings (F5–F7, F9–F12) and its
§ 3 (targeted therapy and immunotherapy around surgery; weight bearing), rule
by rule.

As in test_rules.py, each test is named after the rule it checks and quotes,
in its docstring, the sentence(s) of the chapter it rests on, verbatim (the
traceability matrix finds tests by these quotations). Expected values come
from the sentences and the review, not from the engine's output.
"""

from decision import recommend

FIT = {"life_expectancy": "6_to_12_months", "fit_for_surgery": True}
FRACTURE = {"situation": "pathological_fracture", **FIT}
MIRELS_11 = {
    "situation": "impending_fracture",
    "pain": "functional",
    "lesion_type": "lytic",
    "lesion_size": "gt_two_thirds",
}
ACETABULUM = {"situation": "refractory_pain", "bone": "acetabulum", **FIT}


def codes(items, role=None):
    return [item.code for item in items if role is None or item.role == role]


def warning(result, code):
    found = [item for item in result.warnings if item.code == code]
    return found[0] if found else None


def quoted(item):
    return [q["text"] for q in item.quotes] if item.quotes else [item.quote_fr]


def technique(result, code):
    return next(item for item in result.techniques if item.code == code)


# ------------------------------------------------------------------ F5


def test_articular_involvement_of_a_diaphysis_is_flagged_as_inconsistent_facts():
    """[4.2] « Toutes les atteintes articulaires peuvent être traitées par arthroplasties. »
    [4.1] « Les localisations préférentielles pour l'ostéosynthèse sont les atteintes
    diaphysaires des os longs (fémur, humérus, tibia) ainsi que les lésions
    métaphyso-diaphysaires. » A diaphyseal lesion does not reach the joint: both
    answers are named, the clinician is asked which is right, nothing is chosen in silence."""
    for bone in ("femur", "humerus", "tibia"):
        result = recommend({**FRACTURE, "bone": bone, "site": "diaphysis", "articular_involvement": True})
        item = warning(result, "inconsistent_facts")
        assert item is not None, bone
        assert "« atteinte articulaire : Oui »" in item.text_fr
        assert "« localisation sur l'os : Diaphyse »" in item.text_fr
        assert "laquelle" in item.text_fr
        assert "intramedullary_nailing" in codes(result.techniques, "primary")  # the decision is unchanged
    for site, label in (("trochanteric", "Massif trochantérien"), ("subtrochanteric", "Région sous-trochantérienne")):
        result = recommend({**FRACTURE, "bone": "femur", "site": site, "articular_involvement": True})
        assert f"« localisation sur l'os : {label} »" in warning(result, "inconsistent_facts").text_fr
    # A joint end with articular involvement, or a diaphysis without it, is consistent.
    for facts in (
        {"bone": "femur", "site": "distal", "articular_involvement": True},
        {"bone": "humerus", "site": "diaphysis", "articular_involvement": False},
    ):
        assert warning(recommend({**FRACTURE, **facts}), "inconsistent_facts") is None


def test_femoral_head_or_neck_without_articular_involvement_is_flagged_as_inconsistent_facts():
    """[4.2] « Les localisations préférentielles pour l'arthroplastie sont les lésions de la
    tête et du col du fémur. » The question is never asked there: an answer « non »
    given anyway is named and checked, and the arthroplasty stays."""
    labels = {
        "head": "Tête fémorale",
        "neck": "Col fémoral",
        "neck_trochanteric_extension": "Col étendu à la région trochantérienne",
    }
    for site, label in labels.items():
        result = recommend({**FRACTURE, "bone": "femur", "site": site, "articular_involvement": False})
        item = warning(result, "inconsistent_facts")
        assert item is not None, site
        assert (
            "« atteinte articulaire : Non »" in item.text_fr and f"« localisation sur l'os : {label} »" in item.text_fr
        )
        assert "laquelle" in item.text_fr
        assert codes(result.techniques, "primary"), site
    assert warning(recommend({**FRACTURE, "bone": "femur", "site": "head"}), "inconsistent_facts") is None


def test_who_performance_status_4_declared_fit_is_flagged_not_refused():
    """[2.2] « Les seules contre-indications sont le mauvais état général du patient ne
    permettant pas d'envisager une intervention chirurgicale et/ou une anesthésie. »
    A fracture can itself make a patient WHO 4: a flag that asks, never a refusal."""
    result = recommend({**FRACTURE, "bone": "femur", "site": "neck", "performance_status": "4"})
    assert result.surgery == "indicated"
    item = warning(result, "inconsistent_facts")
    assert "« indice de performance (OMS / ECOG) : OMS 4 »" in item.text_fr
    assert "« intervention et anesthésie possibles : Oui »" in item.text_fr
    assert "laquelle" in item.text_fr
    for facts in ({"performance_status": "3"}, {"performance_status": "4", "fit_for_surgery": False}):
        assert warning(recommend({**FRACTURE, "bone": "femur", "site": "neck", **facts}), "inconsistent_facts") is None


def test_failed_percutaneous_treatment_with_no_reason_for_it_is_flagged_as_inconsistent_facts():
    """[2.4] « Des lésions acétabulaires douloureuses qui ne compromettent pas la stabilité
    du cotyle (atteinte étendue du toit, de la colonne postérieure ou du mur médial) et
    qui n'ont pas un risque imminent de fracture doivent avoir une prise en charge
    médicale ou par radiothérapie. » « Si ces traitements ne sont pas efficaces sur la
    douleur ou qu'il existe un risque de fracture ou d'instabilité de hanche, un
    traitement plus invasif par cimentoplastie (+/- associée à un vissage) ou
    radiofréquence ou cryothérapie est indiqué, parfois en association avec une
    radiothérapie pour optimiser les chances de consolidation osseuse. »"""
    stable = {
        "acetabular_stability_compromised": False,
        "acetabular_fracture_risk": False,
        "conservative_treatment_failed": False,
    }
    result = recommend({**ACETABULUM, **stable, "percutaneous_treatment_failed": True})
    item = warning(result, "inconsistent_facts")
    assert "« échec d'un traitement percutané : Oui »" in item.text_fr
    assert "« échec du traitement conservateur »" in item.text_fr and "laquelle" in item.text_fr
    assert codes(result.techniques, "primary") == ["medical_or_radiotherapy"]
    failed_first = {**stable, "conservative_treatment_failed": True, "percutaneous_treatment_failed": True}
    assert warning(recommend({**ACETABULUM, **failed_first}), "inconsistent_facts") is None


# ------------------------------------------------------------------ F6


def test_unfit_patient_without_a_fracture_is_not_told_of_the_surgery_of_a_fracture():
    """[2.2] « Les seules contre-indications sont le mauvais état général du patient ne
    permettant pas d'envisager une intervention chirurgicale et/ou une anesthésie. »
    [1] « La décision d'un traitement chirurgical doit tenir compte de l'indication
    théorique de chirurgie, de l'espérance de vie du malade mais également de l'état
    général du malade, de ses besoins fonctionnels, du bénéfice attendu, des risques de
    l'intervention et du programme oncologique global. »"""
    unfit = {"life_expectancy": "6_to_12_months", "fit_for_surgery": False}
    cases = {
        "préventive": {**unfit, "situation": "impending_fracture", "bone": "humerus", "site": "diaphysis"},
        "douleur": {**unfit, "situation": "refractory_pain", "bone": "humerus", "site": "proximal"},
        "acétabulaire": {**unfit, "situation": "refractory_pain", "bone": "acetabulum"},
    }
    for word, facts in cases.items():
        result = recommend(facts)
        assert result.surgery == "not_indicated"
        assert "chirurgie d'une fracture pathologique" not in result.indication.text_fr, word
        assert word in result.indication.text_fr, word
    after_percutaneous = recommend(
        {**cases["acétabulaire"], "acetabular_stability_compromised": True, "percutaneous_treatment_failed": True}
    )
    assert "fracture" not in after_percutaneous.indication.text_fr
    fracture = recommend({**unfit, "situation": "pathological_fracture", "bone": "femur", "site": "diaphysis"})
    assert "chirurgie d'une fracture pathologique" in fracture.indication.text_fr


# ------------------------------------------------------------------ F7


def test_unknown_life_expectancy_promises_no_hypothesis_when_no_branch_follows():
    """[1] « L'estimation de l'espérance de vie est ainsi un élément capital de la prise en
    charge chirurgicale. Il s'agit cependant d'un exercice difficile »"""
    unfit = recommend(
        {**FRACTURE, "bone": "femur", "site": "neck", "life_expectancy": "unknown", "fit_for_surgery": False}
    )
    assert unfit.branches == []
    item = warning(unfit, "life_expectancy_unknown")
    assert "ci-dessous" not in item.text_fr and "capital" in item.text_fr
    fit = recommend({**FRACTURE, "bone": "femur", "site": "neck", "life_expectancy": "unknown"})
    assert fit.branches and "ci-dessous" in warning(fit, "life_expectancy_unknown").text_fr


# ------------------------------------------------------------------ F9


def test_postoperative_radiotherapy_on_an_irradiated_site_leaves_reirradiation_to_the_radiotherapist():
    """[1] « En revanche une radiothérapie post-opératoire sur l'ensemble de la pièce osseuse
    est recommandée. » « La chirurgie est toujours plus aisée en territoire non-irradié
    mais reste possible. Cet élément doit être pris en considération dans
    l'établissement de la stratégie thérapeutique initiale. » The chapter is silent on
    re-irradiation."""

    def radiotherapy(prior):
        result = recommend({**FRACTURE, "bone": "femur", "site": "diaphysis", "prior_radiotherapy": prior})
        return next(item for item in result.postoperative if item.code == "radiotherapy_whole_bone")

    irradiated = radiotherapy(True)
    assert "ré-irradiation" in irradiated.label_fr and "radiothérapeute" in irradiated.label_fr
    assert "ne dit rien" in irradiated.rationale_fr
    maybe = radiotherapy("unknown")
    assert "si le site a déjà été irradié" in maybe.label_fr and "radiothérapeute" in maybe.label_fr
    assert "ré-irradiation" not in radiotherapy(False).label_fr


# ------------------------------------------------------------------ F10


def test_articular_involvement_makes_cemented_arthroplasty_first_line_beside_the_osteosynthesis_over_6_months():
    """[4.2] « Toutes les atteintes articulaires peuvent être traitées par arthroplasties.
    Elles sont indiquées chez des patients ayant un pronostic vital supérieur à 6 mois-1
    an. » [4.1] « L'enclouage centromédullaire constitue le moyen d'ostéosynthèse le plus
    utilisé pour les lésions diaphysaires et les lésions du massif trochantérien ou de
    l'extrémité proximale de l'humérus. » The chapter does not rank one after the other."""
    joint_ends = {
        ("humerus", "proximal"): "intramedullary_nailing",
        ("humerus", "distal"): "locked_plate",
        ("femur", "distal"): "locked_plate",
        ("tibia", "proximal"): None,  # no osteosynthesis implant named (4.1)
    }
    for (bone, site), osteosynthesis in joint_ends.items():
        for life in ("6_to_12_months", "gt_12_months"):
            facts = {**FRACTURE, "bone": bone, "site": site, "life_expectancy": life, "articular_involvement": True}
            primary = codes(recommend(facts).techniques, "primary")
            assert "cemented_arthroplasty" in primary, (bone, site, life)
            assert osteosynthesis is None or osteosynthesis in primary, (bone, site, life)
    # The ankle stays excluded; without articular involvement, no arthroplasty.
    ankle = {**FRACTURE, "bone": "tibia", "site": "distal", "articular_involvement": True}
    assert "cemented_arthroplasty" not in codes(recommend(ankle).techniques)
    shaft_end = {**FRACTURE, "bone": "humerus", "site": "proximal", "articular_involvement": False}
    assert "cemented_arthroplasty" not in codes(recommend(shaft_end).techniques)


def test_articular_involvement_under_6_months_is_said_with_the_arthroplasty_threshold():
    """[4.2] « Toutes les atteintes articulaires peuvent être traitées par arthroplasties.
    Elles sont indiquées chez des patients ayant un pronostic vital supérieur à 6 mois-1
    an. » [1] « Les patients avec une espérance de vie intermédiaire bénéficieront de
    techniques d'ostéosynthèse et de stabilisation moins agressives, mais aussi
    potentiellement moins durables. »"""
    short = {**FRACTURE, "bone": "humerus", "site": "proximal", "life_expectancy": "6_weeks_to_6_months"}
    result = recommend({**short, "articular_involvement": True})
    assert codes(result.techniques, "primary") == ["intramedullary_nailing"]
    item = warning(result, "articular_involvement_short_prognosis")
    assert item is not None and "6 mois-1 an" in item.text_fr
    assert any("supérieur à 6 mois-1 an" in text for text in quoted(item))
    assert (
        warning(recommend({**short, "articular_involvement": False}), "articular_involvement_short_prognosis") is None
    )
    ankle = {**short, "bone": "tibia", "site": "distal", "articular_involvement": True}
    assert warning(recommend(ankle), "articular_involvement_short_prognosis") is None


# ------------------------------------------------------------------ F11


def test_diagnostic_doubt_outside_urgency_puts_the_histology_before_every_implant():
    """[3] « Lorsque l'indication chirurgicale urgente/rapide est posée, la biopsie en
    préopératoire peut être indiquée en cas de doute sur le diagnostic étiologique
    (métastases révélatrices vs tumeur primitive osseuse). » [4.1] « Il présente
    l'inconvénient de disséminer les cellules tumorales dans la diaphyse »"""
    impending = {**MIRELS_11, **FIT, "bone": "femur", "site": "diaphysis", "major_bone_loss": True}
    result = recommend({**impending, "diagnostic_uncertainty": True})
    assert {"intramedullary_nailing", "cephalic_screw", "curettage_cementation"} <= set(codes(result.techniques))
    for item in result.techniques:
        assert item.condition_fr == "après confirmation histologique d'une métastase", item.code
    pain = {"situation": "refractory_pain", **FIT, "bone": "humerus", "site": "proximal", "articular_involvement": True}
    for item in recommend({**pain, "diagnostic_uncertainty": True}).techniques:
        assert "après confirmation histologique d'une métastase" in item.condition_fr, item.code
    unknown = recommend({**impending, "diagnostic_uncertainty": "unknown"})
    for item in unknown.techniques:
        assert item.condition_fr == "en cas de doute diagnostique, après confirmation histologique d'une métastase"
    # A condition already there is kept, the histology after it.
    bone_loss = recommend({**impending, "major_bone_loss": "unknown", "diagnostic_uncertainty": True})
    cement = technique(bone_loss, "curettage_cementation")
    assert cement.condition_fr.startswith("si la perte osseuse est importante")
    assert cement.condition_fr.endswith(", après confirmation histologique d'une métastase")
    # In urgency (a fracture), or without a doubt, the implant waits for nothing.
    fracture = {**FRACTURE, "bone": "femur", "site": "diaphysis", "diagnostic_uncertainty": True}
    assert all(item.condition_fr is None for item in recommend(fracture).techniques)
    assert all(
        item.condition_fr is None for item in recommend({**impending, "diagnostic_uncertainty": False}).techniques
    )


# ------------------------------------------------------------------ F12


def test_acetabulum_under_6_weeks_puts_analgesia_first_and_the_cementoplasty_after():
    """[1] « Les patients ayant une espérance de vie de moins de 6 semaines ne tirent aucun
    bénéfice d'une intervention chirurgicale. La prise en charge consistera donc en une
    antalgie efficace, associée éventuellement à de la radiothérapie. » [4.2] « Les
    lésions acétabulaires douloureuses ou à risque de fracture élevé chez des patients
    fragiles et présentant une espérance de vie courte doivent être traitées de
    préférence par cimentoplastie sous contrôle scannographique parfois combiné à un
    vissage pour renforcer le montage. »"""
    for fit in (True, False, "unknown"):
        result = recommend(
            {
                **ACETABULUM,
                "situation": "impending_fracture",
                "life_expectancy": "lt_6_weeks",
                "fit_for_surgery": fit,
                "acetabular_stability_compromised": True,
                "acetabular_fracture_risk": True,
                "percutaneous_treatment_failed": False,
            }
        )
        assert result.surgery == "not_indicated"
        assert codes(result.techniques, "primary") == ["supportive_care"], fit
        assert "percutaneous_cementoplasty" in codes(result.techniques, "alternative"), fit
        cementoplasty = technique(result, "percutaneous_cementoplasty")
        assert any("de préférence par cimentoplastie" in text for text in quoted(cementoplasty))


# ---------------------------------------------------- review 2, section 3


def test_targeted_therapy_and_immunotherapy_around_surgery_are_said_to_be_outside_the_chapter():
    """[3] « Les lignes de chimiothérapie et la radiothérapie pourront être débutées une fois
    la cicatrisation du patient acquise soit 3 semaines après la chirurgie. » [1] « Ceci
    est d'autant plus vrai avec l'avènement des thérapeutiques ciblées et de
    l'immunothérapie qui peuvent modifier considérablement le pronostic. » The chapter
    gives no peri-operative handling of targeted therapy or immunotherapy."""
    result = recommend({**FRACTURE, "bone": "femur", "site": "diaphysis"})
    item = next(item for item in result.postoperative if item.code == "targeted_therapy_immunotherapy")
    assert "thérapies ciblées" in item.label_fr.lower() and "immunothérapie" in item.label_fr
    assert "oncologue" in item.label_fr and "chapitre" in item.label_fr
    assert item.citations == []  # the chapter states this without a reference
    assert any("chimiothérapie et la radiothérapie" in text for text in quoted(item))
    assert "targeted_therapy_immunotherapy" not in codes(
        recommend({**FRACTURE, "bone": "femur", "site": "diaphysis", "fit_for_surgery": False}).postoperative
    )


def test_early_weight_bearing_is_the_aim_the_chapter_states_and_nothing_more():
    """[1] « Le but est un retour rapide à l'autonomie, avec une remise en charge précoce et
    une qualité de vie satisfaisante. »"""
    result = recommend({**FRACTURE, "bone": "femur", "site": "diaphysis"})
    item = next(item for item in result.postoperative if item.code == "early_weight_bearing")
    assert "remise en charge précoce" in item.label_fr.lower()
    assert item.section == "1" and item.citations == []
    assert "remise en charge précoce" in item.quote_fr
    assert "early_weight_bearing" not in codes(
        recommend({**FRACTURE, "bone": "femur", "life_expectancy": "lt_6_weeks"}).postoperative
    )
