"""The decision module: the chapter "Chirurgie des métastases osseuses des
membres" as rules, with the section and references of every item.

Pure Python (no Rasa, no I/O after the first load of its data files),
deterministic. Its interface is `shared/spec/decision-contract.md`:

    >>> from decision import recommend
    >>> recommend({"situation": "pathological_fracture", "bone": "femur",
    ...            "site": "diaphysis", "life_expectancy": "6_weeks_to_6_months",
    ...            "fit_for_surgery": True}).surgery
    'indicated'
"""

from .contract import FIELDS, CaseError, Problem, validate_case, validate_fact
from .model import Recommendation
from .question_order import questions
from .recommendation import recommend

__all__ = [
    "FIELDS",
    "CaseError",
    "Problem",
    "Recommendation",
    "questions",
    "recommend",
    "validate_case",
    "validate_fact",
]
