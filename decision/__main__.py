"""Command line: `python -m decision CASE.json` (or `-` for standard input).

Prints the recommendation as JSON and exits 0; a case that breaks the contract
exits 2 with one line per problem on standard error and nothing on standard
output. The clinical traceability matrix is generated outside the package:
`python -m tools.traceability`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from .contract import CaseError
from .recommendation import recommend

USAGE = "usage: python -m decision CASE.json   (or - to read the case from standard input)"


def main(
    argv: list[str] | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(USAGE, file=stderr)
        return 0 if args and args[0] in ("-h", "--help") else 2
    try:
        text = stdin.read() if args[0] == "-" else Path(args[0]).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"(file): cannot read {args[0]!r}: {error}", file=stderr)
        return 2
    try:
        case = json.loads(text)
    except json.JSONDecodeError as error:
        print(
            f"(json): malformed JSON at line {error.lineno}, column {error.colno}: {error.msg};"
            " allowed: a JSON object of case facts",
            file=stderr,
        )
        return 2
    try:
        recommendation = recommend(case)
    except CaseError as error:
        for problem in error.problems:
            print(problem, file=stderr)
        return 2
    json.dump(recommendation.to_dict(), stdout, ensure_ascii=False, indent=2)
    stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
