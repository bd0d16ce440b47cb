"""The chapter, rule by rule.

Each test is named after the rule it checks and quotes, in its docstring, the
sentence of the chapter it rests on (section in brackets).
"""

from decision import recommend
from decision.contract import mirels_site_item

FRACTURE_FEMUR_DIAPHYSIS = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "diaphysis",
    "life_expectancy": "6_weeks_to_6_months",
    "fit_for_surgery": True,
    "major_bone_loss": False,
    "prior_radiotherapy": False,
    "suspected_hypervascular": False,
    "diagnostic_uncertainty": False,
}


def case(**changes):
    facts = {**FRACTURE_FEMUR_DIAPHYSIS, **changes}
    return recommend({key: value for key, value in facts.items() if value is not None})


def codes(items, role=None):
    return [item.code for item in items if role is None or item.role == role]


# --------------------------------------------------------- 1. General principles


def test_life_expectancy_under_6_weeks_means_no_surgery():
    """[1] « Les patients ayant une espérance de vie de moins de 6 semaines ne tirent
    aucun bénéfice d'une intervention chirurgicale. La prise en charge consistera donc
    en une antalgie efficace, associée éventuellement à de la radiothérapie. »"""
    for situation in ("pathological_fracture", "impending_fracture", "refractory_pain"):
        result = case(situation=situation, life_expectancy="lt_6_weeks")
        assert result.surgery == "not_indicated"
        assert codes(result.techniques) == ["supportive_care"]
        assert result.indication.code == "life_lt_6_weeks" and result.indication.section == "1"
        assert result.postoperative == []


def test_life_expectancy_under_6_weeks_asks_nothing_more():
    """[1] Under 6 weeks the decision is made: Mirels items and work-up facts are not asked."""
    result = recommend({"situation": "impending_fracture", "bone": "humerus", "site": "diaphysis",
                        "life_expectancy": "lt_6_weeks", "fit_for_surgery": True})
    assert result.missing == []


def test_life_expectancy_over_one_year_means_resection_reconstruction():
    """[1] « Les patients avec une espérance de survie dite prolongée (supérieure à 1 an),
    une chirurgie de type « résection-reconstruction » assurera une stabilisation
    durable et un contrôle tumoral local prolongé. »"""
    result = case(life_expectancy="gt_12_months")
    assert codes(result.techniques, "primary") == ["resection_reconstruction"]
    assert "intramedullary_nailing" in codes(result.techniques, "alternative")
    assert result.techniques[0].section == "1"


def test_intermediate_life_expectancy_means_less_aggressive_osteosynthesis():
    """[1] « Les patients avec une espérance de vie intermédiaire bénéficieront de
    techniques d'ostéosynthèse et de stabilisation moins agressives, mais aussi
    potentiellement moins durables. »"""
    for life in ("6_weeks_to_6_months", "6_to_12_months"):
        result = case(life_expectancy=life)
        assert codes(result.techniques, "primary") == ["intramedullary_nailing"]
        assert "resection_reconstruction" not in codes(result.techniques)


def test_unknown_life_expectancy_gives_what_each_answer_leads_to():
    """[1] « L'estimation de l'espérance de vie est ainsi un élément capital de la prise
    en charge chirurgicale. »"""
    result = case(life_expectancy="unknown")
    assert result.surgery == "undetermined"
    assert "life_expectancy_unknown" in result.warning_codes()
    outcomes = {branch.value: (branch.surgery, branch.techniques) for branch in result.branches}
    assert outcomes == {
        "lt_6_weeks": ("not_indicated", ["supportive_care"]),
        "6_weeks_to_6_months": ("indicated", ["intramedullary_nailing"]),
        "6_to_12_months": ("indicated", ["intramedullary_nailing"]),
        "gt_12_months": ("indicated", ["resection_reconstruction"]),
    }


def test_every_case_goes_to_the_multidisciplinary_meeting():
    """[1] « chaque cas devra être discuté individuellement lors d'une réunion de
    concertation multidisciplinaire. »"""
    for result in (case(), case(life_expectancy="lt_6_weeks"), recommend({})):
        assert result.warning_codes()[0] == "mdt_required"
        assert "mdt_discussion" in codes(result.workup)


