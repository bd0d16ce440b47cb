"""The README's examples run as written, and print what it says they print."""

import ast
import json
import re
import subprocess
import sys

from paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_example_gives_the_values_shown_in_its_comments():
    block = re.search(r"```python\n(.*?)```", README, re.S).group(1)
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


def test_command_line_examples_run():
    for args, stdin in ((["examples/femoral_neck_fracture.json"], None), (["-"], '{"bone": "acetabulum"}')):
        done = subprocess.run(
            [sys.executable, "-m", "decision", *args], input=stdin, capture_output=True, text=True, cwd=ROOT, check=True
        )
        assert json.loads(done.stdout)["guideline"]["chapter"] == "Chirurgie des métastases osseuses des membres"
