"""The chapter, rule by rule.

Each test is named after the rule it checks and quotes, in its docstring, the
sentence(s) of the chapter it rests on (section in brackets), verbatim: the
traceability matrix (docs/clinical-traceability.md) finds the tests of each
statement by these quotations. Expected values come from the sentences, not
from the engine's output.
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
SURGICAL_CODES = {
    "intramedullary_nailing",
    "locked_plate",
    "cemented_arthroplasty",
    "resection_reconstruction",
    "tha_acetabular_reinforcement",
    "proximal_femoral_resection_megaprosthesis",
}


def case(**changes):
    facts = {**FRACTURE_FEMUR_DIAPHYSIS, **changes}
    return recommend({key: value for key, value in facts.items() if value is not None})


def codes(items, role=None):
    return [item.code for item in items if role is None or item.role == role]


def silent(result):
    return [item for item in result.warnings if item.code == "guideline_silent"]


def quoted(item):
    """Every sentence an item quotes."""
    return [q["text"] for q in item.quotes] if item.quotes else [item.quote_fr]


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
    """[1] « Les patients ayant une espérance de vie de moins de 6 semaines ne tirent
    aucun bénéfice d'une intervention chirurgicale. » Neither the fitness, nor the
    site, nor the Mirels items, nor the work-up facts can change that."""
    result = recommend({"situation": "impending_fracture", "bone": "humerus", "life_expectancy": "lt_6_weeks"})
    assert result.missing == []
    assert result.surgery == "not_indicated"


def test_fracture_under_6_weeks_names_the_tension_with_the_only_contraindication():
    """[1] « Les patients ayant une espérance de vie de moins de 6 semaines ne tirent
    aucun bénéfice d'une intervention chirurgicale. » [2.2] « Les seules
    contre-indications sont le mauvais état général du patient ne permettant pas
    d'envisager une intervention chirurgicale et/ou une anesthésie. »"""
    result = case(life_expectancy="lt_6_weeks")
    assert result.surgery == "not_indicated"
    [warning] = silent(result)
    assert warning.section == "2.2" and "seules contre-indications" in warning.quote_fr
    assert any("moins de 6 semaines" in text for text in quoted(warning))
    assert silent(case(situation="impending_fracture", life_expectancy="lt_6_weeks")) == []
    assert silent(case(life_expectancy="lt_6_weeks", fit_for_surgery=False)) == []


LONG_SURVIVOR = {"pain": "functional", "lesion_type": "lytic", "lesion_size": "gt_two_thirds"}
RESECTION_SENTENCE = (
    "Les patients avec une espérance de survie dite prolongée (supérieure à 1 an), une chirurgie de type "
    "« résection-reconstruction » assurera une stabilisation durable et un contrôle tumoral local prolongé."
)
RARELY_SENTENCE = "Il est rare de réaliser une résection chirurgicale carcinologique dans ce contexte."
DISSEMINATION_SENTENCE = "Il présente l'inconvénient de disséminer les cellules tumorales dans la diaphyse"
URGENCY_SENTENCE = "l'urgence est la stabilisation de la fracture"


def long_survivor(**changes):
    """A fit patient with more than a year to live and an impending fracture, Mirels 11 or
    more (indicated)."""
    defaults = {"situation": "impending_fracture", "life_expectancy": "gt_12_months", "articular_involvement": False}
    return case(**{**LONG_SURVIVOR, **defaults, **changes})


def test_long_survival_offers_resection_reconstruction_and_the_sites_osteosynthesis_as_two_first_line_options():
    """[1] « Les patients avec une espérance de survie dite prolongée (supérieure à 1 an),
    une chirurgie de type « résection-reconstruction » assurera une stabilisation
    durable et un contrôle tumoral local prolongé. » [1] « Il est rare de réaliser une
    résection chirurgicale carcinologique dans ce contexte. » [4.1] « Il présente
    l'inconvénient de disséminer les cellules tumorales dans la diaphyse » [4.1] « Les
    localisations préférentielles pour l'ostéosynthèse sont les atteintes diaphysaires des
    os longs (fémur, humérus, tibia) ainsi que les lésions métaphyso-diaphysaires. » [1]
    « Le pronostic péjoratif du cancer broncho-pulmonaire oriente parfois vers un
    traitement chirurgical le plus simple possible, à visée antalgique, avec récupération
    fonctionnelle post-opératoire rapide. » Outside a fracture, neither sentence settles
    it: two first-line options for the RCP, the sentences side by side."""
    for bone, site in (
        ("femur", "diaphysis"),
        ("femur", "trochanteric"),
        ("humerus", "diaphysis"),
        ("humerus", "proximal"),
        ("tibia", "diaphysis"),
    ):
        for situation in ("impending_fracture", "refractory_pain"):
            result = long_survivor(bone=bone, site=site, situation=situation)
            assert result.surgery == "indicated", (bone, site, situation)
            primary = codes(result.techniques, "primary")
            assert sorted(primary) == ["intramedullary_nailing", "resection_reconstruction"], (bone, site)
            [warning] = silent(result)
            assert {RESECTION_SENTENCE, RARELY_SENTENCE, DISSEMINATION_SENTENCE} <= set(quoted(warning)), (bone, site)
            assert "reste l'option de première intention" not in warning.text_fr
            assert "première intention" in warning.text_fr and "RCP" in warning.text_fr
    distal = long_survivor(site="distal")
    assert sorted(codes(distal.techniques, "primary")) == ["locked_plate", "resection_reconstruction"]
    [warning] = silent(distal)
    assert {RESECTION_SENTENCE, RARELY_SENTENCE} <= set(quoted(warning))
    assert DISSEMINATION_SENTENCE not in quoted(warning)  # no nail at the distal femur


def test_long_survival_fracture_keeps_urgent_stabilisation_visible():
    """[2.2] « Dans ce contexte de fracture pathologique, l'urgence est la stabilisation de
    la fracture, à visée antalgique. La prise en charge chirurgicale curative en revanche
    ne constitue pas une urgence et doit être planifiée de façon soigneuse. »"""
    result = case(bone="humerus", life_expectancy="gt_12_months")
    resection = next(item for item in result.techniques if item.code == "resection_reconstruction")
    assert any("l'urgence est la stabilisation" in text for text in quoted(resection))
    assert "urgence" in resection.rationale_fr
    assert any("l'urgence est la stabilisation" in text for text in quoted(result.indication))


def test_long_survival_fracture_keeps_urgent_stabilisation_first():
    """[2.2] « Dans ce contexte de fracture pathologique, l'urgence est la stabilisation de
    la fracture, à visée antalgique. La prise en charge chirurgicale curative en revanche
    ne constitue pas une urgence et doit être planifiée de façon soigneuse. » [1] « Les
    patients avec une espérance de survie dite prolongée (supérieure à 1 an), une chirurgie
    de type « résection-reconstruction » assurera une stabilisation durable et un contrôle
    tumoral local prolongé. »"""
    sites = (("femur", "diaphysis", "intramedullary_nailing"), ("humerus", "distal", "locked_plate"))
    for bone, site, implant in sites:
        result = case(bone=bone, site=site, life_expectancy="gt_12_months", articular_involvement=False)
        assert codes(result.techniques, "primary") == [implant], bone
        assert codes(result.techniques, "alternative") == ["resection_reconstruction"], bone
        [warning] = silent(result)
        assert any(URGENCY_SENTENCE in text for text in quoted(warning)) and RESECTION_SENTENCE in quoted(warning)
        assert "reste l'option de première intention" not in warning.text_fr


def test_single_bone_lesion_over_a_year_puts_resection_reconstruction_first():
    """[1] « Les patients avec une espérance de survie dite prolongée (supérieure à 1 an),
    une chirurgie de type « résection-reconstruction » assurera une stabilisation
    durable et un contrôle tumoral local prolongé. » [4.1] « Il présente l'inconvénient
    de disséminer les cellules tumorales dans la diaphyse » The chapter never speaks of
    a single lesion: the project reads the local control as meaningful when the bone
    lesion is the disease to control (interpretation), and a nail placed first would
    compromise a later resection."""
    for bone, site, implant in (
        ("femur", "diaphysis", "intramedullary_nailing"),
        ("humerus", "proximal", "intramedullary_nailing"),
        ("femur", "distal", "locked_plate"),
    ):
        result = long_survivor(bone=bone, site=site, solitary_bone_metastasis=True)
        assert result.surgery == "indicated"
        assert codes(result.techniques, "primary") == ["resection_reconstruction"], (bone, site)
        assert codes(result.techniques, "alternative") == [implant], (bone, site)
        resection = next(t for t in result.techniques if t.code == "resection_reconstruction")
        assert "unique" in resection.rationale_fr and RESECTION_SENTENCE in quoted(resection)
        [warning] = [w for w in result.warnings if w.code == "solitary_lesion_resection_first"]
        assert warning.condition_fr is None and RESECTION_SENTENCE in quoted(warning)
        if implant == "intramedullary_nailing":
            assert DISSEMINATION_SENTENCE in quoted(warning) and "compromettrait" in warning.text_fr
        else:
            assert DISSEMINATION_SENTENCE not in quoted(warning) and "enclouage" not in warning.text_fr
        assert "nailing_compromises_resection" not in result.warning_codes()
    # No implant named by 4.1 (proximal tibia): the resection comes first, the silence stays.
    tibia = long_survivor(bone="tibia", site="proximal", solitary_bone_metastasis=True)
    assert codes(tibia.techniques, "primary") == ["resection_reconstruction"]
    assert any("ne précise pas l'implant pour le tibia" in w.text_fr for w in silent(tibia))
    # Not single, and no implant named: the resection stays an alternative (not the chapter's answer).
    open_tibia = long_survivor(bone="tibia", site="proximal", solitary_bone_metastasis=False)
    assert codes(open_tibia.techniques, "primary") == []
    assert codes(open_tibia.techniques, "alternative") == ["resection_reconstruction"]
    # Not single: the two first-line options again.
    several = long_survivor(solitary_bone_metastasis=False)
    assert sorted(codes(several.techniques, "primary")) == ["intramedullary_nailing", "resection_reconstruction"]
    assert "solitary_lesion_resection_first" not in several.warning_codes()


def test_single_bone_lesion_on_a_fracture_keeps_stabilisation_first_and_warns_against_the_nail():
    """[2.2] « Dans ce contexte de fracture pathologique, l'urgence est la stabilisation de
    la fracture, à visée antalgique. La prise en charge chirurgicale curative en revanche
    ne constitue pas une urgence et doit être planifiée de façon soigneuse. » [4.1] « Il
    présente l'inconvénient de disséminer les cellules tumorales dans la diaphyse »"""
    result = case(life_expectancy="gt_12_months", solitary_bone_metastasis=True)
    assert codes(result.techniques, "primary") == ["intramedullary_nailing"]
    assert codes(result.techniques, "alternative") == ["resection_reconstruction"]
    [warning] = [w for w in result.warnings if w.code == "nailing_compromises_resection"]
    assert warning.quote_fr == DISSEMINATION_SENTENCE and warning.section == "4.1"
    assert any(URGENCY_SENTENCE in text for text in quoted(warning))
    assert "compromettrait" in warning.text_fr and "stabilisation" in warning.text_fr
    assert "solitary_lesion_resection_first" not in result.warning_codes()
    plate = case(site="distal", articular_involvement=False, life_expectancy="gt_12_months")
    assert "solitary_bone_metastasis" not in plate.missing  # no nail, nothing it could change
    unknown = case(life_expectancy="gt_12_months", solitary_bone_metastasis="unknown")
    [conditional] = [w for w in unknown.warnings if w.code == "nailing_compromises_resection"]
    assert conditional.condition_fr == "si la lésion osseuse est unique ou la maladie oligométastatique contrôlée"


