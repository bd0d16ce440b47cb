"""The recommendation and the questions, written for a clinician (Markdown).

Input is the contract's JSON (`Recommendation.to_dict()`), so the same text can
be rebuilt later from an audit record. Channels turn the Markdown into what
they can show (HTML for the web and Matrix, numbered options where there are
no buttons).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

from decision import FIELDS
from decision import knowledge

from .texts import field_name, field_text, message, options, texts, value_label

SECTION_KINDS = (
    ("techniques", "Technique(s)"),
    ("workup", "Bilan avant la décision"),
    ("postoperative", "Après l'intervention"),
    ("warnings", "Points d'attention"),
)


def sources(item: Mapping[str, Any]) -> str:
    """"§ 4.1 ; réf. 137, 142" — where an item comes from."""
    text = f"§ {item['section']}"
    if item.get("citations"):
        text += " ; réf. " + ", ".join(str(number) for number in item["citations"])
    return text


def question(name: str, current: int, total: int, values: Optional[Sequence[Any]] = None) -> Dict[str, Any]:
    """The question about `name`: text with progress and hint, and buttons whose
    payloads set the slot directly."""
    data = field_text(name)
    lines = [f"*{message('progress', current=current, total=total)}* — **{data['question']}**"]
    if data.get("hint"):
        lines.append(data["hint"])
    buttons = [
        {"title": label, "payload": f'/inform{{"{name}": {_json(value)}}}'} for label, value in options(name, values)
    ]
    if "unknown" not in FIELDS[name]:
        buttons.append({"title": message("dont_know_button"), "payload": "/dont_know"})
    return {"text": "\n".join(lines), "buttons": buttons}


def _json(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return f'"{value}"'


def case_summary(case: Mapping[str, Any]) -> str:
    """A compact summary of the facts given so far."""
    facts = [(name, case[name]) for name in FIELDS if case.get(name) is not None]
    if not facts:
        return message("summary_empty")
    lines = [f"**{message('summary_title')}**"]
    lines += [f"- {field_name(name).capitalize()} : {value_label(name, value)}" for name, value in facts]
    return "\n".join(lines)


def recommendation_messages(rec: Mapping[str, Any]) -> List[str]:
    """The answer: indication, techniques, work-up, after surgery, warnings, then
    the references exactly as printed in the bibliography."""
    words = texts()
    indication = rec["indication"]
    headline = f"**{words['surgery'][rec['surgery']]}**"
    if rec.get("intent"):
        headline += f" ({words['intent'][rec['intent']]})"
    body = [f"{headline} — {indication['text_fr']} *({sources(indication)})*"]
    mirels = rec.get("mirels")
    if mirels:
        items = mirels["items"]
        body.append(
            f"**Score de Mirels : {mirels['score']}/12** (site {items['site']}, douleur {items['pain']}, "
            f"aspect {items['lesion_type']}, taille {items['lesion_size']}). {mirels['interpretation_fr'].split('. ', 1)[-1]}"
        )
    for kind, title in SECTION_KINDS:
        entries = rec.get(kind) or []
        if not entries:
            continue
        body.append(f"**{title}**")
        body.append("\n".join(_item_line(kind, item) for item in entries))
    if rec.get("branches"):
        body.append("**Selon la réponse**")
        body.append("\n".join(_branch_line(branch) for branch in rec["branches"]))
    if rec.get("missing"):
        names = ", ".join(field_name(name) for name in rec["missing"])
        body.append(f"Informations encore utiles : {names}.")
    messages = ["\n\n".join(body)]
    if rec.get("citations"):
        messages.append(references_message(rec["citations"]))
    messages.append("Vous pouvez demander « pourquoi ? », « référence 144 », « qu'est-ce que le score de Mirels ? », corriger une réponse ou dire « nouveau cas ».")
    return messages


def _item_line(kind: str, item: Mapping[str, Any]) -> str:
    if kind == "warnings":
        return f"- {item['text_fr']} *({sources(item)})*"
    role = texts()["roles"].get(item.get("role") or "", "")
    role = f", {role}" if role else ""
    return f"- {item['label_fr']}{role} *({sources(item)})*"


def _branch_line(branch: Mapping[str, Any]) -> str:
    name, value = branch["field"], branch["value"]
    outcome = texts()["surgery"][branch["surgery"]]
    techniques = ", ".join(
        knowledge.item("techniques", code)["label_fr"].lower() for code in branch.get("techniques", [])
    )
    suffix = f" : {techniques}" if techniques else ""
    return f"- si {field_name(name)} = {value_label(name, value).lower()} : {outcome.lower()}{suffix}"


def references_message(citations: Sequence[Mapping[str, Any]]) -> str:
    lines = ["**Références**"]
    for citation in citations:
        lines.append(f"{citation['number']}. {citation['reference']}")
    return "\n".join(lines)


def why_messages(rec: Mapping[str, Any]) -> List[str]:
    """Each item's rationale, section and references, with the chapter's own
    sentence quoted verbatim."""
    items = [("Indication", rec["indication"])]
    for kind, title in SECTION_KINDS:
        items += [(title, item) for item in rec.get(kind) or []]
    blocks = []
    for title, item in items:
        label = item.get("label_fr") or item.get("text_fr")
        lines = [f"**{title} — {label}**"]
        if item.get("rationale_fr"):
            lines.append(item["rationale_fr"])
        section_title = knowledge.section_title(item["section"])
        references = "réf. " + ", ".join(str(n) for n in item["citations"]) if item.get("citations") else "sans référence propre"
        lines.append(f"Section {item['section']} (« {section_title} ») ; {references}.")
        if item.get("quote_fr"):
            lines.append(f"> « {item['quote_fr']} » (§ {item['section']})")
        blocks.append("\n".join(lines))
    return ["\n\n".join(blocks)]


def reference_message(number: int) -> str:
    record = knowledge.reference(number)
    text = f"**Référence {number}.** {record['reference']}"
    if record["cited_by_chapter"]:
        text += "\n(Citée par le chapitre « Chirurgie des métastases osseuses des membres ».)"
    else:
        text += "\n(Référence du même référentiel, citée dans un autre chapitre.)"
    for link in record.get("same_work_as", []):
        relation = {"identical": "même article que", "date_differs": "même article, date différente, que",
                    "other_edition": "autre édition du même article que"}[link["relation"]]
        text += f"\nNote : {relation} la référence {link['number']}."
    return text
