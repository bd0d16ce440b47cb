"""Every consultation phrasing the project's data and tests hold, collected
from the files themselves: what a clinician types, with no identifying data.

- tests/freetext/*.yml (the shorthand sets) and the phrasing tables of
  tests/freetext/*.py (the first string of each (text, …) tuple);
- data/nlu/*.yml and tests/nlu/dev.yml and tests/nlu/frozen.yml examples, entity markup removed;
- tests/stories/*.yml: user texts, entity values and slot values;
- the end-to-end phrasings: harness/scripts.py, the consultations of
  harness/load.py, and every string literal sent by a `.send(…)` call in
  tests/e2e, tests/scale and tests/matrix (the hostile fuzz and the tests about
  identifying data apart).

The test files are read as data, never imported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from harness.load import consultations
from harness.processes import ROOT
from privacy.vocabulary import strings

# Markup of Rasa's training data: [text](entity), [text]{"entity": …}.
ENTITY_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
# Where the tests send identifying data on purpose.
PRIVACY_SOURCES = {"test_hostile_input.py", "test_nothing_identifying_stored.py"}


def _nlu_examples(path: Path) -> Iterator[str]:
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield ENTITY_MARKUP.sub(r"\1", line[2:]).strip()


def _story_strings(path: Path) -> Iterator[str]:
    for story in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("stories", []):
        for step in story.get("steps", []):
            if "user" in step:
                yield ENTITY_MARKUP.sub(r"\1", step["user"]).strip()
            for key in ("entities", "slot_was_set"):
                for item in step.get(key) or []:
                    if isinstance(item, dict):
                        yield from strings(list(item.values()), keys=False)


def _tuple_heads(path: Path) -> Iterator[str]:
    """The first string of every tuple literal of a module: its phrasing tables."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Tuple) and node.elts:
            head = node.elts[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                yield head.value


def _sent_literals(path: Path) -> Iterator[str]:
    """String literals passed last to a `.send(…)` call, outside tests about identifying data."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if "identifying" in function.name or "pii" in function.name:
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "send"
                and node.args
                and isinstance(node.args[-1], ast.Constant)
                and isinstance(node.args[-1].value, str)
            ):
                yield node.args[-1].value


def consultation_phrasings() -> list[tuple[str, str]]:
    """(source file, phrasing), each phrasing once, in a stable order."""
    found: dict[str, str] = {}

    def add(source: Path, texts: Iterator[str]) -> None:
        for text in texts:
            if text and text.strip() and text not in found:
                found[text] = str(source.relative_to(ROOT))

    for path in sorted((ROOT / "tests" / "freetext").glob("*.yml")):
        add(path, (item["text"] for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []))
    for path in sorted((ROOT / "tests" / "freetext").glob("test_*.py")):
        add(path, _tuple_heads(path))
    for path in [*sorted((ROOT / "data" / "nlu").glob("*.yml")), ROOT / "tests" / "nlu" / "dev.yml"]:
        add(path, _nlu_examples(path))
    frozen = ROOT / "tests" / "nlu" / "frozen.yml"
    add(frozen, (item["text"] for item in yaml.safe_load(frozen.read_text(encoding="utf-8")) or []))
    for path in sorted((ROOT / "tests" / "stories").glob("*.yml")):
        add(path, _story_strings(path))
    add(ROOT / "harness" / "scripts.py", _tuple_heads(ROOT / "harness" / "scripts.py"))
    add(
        ROOT / "harness" / "load.py",
        (turn.text for conversation in consultations(144) for turn in conversation.turns),
    )
    for folder in ("e2e", "scale", "matrix"):
        for path in sorted((ROOT / "tests" / folder).glob("*.py")):
            if path.name not in PRIVACY_SOURCES:
                add(path, _sent_literals(path))
    return [(source, text) for text, source in found.items()]
