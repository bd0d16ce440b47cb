"""The French texts of the consultation (`texts.yml`), loaded once.

Every sentence the clinician reads is in `texts.yml`; the Python code only
fills its blanks. Fixed one-turn replies that need no data (greeting, help,
out of scope, the Mirels explainer) are responses of `domain.yml`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from decision import FIELDS
from decision.contract import UNKNOWN, allowed_values
from freetext.tokens import unaccented, words_in

TEXTS = Path(__file__).with_name("texts.yml")


@lru_cache(maxsize=1)
def texts() -> dict[str, Any]:
    with open(TEXTS, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def words() -> frozenset[str]:
    """Every word of texts.yml, its keys included, as written: what the
    assistant says (the privacy screen never takes these words for a name)."""
    return words_in(texts())


def field_text(name: str) -> dict[str, Any]:
    return texts()["fields"][name]


def field_name(name: str) -> str:
    return field_text(name)["name"]


def value_label(name: str, value: Any) -> str:
    """The French label of a contract value ("femur" -> "Fémur", True -> "Oui")."""
    if value is True or value is False:
        return texts()["booleans"][value]
    labels = field_text(name).get("values", {})
    if value == UNKNOWN and UNKNOWN not in labels:
        return texts()["unknown"]
    return labels.get(value, str(value))


def options(name: str, values: Sequence[Any] | None = None) -> list[tuple[str, Any]]:
    """(label, value) of each answer to the question about `name`."""
    return [(value_label(name, value), value) for value in (values or FIELDS[name])]


def values_list(name: str) -> str:
    return ", ".join(f"« {label} »" for label, _ in options(name, allowed_values(name)))


def message(key: str, **values: Any) -> str:
    return texts()["messages"][key].format(**values)


def report_text(key: str, **values: Any) -> str:
    return texts()["report"][key].format(**values)


def answer_text(key: str, **values: Any) -> str:
    return texts()["answer"][key].format(**values)


def fold(text: str) -> str:
    """Lower case, accents removed, apostrophes and dashes as spaces."""
    plain = unaccented(text)
    return " " + re.sub(r"[^a-z0-9]+", " ", plain).strip() + " "


def words_named(text: str, vocabulary: dict[str, Iterable[str]]) -> list[str]:
    """The keys of `vocabulary` whose words appear in `text` (whole words, in the
    order of the vocabulary), e.g. the sections a « bilan et suites » asks for."""
    folded = fold(text)
    return [key for key, words in vocabulary.items() if any(fold(word) in folded for word in words)]


def lower_first(text: str) -> str:
    """« Chirurgie à discuter en RCP » inside a sentence: « chirurgie à discuter en RCP »;
    an acronym keeps its capitals (« IRM ou TEP », never « iRM »)."""
    if text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def sections() -> dict[str, str]:
    """The sections of a recommendation and their titles, in reading order
    (shared with the RCP report)."""
    return dict(texts()["sections"])