def test_targeted_therapy_and_immunotherapy_may_change_the_prognosis():
    """[1] « ... l'avènement des thérapeutiques ciblées et de l'immunothérapie qui peuvent
    modifier considérablement le pronostic. »"""
    assert "prognosis_may_change" in case(life_expectancy="6_weeks_to_6_months").warning_codes()
    assert "prognosis_may_change" not in case(life_expectancy="gt_12_months").warning_codes()


def test_crp_is_not_a_marker_of_postoperative_infection():
    """[1] « la CRP est élevée en post-opératoire en l'absence de toute infection et de
    toute tumeur ce qui en fait un mauvais marqueur d'infection post-opératoire. »"""
    assert "crp_not_infection_marker" in codes(case().postoperative)


def test_surgery_in_an_irradiated_field_is_harder_but_possible():
    """[1] « La chirurgie est toujours plus aisée en territoire non-irradié mais reste
    possible. »"""
    result = case(prior_radiotherapy=True)
    assert result.surgery == "indicated"
    assert "irradiated_field" in result.warning_codes()
    assert "irradiated_field" not in case(prior_radiotherapy=False).warning_codes()


def test_postoperative_radiotherapy_of_the_whole_bone():
    """[1] « une radiothérapie post-opératoire sur l'ensemble de la pièce osseuse est
    recommandée. »"""
    item = next(item for item in case().postoperative if item.code == "radiotherapy_whole_bone")
    assert item.section == "1" and item.citations == [84, 85]


def test_non_lung_primary_is_flagged():
    """[1] The chapter is about metastases of lung cancer; another primary is flagged."""
    assert "non_lung_primary" in case(primary_tumor="other").warning_codes()
    assert "non_lung_primary" not in case().warning_codes()


# ------------------------------------------------------ 2.1 Preventive surgery


def impending(bone="femur", site="diaphysis", pain="moderate", lesion_type="lytic", lesion_size="one_to_two_thirds"):
    return case(situation="impending_fracture", bone=bone, site=site, pain=pain, lesion_type=lesion_type, lesion_size=lesion_size)


def test_mirels_score_of_9_or_more_indicates_prophylactic_surgery():
    """[2.1] « Un traitement chirurgical prophylactique est indiqué pour un score égal ou
    supérieur à 9. »"""
    result = impending(pain="moderate", lesion_type="lytic", lesion_size="one_to_two_thirds")  # 2+2+3+2
    assert result.mirels.score == 9
    assert (result.surgery, result.intent) == ("indicated", "preventive")
    assert result.indication.code == "mirels_indicated" and 143 in result.indication.citations


def test_mirels_score_of_8_is_borderline():
    """[2.1] 8 is just under the chapter's threshold of 9: the indication is discussed."""
    result = impending(pain="moderate", lesion_type="mixed", lesion_size="one_to_two_thirds")  # 2+2+2+2
    assert result.mirels.score == 8
    assert result.surgery == "discuss" and result.indication.code == "mirels_borderline"


def test_functional_pain_on_a_weight_bearing_bone_may_justify_prophylactic_surgery():
    """[2.1] « Une chirurgie stabilisatrice prophylactique peut être indiquée en cas de
    douleur d'horaire mécanique, ou augmentant à la charge, ou fonctionnellement
    limitante, notamment pour des lésions localisées en zone portante. »"""
    result = impending(bone="tibia", site="diaphysis", pain="functional", lesion_type="blastic", lesion_size="lt_one_third")
    assert result.mirels.score == 7  # 2+3+1+1
    assert result.surgery == "discuss"
    assert result.indication.code == "functional_pain_weight_bearing"
    upper = impending(bone="radius", site=None, pain="functional", lesion_type="blastic", lesion_size="lt_one_third")
    assert upper.surgery == "discuss" and upper.indication.code == "functional_pain"


def test_mirels_score_under_8_without_functional_pain_is_not_an_indication():
    """[2.1] « Un traitement chirurgical prophylactique est indiqué pour un score égal ou
    supérieur à 9. » Below 8, without mechanical pain, there is no indication."""
    result = impending(bone="humerus", pain="moderate", lesion_type="mixed", lesion_size="lt_one_third")  # 1+2+2+1
    assert result.mirels.score == 6
    assert result.surgery == "not_indicated" and result.techniques == [] and result.postoperative == []
    assert result.missing == []  # the work-up facts are not needed without surgery


