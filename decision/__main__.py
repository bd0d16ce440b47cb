"""Command line: `python -m decision CASE.json` (or `-` for standard input).

Prints the recommendation as JSON and exits 0; a case that breaks the contract
exits 2 with one line per problem on standard error and nothing on standard
output. The clinical traceability matrix is generated outside the package:
`python -m tools.traceability`. `python -m decision path CASE.json -o path.svg`
(or .png) draws the case's decision path (`diagram`, Graphviz).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from .contract import CaseError
from .recommendation import recommend

USAGE = (
    "usage: python -m decision CASE.json   (or - to read the case from standard input;"
    " path CASE.json [-o PATH.svg|PATH.png] for the decision path as a picture)"
)


def main(
    argv: list[str] | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["path"]:
        # Imported here, and only here: `decision` imports nothing outside
        # itself (it stays pure: no drawing, no I/O beyond its own data); the
        # picture is the `diagram` package's, which reads decision, never
        # the other way round. Only this command pays for the import.
        from diagram.__main__ import path_command

        return path_command(args[1:], stdin, stdout, stderr)
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