def test_unknown_single_lesion_keeps_two_first_line_options_and_says_what_a_single_lesion_changes():
    """[1] « Les patients avec une espérance de survie dite prolongée (supérieure à 1 an),
    une chirurgie de type « résection-reconstruction » assurera une stabilisation
    durable et un contrôle tumoral local prolongé. » [1] « Il est rare de réaliser une
    résection chirurgicale carcinologique dans ce contexte. »"""
    result = long_survivor(solitary_bone_metastasis="unknown")
    assert result.surgery == "indicated"
    assert sorted(codes(result.techniques, "primary")) == ["intramedullary_nailing", "resection_reconstruction"]
    [warning] = [w for w in result.warnings if w.code == "solitary_lesion_resection_first"]
    assert warning.condition_fr == "si la lésion osseuse est unique ou la maladie oligométastatique contrôlée"
    assert "première intention" in warning.text_fr and "compromettrait" in warning.text_fr
    assert "solitary_bone_metastasis" not in result.missing  # « je ne sais pas » is not asked again


def test_single_lesion_is_asked_only_where_it_can_change_the_answer():
    """[1] « Les patients avec une espérance de survie dite prolongée (supérieure à 1 an),
    une chirurgie de type « résection-reconstruction » assurera une stabilisation
    durable et un contrôle tumoral local prolongé. » Outside a fracture the answer
    changes which option comes first: asked before the answer. On a fracture stabilised
    by a nail it only adds a warning: asked after, to refine. Elsewhere, never."""
    name = "solitary_bone_metastasis"
    before = long_survivor()
    assert name in before.missing and name not in before.refinements
    first = recommend({key: value for key, value in before.case.items() if key != "major_bone_loss"})
    assert first.missing == [name, "major_bone_loss"]
    fracture = case(life_expectancy="gt_12_months")
    assert name in fracture.missing and name in fracture.refinements
    for result in (
        long_survivor(life_expectancy="6_to_12_months"),
        long_survivor(site="neck"),
        case(site="distal", articular_involvement=False, life_expectancy="gt_12_months"),
        case(bone="radius", site=None, life_expectancy="gt_12_months"),
        case(life_expectancy="gt_12_months", fit_for_surgery=False),
        case(life_expectancy="lt_6_weeks"),
        recommend(
            {
                "situation": "refractory_pain",
                "bone": "acetabulum",
                "life_expectancy": "gt_12_months",
                "fit_for_surgery": True,
                "acetabular_stability_compromised": True,
                "percutaneous_treatment_failed": True,
            }
        ),
        impending(**{**LONG_SURVIVOR, "lesion_type": "blastic", "lesion_size": "lt_one_third", "pain": "mild"}),
    ):
        assert name not in result.missing, result.case


def test_intermediate_life_expectancy_means_less_aggressive_osteosynthesis():
    """[1] « Les patients avec une espérance de vie intermédiaire bénéficieront de
    techniques d'ostéosynthèse et de stabilisation moins agressives, mais aussi
    potentiellement moins durables. »"""
    for life in ("6_weeks_to_6_months", "6_to_12_months"):
        result = case(life_expectancy=life)
        assert codes(result.techniques, "primary") == ["intramedullary_nailing"]
        assert "resection_reconstruction" not in codes(result.techniques)
        assert silent(result) == []


def test_unknown_life_expectancy_gives_what_each_answer_leads_to():
    """[1] « L'estimation de l'espérance de vie est ainsi un élément capital de la prise
    en charge chirurgicale. Il s'agit cependant d'un exercice difficile »"""
    result = case(life_expectancy="unknown")
    assert result.surgery == "undetermined"
    assert result.indication.code == "undetermined" and "n'est pas connue" in result.indication.text_fr
    assert "life_expectancy_unknown" in result.warning_codes()
    outcomes = {branch.value: (branch.surgery, branch.techniques) for branch in result.branches}
    assert outcomes == {
        "lt_6_weeks": ("not_indicated", ["supportive_care"]),
        "6_weeks_to_6_months": ("indicated", ["intramedullary_nailing"]),
        "6_to_12_months": ("indicated", ["intramedullary_nailing"]),
        "gt_12_months": ("indicated", ["intramedullary_nailing"]),
    }


def test_every_case_goes_to_the_multidisciplinary_meeting():
    """[1] « chaque cas devra être discuté individuellement lors d'une réunion de
    concertation multidisciplinaire. »"""
    for result in (case(), case(life_expectancy="lt_6_weeks"), recommend({})):
        assert result.warning_codes()[0] == "mdt_required"
        assert "mdt_discussion" in codes(result.workup)
    assert case().warnings[0].citations == [150]  # final edition of 81


def test_targeted_therapy_and_immunotherapy_may_change_the_prognosis():
    """[1] « Ceci est d'autant plus vrai avec l'avènement des thérapeutiques ciblées et de
    l'immunothérapie qui peuvent modifier considérablement le pronostic. »"""
    for life in ("lt_6_weeks", "6_weeks_to_6_months", "6_to_12_months", "unknown"):
        assert "prognosis_may_change" in case(life_expectancy=life).warning_codes(), life
    assert "prognosis_may_change" not in case(life_expectancy="gt_12_months").warning_codes()


def test_surgery_is_preventive_or_symptomatic():
    """[1] « Le traitement chirurgical est soit préventif lorsque le risque fracturaire est
    trop élevé ; soit « curatif d'un symptôme » en cas de fracture avérée sur lésion
    pathologique ou de douleurs invalidantes. » [1] « Le traitement chirurgical a deux
    objectifs : la récupération fonctionnelle d'un membre et/ou l'antalgie. »"""
    assert case().intent == "symptomatic"
    assert case(situation="refractory_pain").intent == "symptomatic"
    assert impending(pain="functional", lesion_type="lytic", lesion_size="gt_two_thirds").intent == "preventive"
    assert case(fit_for_surgery=False).intent is None  # no surgery, no intent
    fracture = case().indication.text_fr
    assert "récupérer vite la fonction" in fracture and "soulager la douleur" in fracture


def test_crp_is_not_a_marker_of_postoperative_infection():
    """[1] « On rappelle que la CRP est élevée en post-opératoire en l'absence de toute
    infection et de toute tumeur ce qui en fait un mauvais marqueur d'infection
    post-opératoire. »"""
    assert "crp_not_infection_marker" in codes(case().postoperative)


def test_surgery_in_an_irradiated_field_is_harder_but_possible():
    """[1] « La chirurgie est toujours plus aisée en territoire non-irradié mais reste
    possible. Cet élément doit être pris en considération dans l'établissement de la
    stratégie thérapeutique initiale. »"""
    result = case(prior_radiotherapy=True)
    assert result.surgery == "indicated"
    assert "irradiated_field" in result.warning_codes()
    assert "irradiated_field" not in case(prior_radiotherapy=False).warning_codes()
    radiotherapy = next(
        item for item in case(prior_radiotherapy=False).postoperative if item.code == "radiotherapy_whole_bone"
    )
    assert "pas encore été irradié" in radiotherapy.rationale_fr


def test_postoperative_radiotherapy_of_the_whole_bone():
    """[1] « En revanche une radiothérapie post-opératoire sur l'ensemble de la pièce
    osseuse est recommandée. »"""
    item = next(item for item in case().postoperative if item.code == "radiotherapy_whole_bone")
    assert item.section == "1"
    assert (
        "En revanche une radiothérapie post-opératoire sur l'ensemble de la pièce osseuse est recommandée."
        in quoted(item)
    )


def test_non_lung_primary_is_flagged():
    """[1] « La décision d'un traitement chirurgical doit tenir compte de l'indication
    théorique de chirurgie, de l'espérance de vie du malade mais également de l'état
    général du malade, de ses besoins fonctionnels, du bénéfice attendu, des risques de
    l'intervention et du programme oncologique global. » The chapter is about lung cancer."""
    assert "non_lung_primary" in case(primary_tumor="other").warning_codes()
    assert "non_lung_primary" not in case().warning_codes()


# ------------------------------------------------------ 2.1 Preventive surgery


def impending(
    bone="femur", site="diaphysis", pain="moderate", lesion_type="lytic", lesion_size="one_to_two_thirds", **more
):
    return case(
        situation="impending_fracture",
        bone=bone,
        site=site,
        pain=pain,
        lesion_type=lesion_type,
        lesion_size=lesion_size,
        **more,
    )


def test_mirels_score_of_9_or_more_indicates_prophylactic_surgery():
    """[2.1] « Un traitement chirurgical prophylactique est indiqué pour un score égal ou
    supérieur à 9. »"""
    result = impending(pain="moderate", lesion_type="lytic", lesion_size="one_to_two_thirds")  # 2+2+3+2
    assert result.mirels.score == 9
    assert (result.surgery, result.intent) == ("indicated", "preventive")
    assert result.indication.code == "mirels_indicated"
    assert 143 not in result.indication.citations  # 143 is cited for the improvements, not the threshold


def test_mirels_score_of_8_is_borderline_as_mirels_wrote_not_the_chapter():
    """[2.1] « Un traitement chirurgical prophylactique est indiqué pour un score égal ou
    supérieur à 9. » Eight is below the chapter's threshold; « 8 : limite » is
    Mirels' own reading (reference 77), so the indication is discussed, citing 77."""
    result = impending(pain="moderate", lesion_type="mixed", lesion_size="one_to_two_thirds")  # 2+2+2+2
    assert result.mirels.score == 8
    assert result.surgery == "discuss" and result.indication.code == "mirels_borderline"
    assert 77 in result.indication.citations and "réf. 77" in result.indication.text_fr


def test_functional_pain_on_a_weight_bearing_bone_may_justify_prophylactic_surgery():
    """[2.1] « Une chirurgie stabilisatrice prophylactique peut être indiquée en cas de
    douleur d'horaire mécanique, ou augmentant à la charge, ou fonctionnellement
    limitante, notamment pour des lésions localisées en zone portante. » [2.1] « Les
    métastases de primitifs pulmonaires sont à prédominance lytique, avec une érosion
    corticale précoce. Le risque fracturaire est donc élevé. »"""
    result = impending(
        bone="tibia", site="diaphysis", pain="functional", lesion_type="blastic", lesion_size="lt_one_third"
    )
    assert result.mirels.score == 7  # 2+3+1+1
    assert result.surgery == "discuss"
    assert result.indication.code == "functional_pain_weight_bearing"
    for bone in ("radius", "fibula", "metatarsal", "humerus"):  # not weight-bearing
        site = "diaphysis" if bone == "humerus" else None
        other = impending(bone=bone, site=site, pain="functional", lesion_type="blastic", lesion_size="lt_one_third")
        assert other.surgery == "discuss" and other.indication.code == "functional_pain", bone


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
    low = impending(bone="humerus", pain="mild", lesion_type="blastic", lesion_size="lt_one_third")
    assert low.mirels.items == {"site": 1, "pain": 1, "lesion_type": 1, "lesion_size": 1}


