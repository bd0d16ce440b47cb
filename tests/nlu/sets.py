"""The NLU dev set and the frozen test set, how they are scored, and the lexicon leak check.

Two sets, scored the same way:

- ``dev.yml`` (386 messages, Rasa's NLU format), the former held-out set. It
  may inform the lexicon, like the training data and the parser's own tests.
- ``frozen.yml`` (239 messages), written before its writer read the lexicon and
  never changed since: its SHA-256 is in ``frozen.sha256``. It measures how the
  assistant reads phrasings nobody wrote the lexicon for.

The scores:

- intent: weighted F1 and accuracy of the intent Rasa predicts (DIET, with
  ``nlu_fallback`` counting as a wrong intent), as Rasa's ``intent_report.json``
  computes its ``weighted avg``;
- entities: micro precision, recall and F1 of the (entity, value) pairs of each
  message against its annotation. Spans are not compared: the consultation uses
  the values. A bone implied by the only bone its site exists on
  (« sous-trochantérien ») is neither required nor an error, as
  docs/nlu-conventions.md annotates the site only;
- slots: share of messages whose facts, recorded as the consultation records
  them (``tests.freetext.shorthand.recorded``: the parser's facts, the answer to
  the pending question, the bone of a site that exists on one bone only), are
  exactly the expected ones.

The leak check: a lexicon phrase leaks when the words it matches occur in a
message of the frozen set and in no message of the dev or training material
(``DEV_MATERIAL``). Phrases are the variants the analysis matches as a unit:
every compiled entry of ``freetext/lexicon.yml`` (entities, cues, field names,
negations, hedges, grammar, bone context, upgrades, reference and change cues,
ignored phrases) and the answer phrases of every field; words are compared as
the parser compares them (typos corrected, abbreviations expanded, a number
matching « # »). The quantity grammar (units, « moins de », « environ ») is
left out: it reads numbers, not phrasings. The phrases that already leaked when
the frozen set was written are listed in ``frozen_lexicon_baseline.txt``.

``python -m tests.nlu.sets`` prints the entity and slot scores of both sets and
the messages of the dev set read wrongly; it never lists the frozen set's
misses: the lexicon is not to be tuned on them.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from decision.contract import bones_for_site
from freetext.lexicon import load_lexicon
from freetext.parser import FIELD_VALUES, extract_facts
from freetext.tokens import ANY_NUMBER
from paths import ROOT
from privacy.vocabulary import strings as nested_strings
from tests.freetext.shorthand import as_code, recorded

HERE = Path(__file__).resolve().parent
DEV_SET = HERE / "dev.yml"
FROZEN_SET = HERE / "frozen.yml"
# sha256sum's format, paths from the repository root: `sha256sum -c tests/nlu/frozen.sha256`.
HASHES = HERE / "frozen.sha256"
BASELINE = HERE / "frozen_lexicon_baseline.txt"
# What the lexicon may be written from: the training data, the dev sets, the
# parser's tests and the assistant's own texts (button labels are typed).
DEV_MATERIAL = (
    "data/nlu/*.yml",
    "tests/nlu/dev.yml",
    "tests/freetext/*.yml",
    "tests/freetext/*.py",
    "consultation/texts.yml",
)
# Where the scores are left for conftest.py to print at the end of the session.
SUMMARY_KEY = pytest.StashKey[str]()

Pair = tuple[str, str]


@dataclass(frozen=True)
class Example:
    """One annotated message."""

    text: str
    intent: str
    entities: frozenset[Pair]
    asked: str | None = None
    answer: str | None = None


# ------------------------------------------------------------------ the sets

# Rasa's entity markup: [words]{"entity": "...", "value": "..."}
_MARKUP = re.compile(r"\[([^\]]*)\]\{([^}]*)\}")


def _unmarked(example: str) -> tuple[str, frozenset[Pair]]:
    """The text of a Rasa NLU example and its (entity, value) pairs."""
    pairs = set()
    for m in _MARKUP.finditer(example):
        annotation = json.loads("{" + m.group(2) + "}")
        pairs.add((annotation["entity"], str(annotation.get("value", m.group(1)))))
    return _MARKUP.sub(lambda m: m.group(1), example), frozenset(pairs)


def load_dev(path: Path = DEV_SET) -> list[Example]:
    """The examples of a Rasa NLU file (entities in the JSON markup only)."""
    out = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in block["examples"].splitlines():
            if line.strip():
                assert line.startswith("- ") and "](" not in line, f"{path}: {line!r}"
                text, pairs = _unmarked(line[2:])
                out.append(Example(text, block["intent"], pairs))
    return out


def load_frozen(path: Path = FROZEN_SET) -> list[Example]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Example(
            item["text"],
            item["intent"],
            frozenset((name, as_code(value)) for name, value in item["entities"].items()),
            item.get("asked"),
            None if item.get("answer") is None else as_code(item["answer"]),
        )
        for item in items
    ]


def frozen_items(path: Path = FROZEN_SET) -> list[dict[str, Any]]:
    """The frozen set as written (to check its form)."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(items, list)
    return items