def test_mirels_score_is_the_sum_of_its_four_items():
    """[2.1] « Mirels a proposé un score d'évaluation du risque fracturaire, tenant compte
    de la localisation et de la taille de la lésion, de la douleur associée et de son
    apparence à l'imagerie. »"""
    result = impending(bone="femur", site="neck", pain="functional", lesion_type="lytic", lesion_size="gt_two_thirds")
    assert result.mirels.items == {"site": 3, "pain": 3, "lesion_type": 3, "lesion_size": 3}
    assert result.mirels.score == 12 and result.mirels.threshold == 9


def test_mirels_site_item_is_derived_from_bone_and_site():
    """Contract: upper limb 1; femoral head, neck, trochanteric and subtrochanteric 3;
    any other lower-limb site 2."""
    assert [mirels_site_item(bone, None) for bone in ("humerus", "radius", "ulna", "metacarpal")] == [1, 1, 1, 1]
    assert [mirels_site_item("femur", site) for site in ("head", "neck", "neck_trochanteric_extension", "trochanteric", "subtrochanteric")] == [3] * 5
    assert [mirels_site_item("femur", "diaphysis"), mirels_site_item("femur", "distal"), mirels_site_item("tibia", "proximal")] == [2, 2, 2]
    assert [mirels_site_item(bone, None) for bone in ("fibula", "metatarsal")] == [2, 2]


def test_mirels_score_does_not_apply_to_the_acetabulum():
    """Contract: « Mirels does not apply to the acetabulum. »"""
    result = recommend({"situation": "impending_fracture", "bone": "acetabulum", "life_expectancy": "gt_12_months",
                        "fit_for_surgery": True, "pain": "functional", "lesion_type": "lytic", "lesion_size": "gt_two_thirds"})
    assert result.mirels is None
    assert not {"pain", "lesion_type", "lesion_size"} & set(result.missing)


def test_mirels_score_has_limited_accuracy():
    """[2.1] « Il est peu sensible et peu spécifique. Des améliorations sont proposées. (143) »"""
    result = impending()
    warning = next(item for item in result.warnings if item.code == "mirels_limited_accuracy")
    assert 143 in warning.citations and warning.section == "2.1"
    assert "mirels_limited_accuracy" not in case().warning_codes()


def test_impending_fracture_asks_the_mirels_items():
    """[2.1] The Mirels items are asked for an impending fracture only."""
    result = recommend({"situation": "impending_fracture", "bone": "femur", "site": "diaphysis",
                        "life_expectancy": "6_to_12_months", "fit_for_surgery": True})
    assert result.missing[:3] == ["pain", "lesion_type", "lesion_size"]
    assert result.surgery == "undetermined"
    assert {branch.value: branch.surgery for branch in result.branches}["functional"] in ("indicated", "discuss", "undetermined")
    assert "pain" not in case().missing


# -------------------------------------------------- 2.2 Pathological fractures


def test_pathological_fracture_is_operated_unless_general_condition_forbids_it():
    """[2.2] « Les seules contre-indications sont le mauvais état général du patient ne
    permettant pas d'envisager une intervention chirurgicale et/ou une anesthésie. »"""
    assert (case().surgery, case().intent) == ("indicated", "symptomatic")
    unfit = case(fit_for_surgery=False)
    assert unfit.surgery == "not_indicated" and unfit.indication.code == "unfit"
    assert codes(unfit.techniques) == ["supportive_care"] and unfit.techniques[0].section == "2.2"


def test_pathological_fracture_stabilisation_is_the_urgent_part():
    """[2.2] « Dans ce contexte de fracture pathologique, l'urgence est la stabilisation de
    la fracture, à visée antalgique. »"""
    indication = case().indication
    assert indication.code == "pathological_fracture" and indication.section == "2.2"
    assert "urgence est la stabilisation" in indication.quote_fr


# ----------------------------------------------------------- 2.3 Severe pain


def test_refractory_pain_is_a_surgical_indication():
    """[2.3] « Les douleurs invalidantes non soulagées par les traitements médicaux
    traditionnels et la cimentoplastie restent une indication fréquente de traitement
    chirurgical des lésions métastatiques osseuses. »"""
    result = case(situation="refractory_pain")
    assert (result.surgery, result.intent, result.indication.section) == ("indicated", "symptomatic", "2.3")