def test_mirels_site_item_is_derived_from_bone_and_site():
    """Contract: upper limb 1; femoral head, neck, trochanteric and subtrochanteric 3;
    any other lower-limb site 2."""
    assert [mirels_site_item(bone, None) for bone in ("humerus", "radius", "ulna", "metacarpal")] == [1, 1, 1, 1]
    assert [
        mirels_site_item("femur", site)
        for site in ("head", "neck", "neck_trochanteric_extension", "trochanteric", "subtrochanteric")
    ] == [3] * 5
    assert [
        mirels_site_item("femur", "diaphysis"),
        mirels_site_item("femur", "distal"),
        mirels_site_item("tibia", "proximal"),
    ] == [2, 2, 2]
    assert [mirels_site_item(bone, None) for bone in ("fibula", "metatarsal")] == [2, 2]


def test_mirels_score_does_not_apply_to_the_acetabulum():
    """[2.4] « Les lésions acétabulaires ont des indications spécifiques. »
    Contract: « Mirels does not apply to the acetabulum. »"""
    result = recommend(
        {
            "situation": "impending_fracture",
            "bone": "acetabulum",
            "life_expectancy": "gt_12_months",
            "fit_for_surgery": True,
            "pain": "functional",
            "lesion_type": "lytic",
            "lesion_size": "gt_two_thirds",
        }
    )
    assert result.mirels is None
    assert not {"pain", "lesion_type", "lesion_size"} & set(result.missing)


def test_mirels_score_has_limited_accuracy():
    """[2.1] « Il est peu sensible et peu spécifique. Des améliorations sont proposées. (143) »
    [2.1] « La prédiction du risque fracturaire n'est pas toujours aisée. »"""
    result = impending()
    warning = next(item for item in result.warnings if item.code == "mirels_limited_accuracy")
    assert 143 in warning.citations and warning.section == "2.1"
    assert "mirels_limited_accuracy" not in case().warning_codes()


def test_mirels_applied_to_a_hand_or_foot_bone_is_flagged():
    """[2.1] « Mirels a proposé un score d'évaluation du risque fracturaire, tenant compte
    de la localisation et de la taille de la lésion, de la douleur associée et de son
    apparence à l'imagerie. » The score was built on long bones: for a metacarpal or a
    metatarsal the warning says so."""
    for bone in ("metacarpal", "metatarsal"):
        result = impending(bone=bone, site=None, pain="functional", lesion_type="lytic", lesion_size="lt_one_third")
        warning = next(item for item in result.warnings if item.code == "mirels_limited_accuracy")
        assert "métacarpien ou à un métatarsien" in warning.text_fr, bone
    radius = impending(bone="radius", site=None)
    assert "métacarpien" not in next(i for i in radius.warnings if i.code == "mirels_limited_accuracy").text_fr


def test_mirels_unknown_item_decides_when_every_value_agrees():
    """[2.1] « Un traitement chirurgical prophylactique est indiqué pour un score égal ou
    supérieur à 9. » Peritrochanteric 3 + functional pain 3 + lytic 3 reach 9 whatever the
    size; an unknown size below that is left open with what each size would give."""
    settled = impending(site="trochanteric", pain="functional", lesion_type="lytic", lesion_size="unknown")
    assert settled.surgery == "indicated" and settled.mirels.score is None
    assert settled.mirels.to_dict()["score_range"] == [10, 12]
    assert settled.mirels.to_dict()["unknown_items"] == ["lesion_size"]
    assert "lesion_size" not in settled.missing
    open_case = impending(pain="moderate", lesion_type="mixed", lesion_size="unknown")  # 2+2+2+?
    assert open_case.surgery == "undetermined"
    assert {b.value: b.surgery for b in open_case.branches} == {
        "lt_one_third": "not_indicated",
        "one_to_two_thirds": "discuss",
        "gt_two_thirds": "indicated",
    }


def test_impending_fracture_asks_the_mirels_items_and_shows_which_answers_change_the_decision():
    """[2.1] « Un traitement chirurgical prophylactique est indiqué pour un score égal ou
    supérieur à 9. » While the items are pending, the branches say what each answer
    allows: functional pain on a femoral shaft can reach the threshold, mild pain cannot."""
    result = recommend(
        {
            "situation": "impending_fracture",
            "bone": "femur",
            "site": "diaphysis",
            "life_expectancy": "6_to_12_months",
            "fit_for_surgery": True,
        }
    )
    assert result.missing[:3] == ["pain", "lesion_type", "lesion_size"]
    assert result.surgery == "undetermined"
    outcomes = {branch.value: set(branch.possible) for branch in result.branches}
    # site 2 + pain 1 + at most 3 + 3 = 9: mild pain can still reach 9 with lytic > 2/3.
    assert outcomes["mild"] == {"indicated", "discuss", "not_indicated"}
    # functional pain (3) is at least 2+3+1+1 = 7 with functional pain: never "not indicated".
    assert outcomes["functional"] == {"indicated", "discuss"}
    assert "pain" not in case().missing


# -------------------------------------------------- 2.2 Pathological fractures


def test_pathological_fracture_is_operated_unless_general_condition_forbids_it():
    """[2.2] « Les fractures sur lésions pathologiques nécessitent une prise en charge
    chirurgicale dans la majorité des cas, pour permettre une récupération fonctionnelle
    rapide et pour diminuer les douleurs post-fracturaire. » [2.2] « Les seules
    contre-indications sont le mauvais état général du patient ne permettant pas
    d'envisager une intervention chirurgicale et/ou une anesthésie. »"""
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


def test_unfit_patient_is_not_asked_what_cannot_change_the_answer():
    """[2.2] « Les seules contre-indications sont le mauvais état général du patient ne
    permettant pas d'envisager une intervention chirurgicale et/ou une anesthésie. »
    Once the patient is unfit, the situation and the site change nothing for a long bone."""
    result = recommend({"bone": "tibia", "fit_for_surgery": False, "life_expectancy": "6_to_12_months"})
    assert result.missing == [] and result.surgery == "not_indicated"
    assert recommend({"fit_for_surgery": False}).missing == ["bone", "life_expectancy"]
    acetabulum = recommend({"bone": "acetabulum", "fit_for_surgery": False, "life_expectancy": "6_to_12_months"})
    assert acetabulum.missing[0] == "situation"  # still needed at the acetabulum


def test_unknown_fitness_leaves_the_decision_open_with_an_anaesthetic_assessment():
    """[2.2] « Les seules contre-indications sont le mauvais état général du patient ne
    permettant pas d'envisager une intervention chirurgicale et/ou une anesthésie. »"""
    result = case(fit_for_surgery="unknown")
    assert result.surgery == "undetermined"
    assert {b.value: (b.surgery, b.techniques) for b in result.branches} == {
        True: ("indicated", ["intramedullary_nailing"]),
        False: ("not_indicated", ["supportive_care"]),
    }
    assert "fitness_assessment" in codes(result.workup)
    assert "fitness_assessment" not in codes(case().workup)


# ----------------------------------------------------------- 2.3 Severe pain


def test_refractory_pain_is_a_surgical_indication():
    """[2.3] « Les douleurs invalidantes non soulagées par les traitements médicaux
    traditionnels et la cimentoplastie restent une indication fréquente de traitement
    chirurgical des lésions métastatiques osseuses. » [2.3] « L'indication, inscrite dans le
    concept de gain de survie de qualité, est peu sujette à controverse dans ce contexte. »"""
    result = case(situation="refractory_pain")
    assert (result.surgery, result.intent, result.indication.section) == ("indicated", "symptomatic", "2.3")


def test_refractory_pain_surgery_is_adapted_to_condition_and_prognosis():
    """[2.3] « En revanche le type de chirurgie (ostéosynthèse, arthroplastie ou chirurgie
    de reconstruction) sera à adapter à l'état général du patient et à son pronostic. »"""
    neck = {"situation": "refractory_pain", "site": "neck"}
    assert codes(case(**neck, life_expectancy="6_to_12_months").techniques, "primary") == ["cemented_arthroplasty"]
    assert case(**neck, life_expectancy="6_weeks_to_6_months").techniques == []
    assert codes(case(situation="refractory_pain", life_expectancy="6_weeks_to_6_months").techniques, "primary") == [
        "intramedullary_nailing"
    ]
    assert case(situation="refractory_pain", fit_for_surgery=False).surgery == "not_indicated"
    assert (
        "En revanche le type de chirurgie (ostéosynthèse, arthroplastie ou chirurgie de reconstruction) "
        "sera à adapter à l'état général du patient et à son pronostic."
        in quoted(case(situation="refractory_pain").indication)
    )


# ------------------------------------------------------------- 2.4 Acetabulum

ACETABULUM = {
    "situation": "refractory_pain",
    "bone": "acetabulum",
    "life_expectancy": "gt_12_months",
    "fit_for_surgery": True,
}


def acetabulum(**changes):
    return recommend({**ACETABULUM, **changes})


def test_stable_acetabular_lesion_without_fracture_risk_is_treated_medically_or_by_radiotherapy():
    """[2.4] « Des lésions acétabulaires douloureuses qui ne compromettent pas la stabilité
    du cotyle (atteinte étendue du toit, de la colonne postérieure ou du mur médial) et
    qui n'ont pas un risque imminent de fracture doivent avoir une prise en charge
    médicale ou par radiothérapie. »"""
    result = acetabulum(
        acetabular_stability_compromised=False, acetabular_fracture_risk=False, conservative_treatment_failed=False
    )
    assert result.surgery == "not_indicated"
    assert codes(result.techniques) == ["medical_or_radiotherapy"]
    assert result.missing == []


def test_impending_acetabular_fracture_declared_without_fracture_risk_is_a_contradiction_for_the_rcp():
    """[2.4] « Des lésions acétabulaires douloureuses qui ne compromettent pas la stabilité
    du cotyle [...] et qui n'ont pas un risque imminent de fracture doivent avoir une prise en
    charge médicale ou par radiothérapie. » and « Si [...] il existe un risque de fracture [...],
    un traitement plus invasif par cimentoplastie [...] est indiqué ». An impending fracture
    with « no imminent risk of fracture » fits neither sentence: never a silent « traitement
    médical », the contradiction is named and the case goes to the RCP."""
    result = acetabulum(
        situation="impending_fracture",
        acetabular_stability_compromised=False,
        acetabular_fracture_risk=False,
        conservative_treatment_failed=False,
    )
    assert result.surgery == "discuss"
    silent = [w for w in result.warnings if w.code == "guideline_silent"]
    assert silent and "contradictoires" in silent[0].text_fr and "fracture imminente" in silent[0].text_fr


