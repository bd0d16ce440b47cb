"""The chapter's knowledge, loaded once from the data files beside this module.

`data/chapter.yml` holds the metadata, the verbatim quotations and every item's
French text, section and citations; `data/references.json` the bibliography.
Nothing here knows the rules: `rules.py` asks for items by kind, code and variant.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Dict, Mapping, Optional

import yaml

DATA = Path(__file__).with_name("data")
KINDS = ("indications", "techniques", "workup", "postoperative", "warnings")


@lru_cache(maxsize=1)
def chapter() -> dict:
    with open(DATA / "chapter.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def references() -> Dict[int, dict]:
    with open(DATA / "references.json", encoding="utf-8") as handle:
        return {record["number"]: record for record in json.load(handle)}


def guideline() -> Mapping[str, str]:
    meta = chapter()["guideline"]
    return {"title": meta["title"], "chapter": meta["chapter"], "edition": meta["edition"]}


def quote(key: str) -> dict:
    return chapter()["quotes"][key]


def section_title(number: str) -> str:
    return chapter()["sections"][number]


@lru_cache(maxsize=None)
def item(kind: str, code: str, variant: Optional[str] = None) -> dict:
    """The data of one item: its base fields overridden by the variant's.

    Returns a new dict with `quote_fr` (the verbatim sentence) resolved.
    Unknown kinds, codes or variants raise KeyError: the rules must only name
    items the data defines, and a test walks every path to check it.
    """
    entry = dict(chapter()[kind][code])
    variants = entry.pop("variants", {})
    if variant is not None:
        entry.update(variants[variant])
    key = entry.pop("quote", None)
    entry["quote_fr"] = quote(key)["text"] if key else None
    entry["citations"] = list(entry.get("citations", []))
    return entry


def reference(number: int) -> dict:
    return references()[number]