# ------------------------------------------------------------------ scores


def weighted_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """F1 of each gold label, weighted by its support (scikit-learn's ``average="weighted"``)."""
    support, said = Counter(gold), Counter(predicted)
    right = Counter(g for g, p in zip(gold, predicted, strict=True) if g == p)
    total = 0.0
    for label, n in support.items():
        precision = right[label] / said[label] if said[label] else 0.0
        recall = right[label] / n
        if precision + recall:
            total += n * 2 * precision * recall / (precision + recall)
    return total / len(gold)


def implied_bone(gold: Iterable[Pair]) -> set[Pair]:
    """The bone a message's site names when the site exists on one bone only and no bone is given."""
    pairs = set(gold)
    if any(name == "bone" for name, _ in pairs):
        return set()
    out = set()
    for name, value in pairs:
        if name == "site" and value in FIELD_VALUES["site"]:
            bones = bones_for_site(value)
            if len(bones) == 1:
                out.add(("bone", bones[0]))
    return out


def expected_slots(example: Example) -> dict[str, str]:
    """The facts the consultation should record from the message, with no fact recorded before."""
    values: dict[str, set[str]] = {}
    for name, value in example.entities:
        if name in FIELD_VALUES:
            values.setdefault(name, set()).add(value)
    slots = {name: vs.pop() for name, vs in values.items() if len(vs) == 1}
    if example.asked is not None and example.answer is not None:
        slots[example.asked] = example.answer
    slots.update(dict(implied_bone(example.entities)))
    return slots


@dataclass
class Scores:
    """The scores of one set; ``intents`` is empty when no model was used."""

    name: str
    examples: list[Example]
    entities: list[frozenset[Pair]]
    intents: list[str] = field(default_factory=list)

    def entity_counts(self) -> tuple[int, int, int]:
        """(true positives, false positives, false negatives) over all messages."""
        tp = fp = fn = 0
        for example, found in zip(self.examples, self.entities, strict=True):
            found = frozenset(found - (implied_bone(example.entities) - example.entities))
            tp += len(found & example.entities)
            fp += len(found - example.entities)
            fn += len(example.entities - found)
        return tp, fp, fn

    @property
    def entity_precision(self) -> float:
        tp, fp, _ = self.entity_counts()
        return tp / (tp + fp) if tp + fp else 0.0

    @property
    def entity_recall(self) -> float:
        tp, _, fn = self.entity_counts()
        return tp / (tp + fn) if tp + fn else 0.0

    @property
    def entity_f1(self) -> float:
        p, r = self.entity_precision, self.entity_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def slot_misses(self) -> list[tuple[Example, dict[str, str], dict[str, str]]]:
        """(example, facts recorded, facts expected) of every message recorded wrongly."""
        out = []
        for example in self.examples:
            read, expected = recorded(example.text, example.asked, {}), expected_slots(example)
            if read != expected:
                out.append((example, read, expected))
        return out

    @property
    def slot_accuracy(self) -> float:
        return 1 - len(self.slot_misses()) / len(self.examples)

    @property
    def intent_f1(self) -> float:
        return weighted_f1([e.intent for e in self.examples], self.intents)

    @property
    def intent_accuracy(self) -> float:
        return sum(e.intent == p for e, p in zip(self.examples, self.intents, strict=True)) / len(self.examples)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"messages": len(self.examples)}
        if self.intents:
            out |= {"intent_weighted_f1": round(self.intent_f1, 3), "intent_accuracy": round(self.intent_accuracy, 3)}
        return out | {
            "entity_micro_f1": round(self.entity_f1, 3),
            "entity_precision": round(self.entity_precision, 3),
            "entity_recall": round(self.entity_recall, 3),
            "slot_accuracy": round(self.slot_accuracy, 3),
        }

    def summary(self) -> str:
        intents = f"intent F1 {self.intent_f1:.3f} (accuracy {self.intent_accuracy:.3f}), " if self.intents else ""
        return (
            f"{self.name} ({len(self.examples)} messages): {intents}"
            f"entity F1 {self.entity_f1:.3f} (precision {self.entity_precision:.3f}, recall {self.entity_recall:.3f}), "
            f"slot accuracy {self.slot_accuracy:.3f}"
        )


