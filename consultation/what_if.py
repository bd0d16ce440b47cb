"""« Et si … ? »: the facts a hypothesis states, applied to a copy of the
case (never to the case itself), and what they change in the recommendation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from decision import recommend
from freetext.parser import extract_facts, interpret_answer

from . import progress
from .case_questions import options_text
from .discussion_words import concepts_named, data, find
from .facts import update_facts
from .render import headline
from .technique_answers import technique_answer
from .texts import field_name, value_label


def hypothesis(text: str, case: Mapping[str, Any], pending: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the facts the hypothesis states, the case with them) — a copy: the
    case itself is never changed. Empty when the message states no hypothesis."""
    span = find(text, data()["what_if_cues"])
    if span is None:
        return {}, dict(case)
    clause = text[span[1] :]
    end = find(clause, data()["what_if_ends"])
    if end is not None:
        clause = clause[: end[0]]
    # The clause is the supposed fact, no longer a question: « et si oui ? » reads « oui ».
    clause = clause.rstrip(" ?!.…")
    entities = [{"entity": fact.field, "value": fact.value} for fact in extract_facts(clause)]
    if not entities and pending:
        value = interpret_answer(clause, pending)
        if value is not None:
            entities = [{"entity": pending, "value": value}]
    if not entities:
        return {}, dict(case)
    update = update_facts(current=case, entities=entities, intent=None, text="", requested=None)
    supposed = {name: value for name, value in {**case, **update.slots}.items() if value is not None}
    stated = {e["entity"]: supposed[e["entity"]] for e in entities if e["entity"] in supposed}
    return stated, supposed


def what_if(text: str, case: Mapping[str, Any], pending: str | None) -> list[str]:
    """« Et si … ? »: the recommendation for a copy of the case with the
    hypothesis, and what it changes; nothing is recorded."""
    words = data()["what_if"]
    stated, supposed = hypothesis(text, case, pending)
    if not stated:
        concepts = concepts_named(text)
        if concepts:
            return technique_answer(text, case, None)
        return [words["no_fact"]]
    facts = " ; ".join(f"{field_name(name)} : {value_label(name, value)}" for name, value in stated.items())
    lines = [words["title"].format(facts=facts)]
    if supposed == dict(case):
        lines.append(words["same"])
        return ["\n".join(lines)]
    before = recommend(case).to_dict()
    after = recommend(supposed).to_dict()
    if progress.surgical_plan(before) == progress.surgical_plan(after):
        lines.append(words["unchanged"].format(headline=headline(after)))
        lines += progress.change_lines(before, after)
    else:
        lines.append(words["changed"].format(headline=headline(after)))
        options = options_text(after)
        if options:
            lines.append(words["options"].format(options=options))
        lines.append(words["now"].format(headline=headline(before)))
    return ["\n".join(lines)]
