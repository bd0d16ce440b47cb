"""Every consultation phrasing the project's data holds: what a clinician
types, with no identifying data.

- tests/freetext/*.yml (the shorthand sets);
- data/nlu/*.yml and tests/nlu/dev.yml and tests/nlu/frozen.yml examples, entity markup removed;
- tests/stories/*.yml: user texts, entity values and slot values;
- the end-to-end phrasings: harness/scripts.py and the consultations of
  harness/load.py;
- tests/data/phrasings.yml: the phrasings written in test modules (their
  phrasing tables, the messages the end-to-end tests send), copied there by
  `python -m tools.phrasings --write`.

Only data files are read: no test module is parsed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from harness.load import consultations
from harness.scripts import FEMORAL_NECK_FREE_TEXT
from paths import ROOT
from privacy.vocabulary import strings

# Markup of Rasa's training data: [text](entity), [text]{"entity": …}.
ENTITY_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
TEST_MODULE_PHRASINGS = ROOT / "tests" / "data" / "phrasings.yml"


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _nlu_examples(path: Path) -> Iterator[str]:
    for block in (_load(path) or {}).get("nlu", []):
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield ENTITY_MARKUP.sub(r"\1", line[2:]).strip()


def _story_strings(path: Path) -> Iterator[str]:
    for story in (_load(path) or {}).get("stories", []):
        for step in story.get("steps", []):
            if "user" in step:
                yield ENTITY_MARKUP.sub(r"\1", step["user"]).strip()
            for key in ("entities", "slot_was_set"):
                for item in step.get(key) or []:
                    if isinstance(item, dict):
                        yield from strings(list(item.values()), keys=False)


def consultation_phrasings() -> list[tuple[str, str]]:
    """(source file, phrasing), each phrasing once, in a stable order."""
    found: dict[str, str] = {}

    def add(source: Path | str, texts: Iterable[str]) -> None:
        name = str(source.relative_to(ROOT)) if isinstance(source, Path) else source
        for text in texts:
            if text and text.strip() and text not in found:
                found[text] = name

    for path in sorted((ROOT / "tests" / "freetext").glob("*.yml")):
        add(path, (item["text"] for item in _load(path) or []))
    for source, texts in (_load(TEST_MODULE_PHRASINGS) or {}).items():
        if source.startswith("tests/freetext/"):
            add(source, texts)
    for path in [*sorted((ROOT / "data" / "nlu").glob("*.yml")), ROOT / "tests" / "nlu" / "dev.yml"]:
        add(path, _nlu_examples(path))
    frozen = ROOT / "tests" / "nlu" / "frozen.yml"
    add(frozen, (item["text"] for item in _load(frozen) or []))
    for path in sorted((ROOT / "tests" / "stories").glob("*.yml")):
        add(path, _story_strings(path))
    add("harness/scripts.py", (message for message, _ in FEMORAL_NECK_FREE_TEXT))
    add("harness/load.py", (turn.text for conversation in consultations(144) for turn in conversation.turns))
    for source, texts in (_load(TEST_MODULE_PHRASINGS) or {}).items():
        if not source.startswith("tests/freetext/"):
            add(source, texts)
    return [(source, text) for text, source in found.items()]