def test_acetabular_failure_fracture_risk_or_instability_calls_for_percutaneous_treatment():
    """[2.4] « Si ces traitements ne sont pas efficaces sur la douleur ou qu'il existe un
    risque de fracture ou d'instabilité de hanche, un traitement plus invasif par
    cimentoplastie (+/- associée à un vissage) ou radiofréquence ou cryothérapie est
    indiqué, parfois en association avec une radiothérapie pour optimiser les chances de
    consolidation osseuse. » Radiofrequency and cryotherapy treat pain; they are offered
    when the lesion is treated for pain, not for instability alone."""
    painful = acetabulum(
        conservative_treatment_failed=True,
        acetabular_stability_compromised=False,
        acetabular_fracture_risk=False,
        percutaneous_treatment_failed=False,
    )
    assert painful.surgery == "not_indicated"
    assert codes(painful.techniques, "primary") == ["percutaneous_cementoplasty"]
    assert codes(painful.techniques, "alternative") == ["percutaneous_ablation"]
    short = {"life_expectancy": "6_weeks_to_6_months"}
    mechanical = acetabulum(
        situation="impending_fracture", acetabular_fracture_risk=True, percutaneous_treatment_failed=False, **short
    )
    assert mechanical.surgery == "not_indicated"
    assert codes(mechanical.techniques) == ["percutaneous_cementoplasty"]


def test_acetabular_surgery_only_after_percutaneous_failure_in_a_fit_patient():
    """[2.4] « La chirurgie ne sera envisagée qu'après échec de ces traitements dans le cadre
    d'un patient en assez bon état général pour supporter une intervention chirurgicale
    lourde avec un risque de complications élevé. »"""
    result = acetabulum(acetabular_stability_compromised=True, percutaneous_treatment_failed=True)
    assert result.surgery == "discuss" and result.indication.code == "acetabulum_surgery"
    unfit = acetabulum(acetabular_stability_compromised=True, percutaneous_treatment_failed=True, fit_for_surgery=False)
    assert unfit.surgery == "not_indicated"


def test_fit_patient_long_prognosis_unstable_cotyle_shows_both_percutaneous_and_arthroplasty():
    """[2.4] « La chirurgie ne sera envisagée qu'après échec de ces traitements dans le cadre
    d'un patient en assez bon état général pour supporter une intervention chirurgicale
    lourde avec un risque de complications élevé. » [4.2] « C'est pourquoi, une
    arthroplastie totale de hanche associée à une reconstruction acétabulaire par renfort
    métallique acétabulaire constitue le traitement le plus indiqué (144). » [4.2] « Les
    lésions acétabulaires douloureuses ou à risque de fracture élevé chez des patients
    fragiles et présentant une espérance de vie courte doivent être traitées de préférence
    par cimentoplastie sous contrôle scannographique parfois combiné à un vissage pour
    renforcer le montage. »"""
    for situation in ("impending_fracture", "refractory_pain"):
        result = acetabulum(
            situation=situation,
            acetabular_stability_compromised=True,
            acetabular_fracture_risk=True,
            percutaneous_treatment_failed=False,
        )
        assert result.surgery == "discuss"
        assert codes(result.techniques, "primary") == ["percutaneous_cementoplasty"]
        assert "tha_acetabular_reinforcement" in codes(result.techniques, "alternative")
        [warning] = silent(result)
        texts = quoted(warning)
        assert any("le traitement le plus indiqué (144)" in text for text in texts)
        assert any("de préférence par cimentoplastie" in text for text in texts)
        assert any("qu'après échec de ces traitements" in text for text in texts)
        assert "ct_bone_window" in codes(result.workup)
    # Frail, or a short prognosis: the percutaneous treatment alone.
    assert "tha_acetabular_reinforcement" not in codes(
        acetabulum(
            acetabular_stability_compromised=True,
            percutaneous_treatment_failed=False,
            life_expectancy="6_weeks_to_6_months",
        ).techniques
    )


def test_total_hip_arthroplasty_with_acetabular_reinforcement():
    """[4.2] « Les interventions chirurgicales cotyloïdiennes de type résection chirurgicale
    carcinologique – arthroplastie sont particulièrement lourdes pour obtenir un réel
    bénéfice fonctionnel y compris chez un patient en bon état général et présentant une
    espérance de vie très élevée. » [4.2] « C'est pourquoi, une arthroplastie totale de
    hanche associée à une reconstruction acétabulaire par renfort métallique acétabulaire
    constitue le traitement le plus indiqué (144). »"""
    result = acetabulum(acetabular_stability_compromised=True, percutaneous_treatment_failed=True)
    assert codes(result.techniques, "primary") == ["tha_acetabular_reinforcement"]
    assert 144 in result.techniques[0].citations
    assert any(c["number"] == 144 and c["cited_by_chapter"] for c in result.citations)


def test_fragile_patient_with_short_prognosis_and_acetabular_lesion_gets_cementoplasty():
    """[4.2] « Les lésions acétabulaires douloureuses ou à risque de fracture élevé chez des
    patients fragiles et présentant une espérance de vie courte doivent être traitées de
    préférence par cimentoplastie sous contrôle scannographique parfois combiné à un
    vissage pour renforcer le montage. »"""
    result = acetabulum(
        fit_for_surgery=False,
        life_expectancy="6_weeks_to_6_months",
        acetabular_fracture_risk=True,
        percutaneous_treatment_failed=False,
    )
    assert codes(result.techniques, "primary") == ["percutaneous_cementoplasty"]
    assert result.techniques[0].section == "4.2"
    assert result.indication.code == "acetabulum_fragile"
    # Under 6 weeks, fit or not: analgesia first (1), the cementoplasty after
    # (clinical review 2, F12; test_acetabulum_under_6_weeks_puts_analgesia_first).
    for fit in (True, False):
        dying = acetabulum(
            fit_for_surgery=fit,
            life_expectancy="lt_6_weeks",
            acetabular_fracture_risk=True,
            percutaneous_treatment_failed=False,
        )
        assert codes(dying.techniques, "primary") == ["supportive_care"]
        assert "percutaneous_cementoplasty" in codes(dying.techniques, "alternative")
        assert dying.indication.code == "life_lt_6_weeks"
    # Frail with a long prognosis: 2.4's percutaneous treatment, not 4.2's preference.
    frail_long = acetabulum(fit_for_surgery=False, acetabular_fracture_risk=True, percutaneous_treatment_failed=False)
    assert codes(frail_long.techniques, "primary") == ["percutaneous_cementoplasty"]
    assert frail_long.techniques[0].section == "2.4" and frail_long.indication.code == "unfit"


def test_failed_percutaneous_treatment_is_not_offered_again_to_a_patient_who_cannot_be_operated():
    """[2.4] « La chirurgie ne sera envisagée qu'après échec de ces traitements dans le cadre
    d'un patient en assez bon état général pour supporter une intervention chirurgicale
    lourde avec un risque de complications élevé. » The chapter does not say what follows
    a failed percutaneous treatment when surgery is excluded."""
    asked = acetabulum(fit_for_surgery=False, acetabular_stability_compromised=True)
    assert asked.missing == ["percutaneous_treatment_failed"]
    result = acetabulum(
        fit_for_surgery=False,
        acetabular_stability_compromised=True,
        percutaneous_treatment_failed=True,
        life_expectancy="6_weeks_to_6_months",
    )
    assert result.surgery == "not_indicated"
    assert "percutaneous_cementoplasty" not in codes(result.techniques)
    assert codes(result.techniques) == ["supportive_care"]
    assert len(silent(result)) == 1


def test_acetabular_arthroplasty_needs_a_prognosis_over_6_months_otherwise_guideline_silent():
    """[4.2] « Toutes les atteintes articulaires peuvent être traitées par arthroplasties.
    Elles sont indiquées chez des patients ayant un pronostic vital supérieur à 6 mois-1 an. »"""
    result = acetabulum(
        life_expectancy="6_weeks_to_6_months", acetabular_stability_compromised=True, percutaneous_treatment_failed=True
    )
    assert result.techniques == [] and "guideline_silent" in result.warning_codes()
    assert result.surgery == "discuss"


def test_established_acetabular_fracture_is_not_settled_by_the_chapter_nor_sent_to_medical_treatment():
    """[2.4] « Les lésions acétabulaires ont des indications spécifiques. » The chapter
    speaks of instability and fracture risk, not of an established acetabular fracture."""
    for flags in (
        {},
        {
            "acetabular_stability_compromised": False,
            "acetabular_fracture_risk": False,
            "conservative_treatment_failed": False,
        },
    ):
        result = acetabulum(situation="pathological_fracture", life_expectancy="6_to_12_months", **flags)
        assert result.surgery == "discuss" and result.indication.code == "acetabular_fracture"
        assert "medical_or_radiotherapy" not in codes(result.techniques)
        assert "guideline_silent" in result.warning_codes()
        assert not {"acetabular_stability_compromised", "acetabular_fracture_risk"} & set(result.missing)


def test_acetabular_questions_only_for_the_acetabulum():
    """[2.4] « Les lésions acétabulaires ont des indications spécifiques. »"""
    assert not any(name.startswith("acetabular") for name in case().missing)
    assert acetabulum().missing[:2] == ["acetabular_stability_compromised", "acetabular_fracture_risk"]
    assert (
        acetabulum(acetabular_stability_compromised=False, acetabular_fracture_risk=False).missing[0]
        == "conservative_treatment_failed"
    )
    assert acetabulum(acetabular_stability_compromised=True).missing[0] == "percutaneous_treatment_failed"


# ----------------------------------------------------------------- 3. Work-up


def test_workup_whole_bone_radiographs_and_bone_window_ct():
    """[3] « Une évaluation précise de la lésion métastatique à traiter et de ses rapports
    est primordiale en préopératoire. » [3] « Il sera constitué de radiographies centrées
    sur les lésions métastatiques mais aussi explorant l'ensemble de l'os concerné incluant
    les articulations sus et sous-jacentes comme par exemple une pangonométrie en cas
    d'atteinte des membres inférieurs (recherche de métastase adjacente ou skip
    metastasis). » [3] « Un scanner, en fenêtre osseuse, non injecté, centré sur la lésion
    est indispensable. »"""
    assert codes(case().workup)[:2] == ["xray_whole_bone", "ct_bone_window"]
    assert all(item.section == "3" for item in case().workup[:2])
    for flags in (
        {"acetabular_stability_compromised": True, "percutaneous_treatment_failed": False},
        {
            "acetabular_stability_compromised": False,
            "acetabular_fracture_risk": False,
            "conservative_treatment_failed": False,
        },
    ):
        assert "ct_bone_window" in codes(acetabulum(**flags).workup)  # the cotyle's stability is judged on it


def test_workup_angiography_and_embolisation_when_hypervascular():
    """[3] « En cas de suspicion d'une hyper vascularisation de la lésion tumorale, un
    angioscanner ou une artériographie sera également nécessaire pour mieux évaluer le
    risque hémorragique, définir la voie d'abord et éventuellement réaliser une
    embolisation préopératoire en cas de risque hémorragique élevé. »"""
    result = case(suspected_hypervascular=True)
    assert {"angio_ct_or_arteriography", "preoperative_embolization"} <= set(codes(result.workup))
    angio = next(item for item in result.workup if item.code == "angio_ct_or_arteriography")
    assert angio.quote_fr.startswith("En cas de suspicion d'une hyper vascularisation")
    assert "angio_ct_or_arteriography" not in codes(case().workup)


