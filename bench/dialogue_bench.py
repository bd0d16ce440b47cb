"""How soon the answer comes: the clinician's messages from the first message
about the case to the first recommendation, over scripted consultations
(the fewer, the sooner the clinician reads the answer), in two ways of typing:

- whole case first: one free-text message with the case, then each question
  still asked answered by its button;
- answer by answer: « bonjour », then every question answered by its button.

Counted over REST against our trained bot, served as `make run` serves it.
The first recommendation is the turn whose replies carry the
`recommendation_ready` marker. Results: bench/results/dialogue.json and a
table on standard output.

    python -m bench.dialogue_bench            # make bench runs it
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.bots import Bot, running_bot

RESULTS = Path(__file__).with_name("results")
MAX_MESSAGES = 30

# (the case, as the contract states it; a clinician's first message with the whole case)
CONSULTATIONS: list[tuple[dict[str, Any], str]] = [
    (
        {
            "situation": "pathological_fracture",
            "bone": "femur",
            "site": "neck",
            "life_expectancy": "6_to_12_months",
            "fit_for_surgery": True,
            "diagnostic_uncertainty": False,
            "prior_radiotherapy": False,
            "suspected_hypervascular": False,
        },
        "fracture pathologique du col fémoral, espérance de vie environ huit mois, opérable",
    ),
    (
        {
            "situation": "impending_fracture",
            "bone": "humerus",
            "site": "diaphysis",
            "life_expectancy": "gt_12_months",
            "fit_for_surgery": True,
            "pain": "functional",
            "lesion_type": "lytic",
            "lesion_size": "gt_two_thirds",
            "solitary_bone_metastasis": False,
            "diagnostic_uncertainty": False,
            "major_bone_loss": False,
            "prior_radiotherapy": False,
            "suspected_hypervascular": False,
        },
        "lésion lytique de la diaphyse humérale à risque fracturaire, douleur mécanique, "
        "plus des deux tiers du diamètre, espérance de vie deux ans, opérable",
    ),
    (
        {
            "situation": "pathological_fracture",
            "bone": "femur",
            "site": "diaphysis",
            "life_expectancy": "6_weeks_to_6_months",
            "fit_for_surgery": True,
            "diagnostic_uncertainty": True,
            "major_bone_loss": True,
            "prior_radiotherapy": True,
            "suspected_hypervascular": False,
        },
        "fracture de la diaphyse fémorale, espérance de vie 3 mois, opérable, doute avec une tumeur osseuse primitive",
    ),
    (
        {
            "situation": "refractory_pain",
            "bone": "acetabulum",
            "life_expectancy": "gt_12_months",
            "fit_for_surgery": True,
            "acetabular_stability_compromised": True,
            "percutaneous_treatment_failed": False,
            "diagnostic_uncertainty": False,
            "prior_radiotherapy": False,
            "suspected_hypervascular": False,
        },
        "douleur rebelle du cotyle, toit détruit, espérance de vie plus d'un an, opérable",
    ),
    (
        {
            "situation": "refractory_pain",
            "bone": "acetabulum",
            "life_expectancy": "6_to_12_months",
            "fit_for_surgery": True,
            "acetabular_stability_compromised": False,
            "acetabular_fracture_risk": False,
            "conservative_treatment_failed": False,
        },
        "lésion acétabulaire douloureuse, cotyle stable, pas de risque de fracture, espérance de vie 8 mois, opérable",
    ),
    (
        {
            "situation": "pathological_fracture",
            "bone": "radius",
            "life_expectancy": "6_to_12_months",
            "fit_for_surgery": True,
            "diagnostic_uncertainty": False,
            "prior_radiotherapy": False,
            "suspected_hypervascular": False,
        },
        "fracture pathologique du radius, espérance de vie 10 mois, opérable",
    ),
    (
        {
            "situation": "pathological_fracture",
            "bone": "tibia",
            "site": "proximal",
            "life_expectancy": "6_to_12_months",
            "fit_for_surgery": True,
            "articular_involvement": False,
            "diagnostic_uncertainty": False,
            "prior_radiotherapy": False,
            "suspected_hypervascular": False,
        },
        "fracture du plateau tibial, espérance de vie 9 mois, opérable, sans atteinte articulaire",
    ),
    (
        {
            "situation": "pathological_fracture",
            "bone": "femur",
            "site": "diaphysis",
            "life_expectancy": "6_to_12_months",
            "fit_for_surgery": False,
        },
        "fracture de la diaphyse fémorale, espérance de vie 8 mois, inopérable",
    ),
    (
        {"situation": "pathological_fracture", "bone": "humerus", "site": "diaphysis", "life_expectancy": "lt_6_weeks"},
        "fracture de la diaphyse humérale, espérance de vie 3 semaines",
    ),
    (
        {
            "situation": "pathological_fracture",
            "bone": "humerus",
            "site": "proximal",
            "life_expectancy": "unknown",
            "fit_for_surgery": True,
            "articular_involvement": False,
            "diagnostic_uncertainty": False,
            "prior_radiotherapy": False,
            "suspected_hypervascular": False,
            "major_bone_loss": False,
        },
        "fracture de l'humérus proximal, pronostic inconnu, opérable",
    ),
]


def _answered(replies: Sequence[Mapping[str, Any]]) -> bool:
    return any(((reply.get("custom") or {}).get("data") or {}).get("recommendation_ready") for reply in replies)


def _payload(case: Mapping[str, Any], field: str) -> str:
    return "/inform" + json.dumps({field: case.get(field, "unknown")}, ensure_ascii=False)


def messages_to_answer(bot: Bot, sender: str, case: Mapping[str, Any], first: str | None) -> int:
    """User messages from the first one about the case to the first
    recommendation; questions answered from `case` by their buttons."""
    if first is None:
        bot.send(sender, "bonjour")
        replies: Sequence[Mapping[str, Any]] = []
    else:
        replies = bot.send(sender, first)
        if _answered(replies):
            return 1
    count = 1 if first is not None else 0
    while count < MAX_MESSAGES:
        requested = bot.tracker(sender)["slots"].get("requested_slot")
        if requested is None:
            raise RuntimeError(f"{sender}: no question pending and no recommendation")
        replies = bot.send(sender, _payload(case, requested))
        count += 1
        if _answered(replies):
            return count
    raise RuntimeError(f"{sender}: no recommendation after {MAX_MESSAGES} messages")


def measure(bot: Bot, consultations: Sequence[tuple[Mapping[str, Any], str]] = CONSULTATIONS) -> dict[str, Any]:
    counts: dict[str, list[int]] = {"whole_case_first": [], "answer_by_answer": []}
    for number, (case, text) in enumerate(consultations):
        counts["whole_case_first"].append(messages_to_answer(bot, f"bench-dialogue-w{number}", case, text))
        counts["answer_by_answer"].append(messages_to_answer(bot, f"bench-dialogue-a{number}", case, None))
    return {
        mode: {
            "consultations": len(values),
            "mean": round(statistics.mean(values), 2),
            "max": max(values),
            "each": values,
        }
        for mode, values in counts.items()
    }


def table(results: Mapping[str, Any]) -> str:
    labels = {
        "whole_case_first": "cas entier d'abord, puis boutons",
        "answer_by_answer": "question par question (boutons)",
    }
    lines = [
        "| façon de répondre | consultations | messages avant la réponse, moyenne | maximum |",
        "|---|---:|---:|---:|",
    ]
    for mode, label in labels.items():
        data = results[mode]
        lines.append(f"| {label} | {data['consultations']} | {str(data['mean']).replace('.', ',')} | {data['max']} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=RESULTS / "dialogue.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir, running_bot(Path(workdir)) as bot:
        results = measure(bot)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("Messages du clinicien, du premier message sur le cas à la première recommandation :")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
