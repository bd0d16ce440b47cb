"""The chapter's knowledge, loaded once from the data files beside this module.

`data/chapter.yml` holds the metadata, the verbatim quotations, the chapter's
reading list and every item's French text, section and citations (the
references that support it); `data/references.json` the bibliography.
Nothing here knows the rules: `items.py` asks for items by kind, code and variant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).with_name("data")
KINDS = ("indications", "techniques", "workup", "postoperative", "warnings")


@lru_cache(maxsize=1)
def chapter() -> dict:
    with open(DATA / "chapter.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def words() -> frozenset[str]:
    """Every word of chapter.yml, its keys included, as written: the chapter's
    sentences and the project's texts about them (not the bibliography, whose
    authors' names a patient may bear)."""
    found: set[str] = set()
    pending: list[object] = [chapter()]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            found.update(re.findall(r"[^\W\d_]+", value))
        elif isinstance(value, dict):
            pending.extend(str(key) for key in value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return frozenset(found)


@lru_cache(maxsize=1)
def references() -> dict[int, dict]:
    with open(DATA / "references.json", encoding="utf-8") as handle:
        return {record["number"]: record for record in json.load(handle)}


def guideline() -> Mapping[str, str]:
    meta = chapter()["guideline"]
    return {"title": meta["title"], "chapter": meta["chapter"], "edition": meta["edition"]}


def quote(key: str) -> dict:
    return chapter()["quotes"][key]


def section_title(number: str) -> str:
    return chapter()["sections"][number]


@cache
def item(kind: str, code: str, variant: str | None = None) -> dict:
    """The data of one item: its base fields overridden by the variant's.

    Returns a new dict with `quote_fr` (the main verbatim sentence) and
    `quotes` (every sentence it rests on, with its section) resolved.
    Unknown kinds, codes or variants raise KeyError: the rules must only name
    items the data defines, and a test walks every path to check it.
    """
    entry = dict(chapter()[kind][code])
    variants = entry.pop("variants", {})
    if variant is not None:
        entry.update(variants[variant])
    keys = entry.pop("quote", None) or []
    keys = [keys] if isinstance(keys, str) else list(keys)
    entry["quote_keys"] = keys
    entry["quotes"] = [{"section": quote(key)["section"], "text": quote(key)["text"]} for key in keys]
    entry["quote_fr"] = entry["quotes"][0]["text"] if keys else None
    entry["citations"] = list(entry.get("citations", []))
    return entry


def quote_keys(kind: str, code: str) -> Iterator[tuple[str | None, str]]:
    """(variant, quote key) of every quotation an item and its variants show."""
    entry = chapter()[kind][code]
    for variant in [None, *entry.get("variants", {})]:
        for key in item(kind, code, variant)["quote_keys"]:
            yield variant, key


def reading() -> dict:
    """The chapter's reading list: « Le lecteur pourra se reporter aux références
    suivantes pour approfondir le texte du référentiel concernant la chirurgie :
    (137–142). » Its sentence (`text`), its numbers as printed (`range`) and what
    each reference is to the project (`references`: `bone`, `support_fr`,
    `omitted_fr`)."""
    return chapter()["reading"]


def reading_about(number: int) -> dict:
    """What reference `number` is in the chapter's reading list; empty when it
    is not in that list."""
    return reading()["references"].get(number) or {}


def bone_reading(entry: Mapping, bone: str | None) -> list[int]:
    """The chapter's review of `bone` (137 femur, 138 humerus, 141 acetabulum),
    listed as complementary reading on an item marked `reading: bone`; empty
    for any other item, bone or an unknown bone."""
    if entry.get("reading") != "bone" or bone is None:
        return []
    return [number for number, about in reading()["references"].items() if (about or {}).get("bone") == bone]


def cited_at(number: int) -> list[str]:
    """The sections where the chapter prints reference `number` after a sentence
    (« (144) »), as the quotations hold them; empty for the reading list."""
    mark = f"({number})"
    return sorted({quote["section"] for quote in chapter()["quotes"].values() if mark in quote["text"]})


def reference(number: int) -> dict:
    """The record of reference `number`, its text verbatim from the source."""
    return references()[number]


def printed(text: str) -> str:
    """Text of the source as it is printed: its Markdown emphasis (`*Nature*`,
    `**Figure 6**`) removed, its escaped asterisks (`\\*`) shown as asterisks."""
    text = text.replace("\\*", "\x00")
    text = re.sub(r"\*{1,2}", "", text)
    return text.replace("\x00", "*")


@cache
def printed_reference(number: int) -> str:
    """Reference `number` exactly as the bibliography prints it."""
    return printed(reference(number)["reference"])


def condition(field: str, value: object) -> str:
    """How an item that waits for a fact says so ("si la perte osseuse est importante")."""
    return chapter()["conditions"][field][value]


def surgery_condition(key: str) -> str:
    """When the post-operative items apply to a surgery that is only to be discussed."""
    return chapter()["surgery_conditions"][key]


def mirels_text(key: str) -> str:
    """The project's reading of a Mirels score (indicated, borderline, below, partial)."""
    return chapter()["mirels"][key]


def histology_condition(value: object) -> str:
    """What an implant waits for while a primary bone tumour is not excluded
    (« après confirmation histologique d'une métastase »), for a doubt stated
    (True) or possible (`unknown`)."""
    return chapter()["histology_first"][value]