def test_refractory_pain_surgery_is_adapted_to_condition_and_prognosis():
    """[2.3] « le type de chirurgie (ostéosynthèse, arthroplastie ou chirurgie de
    reconstruction) sera à adapter à l'état général du patient et à son pronostic. »"""
    short = case(situation="refractory_pain", life_expectancy="6_weeks_to_6_months")
    long = case(situation="refractory_pain", life_expectancy="gt_12_months")
    assert codes(short.techniques, "primary") != codes(long.techniques, "primary")


# ------------------------------------------------------------- 2.4 Acetabulum

ACETABULUM = {"situation": "refractory_pain", "bone": "acetabulum", "life_expectancy": "gt_12_months", "fit_for_surgery": True}


def acetabulum(**changes):
    return recommend({**ACETABULUM, **changes})


def test_stable_acetabular_lesion_without_fracture_risk_is_treated_medically_or_by_radiotherapy():
    """[2.4] « Des lésions acétabulaires douloureuses qui ne compromettent pas la stabilité
    du cotyle (...) et qui n'ont pas un risque imminent de fracture doivent avoir une
    prise en charge médicale ou par radiothérapie. »"""
    result = acetabulum(acetabular_stability_compromised=False, acetabular_fracture_risk=False, conservative_treatment_failed=False)
    assert result.surgery == "not_indicated"
    assert codes(result.techniques) == ["medical_or_radiotherapy"]
    assert result.missing == []


def test_acetabular_failure_fracture_risk_or_instability_calls_for_percutaneous_treatment():
    """[2.4] « Si ces traitements ne sont pas efficaces sur la douleur ou qu'il existe un
    risque de fracture ou d'instabilité de hanche, un traitement plus invasif par
    cimentoplastie (+/- associée à un vissage) ou radiofréquence ou cryothérapie est indiqué »"""
    for trigger in ({"conservative_treatment_failed": True, "acetabular_stability_compromised": False, "acetabular_fracture_risk": False},
                    {"acetabular_fracture_risk": True}, {"acetabular_stability_compromised": True}):
        result = acetabulum(percutaneous_treatment_failed=False, **trigger)
        assert result.surgery == "not_indicated"
        assert codes(result.techniques, "primary") == ["percutaneous_cementoplasty"]
        assert codes(result.techniques, "alternative") == ["percutaneous_ablation"]


def test_acetabular_surgery_only_after_percutaneous_failure_in_a_fit_patient():
    """[2.4] « La chirurgie ne sera envisagée qu'après échec de ces traitements dans le cadre
    d'un patient en assez bon état général pour supporter une intervention chirurgicale
    lourde avec un risque de complications élevé. »"""
    result = acetabulum(acetabular_stability_compromised=True, percutaneous_treatment_failed=True)
    assert result.surgery == "discuss" and result.indication.code == "acetabulum_surgery"
    unfit = acetabulum(acetabular_stability_compromised=True, percutaneous_treatment_failed=True, fit_for_surgery=False)
    assert unfit.surgery == "not_indicated"


def test_total_hip_arthroplasty_with_acetabular_reinforcement():
    """[4.2] « une arthroplastie totale de hanche associée à une reconstruction
    acétabulaire par renfort métallique acétabulaire constitue le traitement le plus
    indiqué (144). »"""
    result = acetabulum(acetabular_stability_compromised=True, percutaneous_treatment_failed=True)
    assert codes(result.techniques, "primary") == ["tha_acetabular_reinforcement"]
    assert 144 in result.techniques[0].citations
    assert any(c["number"] == 144 and c["cited_by_chapter"] for c in result.citations)


def test_fragile_patient_with_acetabular_lesion_gets_cementoplasty():
    """[4.2] « Les lésions acétabulaires douloureuses ou à risque de fracture élevé chez des
    patients fragiles et présentant une espérance de vie courte doivent être traitées de
    préférence par cimentoplastie sous contrôle scannographique parfois combiné à un
    vissage pour renforcer le montage. »"""
    result = acetabulum(fit_for_surgery=False, acetabular_fracture_risk=True)
    assert codes(result.techniques, "primary") == ["percutaneous_cementoplasty"]
    assert result.techniques[0].section == "4.2"
    assert result.missing == []  # no question about percutaneous failure: surgery is excluded
    dying = acetabulum(life_expectancy="lt_6_weeks", acetabular_fracture_risk=True)
    assert codes(dying.techniques, "primary") == ["supportive_care"]
    assert codes(dying.techniques, "alternative") == ["percutaneous_cementoplasty"]


