"""The decision module's documented examples run as written, and print what
the documents say they print: the Python example of docs/decision.md, and the
command lines of docs/decision.md and of the README."""

import ast
import json
import re
import shlex
import subprocess
import sys

from paths import ROOT

DECISION_DOC = (ROOT / "docs" / "decision.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_example_gives_the_values_shown_in_its_comments():
    block = re.search(r"```python\n(.*?)```", DECISION_DOC, re.S).group(1)
    namespace: dict = {}
    checked = 0
    pending = ""
    for line in block.splitlines():
        code, _, comment = line.partition("#")
        pending += code + "\n"
        try:
            ast.parse(pending)
        except SyntaxError:
            continue  # a statement that goes on over the next line
        statement, pending = pending.strip(), ""
        try:
            value = ast.literal_eval(comment.strip())
        except (ValueError, SyntaxError):
            exec(statement, namespace)  # no value shown in the comment
            continue
        assert eval(statement, namespace) == value, line
        checked += 1
    assert checked >= 3


def command_lines(document: str) -> list[tuple[list[str], str | None]]:
    """(arguments after `python -m decision`, standard input) of each command
    line of the document's shell blocks."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", document, re.S):
        for line in block.splitlines():
            piped = re.fullmatch(r"echo '(.*)' \| python -m decision (.*)", line.strip())
            alone = re.fullmatch(r"python -m decision (.*)", line.strip())
            if piped:
                found.append((shlex.split(piped.group(2)), piped.group(1)))
            elif alone:
                found.append((shlex.split(alone.group(1)), None))
    return found


def test_command_line_examples_run():
    examples = command_lines(README) + command_lines(DECISION_DOC)
    assert len(examples) == 4  # a file and standard input, in each document
    for args, stdin in examples:
        done = subprocess.run(
            [sys.executable, "-m", "decision", *args], input=stdin, capture_output=True, text=True, cwd=ROOT, check=True
        )
        assert json.loads(done.stdout)["guideline"]["chapter"] == "Chirurgie des métastases osseuses des membres"
