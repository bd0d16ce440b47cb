"""Command line of the pictures.

    python -m diagram path CASE.json -o path.svg     (or .png; CASE.json as examples/*.json, - for stdin)
    python -m diagram path CASE.json                 (the path in words on standard output)
    python -m diagram flowcharts docs/flowcharts [--check]

Exit 0 when done, 2 for a case that breaks the contract or a bad command
line (one line per problem on standard error), 1 when the picture cannot be
drawn (Graphviz missing or failing) or `--check` finds stale files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from decision.contract import CaseError

from .graphviz import DiagramError
from .picture import draw

USAGE = (
    "usage: python -m diagram path CASE.json [-o PATH.svg|PATH.png]\n"
    "       python -m diagram flowcharts DIRECTORY [--check]"
)


def path_command(
    args: list[str], stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr
) -> int:
    """`path CASE.json [-o OUT]`: the case's decision path, as SVG or PNG by
    the output's extension, or in words on standard output without `-o`."""
    output = None
    if "-o" in args:
        at = args.index("-o")
        if at + 1 >= len(args):
            print(USAGE, file=stderr)
            return 2
        output = Path(args[at + 1])
        args = args[:at] + args[at + 2 :]
    if len(args) != 1 or (output is not None and output.suffix.lower() not in (".svg", ".png")):
        print(USAGE + "\n(the output's extension is .svg or .png)", file=stderr)
        return 2
    try:
        text = stdin.read() if args[0] == "-" else Path(args[0]).read_text(encoding="utf-8")
        case = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        print(f"(case): cannot read {args[0]!r}: {error}", file=stderr)
        return 2
    try:
        picture = draw(case)
        if output is None:
            stdout.write(picture.text + "\n")
        elif output.suffix.lower() == ".svg":
            output.write_text(picture.svg, encoding="utf-8")
        else:
            output.write_bytes(picture.png)
    except CaseError as error:
        for problem in error.problems:
            print(problem, file=stderr)
        return 2
    except (DiagramError, OSError) as error:
        print(error, file=stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["path"]:
        return path_command(args[1:])
    if args[:1] == ["flowcharts"]:
        from .flowcharts import main as flowcharts_main

        return flowcharts_main(args[1:])
    print(USAGE, file=sys.stderr)
    return 0 if args[:1] in (["-h"], ["--help"]) else 2


if __name__ == "__main__":
    sys.exit(main())
