"""Where what the clinician reads comes from (Markdown): an item's section and
the references that support it, the review of the case's bone apart, and the
references of a recommendation as numbered lines (shared with the RCP
report), or one reference asked for by its number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from decision import knowledge

from .texts import answer_text, message, sections, texts


def sources(item: Mapping[str, Any], bone_reading: bool = True) -> str:
    """ "§ 4.2 ; réf. 144 ; lecture complémentaire : réf. 141 (cotyle)" — where an
    item comes from: its section, the references that support it (the chapter's
    own apart from related ones) and, labelled as such, the review of the
    case's bone. The chapter's general reading (137–142) is never here."""
    parts = [answer_text("item_sources", section=item["section"])]
    support = support_sources(item)
    if support:
        parts.append(support)
    if bone_reading and item.get("bone_reading"):
        parts.append(bone_reading_sources(item["bone_reading"]))
    return " ; ".join(parts)


def support_sources(item: Mapping[str, Any]) -> str:
    """ "réf. 139 ; voir aussi 77 (autres chapitres…)": the references that
    support the item; empty when the chapter states it without one."""
    numbers = sorted(item.get("citations") or [])
    chapter = [n for n in numbers if knowledge.reference(n)["cited_by_chapter"]]
    related = [n for n in numbers if not knowledge.reference(n)["cited_by_chapter"]]
    parts = []
    if chapter:
        parts.append(answer_text("item_references", numbers=", ".join(map(str, chapter))))
    if related:
        parts.append(answer_text("item_related", numbers=", ".join(map(str, related))))
    return " ; ".join(parts)


def bone_reading_sources(numbers: Sequence[int]) -> str:
    """ "lecture complémentaire : réf. 137 (fémur)": a review of the case's bone
    from the chapter's reading list, never shown as support."""
    bones = texts()["answer"]["reading_bones"]
    return " ; ".join(
        answer_text("item_bone_reading", number=n, bone=bones[knowledge.reading_about(n)["bone"]]) for n in numbers
    )


def references_message(rec: Mapping[str, Any]) -> str:
    """The references: those that support the items, then, apart and once, the
    chapter's general reading."""
    return "\n".join([f"**{sections()['references']}**", *reference_lines(rec)])


def reference_lines(rec: Mapping[str, Any]) -> list[str]:
    """The references as numbered lines (shared with the RCP report): those
    the items cite as support, under their own title, then « Lectures
    générales du chapitre (137–142) » with its sentence and why 140 is not
    listed, then its texts (one already printed above as support: « Voir
    ci-dessus »). Blank lines around each list keep it a list in any Markdown
    reader (a list that does not start at 1 cannot interrupt a paragraph, and a
    line right after an item would continue it)."""
    lines: list[str] = []
    support = [f"{citation['number']}. {citation['reference']}" for citation in rec.get("citations") or []]
    if support:
        lines += [f"**{answer_text('references_support')}**", "", *support]
    reading = rec.get("further_reading")
    if reading:
        if lines:
            lines.append("")
        not_listed = [
            answer_text("further_reading_not_listed", number=entry["number"], reason=entry["reason_fr"])
            for entry in reading.get("not_listed") or []
        ]
        lines.append(
            " ".join(
                [
                    f"**{answer_text('further_reading_title', range=reading['range'])}**",
                    answer_text("further_reading_intro", quote=reading["quote_fr"]),
                    *not_listed,
                ]
            )
        )
        printed = {citation["number"] for citation in rec.get("citations") or []}
        lines += [""] + [
            f"{citation['number']}. "
            + (answer_text("further_reading_above") if citation["number"] in printed else citation["reference"])
            for citation in reading["references"]
        ]
    return lines


def reference_message(number: int) -> str:
    """« Référence 137 »: its text as printed, and what it is to the chapter —
    general reading for its whole text (137–142), cited at a sentence (143,
    144), or a reference of another chapter."""
    record = knowledge.reference(number)
    lines = [message("reference_title", number=number, text=knowledge.printed_reference(number))]
    about = knowledge.reading_about(number)
    if number in knowledge.reading()["references"]:
        lines.append(message("reference_general_reading", range=knowledge.reading()["range"]))
        if about.get("bone"):
            lines.append(message("reference_bone_reading", bone=texts()["answer"]["reading_bones"][about["bone"]]))
        for key in ("support_fr", "omitted_fr"):
            if about.get(key):
                lines.append(message("reference_about", text=about[key]))
    elif knowledge.cited_at(number):
        lines.append(message("reference_cited_at", sections=", ".join(knowledge.cited_at(number))))
    else:
        lines.append(message("reference_cited" if record["cited_by_chapter"] else "reference_related"))
    relations = texts()["messages"]["reference_relations"]
    for link in record.get("same_work_as", []):
        lines.append(message("reference_same_work", relation=relations[link["relation"]], number=link["number"]))
    return "\n".join(lines)
