"""The questions and the case as answered so far, written for a clinician
(Markdown): a question with its hint and its buttons (each payload sets the
slot), the names of the facts in this case, the case summary and the case
folded into one line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from decision import FIELDS
from decision.contract import UNKNOWN, UNKNOWN_ALLOWED

from .texts import answer_text, field_name, field_text, lower_first, message, options, texts, value_label

# Where the Mirels score does not apply: its items are named without it.
NO_MIRELS_BONES = ("acetabulum",)


def question(
    name: str,
    number: int,
    values: Sequence[Any] | None = None,
    refining: bool = False,
    preface: str | None = None,
) -> dict[str, Any]:
    """The question about `name`: its number, hint and buttons whose payloads
    set the slot directly (« Je ne sais pas » included where it is an answer)."""
    data = field_text(name)
    progress = message("progress_refine" if refining else "progress", number=number)
    lines = [preface] if preface else []
    lines.append(f"*{progress}* — **{data['question']}**")
    if data.get("hint"):
        lines.append(data["hint"])
    buttons = [{"title": label, "payload": payload(name, value)} for label, value in options(name, values)]
    if name in UNKNOWN_ALLOWED and UNKNOWN not in FIELDS[name]:
        buttons.append({"title": message("dont_know_button"), "payload": payload(name, UNKNOWN)})
    return {"text": "\n".join(lines), "buttons": buttons}


def payload(name: str, value: Any) -> str:
    """The button payload that sets `name` to `value`."""
    return "/inform" + json.dumps({name: value}, ensure_ascii=False)


def case_field_name(name: str, case: Mapping[str, Any]) -> str:
    """The name of a fact in this case: the Mirels items lose « (score de
    Mirels) » where the score does not apply (the acetabulum)."""
    if case.get("bone") in NO_MIRELS_BONES:
        return texts()["answer"]["names_without_mirels"].get(name, field_name(name))
    return field_name(name)


def case_summary(case: Mapping[str, Any]) -> str:
    """A compact summary of the facts given so far."""
    facts = [(name, case[name]) for name in FIELDS if case.get(name) is not None]
    if not facts:
        return message("summary_empty")
    lines = [f"**{message('summary_title')}**"]
    for name, value in facts:
        label = case_field_name(name, case)
        lines.append(f"- {label[:1].upper()}{label[1:]} : {value_label(name, value)}")
    return "\n".join(lines)


def case_line(case: Mapping[str, Any]) -> str:
    """The case recap folded into one line, after the verdict: « *Cas : fracture
    pathologique, fémur, col fémoral, espérance de vie 6 à 12 mois…* »."""
    words = texts()["answer"]
    facts = []
    for name in FIELDS:
        value = case.get(name)
        if value is None or (name, value) == ("primary_tumor", "lung"):  # the chapter's own case
            continue
        label = words["case_line_unknown"] if value == UNKNOWN else lower_first(value_label(name, value))
        if name in words["case_line_self_named"] and value != UNKNOWN:
            facts.append(label)
        else:
            short = words["case_line_names"].get(name) or case_field_name(name, case)
            facts.append(answer_text("case_line_fact", name=short, value=label))
    if not facts:
        return message("summary_empty")
    return answer_text("case_line", facts=", ".join(facts))