def test_acetabular_arthroplasty_needs_a_prognosis_over_6_months_otherwise_guideline_silent():
    """[4.2] « Elles sont indiquées chez des patients ayant un pronostic vital supérieur à
    6 mois-1 an. »"""
    result = acetabulum(life_expectancy="6_weeks_to_6_months", acetabular_stability_compromised=True, percutaneous_treatment_failed=True)
    assert result.techniques == [] and "guideline_silent" in result.warning_codes()
    assert result.surgery == "discuss"


def test_established_acetabular_fracture_is_not_settled_by_the_chapter():
    """[2.4] The chapter speaks of instability and fracture risk, not of an established
    acetabular fracture: flagged, sent to the RCP."""
    result = acetabulum(situation="pathological_fracture", acetabular_stability_compromised=True, percutaneous_treatment_failed=False)
    assert "guideline_silent" in result.warning_codes()


def test_acetabular_questions_only_for_the_acetabulum():
    """Contract: acetabular questions are asked for the acetabulum only."""
    assert not any(name.startswith("acetabular") for name in case().missing)
    assert acetabulum().missing[:2] == ["acetabular_stability_compromised", "acetabular_fracture_risk"]
    assert acetabulum(acetabular_stability_compromised=False, acetabular_fracture_risk=False).missing[0] == "conservative_treatment_failed"
    assert acetabulum(acetabular_stability_compromised=True).missing[0] == "percutaneous_treatment_failed"


# ----------------------------------------------------------------- 3. Work-up


def test_workup_whole_bone_radiographs_and_bone_window_ct():
    """[3] « Un scanner, en fenêtre osseuse, non injecté, centré sur la lésion est
    indispensable. »"""
    assert codes(case().workup)[:2] == ["xray_whole_bone", "ct_bone_window"]
    assert all(item.section == "3" for item in case().workup[:2])


def test_workup_angiography_and_embolisation_when_hypervascular():
    """[3] « En cas de suspicion d'une hyper vascularisation de la lésion tumorale, un
    angioscanner ou une artériographie sera également nécessaire (...) et éventuellement
    réaliser une embolisation préopératoire en cas de risque hémorragique élevé. »"""
    assert {"angio_ct_or_arteriography", "preoperative_embolization"} <= set(codes(case(suspected_hypervascular=True).workup))
    assert "angio_ct_or_arteriography" not in codes(case().workup)


def test_workup_biopsy_when_the_diagnosis_is_in_doubt():
    """[3] « la biopsie en préopératoire peut être indiquée en cas de doute sur le
    diagnostic étiologique (métastases révélatrices vs tumeur primitive osseuse). »"""
    assert "biopsy_or_minimal_workup" in codes(case(diagnostic_uncertainty=True).workup)
    assert "biopsy_or_minimal_workup" not in codes(case().workup)


def test_systemic_treatment_resumes_after_healing():
    """[3] « Les lignes de chimiothérapie et la radiothérapie pourront être débutées une fois
    la cicatrisation du patient acquise soit 3 semaines après la chirurgie. »"""
    item = next(item for item in case().postoperative if item.code == "systemic_treatment_after_healing")
    assert "3 semaines" in item.label_fr and "15 jours" in item.label_fr


# ------------------------------------------------------------- 4.1 Osteosynthesis


def test_intramedullary_nailing_for_diaphyseal_trochanteric_and_proximal_humeral_lesions():
    """[4.1] « L'enclouage centromédullaire constitue le moyen d'ostéosynthèse le plus
    utilisé pour les lésions diaphysaires et les lésions du massif trochantérien ou de
    l'extrémité proximale de l'humérus. »"""
    for bone, site in (("femur", "diaphysis"), ("femur", "trochanteric"), ("femur", "subtrochanteric"),
                       ("humerus", "proximal"), ("humerus", "diaphysis"), ("tibia", "diaphysis")):
        assert codes(case(bone=bone, site=site).techniques, "primary") == ["intramedullary_nailing"], (bone, site)


