"""How user messages become case facts: only contract values, said back in French."""

from consultation.facts import update_facts


def entity(name, value):
    return {"entity": name, "value": value}


def intent(name, confidence=1.0):
    return {"name": name, "confidence": confidence}


def test_free_text_facts_are_said_back():
    update = update_facts(
        {},
        [entity("situation", "pathological_fracture"), entity("site", "neck"), entity("bone", "femur")],
        "inform",
        "fracture du col fémoral",
        None,
    )
    assert update.slots == {"situation": "pathological_fracture", "site": "neck", "bone": "femur"}
    assert update.messages == [
        "Noté : situation clinique : Fracture pathologique ; localisation sur l'os : Col fémoral ; os atteint : Fémur."
    ]


def test_button_payloads_are_echoed_like_typed_answers():
    update = update_facts({}, [entity("bone", "femur")], intent("inform"), '/inform{"bone": "femur"}', "bone")
    assert update.slots == {"bone": "femur"} and update.messages == ["Noté : os atteint : Fémur."]


def test_a_site_on_one_bone_only_names_the_bone():
    assert update_facts(
        {}, [entity("site", "subtrochanteric")], intent("inform"), "sous-trochantérien", None
    ).slots == {"site": "subtrochanteric", "bone": "femur"}
    assert update_facts({}, [entity("site", "diaphysis")], intent("inform"), "diaphyse", None).slots == {
        "site": "diaphysis"
    }


def test_value_outside_the_contract_is_refused_with_the_expected_values_never_repeated():
    update = update_facts(
        {"bone": "femur"}, [entity("bone", "M. Dupont")], intent("inform"), '/inform{"bone":"M. Dupont"}', None
    )
    assert update.slots == {}
    assert update.messages[0].startswith(
        "Je n'ai pas retenu la valeur donnée pour os atteint : valeur attendue parmi « Fémur »"
    )
    assert "Dupont" not in update.messages[0]


def test_boolean_entity_strings_become_booleans_and_garbage_is_refused():
    assert update_facts(
        {}, [entity("prior_radiotherapy", "false")], intent("inform"), "jamais irradié", None
    ).slots == {"prior_radiotherapy": False}
    update = update_facts({}, [entity("prior_radiotherapy", "peut-être")], intent("inform"), "/inform", None)
    assert update.slots == {} and "« Oui », « Non »" in update.messages[0]


def test_two_values_for_one_field_are_not_guessed():
    update = update_facts(
        {}, [entity("bone", "femur"), entity("bone", "humerus")], intent("inform"), "fémur ou humérus", None
    )
    assert update.slots == {} and "plusieurs valeurs" in update.messages[0]


def test_short_answers_are_read_against_the_pending_question():
    assert update_facts({}, [], intent("affirm"), "oui", "fit_for_surgery").slots == {"fit_for_surgery": True}
    assert update_facts({}, [], intent("deny"), "non", "prior_radiotherapy").slots == {"prior_radiotherapy": False}
    assert update_facts({}, [], intent("dont_know"), "je ne sais pas", "life_expectancy").slots == {
        "life_expectancy": "unknown"
    }
    assert update_facts({}, [], intent("affirm"), "oui", "bone").slots == {}


def test_i_dont_know_is_unknown_for_every_question_but_the_situation_and_the_bone():
    for name in ("fit_for_surgery", "major_bone_loss", "articular_involvement", "lesion_size", "site"):
        update = update_facts({}, [], intent("dont_know"), "aucune idée, scanner pas encore fait", name)
        assert update.slots == {name: "unknown"}, name
        assert update.messages == [f"Noté : {update.messages[0].split('Noté : ')[1]}"]
    assert update_facts({}, [], intent("dont_know"), "aucune idée", "bone").slots == {}
    assert update_facts({}, [], intent("dont_know", 0.5), "hmm", "major_bone_loss").slots == {}  # a guess is not enough
    assert (
        update_facts({}, [], intent("dont_know"), "/dont_know", "major_bone_loss").slots == {}
    )  # only a button says so


def test_an_unknown_site_is_not_an_incoherent_one():
    update = update_facts(
        {"bone": "humerus"}, [entity("site", "unknown")], intent("inform"), '/inform{"site": "unknown"}', "site"
    )
    assert update.slots == {"site": "unknown"} and update.messages == ["Noté : localisation sur l'os : Inconnu."]


def test_a_correction_is_reported_with_old_and_new_values():
    update = update_facts(
        {"bone": "femur", "site": "diaphysis"}, [entity("site", "neck")], intent("inform"), "c'est le col", None
    )
    assert update.slots == {"site": "neck"}
    assert update.messages == ["Correction notée : localisation sur l'os : Col fémoral (au lieu de Diaphyse)."]


def test_a_site_that_does_not_exist_on_the_bone_is_refused_or_cleared():
    refused = update_facts({"bone": "humerus"}, [entity("site", "neck")], intent("inform"), "col", None)
    assert refused.slots == {} and "n'existe pas" in refused.messages[0]
    cleared = update_facts(
        {"bone": "femur", "site": "neck"}, [entity("bone", "radius")], intent("inform"), "radius", None
    )
    assert cleared.slots == {"bone": "radius", "site": None}


def test_repeating_a_known_fact_changes_nothing():
    assert update_facts({"bone": "femur"}, [entity("bone", "femur")], intent("inform"), "fémur", None).slots == {}


def test_entities_that_are_not_case_facts_are_ignored():
    assert (
        update_facts(
            {}, [entity("reference_number", "144"), entity("field", "bone")], intent("ask_reference"), "réf 144", None
        ).slots
        == {}
    )