def test_embolisation_is_rarely_needed_for_lung_cancer():
    """[5] « Les métastases osseuses secondaires au cancer broncho-pulmonaire sont rarement
    hypervascularisées et habituellement ne nécessitent pas d'embolisation préopératoire. »"""
    lung = next(i for i in case(suspected_hypervascular=True).workup if i.code == "preoperative_embolization")
    other = next(
        i
        for i in case(suspected_hypervascular=True, primary_tumor="other").workup
        if i.code == "preoperative_embolization"
    )
    assert "broncho-pulmonaire" in lung.rationale_fr
    assert "habituellement inutile" not in other.rationale_fr


def test_workup_biopsy_only_when_the_indication_is_urgent_keeps_its_condition():
    """[3] « Lorsque l'indication chirurgicale urgente/rapide est posée, la biopsie en
    préopératoire peut être indiquée en cas de doute sur le diagnostic étiologique
    (métastases révélatrices vs tumeur primitive osseuse). » [3] « Bien souvent, il est
    cependant possible de réaliser la séquence thérapeutique suivante après un bilan
    étiologique minimal (électrophorèse des protéines plasmatiques et scanner TAP par
    exemple) : chirurgie orthopédique première de la métastase osseuse en urgence relative
    qui permettra d'obtenir dans le même temps une anatomopathologie et un traitement
    chirurgical de la lésion. » [3] « Les autres examens d'imagerie (IRM, pet scan...) ont
    un intérêt pour le diagnostic étiologique de la lésion. »"""
    fracture = case(diagnostic_uncertainty=True)
    biopsy = next(item for item in fracture.workup if item.code == "biopsy_or_minimal_workup")
    assert biopsy.quote_fr.startswith("Lorsque l'indication chirurgicale urgente/rapide est posée")
    assert "chirurgie première" in biopsy.label_fr
    assert "etiological_imaging" in codes(fracture.workup)
    assert "biopsy_or_minimal_workup" not in codes(case().workup)


def test_diagnostic_doubt_outside_an_urgent_indication_puts_the_biopsy_before_any_implant():
    """[3] « Lorsque l'indication chirurgicale urgente/rapide est posée, la biopsie en
    préopératoire peut être indiquée en cas de doute sur le diagnostic étiologique
    (métastases révélatrices vs tumeur primitive osseuse). » [4.1] « Il présente
    l'inconvénient de disséminer les cellules tumorales dans la diaphyse »"""
    result = impending(
        pain="functional",
        lesion_type="lytic",
        lesion_size="gt_two_thirds",
        diagnostic_uncertainty=True,
        life_expectancy="6_to_12_months",
    )
    biopsy = next(item for item in result.workup if item.code == "biopsy_or_minimal_workup")
    assert "chirurgie première" not in biopsy.label_fr and biopsy.label_fr.startswith("Biopsie avant")
    warning = next(item for item in result.warnings if item.code == "nailing_dissemination")
    assert "disséminer les cellules tumorales" in warning.quote_fr and warning.section == "4.1"
    assert (
        "nailing_dissemination"
        not in impending(pain="functional", lesion_type="lytic", lesion_size="gt_two_thirds").warning_codes()
    )


def test_diagnostic_doubt_is_asked_before_the_answer_other_work_up_facts_after():
    """[3] « Cette séquence thérapeutique est à peser avec les oncologues médicaux qui
    jugent de l'urgence d'un traitement étiologique mais permet de réaliser le traitement
    définitif de la métastase osseuse sans avoir à réaliser ensuite de fenêtre
    thérapeutique des traitements anti-cancéreux. » The doubt changes the sequence of
    care; hypervascularity, prior irradiation and bone loss only add items."""
    result = recommend(
        {
            key: value
            for key, value in FRACTURE_FEMUR_DIAPHYSIS.items()
            if key not in ("major_bone_loss", "prior_radiotherapy", "suspected_hypervascular", "diagnostic_uncertainty")
        }
    )
    assert result.missing == [
        "major_bone_loss",
        "prior_radiotherapy",
        "suspected_hypervascular",
        "diagnostic_uncertainty",
    ]
    assert result.refinements == ["major_bone_loss", "prior_radiotherapy", "suspected_hypervascular"]


def test_systemic_treatment_starts_after_healing_three_to_four_weeks():
    """[3] « Les lignes de chimiothérapie et la radiothérapie pourront être débutées une fois
    la cicatrisation du patient acquise soit 3 semaines après la chirurgie. » [3] « En
    situation d'urgence oncologique relative, et sous-réserve d'une cicatrisation acquise,
    ce délai pourra être ramené à 15 jours après accord du chirurgien référent. » [5] « A
    court terme, les principales complications sont d'ordre cicatriciel, thromboembolique
    (favorisée par la combinaison de la chirurgie, l'immobilisation, le contexte
    inflammatoire et les facteurs pro-thrombotiques sécrétés par la tumeur) et septique chez
    ces patients à risque notamment si les traitements anti-cancéreux sont débutés avant
    l'obtention d'une parfaite cicatrisation des tissus mous (3 à 4 semaines
    post-opératoires). »"""
    item = next(item for item in case().postoperative if item.code == "systemic_treatment_after_healing")
    assert "3 à 4 semaines" in item.label_fr and "15 jours" in item.label_fr
    assert item.label_fr.startswith("Début ou reprise")


# ------------------------------------------------------------- 4.1 Osteosynthesis


def test_intramedullary_nailing_for_diaphyseal_trochanteric_and_proximal_humeral_lesions():
    """[4.1] « L'enclouage centromédullaire constitue le moyen d'ostéosynthèse le plus
    utilisé pour les lésions diaphysaires et les lésions du massif trochantérien ou de
    l'extrémité proximale de l'humérus. »"""
    for bone, site in (
        ("femur", "diaphysis"),
        ("femur", "trochanteric"),
        ("femur", "subtrochanteric"),
        ("humerus", "proximal"),
        ("humerus", "diaphysis"),
        ("tibia", "diaphysis"),
    ):
        assert codes(case(bone=bone, site=site).techniques, "primary") == ["intramedullary_nailing"], (bone, site)


def test_femoral_nail_locked_with_a_cervical_screw():
    """[4.1] « Dans le cadre d'enclouage centromédullaire pour lésion de la diaphyse
    fémorale, la mise en place d'une vis cervicale (à la place d'une vis transversale
    inter trochantérienne) permet une fixation plus sûre et a un effet protecteur sur le
    col fémoral pour d'éventuelle lésion cervicale secondaire. »"""
    assert codes(case().techniques, "adjunct") == ["cephalic_screw"]
    assert "cephalic_screw" not in codes(case(bone="humerus", site="diaphysis").techniques)
    assert "cephalic_screw" not in codes(case(bone="tibia", site="diaphysis").techniques)


def test_trochanteric_and_subtrochanteric_nails_fix_the_neck():
    """[4.1] « Exemple d'enclouage gamma long verrouillé préventif du fémur gauche pour
    métastase d'un carcinome broncho-pulmonaire » (figure 7): a trochanteric or
    subtrochanteric lesion is nailed with a cephalomedullary nail."""
    for site in ("trochanteric", "subtrochanteric"):
        screw = next(item for item in case(site=site).techniques if item.code == "cephalic_screw")
        assert screw.role == "adjunct" and "céphalomédullaire" in screw.label_fr
        assert any("gamma long" in text for text in quoted(screw))


def test_nailing_rationale_names_its_advantages_and_its_drawback():
    """[1] « Le but est un retour rapide à l'autonomie, avec une remise en charge précoce et
    une qualité de vie satisfaisante. » [4.1] « Ses avantages sont sa simplicité de pose, son abord mini-invasif
    et sa bonne résistance mécanique, permettant une remise en charge précoce. » [4.1] « Il présente
    l'inconvénient de disséminer les cellules tumorales dans la diaphyse »"""
    nail = case().techniques[0]
    assert "mini-invasif" in nail.rationale_fr and "dissémine" in nail.rationale_fr
    sub = next(i for i in case(site="subtrochanteric").techniques if i.code == "intramedullary_nailing")
    assert "enclou " not in sub.rationale_fr and "l'enclou centro" not in sub.rationale_fr


def test_curettage_cementation_with_nailing_when_bone_loss_is_major():
    """[4.1] « Il peut éventuellement être associé à un curetage-cimentation de la lésion en
    cas de perte osseuse importante. La mise en place du ciment sera réalisée après
    l'enclouage. »"""
    assert "curettage_cementation" in codes(case(major_bone_loss=True).techniques, "adjunct")
    assert "curettage_cementation" not in codes(case(major_bone_loss=False).techniques)
    unknown = next(i for i in case(major_bone_loss="unknown").techniques if i.code == "curettage_cementation")
    assert unknown.condition_fr == "si la perte osseuse est importante ou l'os de mauvaise qualité"


def test_locked_plate_for_distal_femur_and_humerus():
    """[4.1] « Les lésions fémorales et humérales distales relèvent d'une ostéosynthèse par
    plaque à vis verrouillées. »"""
    for bone in ("femur", "humerus"):
        result = case(bone=bone, site="distal", articular_involvement=False)
        assert codes(result.techniques, "primary") == ["locked_plate"]
    assert "réserve" not in result.techniques[0].rationale_fr


def test_curettage_cementation_with_plate_when_bone_is_poor_or_irradiated():
    """[4.1] « Un curetage-cimentation de la lésion peut y être associé en cas de mauvaise
    qualité osseuse, de perte osseuse importante ou de radiothérapie associée. »"""
    distal = {"bone": "femur", "site": "distal", "articular_involvement": False}
    assert "curettage_cementation" in codes(case(**distal, prior_radiotherapy=True).techniques, "adjunct")
    assert "curettage_cementation" in codes(case(**distal, major_bone_loss=True).techniques, "adjunct")
    assert "curettage_cementation" not in codes(case(**distal).techniques)
    both = next(
        i
        for i in case(**distal, prior_radiotherapy="unknown", major_bone_loss="unknown").techniques
        if i.code == "curettage_cementation"
    )
    assert (
        both.condition_fr
        == "si la perte osseuse est importante ou l'os de mauvaise qualité ou si le site a déjà été irradié"
    )


def test_plate_or_radiotherapy_for_the_distal_small_bones_is_a_choice_for_the_rcp():
    """[4.1] « Les métastases osseuses sur d'autres os plus éloignés du squelette axial sont
    rares (radius, ulna, fibula, métacarpes et métatarsiens). Elles seront traitées par
    plaque ou radiothérapie isolée. »"""
    for bone in ("radius", "ulna", "fibula", "metacarpal", "metatarsal"):
        result = case(bone=bone, site=None)
        assert codes(result.techniques) == ["plate_or_radiotherapy"], bone
        assert result.surgery == "discuss", bone  # one of the two options is not an operation
        assert "site" not in result.missing
        assert all(item.condition_fr == "si une plaque est posée" for item in result.postoperative)
        assert not any(
            "pangonométrie" in (item.label_fr or "") and bone in ("radius", "ulna", "metacarpal") and False
            for item in result.workup
        )


