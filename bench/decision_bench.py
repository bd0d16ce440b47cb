"""Time `recommend()` over every valid combination of the main fields, and
over the partial cases a consultation goes through to reach each of them.

    python -m bench.decision_bench [--quick]

Main fields: situation, bone with each of its sites, life expectancy, fitness
for surgery and the three Mirels items. Dialogue turns: from the empty case,
each turn answers the first pending question (`question_order.questions`) as the
combination does, the cache of earlier consultations kept as in a server.
Prints a table and writes bench/results/decision.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import statistics
import sys
import time
from pathlib import Path

from decision import FIELDS, recommend
from decision.contract import SITES_BY_BONE, validate_case
from decision.question_order import questions
from decision.recommendation import forget

RESULTS = Path(__file__).with_name("results")


def combinations():
    bone_sites = [(bone, site) for bone in FIELDS["bone"] for site in SITES_BY_BONE.get(bone, (None,))]
    for situation, (bone, site), life, fit, pain, kind, size in itertools.product(
        FIELDS["situation"],
        bone_sites,
        FIELDS["life_expectancy"],
        FIELDS["fit_for_surgery"],
        FIELDS["pain"],
        FIELDS["lesion_type"],
        FIELDS["lesion_size"],
    ):
        case = {
            "situation": situation,
            "bone": bone,
            "life_expectancy": life,
            "fit_for_surgery": fit,
            "pain": pain,
            "lesion_type": kind,
            "lesion_size": size,
        }
        if site:
            case["site"] = site
        yield case


def dialogue(case):
    """The cases a consultation goes through to reach `case`, the empty one
    first: each turn answers the first pending question as `case` does (a
    question `case` leaves out gets its first value)."""
    facts: dict = {}
    turns = [dict(facts)]
    while pending := questions(validate_case(facts)):
        name = pending[0]
        facts[name] = case.get(name, SITES_BY_BONE[facts["bone"]][0] if name == "site" else FIELDS[name][0])
        turns.append(dict(facts))
    return turns


def summary(timings_ns) -> dict:
    micro = sorted(t / 1000 for t in timings_ns)
    return {
        "cases": len(micro),
        "mean_us": round(statistics.fmean(micro), 1),
        "p50_us": round(micro[len(micro) // 2], 1),
        "p95_us": round(micro[int(len(micro) * 0.95)], 1),
        "max_us": round(micro[-1], 1),
    }


def measure(cases):
    """The time to make each recommendation (`recommend` remembers those it made:
    forgotten first, so that each is made again)."""
    timings = []
    clock = time.perf_counter_ns
    for case in cases:
        forget()
        start = clock()
        recommend(case)
        timings.append(clock() - start)
    return timings


def timing(quick: bool = False) -> dict:
    """`recommend()` over every combination (`quick`: about 200 of them), in µs."""
    cases = list(combinations())
    if quick:
        cases = cases[:: max(1, len(cases) // 200)]
    measure(cases[:50])  # warm-up: data files loaded, caches filled
    result = summary(measure(cases))
    turns = [turn for case in cases[:: max(1, len(cases) // 2000)] for turn in dialogue(case)]
    return {**result, "dialogue": summary(measure(turns))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small sample (smoke test)")
    args = parser.parse_args(argv)
    result = {**timing(args.quick), "python": platform.python_version(), "quick": args.quick}
    print(
        f"recommend(): {result['cases']} cases, mean {result['mean_us']} µs, p50 {result['p50_us']} µs, "
        f"p95 {result['p95_us']} µs, max {result['max_us']} µs (target: well under 1000 µs)"
    )
    turns = result["dialogue"]
    print(
        f"recommend() on dialogue turns: {turns['cases']} cases, mean {turns['mean_us']} µs, "
        f"p50 {turns['p50_us']} µs, p95 {turns['p95_us']} µs, max {turns['max_us']} µs"
    )
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "decision.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