def test_femoral_nail_locked_with_a_cervical_screw():
    """[4.1] « Dans le cadre d'enclouage centromédullaire pour lésion de la diaphyse
    fémorale, la mise en place d'une vis cervicale (...) permet une fixation plus sûre »"""
    assert codes(case().techniques, "adjunct") == ["cephalic_screw"]
    assert "cephalic_screw" not in codes(case(bone="humerus", site="diaphysis").techniques)


def test_curettage_cementation_with_nailing_when_bone_loss_is_major():
    """[4.1] « Il peut éventuellement être associé à un curetage-cimentation de la lésion en
    cas de perte osseuse importante. »"""
    assert "curettage_cementation" in codes(case(major_bone_loss=True).techniques, "adjunct")
    assert "curettage_cementation" not in codes(case(major_bone_loss=False).techniques)


def test_locked_plate_for_distal_femur_and_humerus():
    """[4.1] « Les lésions fémorales et humérales distales relèvent d'une ostéosynthèse par
    plaque à vis verrouillées. »"""
    for bone in ("femur", "humerus"):
        result = case(bone=bone, site="distal", articular_involvement=False)
        assert codes(result.techniques, "primary") == ["locked_plate"]


def test_curettage_cementation_with_plate_when_bone_is_poor_or_irradiated():
    """[4.1] « Un curetage-cimentation de la lésion peut y être associé en cas de mauvaise
    qualité osseuse, de perte osseuse importante ou de radiothérapie associée. »"""
    irradiated = case(bone="femur", site="distal", articular_involvement=False, prior_radiotherapy=True)
    assert "curettage_cementation" in codes(irradiated.techniques, "adjunct")
    assert "curettage_cementation" not in codes(case(bone="femur", site="distal", articular_involvement=False).techniques)


def test_plate_or_radiotherapy_for_the_distal_small_bones():
    """[4.1] « Les métastases osseuses sur d'autres os plus éloignés du squelette axial sont
    rares (radius, ulna, fibula, métacarpes et métatarsiens). Elles seront traitées par
    plaque ou radiothérapie isolée. »"""
    for bone in ("radius", "ulna", "fibula", "metacarpal", "metatarsal"):
        result = case(bone=bone, site=None)
        assert codes(result.techniques) == ["plate_or_radiotherapy"], bone
        assert "site" not in result.missing


def test_proximal_or_distal_tibia_implant_is_not_named_by_the_chapter():
    """[4.1] « Les localisations préférentielles pour l'ostéosynthèse sont les atteintes
    diaphysaires des os longs (fémur, humérus, tibia) ainsi que les lésions
    métaphyso-diaphysaires. » No implant is named for the tibial ends."""
    result = case(bone="tibia", site="proximal", articular_involvement=False)
    assert result.techniques == [] and "guideline_silent" in result.warning_codes()
    assert result.surgery == "indicated"


# --------------------------------------------------------------- 4.2 Arthroplasty


def test_cemented_arthroplasty_for_femoral_head_and_neck_with_prognosis_over_6_months():
    """[4.2] « Les localisations préférentielles pour l'arthroplastie sont les lésions de la
    tête et du col du fémur. »"""
    for site in ("head", "neck"):
        for life in ("6_to_12_months", "gt_12_months"):
            assert codes(case(site=site, life_expectancy=life).techniques, "primary") == ["cemented_arthroplasty"]


def test_femoral_neck_with_short_prognosis_is_not_settled_by_the_chapter():
    """[4.2] « Elles sont indiquées chez des patients ayant un pronostic vital supérieur à
    6 mois-1 an. » Under 6 months the chapter names no technique for the neck."""
    result = case(site="neck", life_expectancy="6_weeks_to_6_months")
    assert result.techniques == [] and result.surgery == "indicated"
    assert "guideline_silent" in result.warning_codes()


def test_articular_involvement_may_be_treated_by_arthroplasty():
    """[4.2] « Toutes les atteintes articulaires peuvent être traitées par arthroplasties. »"""
    result = case(bone="humerus", site="proximal", articular_involvement=True, life_expectancy="6_to_12_months")
    assert "cemented_arthroplasty" in codes(result.techniques, "alternative")
    short = case(bone="humerus", site="proximal", articular_involvement=True, life_expectancy="6_weeks_to_6_months")
    assert "cemented_arthroplasty" not in codes(short.techniques)