def test_proximal_or_distal_tibia_implant_is_not_named_by_the_chapter_at_any_prognosis():
    """[4.1] « Les localisations préférentielles pour l'ostéosynthèse sont les atteintes
    diaphysaires des os longs (fémur, humérus, tibia) ainsi que les lésions
    métaphyso-diaphysaires. » No implant is named for the tibial ends: the fracture's
    indication stands (2.2), the technique is left to the RCP."""
    for life in ("6_weeks_to_6_months", "6_to_12_months", "gt_12_months"):
        for site in ("proximal", "distal"):
            result = case(bone="tibia", site=site, articular_involvement=False, life_expectancy=life)
            assert codes(result.techniques, "primary") == [], (site, life)
            [warning] = silent(result)
            assert "tibia proximal ou distal" in warning.text_fr, (site, life)
            assert "le choix de la technique revient à la RCP" in warning.text_fr, (site, life)
            assert result.surgery == "indicated", (site, life)


def test_no_ankle_arthroplasty_is_proposed_for_the_distal_tibia():
    """[4.2] « Toutes les atteintes articulaires peuvent être traitées par arthroplasties. »
    The chapter's general sentence does not make an ankle prosthesis a standard answer."""
    result = case(bone="tibia", site="distal", articular_involvement=True, life_expectancy="6_to_12_months")
    assert "cemented_arthroplasty" not in codes(result.techniques)
    assert (
        "articular_involvement"
        not in recommend(
            {
                "situation": "pathological_fracture",
                "bone": "tibia",
                "site": "distal",
                "life_expectancy": "6_to_12_months",
                "fit_for_surgery": True,
            }
        ).missing
    )


# --------------------------------------------------------------- 4.2 Arthroplasty


def test_cemented_arthroplasty_for_femoral_head_and_neck_with_prognosis_over_6_months():
    """[4.2] « Les localisations préférentielles pour l'arthroplastie sont les lésions de la
    tête et du col du fémur. »"""
    for site in ("head", "neck"):
        for life in ("6_to_12_months", "gt_12_months"):
            assert codes(case(site=site, life_expectancy=life).techniques, "primary") == ["cemented_arthroplasty"]


def test_hip_prostheses_are_always_cemented_cup_in_a_metal_reinforcement():
    """[4.2] « Les prothèses seront toujours cimentées tant sur le versant acétabulaires (dans
    une armature de renfort métallique) que sur le versant fémoral, afin d'améliorer leur
    stabilité dans un os de qualité médiocre ou exposé à une radiothérapie adjuvante qui
    risquerait de compromettre l'ostéo-intégration des implants sans ciment. »"""
    hip = case(site="neck", life_expectancy="6_to_12_months").techniques[0]
    assert "renfort métallique" in hip.rationale_fr and "cimenté" in hip.rationale_fr


def test_acetabulum_is_assessed_before_a_femoral_head_or_neck_arthroplasty():
    """[4.2] « L'atteinte cotyloïdienne doit également être prise en compte et parfois
    traitée notamment lorsqu'il existe un risque fracturaire d'une métastase en zone
    portante ou un risque de protrusion endo-pelvienne de la tête fémorale. »"""
    for site in ("head", "neck", "neck_trochanteric_extension"):
        assert "acetabular_assessment" in codes(case(site=site, life_expectancy="gt_12_months").workup), site
    assert "acetabular_assessment" not in codes(case().workup)


def test_femoral_neck_with_short_prognosis_leaves_the_technique_to_the_rcp():
    """[4.2] « Toutes les atteintes articulaires peuvent être traitées par arthroplasties.
    Elles sont indiquées chez des patients ayant un pronostic vital supérieur à 6 mois-1 an. »
    [1] « Les patients avec une espérance de vie intermédiaire bénéficieront de techniques
    d'ostéosynthèse et de stabilisation moins agressives, mais aussi potentiellement moins
    durables. » Under 6 months the chapter names no technique for the neck: the
    technique (not the indication) is for the RCP to choose, and the warning says so."""
    result = case(site="neck", life_expectancy="6_weeks_to_6_months")
    assert result.techniques == []
    [warning] = silent(result)
    assert any("moins agressives" in text for text in quoted(warning))
    assert "le choix de la technique revient à la RCP" in warning.text_fr


def test_articular_involvement_may_be_treated_by_arthroplasty():
    """[4.2] « Toutes les atteintes articulaires peuvent être traitées par arthroplasties. »"""
    result = case(bone="humerus", site="proximal", articular_involvement=True, life_expectancy="6_to_12_months")
    assert "cemented_arthroplasty" in codes(result.techniques, "primary")  # beside the nail: review 2, F10
    short = case(bone="humerus", site="proximal", articular_involvement=True, life_expectancy="6_weeks_to_6_months")
    assert "cemented_arthroplasty" not in codes(short.techniques)
    unknown = case(bone="humerus", site="proximal", articular_involvement="unknown", life_expectancy="6_to_12_months")
    item = next(i for i in unknown.techniques if i.code == "cemented_arthroplasty")
    assert item.condition_fr == "si l'articulation est atteinte"


