"""« Pourquoi ? », written for a clinician (Markdown): the few reasons that
decided, in one message, or each item's rationale, section and references
with the chapter's own sentences quoted verbatim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from decision import knowledge

from .render import doubt_first, mirels_line, open_questions
from .sources import bone_reading_sources, sources, support_sources
from .texts import answer_text, field_name, lower_first, sections, texts, value_label

DETAIL_KINDS = ("workup", "postoperative", "warnings")


def why_messages(rec: Mapping[str, Any], everything: bool = False) -> list[str]:
    """« Pourquoi ? »: the few reasons that decided, in one message — the
    indication's sentence of the chapter, the first-line options' rationale,
    the Mirels score, the diagnosis first — and how to get the rest
    (`why_all`). With `everything`, each item's rationale, section and
    references, with the chapter's own sentences quoted verbatim."""
    if not everything:
        return [why_short(rec)]
    return why_everything(rec)


def why_short(rec: Mapping[str, Any]) -> str:
    """The reasons that decided, one line each (no item printed whole)."""
    why = texts()["why"]
    indication = rec["indication"]
    quote = indication.get("quote_fr") or indication["text_fr"]
    decided = [
        why["short_indication"].format(
            headline=texts()["surgery"][rec["surgery"]], quote=quote, sources=sources(indication, bone_reading=False)
        )
    ]
    doubt = doubt_first(rec)
    if doubt:
        decided.insert(0, f"- {doubt}")
    if rec.get("mirels"):
        decided.append(f"- {mirels_line(rec['mirels'])}")
    first_line = [item for item in rec.get("techniques") or [] if item.get("role") == "primary"]
    for item in first_line:
        decided.append(
            why["short_technique"].format(
                label=item["label_fr"],
                role=texts()["roles"]["primary"],
                rationale=item.get("rationale_fr") or "",
                sources=sources(item, bone_reading=False),
            )
        )
    left_open = open_questions(rec)
    if left_open and not first_line:
        decided.append(f"- {left_open}")
    return "\n".join([f"**{why['short_title']}**", *decided, why["short_more"]])


def conditions_phrase(conditions: Sequence[tuple[str, Any]], limit: int = 3) -> str:
    """The answers that would change something, in plain French: « si la lésion
    siège au massif trochantérien, en région sous-trochantérienne ou à la
    diaphyse ou si l'espérance de vie est de plus de 12 mois »; values of one
    fact grouped in one clause, at most `limit` clauses."""
    words = texts()["why"]
    grouped: dict[str, list[Any]] = {}
    for name, value in conditions:
        grouped.setdefault(name, []).append(value)
    clauses = []
    for name, values in list(grouped.items())[:limit]:
        pattern = words["condition_patterns"].get(name)
        if pattern:
            labels = [words["condition_values"][name].get(v) or lower_first(value_label(name, v)) for v in values]
            listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " ou " + labels[-1]
            clauses.append(pattern.format(values=listed))
            continue
        for value in values:
            try:
                clauses.append(knowledge.condition(name, value))
            except KeyError:
                clauses.append(
                    words["condition"].format(name=field_name(name), value=lower_first(value_label(name, value)))
                )
    return answer_text("branch_or").join(clauses)


def why_buttons() -> list[dict[str, str]]:
    """The button under the short « pourquoi ? » that gives every reason."""
    return [{"title": texts()["why"]["all_button"], "payload": texts()["why"]["all_payload"]}]


def why_everything(rec: Mapping[str, Any]) -> list[str]:
    """Each item's rationale, section and references, with the chapter's own
    sentences quoted verbatim."""
    titles = sections()
    items = [(texts()["why"]["indication_title"], rec["indication"])]
    for kind in ("techniques", *DETAIL_KINDS):
        items += [(titles[kind], item) for item in rec.get(kind) or []]
    explanations = [item_explanation(title, item) for title, item in items]
    if rec.get("further_reading"):
        explanations.append(texts()["why"]["further_reading"].format(range=rec["further_reading"]["range"]))
    return ["\n\n".join(explanations)]


def item_explanation(title: str, item: Mapping[str, Any]) -> str:
    why = texts()["why"]
    label = item.get("label_fr") or item.get("text_fr")
    lines = [f"**{why['item_title'].format(title=title, label=label)}**"]
    if item.get("rationale_fr"):
        lines.append(item["rationale_fr"])
    references = support_sources(item) or why["no_references"]
    if item.get("bone_reading"):
        references += " ; " + bone_reading_sources(item["bone_reading"])
    lines.append(
        why["section_line"].format(
            section=item["section"], section_title=knowledge.section_title(item["section"]), references=references
        )
    )
    quotes = item.get("quotes") or (
        [{"section": item["section"], "text": item["quote_fr"]}] if item.get("quote_fr") else []
    )
    lines += [why["quote"].format(text=quote["text"], section=quote["section"]) for quote in quotes]
    return "\n".join(lines)
