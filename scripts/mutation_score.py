"""The mutation score of `make mutation`: killed mutants over all mutants,
per mutated file, from `mutmut results --all true` (run in the project root).

    python scripts/mutation_score.py MUTMUT --minimum 90 --require decision/rules.py

Exits 1 when a file listed after the options scores under the minimum.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter


def scores(mutmut: str) -> dict[str, Counter]:
    listing = subprocess.run([mutmut, "results", "--all", "true"], capture_output=True, text=True, check=True).stdout
    found: dict[str, Counter] = {}
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name:
            continue
        module = name.split(".x")[0]  # decision.rules.x_decide__mutmut_3 -> decision.rules
        found.setdefault(module.replace(".", "/") + ".py", Counter())[status] += 1
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mutmut")
    parser.add_argument("--minimum", type=float, default=90.0)
    parser.add_argument("--require", nargs="*", default=[], help="files that must reach the minimum")
    args = parser.parse_args()
    failed = False
    for path, counts in sorted(scores(args.mutmut).items()):
        total = sum(counts.values())
        score = 100.0 * counts["killed"] / total if total else 0.0
        print(
            f"Mutants de {path} tués : {counts['killed']}/{total} = {score:.1f} % "
            f"(survivants {counts['survived']}, autres {total - counts['killed'] - counts['survived']})"
        )
        if path in args.require and score < args.minimum:
            print(f"  sous le minimum de {args.minimum:g} %", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
