"""The references of a recommendation: those its items cite as support,
and apart, the chapter's reading list (137–142), printed as in the
bibliography (`data/references.json` through `knowledge`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from . import knowledge
from .model import Item, freeze


def _citations(items: list[Item]) -> list[dict[str, Any]]:
    """Every reference an item cites as support, once (never the reading list's
    bone reviews, which are not support)."""
    return [citation(number) for number in sorted({number for item in items for number in item.citations})]


def citation(number: int) -> dict[str, Any]:
    """Reference `number` as a recommendation lists it: its printed text and
    whether the chapter names it."""
    record = knowledge.reference(number)
    found: dict[str, Any] = {
        "number": number,
        "reference": knowledge.printed_reference(number),
        "cited_by_chapter": record["cited_by_chapter"],
    }
    if record.get("same_work_as"):
        found["same_work_as"] = [dict(link) for link in record["same_work_as"]]
    return found


@cache
def _further_reading() -> dict[str, Any]:
    """`further_reading()`, the same for every recommendation: made once, frozen."""
    made: dict[str, Any] = freeze(further_reading())
    return made


def further_reading() -> dict[str, Any]:
    """The chapter's reading list, shown once, apart from the items' support:
    « Le lecteur pourra se reporter aux références suivantes pour approfondir
    le texte du référentiel concernant la chirurgie : (137–142). » The range is
    kept as printed; the texts listed are those about the limbs (140, on the
    spine, is named in `not_listed` with its reason)."""
    reading = knowledge.reading()
    listed, not_listed = [], []
    for number in reading["references"]:
        about = knowledge.reading_about(number)
        if about.get("omitted_fr"):
            not_listed.append({"number": number, "reason_fr": about["omitted_fr"]})
        else:
            listed.append({**citation(number), **({"bone": about["bone"]} if about.get("bone") else {})})
    return {"quote_fr": reading["text"], "range": reading["range"], "references": listed, "not_listed": not_listed}
