"""The clinical-shorthand set, read as the consultation reads a message.

``recorded`` combines the parser's two entry points the way
``consultation/facts.py`` (``update_facts``) does: the context-free facts of
``extract_facts``; then, when a question is pending and the message gave no
fact for it, ``interpret_answer`` for that field; a field heard with two values
is recorded for neither; every value must pass the contract
(``decision.validate_fact``); a site that exists on one bone names that bone
when no bone is known; a site that does not exist on the case's bone is
refused; and, as there, what the message brings is what differs from the facts
already recorded (the item's ``context``). The expected facts are compared the
same way: a fact of ``expect`` equal to its ``context`` changes nothing.

``python -m tests.freetext.shorthand`` prints every message read wrongly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from decision import CaseError, validate_fact
from decision.contract import SITES_BY_BONE, bones_for_site
from freetext.parser import FIELD_VALUES, extract_facts, interpret_answer

DEV_SET = Path(__file__).with_name("shorthand_dev.yml")
# The third first kept apart, now dev material too (its header says why).
DEV_SET_2 = Path(__file__).with_name("shorthand_dev_2.yml")
# Where the test leaves the summary that conftest.py prints at the end of the session.
SUMMARY_KEY = pytest.StashKey[str]()


def as_code(value: Any) -> str:
    """The entity form of a value of the set: booleans as "true"/"false", numbers as text."""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def changes(facts: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, str]:
    """The facts that differ from those already recorded, as entity strings."""
    return {k: as_code(v) for k, v in facts.items() if k not in context or as_code(context[k]) != as_code(v)}


def recorded(text: str, asked: str | None, context: Mapping[str, Any]) -> dict[str, str]:
    """The facts the consultation records from ``text`` (entity strings), given ``context``."""
    heard: dict[str, list[str]] = {}
    for fact in extract_facts(text):
        if fact.field in FIELD_VALUES and fact.value not in heard.setdefault(fact.field, []):
            heard[fact.field].append(fact.value)
    if asked in FIELD_VALUES and asked not in heard:
        answer = interpret_answer(text, asked)
        if answer is not None:
            heard[asked] = [answer]
    read: dict[str, str] = {}
    for name, values in heard.items():
        if len(values) != 1:
            continue  # « J'ai compris plusieurs valeurs… : précisez laquelle »
        try:
            validate_fact(name, values[0], strict=False)
        except CaseError:
            continue
        read[name] = values[0]
    site = read.get("site")
    if site is not None and site != "unknown" and "bone" not in read and "bone" not in context:
        bones = bones_for_site(site)
        if len(bones) == 1:
            read["bone"] = bones[0]
    bone = read.get("bone", as_code(context["bone"]) if "bone" in context else None)
    if site is not None and site != "unknown" and bone is not None and site not in SITES_BY_BONE.get(bone, ()):
        del read["site"]
    return changes(read, context)


@dataclass
class Outcome:
    item: Mapping[str, Any]
    read: dict[str, str]
    expected: dict[str, str]
    ambiguous: list[str]

    @property
    def right(self) -> bool:
        """All expected facts, nothing else, nothing for an ambiguous field."""
        return self.read == self.expected and not set(self.ambiguous) & set(self.read)

    def describe(self) -> str:
        missing = {k: v for k, v in self.expected.items() if self.read.get(k) != v}
        extra = {k: v for k, v in self.read.items() if self.expected.get(k) != v}
        asked = self.item.get("asked") or "-"
        return f"[{self.item['category']}, asked {asked}] {self.item['text']!r}: missing {missing}, extra {extra}"


@dataclass
class Score:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(o.right for o in self.outcomes) / len(self.outcomes)

    def by_category(self) -> dict[str, tuple[int, int]]:
        total, right = Counter[str](), Counter[str]()
        for o in self.outcomes:
            total[o.item["category"]] += 1
            right[o.item["category"]] += o.right
        return {c: (right[c], total[c]) for c in sorted(total)}

    def summary(self, name: str = "shorthand dev set") -> str:
        right = sum(o.right for o in self.outcomes)
        parts = ", ".join(f"{c} {r}/{t}" for c, (r, t) in self.by_category().items())
        return f"slot-fill accuracy on the {name}: {self.accuracy:.1%} ({right}/{len(self.outcomes)} messages; {parts})"


def load(path: Path = DEV_SET) -> list[dict[str, Any]]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(items, list) and items, f"{path}: a list of items"
    return items


def score(items: list[dict[str, Any]]) -> Score:
    result = Score()
    for item in items:
        context = item.get("context") or {}
        expected = changes(item.get("expect") or {}, context)
        read = recorded(item["text"], item.get("asked"), context)
        result.outcomes.append(Outcome(item, read, expected, list(item.get("ambiguous") or [])))
    return result


if __name__ == "__main__":
    result = score(load() + load(DEV_SET_2))
    for outcome in result.outcomes:
        if not outcome.right:
            print(outcome.describe())
    print(result.summary())
