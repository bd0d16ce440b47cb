"""The French words of the pictures: `labels.yml` beside this module for the
diagram's own short labels, consultation/texts.yml for the answers, the
surgeries and the intents (the words the dialogue uses)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from consultation.texts import answer_text, texts, value_label

LABELS = Path(__file__).with_name("labels.yml")
# Characters per line in a box: with the font size of `graph.DOT_STYLE`, two
# boxes side by side fit in 360 px.
WRAP = 21


@lru_cache(maxsize=1)
def labels() -> dict[str, Any]:
    with open(LABELS, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def label(key: str, **values: Any) -> str:
    return str(labels()[key]).format(**values)


def lower_first(text: str) -> str:
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def wrap(text: str, width: int = WRAP) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False) or [""]


def step_name(field: str) -> str:
    return str(labels()["steps"][field])


def section(number: str) -> str:
    return label("section", section=number)


def answer(field: str, value: Any) -> str:
    """The label of an answer: the dialogue's, « non renseigné » when not given."""
    if value is None:
        return label("not_given")
    if field == "mirels":
        return str(labels()["mirels_bands"][value])
    return value_label(field, value)


def surgery(key: str) -> str:
    return str(texts()["surgery"][key])


def intent(key: str) -> str:
    return str(texts()["intent"][key])


def indication(code: str) -> str:
    return str(labels()["indications"][code])


def technique(code: str) -> str:
    return str(labels()["techniques"][code])


def work_up(code: str) -> str:
    return str(labels()["work_up"][code])


def joined(names: Sequence[str]) -> str:
    """« a, b ou c »."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + answer_text("branch_or") + names[-1]


def outcome(alternative: Mapping[str, Any], techniques: bool = True) -> str:
    """Where an answer leads, in the words of the answer's branches
    (« chirurgie indiquée (enclouage centromédullaire) », « … selon les
    autres réponses »); the surgery alone without `techniques` (a band of
    Mirels scores says nothing of the technique)."""
    possible = list(alternative.get("possible") or [])
    if not techniques and alternative["surgery"] != "undetermined":
        return lower_first(surgery(alternative["surgery"]))
    if alternative["surgery"] == "undetermined" and len(possible) == 1:
        key = "branch_treatment_open" if possible[0] == "not_indicated" else "branch_technique_open"
        text = answer_text(key, outcome=lower_first(surgery(possible[0])))
    elif alternative["surgery"] == "undetermined" and possible:
        text = answer_text("branch_open", outcomes=joined([lower_first(surgery(s)) for s in possible]))
    else:
        codes = list(alternative.get("techniques") or [])
        key = (
            "indicated_technique_rcp" if alternative["surgery"] == "indicated" and not codes else alternative["surgery"]
        )
        text = lower_first(surgery(key))
        if codes:
            text += " (" + ", ".join(technique(code) for code in codes) + ")"
    if alternative.get("first"):
        text += ", " + label("biopsy_first")
    return text