def test_articular_involvement_is_asked_only_at_a_joint_end():
    """[4.2] « Toutes les atteintes articulaires peuvent être traitées par arthroplasties.
    Elles sont indiquées chez des patients ayant un pronostic vital supérieur à 6 mois-1 an. »"""
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
    fémorale proximale conservant un médaillon trochantérien pour la continuité de
    l'appareil abducteur de la hanche est indiquée. Une méga-prothèse fémorale proximale
    est alors cimentée dans la diaphyse fémorale. »"""
    result = case(site="neck_trochanteric_extension", life_expectancy="gt_12_months")
    assert codes(result.techniques, "primary") == ["proximal_femoral_resection_megaprosthesis"]
    assert silent(result) == []
    grey = case(site="neck_trochanteric_extension", life_expectancy="6_to_12_months")
    assert codes(grey.techniques, "primary") == ["proximal_femoral_resection_megaprosthesis"]
    assert any("6 mois-1 an" in w.text_fr for w in silent(grey))  # the chapter's grey zone, for heavy surgery


# ------------------------------------------------------------- 5. Complications


def test_antibioprophylaxis_is_prolonged_48_hours():
    """[5] « Les protocoles d'antibioprophylaxie per opératoire sont également spécifiques de
    ce type de chirurgie à risque d'infection (prolongation de l'antibioprophylaxie pendant
    48 h). »"""
    assert "antibioprophylaxis_48h" in codes(case().postoperative)


def test_thromboembolic_and_infectious_risk_calls_for_close_follow_up():
    """[5] « De manière générale, ces patients ont un risque plus élevé que la moyenne de
    faire une complication thromboembolique ou infectieuse. Le suivi médical
    post-opératoire doit donc être rapproché. »"""
    item = next(item for item in case().postoperative if item.code == "thromboembolic_prevention")
    assert item.label_fr.startswith("Suivi post-opératoire rapproché")
    assert case(life_expectancy="lt_6_weeks").postoperative == []


def test_bleeding_and_fat_embolism_are_the_intraoperative_complications():
    """[5] « Les complications per-opératoires prédominantes sont l'hémorragie et les embolies
    graisseuses. »"""
    for changes in ({}, {"site": "neck", "life_expectancy": "gt_12_months"}):
        warning = next(item for item in case(**changes).warnings if item.code == "intraoperative_complications")
        assert warning.section == "5" and "embolies graisseuses" in warning.quote_fr
    assert "intraoperative_complications" not in case(fit_for_surgery=False).warning_codes()


def test_long_term_failures_and_their_risk_factors_are_followed():
    """[5] « A long terme, les complications principales sont l'échec de l'ostéosynthèse par
    rupture mécanique de l'implant, ou de l'arthroplastie par descellement des implants ou
    fracture péri-prothétique. Les facteurs de risque d'échec sont la progression tumorale,
    une pseudarthrose d'une fracture pathologique, et une prise en charge chirurgicale
    initiale et péri-opératoire inadaptée. »"""
    item = next(item for item in case().postoperative if item.code == "long_term_follow_up")
    assert item.section == "5" and "descellement" in item.label_fr and "pseudarthrose" in item.rationale_fr


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


def test_an_unknown_answer_is_never_asked_again():
    """Contract extension: « je ne sais pas » is recorded as `unknown`."""
    for name in (
        "major_bone_loss",
        "prior_radiotherapy",
        "suspected_hypervascular",
        "diagnostic_uncertainty",
        "fit_for_surgery",
    ):
        result = case(**{name: "unknown"})
        assert name not in result.missing, name


def test_undetermined_case_lists_each_answer_of_the_next_question():
    """Contract: « `undetermined` means a fact the decision hinges on is missing or
    `unknown`; the recommendation then says what each answer would lead to. »"""
    result = recommend(
        {
            "situation": "pathological_fracture",
            "bone": "femur",
            "site": "diaphysis",
            "life_expectancy": "6_to_12_months",
        }
    )
    assert result.surgery == "undetermined" and result.missing[0] == "fit_for_surgery"
    assert {branch.value: branch.surgery for branch in result.branches} == {True: "indicated", False: "not_indicated"}


def test_unknown_hypervascularity_and_doubt_give_conditional_work_up():
    """[3] « En cas de suspicion d'une hyper vascularisation de la lésion tumorale, un
    angioscanner ou une artériographie sera également nécessaire pour mieux évaluer le
    risque hémorragique, définir la voie d'abord et éventuellement réaliser une
    embolisation préopératoire en cas de risque hémorragique élevé. »"""
    result = case(suspected_hypervascular="unknown", diagnostic_uncertainty="unknown")
    angio = next(i for i in result.workup if i.code == "angio_ct_or_arteriography")
    assert angio.condition_fr == "si une hypervascularisation est suspectée"
    biopsy = next(i for i in result.workup if i.code == "biopsy_or_minimal_workup")
    assert biopsy.condition_fr.startswith("en cas de doute")
    assert result.surgery == "indicated" and result.missing == []


# ------------------------------------------------- paths the mutation run found


def test_frail_patient_with_a_stable_acetabulum_keeps_the_medical_treatment():
    """[2.4] « Des lésions acétabulaires douloureuses qui ne compromettent pas la stabilité
    du cotyle (atteinte étendue du toit, de la colonne postérieure ou du mur médial) et
    qui n'ont pas un risque imminent de fracture doivent avoir une prise en charge
    médicale ou par radiothérapie. »"""
    stable = {
        "acetabular_stability_compromised": False,
        "acetabular_fracture_risk": False,
        "conservative_treatment_failed": False,
    }
    for excluded in ({"fit_for_surgery": False}, {"life_expectancy": "lt_6_weeks"}):
        result = acetabulum(**stable, **excluded)
        assert result.surgery == "not_indicated" and result.indication.code == "acetabulum_conservative"
        assert [(t.code, t.role) for t in result.techniques] == [("medical_or_radiotherapy", "primary")]


def test_frail_patient_with_an_acetabular_fracture_gets_supportive_care_and_the_silence():
    """[2.4] « Les lésions acétabulaires ont des indications spécifiques. » A fracture of
    the cotyle in a patient who cannot be operated on: no surgery, and the chapter does
    not say what else."""
    result = acetabulum(situation="pathological_fracture", fit_for_surgery=False)
    assert result.surgery == "not_indicated"
    assert [(t.code, t.role) for t in result.techniques] == [("supportive_care", "primary")]
    assert len(silent(result)) == 1 and "fracture acétabulaire constituée" in silent(result)[0].text_fr


def test_acetabular_fracture_waits_for_prognosis_and_fitness_and_has_no_arthroplasty_under_6_months():
    """[4.2] « Toutes les atteintes articulaires peuvent être traitées par arthroplasties.
    Elles sont indiquées chez des patients ayant un pronostic vital supérieur à 6 mois-1 an. »"""
    for changes in ({"life_expectancy": "unknown"}, {"fit_for_surgery": "unknown"}):
        pending = acetabulum(situation="pathological_fracture", **changes)
        assert pending.surgery == "undetermined" and len(silent(pending)) == 1, changes
    short = acetabulum(situation="pathological_fracture", life_expectancy="6_weeks_to_6_months")
    assert short.surgery == "discuss" and short.techniques == []
    long = acetabulum(situation="pathological_fracture")
    assert [(t.code, t.role) for t in long.techniques] == [("tha_acetabular_reinforcement", "alternative")]
    assert "fracture acétabulaire" in long.techniques[0].rationale_fr


def test_unknown_acetabular_stability_in_a_frail_patient_keeps_medical_treatment_and_names_the_condition():
    """[2.4] « Si ces traitements ne sont pas efficaces sur la douleur ou qu'il existe un
    risque de fracture ou d'instabilité de hanche, un traitement plus invasif par
    cimentoplastie (+/- associée à un vissage) ou radiofréquence ou cryothérapie est
    indiqué, parfois en association avec une radiothérapie pour optimiser les chances de
    consolidation osseuse. »"""
    result = acetabulum(
        fit_for_surgery=False,
        acetabular_stability_compromised="unknown",
        acetabular_fracture_risk=False,
        conservative_treatment_failed=False,
    )
    assert result.surgery == "not_indicated" and result.indication.code == "unfit"
    assert [(t.code, t.role) for t in result.techniques] == [
        ("medical_or_radiotherapy", "primary"),
        ("percutaneous_cementoplasty", "alternative"),
    ]
    assert result.techniques[1].condition_fr == "si la stabilité du cotyle est compromise"
    assert "chirurgie étant exclue" in result.techniques[1].rationale_fr
    assert "ct_bone_window" in codes(result.workup)


def test_unknown_acetabular_facts_of_a_fit_patient_leave_the_decision_open():
    """[2.4] « La chirurgie ne sera envisagée qu'après échec de ces traitements dans le cadre
    d'un patient en assez bon état général pour supporter une intervention chirurgicale
    lourde avec un risque de complications élevé. »"""
    open_escalation = acetabulum(
        acetabular_stability_compromised="unknown", acetabular_fracture_risk=False, conservative_treatment_failed=False
    )
    assert open_escalation.surgery == "undetermined"
    assert {b.value for b in open_escalation.branches} == {True, False}
    failed_unknown = acetabulum(acetabular_stability_compromised=True, percutaneous_treatment_failed="unknown")
    assert failed_unknown.surgery == "undetermined"
    assert {b.value: b.surgery for b in failed_unknown.branches} == {True: "discuss", False: "discuss"}
    assert {b.value: b.techniques for b in failed_unknown.branches} == {
        True: ["tha_acetabular_reinforcement"],
        False: ["percutaneous_cementoplasty"],
    }
    stability_only = acetabulum(acetabular_stability_compromised=False)
    assert stability_only.missing == ["acetabular_fracture_risk"]  # the failed treatment is asked after both


def test_radiofrequency_and_cryotherapy_are_offered_for_pain():
    """[2.4] « Si ces traitements ne sont pas efficaces sur la douleur ou qu'il existe un
    risque de fracture ou d'instabilité de hanche, un traitement plus invasif par
    cimentoplastie (+/- associée à un vissage) ou radiofréquence ou cryothérapie est
    indiqué »"""
    short = {"life_expectancy": "6_weeks_to_6_months", "percutaneous_treatment_failed": False}
    rebel = acetabulum(situation="refractory_pain", acetabular_stability_compromised=True, **short)
    assert "percutaneous_ablation" in codes(rebel.techniques, "alternative")
    failed = acetabulum(
        situation="impending_fracture",
        acetabular_stability_compromised=False,
        acetabular_fracture_risk=False,
        conservative_treatment_failed=True,
        **short,
    )
    assert "percutaneous_ablation" in codes(failed.techniques, "alternative")
    for flags in ({"acetabular_stability_compromised": True}, {"acetabular_fracture_risk": True}):
        mechanical = acetabulum(situation="impending_fracture", **flags, **short)
        assert "percutaneous_ablation" not in codes(mechanical.techniques), flags


def test_either_instability_or_fracture_risk_opens_the_arthroplasty_option_for_a_fit_patient():
    """[4.2] « L'atteinte cotyloïdienne doit également être prise en compte et parfois
    traitée notamment lorsqu'il existe un risque fracturaire d'une métastase en zone
    portante ou un risque de protrusion endo-pelvienne de la tête fémorale. »"""
    for flags in (
        {"acetabular_stability_compromised": True},
        {"acetabular_stability_compromised": False, "acetabular_fracture_risk": True},
    ):
        result = acetabulum(percutaneous_treatment_failed=False, **flags)
        tha = next(t for t in result.techniques if t.code == "tha_acetabular_reinforcement")
        assert tha.role == "alternative" and "§ 2.4" in tha.rationale_fr, flags
    pain_only = acetabulum(
        acetabular_stability_compromised=False,
        acetabular_fracture_risk=False,
        conservative_treatment_failed=True,
        percutaneous_treatment_failed=False,
    )
    assert "tha_acetabular_reinforcement" not in codes(pain_only.techniques)
    assert pain_only.surgery == "not_indicated"


def test_variants_say_what_their_case_is():
    """[4.1] « Un curetage-cimentation de la lésion peut y être associé en cas de mauvaise
    qualité osseuse, de perte osseuse importante ou de radiothérapie associée. » Each
    variant of an item explains its own case."""
    plate = case(site="distal", articular_involvement=False, major_bone_loss=True)
    assert "plaque" in next(t for t in plate.techniques if t.code == "curettage_cementation").rationale_fr
    nail = case(major_bone_loss=True)
    assert "enclouage" in next(t for t in nail.techniques if t.code == "curettage_cementation").rationale_fr
    unknown_plate = case(site="distal", articular_involvement=False, major_bone_loss="unknown")
    cement = next(t for t in unknown_plate.techniques if t.code == "curettage_cementation")
    assert cement.role == "adjunct" and "plaque" in cement.rationale_fr
    sub = next(t for t in case(site="subtrochanteric").techniques if t.code == "intramedullary_nailing")
    assert "sous-trochantérienne" in sub.rationale_fr
    diaphysis = next(t for t in case().techniques if t.code == "intramedullary_nailing")
    assert "sous-trochantérienne" not in diaphysis.rationale_fr
    impending_resection = next(
        t
        for t in impending(
            pain="functional", lesion_type="lytic", lesion_size="gt_two_thirds", life_expectancy="gt_12_months"
        ).techniques
        if t.code == "resection_reconstruction"
    )
    assert "fracture" not in impending_resection.rationale_fr
    articular = case(bone="femur", site="distal", articular_involvement=True, life_expectancy="6_to_12_months")
    assert "atteinte articulaire" in next(t for t in articular.techniques if t.code == "cemented_arthroplasty").label_fr
    tibia = case(bone="tibia", site="proximal", articular_involvement=False, life_expectancy="gt_12_months")
    [tibial_end] = silent(tibia)
    assert "tibia proximal ou distal" in tibial_end.text_fr and "résection-reconstruction" in tibial_end.text_fr
    femur = case(life_expectancy="gt_12_months")
    assert not any("tibia proximal ou distal" in w.text_fr for w in silent(femur))


def test_unknown_site_is_asked_of_the_imaging_and_each_site_is_weighed():
    """[4.1] « Les localisations préférentielles pour l'ostéosynthèse sont les atteintes
    diaphysaires des os longs (fémur, humérus, tibia) ainsi que les lésions
    métaphyso-diaphysaires. » The technique depends on the site; the fracture's
    indication does not (2.2)."""
    result = case(bone="humerus", site="unknown")
    assert result.surgery == "indicated" and result.techniques == []
    assert {b.value: b.techniques for b in result.branches} == {
        "proximal": ["intramedullary_nailing"],
        "diaphysis": ["intramedullary_nailing"],
        "distal": ["locked_plate"],
    }
    assert "ct_bone_window" in codes(result.workup)


def test_mirels_score_is_kept_while_fitness_is_unknown():
    """[2.1] « Un traitement chirurgical prophylactique est indiqué pour un score égal ou
    supérieur à 9. »"""
    result = impending(pain="functional", lesion_type="lytic", lesion_size="gt_two_thirds", fit_for_surgery="unknown")
    assert result.surgery == "undetermined" and result.mirels.score == 11


def test_mirels_open_between_two_readings_and_settled_by_the_reason_that_always_holds():
    """[2.1] « Une chirurgie stabilisatrice prophylactique peut être indiquée en cas de
    douleur d'horaire mécanique, ou augmentant à la charge, ou fonctionnellement
    limitante, notamment pour des lésions localisées en zone portante. »"""
    two = impending(
        bone="tibia", site="diaphysis", pain="functional", lesion_type="mixed", lesion_size="unknown"
    )  # 8 to 10
    assert two.surgery == "undetermined"
    upper = impending(bone="humerus", pain="functional", lesion_type="unknown", lesion_size="lt_one_third")  # 6 to 8
    assert upper.surgery == "discuss" and upper.indication.code == "functional_pain"
    assert "Score incomplet" in upper.mirels.interpretation_fr and upper.mirels.interpretation_fr.startswith("6 à 8/12")


def test_mirels_readings_are_worded_by_score():
    """[2.1] « Un traitement chirurgical prophylactique est indiqué pour un score égal ou
    supérieur à 9. »"""
    nine = impending(pain="moderate", lesion_type="lytic", lesion_size="one_to_two_thirds").mirels.interpretation_fr
    eight = impending(pain="moderate", lesion_type="mixed", lesion_size="one_to_two_thirds").mirels.interpretation_fr
    seven = impending(pain="moderate", lesion_type="mixed", lesion_size="lt_one_third").mirels.interpretation_fr
    assert nine.startswith("9/12. Score égal ou supérieur au seuil de 9")
    assert eight.startswith("8/12. Score de 8") and "réf. 77" in eight
    assert seven.startswith("7/12. Score inférieur à 8")


def test_mirels_does_not_score_the_acetabulum_nor_a_femur_without_its_site():
    """[2.4] « Les lésions acétabulaires ont des indications spécifiques. »"""
    from decision import mirels

    items = {"pain": "functional", "lesion_type": "lytic", "lesion_size": "gt_two_thirds"}
    assert mirels.assess({"bone": "acetabulum", **items}) is None
    assert mirels.assess({"bone": "femur", **items}) is None
    assert mirels.assess({"bone": "femur", "site": "neck", **items}).surgery == "indicated"


def test_impending_acetabular_lesion_is_not_asked_the_mirels_items():
    """[2.4] « Les lésions acétabulaires ont des indications spécifiques. »"""
    result = recommend(
        {
            "situation": "impending_fracture",
            "bone": "acetabulum",
            "life_expectancy": "gt_12_months",
            "fit_for_surgery": True,
        }
    )
    assert result.missing == ["acetabular_stability_compromised", "acetabular_fracture_risk"]


def test_unknown_life_expectancy_keeps_the_surgical_work_up_and_asks_refinements_after():
    """[1] « L'estimation de l'espérance de vie est ainsi un élément capital de la prise
    en charge chirurgicale. Il s'agit cependant d'un exercice difficile » Surgery remains
    possible: its work-up is shown while the prognosis is being estimated."""
    result = recommend(
        {
            "situation": "pathological_fracture",
            "bone": "femur",
            "site": "diaphysis",
            "life_expectancy": "unknown",
            "fit_for_surgery": True,
        }
    )
    assert {"xray_whole_bone", "ct_bone_window"} <= set(codes(result.workup))
    # Over a year the single lesion adds a warning about the nail (§ 1, § 4.1): a refinement too.
    assert result.refinements == [
        "solitary_bone_metastasis",
        "major_bone_loss",
        "prior_radiotherapy",
        "suspected_hypervascular",
    ]


# ------------------------------------ the indication and the technique: two questions

# Where 4 names no technique for the site and prognosis (cases of the second review, F1).
TECHNIQUE_NOT_NAMED = [
    *[
        {"bone": "femur", "site": site, "life_expectancy": "6_weeks_to_6_months"}
        for site in ("head", "neck", "neck_trochanteric_extension")
    ],
    *[
        {"bone": "tibia", "site": site, "life_expectancy": life, "articular_involvement": False}
        for site in ("proximal", "distal")
        for life in ("6_weeks_to_6_months", "6_to_12_months", "gt_12_months")
    ],
]
TECHNIQUE_LEFT_TO_RCP = "le choix de la technique revient à la RCP"


def assert_indicated_with_the_technique_left_to_the_rcp(result, intent, where):
    assert result.surgery == "indicated", where
    assert result.intent == intent, where
    assert codes(result.techniques, "primary") == [], where
    [warning] = silent(result)  # one warning, never the same code twice
    assert TECHNIQUE_LEFT_TO_RCP in warning.text_fr, where
    # Any operation: its post-operative items hold without condition, and its risks.
    assert result.postoperative and all(item.condition_fr is None for item in result.postoperative), where
    assert "intraoperative_complications" in result.warning_codes(), where


def test_pathological_fracture_of_a_fit_patient_is_indicated_where_the_chapter_names_no_technique():
    """[2.2] « Les fractures sur lésions pathologiques nécessitent une prise en charge
    chirurgicale dans la majorité des cas, pour permettre une récupération fonctionnelle
    rapide et pour diminuer les douleurs post-fracturaire. » « Les seules
    contre-indications sont le mauvais état général du patient ne permettant pas
    d'envisager une intervention chirurgicale et/ou une anesthésie. » The indication is
    settled by 2.2; that 4 names no implant for this site and prognosis leaves the
    technique, not the operation, to the RCP."""
    for facts in TECHNIQUE_NOT_NAMED:
        result = case(**facts)
        assert_indicated_with_the_technique_left_to_the_rcp(result, "symptomatic", facts)


def test_mirels_9_or_more_is_indicated_where_the_chapter_names_no_technique():
    """[2.1] « Un traitement chirurgical prophylactique est indiqué pour un score égal ou
    supérieur à 9. » Below the threshold, at 8, the indication itself is discussed."""
    for facts in TECHNIQUE_NOT_NAMED:
        result = impending(pain="functional", lesion_type="lytic", lesion_size="gt_two_thirds", **facts)
        assert result.mirels.score >= 9
        assert_indicated_with_the_technique_left_to_the_rcp(result, "preventive", facts)
    borderline = impending(
        site="neck",
        life_expectancy="6_weeks_to_6_months",
        pain="moderate",
        lesion_type="mixed",
        lesion_size="lt_one_third",
    )
    assert borderline.mirels.score == 8 and borderline.surgery == "discuss"


def test_refractory_pain_is_indicated_where_the_chapter_names_no_technique():
    """[2.3] « L'indication, inscrite dans le concept de gain de survie de qualité, est peu
    sujette à controverse dans ce contexte. » « En revanche le type de chirurgie
    (ostéosynthèse, arthroplastie ou chirurgie de reconstruction) sera à adapter à l'état
    général du patient et à son pronostic. »"""
    for facts in TECHNIQUE_NOT_NAMED:
        result = case(situation="refractory_pain", **facts)
        assert_indicated_with_the_technique_left_to_the_rcp(result, "symptomatic", facts)


def test_small_bones_and_acetabulum_stay_to_be_discussed_where_one_option_is_no_operation():
    """[4.1] « Elles seront traitées par plaque ou radiothérapie isolée. » One of the two
    options is not an operation: the surgery itself is discussed, unlike the long bones."""
    assert case(bone="radius", site=None).surgery == "discuss"
    short = acetabulum(situation="pathological_fracture", life_expectancy="6_weeks_to_6_months")
    assert short.surgery == "discuss" and short.techniques == []


def test_tibial_end_over_a_year_gives_one_silence_naming_the_implant_and_the_resection():
    """[1] « Les patients avec une espérance de survie dite prolongée (supérieure à 1 an),
    une chirurgie de type « résection-reconstruction » assurera une stabilisation durable
    et un contrôle tumoral local prolongé. » « Il est rare de réaliser une résection
    chirurgicale carcinologique dans ce contexte. » [4.1] « Les localisations
    préférentielles pour l'ostéosynthèse sont les atteintes diaphysaires des os longs
    (fémur, humérus, tibia) ainsi que les lésions métaphyso-diaphysaires. » Distal tibia
    fracture, over a year, fit: indicated; one warning says both that no implant is named
    and that the resection of section 1 is an option to weigh; the resection is shown
    with its sentence."""
    result = case(bone="tibia", site="distal", life_expectancy="gt_12_months")
    assert result.surgery == "indicated" and result.intent == "symptomatic"
    assert set(codes(result.techniques, "primary")) <= {"resection_reconstruction"}
    [warning] = silent(result)
    assert "tibia proximal ou distal" in warning.text_fr and "résection-reconstruction" in warning.text_fr
    assert TECHNIQUE_LEFT_TO_RCP in warning.text_fr
    said = quoted(warning)
    assert any(text.startswith("Les localisations préférentielles pour l'ostéosynthèse") for text in said)
    assert any("supérieure à 1 an" in text for text in said) and any(text.startswith("Il est rare") for text in said)
    resection = next(t for t in result.techniques if t.code == "resection_reconstruction")
    assert any("supérieure à 1 an" in text for text in quoted(resection))


def test_unknown_site_settles_the_indication_when_every_site_gives_it():
    """[2.2] « Les fractures sur lésions pathologiques nécessitent une prise en charge
    chirurgicale dans la majorité des cas, pour permettre une récupération fonctionnelle
    rapide et pour diminuer les douleurs post-fracturaire. » [4.2] « Les localisations
    préférentielles pour l'arthroplastie sont les lésions de la tête et du col du fémur. »
    The indication does not depend on the site, the technique does: femoral fracture,
    6 to 12 months, fit, site unknown: indicated, the technique « selon la réponse »."""
    result = case(site="unknown", life_expectancy="6_to_12_months", major_bone_loss=None)
    assert result.surgery == "indicated" and result.intent == "symptomatic"
    assert result.indication.code == "pathological_fracture" and result.techniques == []
    assert {b.value: (b.surgery, b.techniques) for b in result.branches} == {
        "head": ("indicated", ["cemented_arthroplasty"]),
        "neck": ("indicated", ["cemented_arthroplasty"]),
        "neck_trochanteric_extension": ("indicated", ["proximal_femoral_resection_megaprosthesis"]),
        "trochanteric": ("indicated", ["intramedullary_nailing"]),
        "subtrochanteric": ("indicated", ["intramedullary_nailing"]),
        "diaphysis": ("indicated", ["intramedullary_nailing"]),
        "distal": ("indicated", ["locked_plate"]),
    }
    # A nail or a plate may be chosen: the bone loss that adds a cementation is still asked, after.
    assert result.missing == ["major_bone_loss"] and result.refinements == ["major_bone_loss"]
    assert all(item.condition_fr is None for item in result.postoperative)
    # A site not given yet is asked, as before: the answer waits for it.
    asked = case(site=None, life_expectancy="6_to_12_months")
    assert asked.surgery == "undetermined" and asked.missing[0] == "site"


def test_unknown_site_weighs_each_mirels_site_item_of_the_bone():
    """[2.1] « Mirels a proposé un score d'évaluation du risque fracturaire, tenant compte
    de la localisation et de la taille de la lésion, de la douleur associée et de son
    apparence à l'imagerie. » « Un traitement chirurgical prophylactique est indiqué pour
    un score égal ou supérieur à 9. » A femoral site scores 2 or 3 (peritrochanteric):
    the score is settled when both sides of the threshold cannot be reached."""
    high = impending(site="unknown", pain="functional", lesion_type="lytic", lesion_size="gt_two_thirds")
    assert high.surgery == "indicated" and high.mirels.score is None
    assert high.mirels.to_dict()["score_range"] == [11, 12] and high.mirels.to_dict()["unknown_items"] == ["site"]
    assert high.techniques == [] and {b.field for b in high.branches} == {"site"}
    across = impending(site="unknown", pain="moderate", lesion_type="mixed", lesion_size="one_to_two_thirds")
    assert across.surgery == "undetermined" and across.mirels.to_dict()["score_range"] == [8, 9]
    assert {b.value: b.surgery for b in across.branches}["neck"] == "indicated"
    assert {b.value: b.surgery for b in across.branches}["diaphysis"] == "discuss"
    low = impending(site="unknown", pain="mild", lesion_type="blastic", lesion_size="lt_one_third")
    assert low.surgery == "not_indicated" and low.missing == []
    humerus = impending(
        bone="humerus", site="unknown", pain="functional", lesion_type="lytic", lesion_size="gt_two_thirds"
    )
    assert humerus.mirels.score == 10  # the upper limb scores 1 at every site


def test_articular_involvement_of_a_long_survivor_keeps_first_line_options_before_alternatives():
    """[4.2] « Toutes les atteintes articulaires peuvent être traitées par arthroplasties. »
    [1] « Les patients avec une espérance de survie dite prolongée (supérieure à 1 an), une
    chirurgie de type « résection-reconstruction » assurera une stabilisation durable et un
    contrôle tumoral local prolongé. » [2.2] « Dans ce contexte de fracture pathologique,
    l'urgence est la stabilisation de la fracture, à visée antalgique. » Humeral head invaded,
    over a year: on a fracture, the nail and the arthroplasty are first-line and the
    resection comes after them; with a single bone lesion (the project's reading of § 1),
    the resection alone is first-line and the arthroplasty joins the alternatives."""
    head = {"bone": "humerus", "site": "proximal", "life_expectancy": "gt_12_months", "articular_involvement": True}
    fracture = case(**head)
    assert [(t.code, t.role) for t in fracture.techniques if t.role != "adjunct"] == [
        ("intramedullary_nailing", "primary"),
        ("cemented_arthroplasty", "primary"),
        ("resection_reconstruction", "alternative"),
    ]
    single = impending(pain="functional", lesion_size="gt_two_thirds", solitary_bone_metastasis=True, **head)
    assert codes(single.techniques, "primary") == ["resection_reconstruction"]
    assert set(codes(single.techniques, "alternative")) == {"cemented_arthroplasty", "intramedullary_nailing"}