def parser_entities(examples: Iterable[Example]) -> list[frozenset[Pair]]:
    """The (entity, value) pairs the parser reads in each message (what CaseFactExtractor adds)."""
    return [frozenset((f.field, f.value) for f in extract_facts(e.text)) for e in examples]


# ------------------------------------------------------------------ the frozen set's protections


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded_hashes(path: Path = HASHES) -> dict[Path, str]:
    """{file: SHA-256} of a sha256sum file whose paths are from the repository root."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        out[ROOT / name.lstrip("*")] = digest
    return out


def texts_of(path: Path) -> list[str]:
    """Every message-like line of a file: the string literals of Python code, the
    strings of YAML (a Rasa examples block is one message a line), markup removed."""
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        strings: Iterable[str] = (
            node.value
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        )
    else:
        strings = nested_strings(yaml.safe_load(source), keys=False)
    out = []
    for string in strings:
        for line in string.splitlines():
            line = line.strip()
            out.append(_unmarked(line[2:] if line.startswith("- ") else line)[0])
    return out


def dev_material() -> list[Path]:
    return sorted({p for pattern in DEV_MATERIAL for p in ROOT.glob(pattern)} - {FROZEN_SET})


Keys = tuple[str, ...]


class PhraseFinder:
    """The lexicon's phrases (as the parser's matching keys) found in texts."""

    def __init__(self) -> None:
        self.lexicon = load_lexicon()
        entries = [*self.lexicon.base_entries, *(e for f in FIELD_VALUES for e in self.lexicon.answer_entries(f))]
        self.phrases = frozenset(e.keys for e in entries)
        self.lengths = sorted({len(k) for k in self.phrases})

    def found_in(self, text: str) -> set[Keys]:
        tokens = self.lexicon.tokenize(text)
        literal = [t.key for t in tokens]
        numbers = [ANY_NUMBER if t.is_number else t.key for t in tokens]
        out = set()
        for keys in (literal, numbers) if literal != numbers else (literal,):
            for i in range(len(keys)):
                for n in self.lengths:
                    if i + n > len(keys):
                        break
                    window = tuple(keys[i : i + n])
                    if window in self.phrases:
                        out.add(window)
        return out


def leaks() -> dict[str, list[str]]:
    """{lexicon phrase: frozen messages it matches} for every phrase that matches a
    frozen message and nothing of the dev or training material."""
    finder = PhraseFinder()
    in_dev: set[Keys] = set()
    for path in dev_material():
        for text in texts_of(path):
            in_dev |= finder.found_in(text)
    out: dict[str, list[str]] = {}
    for example in load_frozen():
        for keys in finder.found_in(example.text) - in_dev:
            out.setdefault(" ".join(keys), []).append(example.text)
    return out


def baseline(path: Path = BASELINE) -> set[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def normalized(text: str) -> str:
    """A message as the parser's words, to compare messages."""
    return " ".join(t.norm for t in load_lexicon().tokenize(text) if t.is_content)


def main() -> None:
    for name, examples in (("dev set", load_dev()), ("frozen set", load_frozen())):
        scores = Scores(f"NLU {name}", examples, parser_entities(examples))
        print(scores.summary())
        if name == "dev set":
            for example, found in zip(scores.examples, scores.entities, strict=True):
                found = frozenset(found - (implied_bone(example.entities) - example.entities))
                if found != example.entities:
                    missing, extra = sorted(example.entities - found), sorted(found - example.entities)
                    print(f"  {example.text!r}: missing {missing}, extra {extra}")


if __name__ == "__main__":
    main()