def test_articular_involvement_is_asked_only_at_a_joint_end():
    """Contract: asked for a lesion at a joint end other than the femoral head or neck,
    and only where an arthroplasty is possible (prognosis over 6 months)."""
    base = {"situation": "pathological_fracture", "life_expectancy": "6_to_12_months", "fit_for_surgery": True}
    assert "articular_involvement" in recommend({**base, "bone": "femur", "site": "distal"}).missing
    assert "articular_involvement" in recommend({**base, "bone": "tibia", "site": "proximal"}).missing
    assert "articular_involvement" not in recommend({**base, "bone": "femur", "site": "neck"}).missing
    assert "articular_involvement" not in recommend({**base, "bone": "femur", "site": "diaphysis"}).missing
    short = {**base, "life_expectancy": "6_weeks_to_6_months"}
    assert "articular_involvement" not in recommend({**short, "bone": "femur", "site": "distal"}).missing


def test_proximal_femoral_resection_and_megaprosthesis_when_the_neck_lesion_reaches_the_trochanter():
    """[4.2] « En cas de métastase du col fémoral plus étendue et notamment lorsque la
    métastase atteint la région trochantérienne ou sous-trochantérienne, une résection
    fémorale proximale (...) est indiquée. »"""
    result = case(site="neck_trochanteric_extension", life_expectancy="6_to_12_months")
    assert codes(result.techniques, "primary") == ["proximal_femoral_resection_megaprosthesis"]


# ------------------------------------------------------------- 5. Complications


def test_antibioprophylaxis_is_prolonged_48_hours():
    """[5] « (prolongation de l'antibioprophylaxie pendant 48 h) »"""
    assert "antibioprophylaxis_48h" in codes(case().postoperative)


def test_thromboembolic_risk_is_higher_than_average():
    """[5] « ces patients ont un risque plus élevé que la moyenne de faire une complication
    thromboembolique ou infectieuse. »"""
    assert "thromboembolic_prevention" in codes(case().postoperative)
    assert case(life_expectancy="lt_6_weeks").postoperative == []


# --------------------------------------------------------------- missing facts


def test_missing_lists_what_is_needed_in_the_order_a_clinician_is_asked():
    """Contract: « lists what it still needs in `missing` (in the order the dialogue
    should ask them) »."""
    assert recommend({}).missing == ["situation", "bone", "life_expectancy", "fit_for_surgery"]
    assert recommend({"bone": "femur"}).missing == ["situation", "site", "life_expectancy", "fit_for_surgery"]
    complete = {**FRACTURE_FEMUR_DIAPHYSIS}
    assert recommend(complete).missing == []
    del complete["major_bone_loss"]
    assert recommend(complete).missing == ["major_bone_loss"]


def test_work_up_facts_are_asked_only_when_surgery_is_considered():
    """Contract: prior radiotherapy, hypervascularity and diagnostic doubt are asked
    when surgery is considered."""
    unfit = recommend({"situation": "pathological_fracture", "bone": "femur", "site": "diaphysis",
                       "life_expectancy": "6_to_12_months", "fit_for_surgery": False})
    assert unfit.missing == []
    unknown = recommend({"situation": "pathological_fracture", "bone": "femur", "site": "diaphysis",
                         "life_expectancy": "unknown", "fit_for_surgery": True})
    assert unknown.missing == ["major_bone_loss", "prior_radiotherapy", "suspected_hypervascular", "diagnostic_uncertainty"]


def test_undetermined_case_lists_each_answer_of_the_next_question():
    """Contract: « `undetermined` means a fact the decision hinges on is missing or
    `unknown`; the recommendation then says what each answer would lead to. »"""
    result = recommend({"situation": "pathological_fracture", "bone": "femur", "site": "diaphysis", "life_expectancy": "6_to_12_months"})
    assert result.surgery == "undetermined" and result.missing[0] == "fit_for_surgery"
    assert {branch.value: branch.surgery for branch in result.branches} == {True: "indicated", False: "not_indicated"}
