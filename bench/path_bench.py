"""Time drawing one decision path: the path (`decision.path`), the dot
source, the SVG (dot, then the sanitiser) and the PNG, for a few cases of
the four situations, each drawn from scratch (a new process-free Picture,
the decision's caches warm as in a server that already answered the case).

    python -m bench.path_bench [--quick]

Prints a table (median and 95th percentile, in milliseconds) and writes
bench/results/path.json. A picture is drawn only when « schéma » is asked:
the target is well under a turn's own time.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

from decision.path import decision_path
from diagram.picture import Picture

RESULTS = Path(__file__).with_name("results")
CASES = {
    "fracture du col fémoral": {
        "situation": "pathological_fracture",
        "bone": "femur",
        "site": "neck",
        "life_expectancy": "6_to_12_months",
        "fit_for_surgery": True,
    },
    "préventive (Mirels)": {
        "situation": "impending_fracture",
        "bone": "humerus",
        "site": "diaphysis",
        "life_expectancy": "6_weeks_to_6_months",
        "fit_for_surgery": True,
        "pain": "moderate",
        "lesion_type": "lytic",
        "lesion_size": "gt_two_thirds",
    },
    "douleur rebelle": {
        "situation": "refractory_pain",
        "bone": "tibia",
        "site": "proximal",
        "life_expectancy": "gt_12_months",
        "fit_for_surgery": True,
        "articular_involvement": True,
    },
    "cotyle, pronostic inconnu": {
        "situation": "refractory_pain",
        "bone": "acetabulum",
        "life_expectancy": "unknown",
        "fit_for_surgery": True,
        "acetabular_stability_compromised": True,
        "percutaneous_treatment_failed": True,
    },
}
PARTS = ("path", "svg", "png")


def once(case: dict) -> dict[str, float]:
    start = time.perf_counter()
    picture = Picture(decision_path(case))
    after_path = time.perf_counter()
    _ = picture.svg
    after_svg = time.perf_counter()
    _ = picture.png
    after_png = time.perf_counter()
    return {
        "path": (after_path - start) * 1000,
        "svg": (after_svg - after_path) * 1000,
        "png": (after_png - after_svg) * 1000,
    }


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 20")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else 20
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, case in CASES.items():
        once(case)  # warm: the decision's caches, as in a server that answered the case
        timings = [once(case) for _ in range(rounds)]
        results[name] = {part: summary([t[part] for t in timings]) for part in PARTS}
        results[name]["total"] = summary([sum(t.values()) for t in timings])
    print(f"{'cas':28} {'chemin':>10} {'SVG':>10} {'PNG':>10} {'total':>10}   (médiane ms, {rounds} tirages)")
    for name, parts in results.items():
        row = " ".join(f"{parts[part]['median_ms']:>10.1f}" for part in (*PARTS, "total"))
        print(f"{name:28} {row}")
    RESULTS.mkdir(exist_ok=True)
    report = {"rounds": rounds, "machine": platform.platform(), "python": sys.version.split()[0], "cases": results}
    (RESULTS / "path.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
