"""Scripted consultations shared by the end-to-end tests and the benchmarks."""

# A whole consultation in free French text (no button payloads): each turn is
# (message, the slots expected after it).
FEMORAL_NECK_FREE_TEXT = [
    ("Bonjour", {"requested_slot": "situation"}),
    ("il s'agit d'une fracture pathologique", {"situation": "pathological_fracture", "requested_slot": "bone"}),
    ("le fémur", {"bone": "femur", "requested_slot": "site"}),
    ("au niveau du col", {"site": "neck", "requested_slot": "life_expectancy"}),
    ("environ huit mois", {"life_expectancy": "6_to_12_months", "requested_slot": "fit_for_surgery"}),
    ("oui, il est opérable", {"fit_for_surgery": True, "requested_slot": "diagnostic_uncertainty"}),
    # The answer comes here; the two questions after it only refine it.
    ("pas de doute diagnostique", {"diagnostic_uncertainty": False, "requested_slot": "prior_radiotherapy"}),
    ("non, jamais irradié", {"prior_radiotherapy": False, "requested_slot": "suspected_hypervascular"}),
    ("non", {"suspected_hypervascular": False}),
]
