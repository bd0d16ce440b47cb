"""The words of a discussion (`discussion.yml`): found in a message whole,
without accents or case; the techniques a message names; whether it only
asks what the pending question means (« ?? »).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from freetext.tokens import words_in

DATA = Path(__file__).with_name("discussion.yml")


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    with open(DATA, encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def words() -> frozenset[str]:
    """Every word of discussion.yml, its keys included, as written."""
    return words_in(data())


def plain(text: str) -> str:
    """Lower case without accents, one character for one: positions in it are
    positions in `text`."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFKD", char.casefold())
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        out.append(base[:1] if base else " ")
    return "".join(out)


@lru_cache(maxsize=4096)
def _pattern(word: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in re.split(r"[^a-z0-9?]+", plain(word)) if part]
    return re.compile(r"(?<![a-z0-9])" + r"[^a-z0-9]+".join(parts) + r"(?![a-z0-9])")


def find(text: str, words: Iterable[str]) -> tuple[int, int] | None:
    """(start, end) of the earliest of `words` in `text` (the longest at the
    same start), whole words, without accents or case; None if none is there."""
    found = find_word(text, words)
    return (found[0], found[1]) if found else None


def find_word(text: str, words: Iterable[str]) -> tuple[int, int, str] | None:
    """(start, end, the word of `words` found) of the earliest of `words` in `text`."""
    folded = plain(text)
    best: tuple[int, int, str] | None = None
    for word in words:
        if not plain(word).strip():
            continue
        found = _pattern(word).search(folded)
        if found and (best is None or (found.start(), -found.end()) < (best[0], -best[1])):
            best = (found.start(), found.end(), word)
    return best


def says(text: str, words: Iterable[str]) -> bool:
    return find(text, words) is not None


def only_asks_to_explain(text: str) -> bool:
    """« ?? », « hein ? », « c'est-à-dire ? »: the message only asks what the question means."""
    stripped = text.strip()
    if not stripped or stripped.startswith("/"):
        return False
    if not re.search(r"\w", stripped):
        return "?" in stripped
    folded = plain(stripped)
    cues = sorted(data()["clarify_words"], key=len, reverse=True)
    if not says(folded, cues):
        return False
    for cue in cues:
        folded = _pattern(cue).sub(" ", folded)
    filler = {plain(word) for word in data()["clarify_filler"]}
    return set(re.findall(r"[a-z0-9]+", folded)) <= filler


def concepts_named(text: str) -> list[tuple[str, str]]:
    """(concept, its name in the answers) of each technique the message names,
    in the order they are typed (a longer name wins over a shorter one it
    contains: « clou gamma » is not « clou »). The name said back is the
    data's `name_fr`, never the text typed."""
    found: list[tuple[int, int, str, str]] = []
    for concept, entry in data()["techniques"].items():
        match = find_word(text, entry["words"])
        if match:
            found.append((match[0], match[1], concept, match[2]))
    found.sort(key=lambda item: (item[0], -item[1]))
    named: list[tuple[str, str]] = []
    covered: list[tuple[int, int]] = []
    for start, end, concept, _ in found:
        if any(start >= s and end <= e for s, e in covered):
            continue
        covered.append((start, end))
        named.append((concept, data()["techniques"][concept]["name_fr"]))
    return named


def described(case: Mapping[str, Any]) -> bool:
    """Whether the case says more than the chapter's own primary tumour."""
    return bool(set(case) - {"primary_tumor"})
