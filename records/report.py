"""The one-page RCP report: case, recommendation, rationale, references.

Built from the contract's JSON kept in the `recommendation` slot (with its
`record` part: time, project version, guideline edition), as Markdown for the
chat and as PDF for the meeting's file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from consultation.render import case_summary, headline, mirels_line, sections, sources
from consultation.texts import texts

TITLE = "Fiche d'aide à la décision pour la RCP"


def report_filename(when: datetime, extension: str = "md") -> str:
    """recapitulatif-rcp-2026-11-30-16h05.md (or .pdf)"""
    return f"recapitulatif-rcp-{when:%Y-%m-%d-%Hh%M}.{extension}"


def report_markdown(rec: Mapping[str, Any], conversation_id: str = "") -> str:
    """The RCP sheet: the same sections as the chat's recommendation, each item
    with its rationale, section and references. The guideline's fingerprint
    and the software details stay in the audit record."""
    titles = sections()
    record = rec.get("record", {})
    lines = [f"# {TITLE}", ""]
    lines.append(f"Chapitre « {rec['guideline']['chapter']} » — {rec['guideline']['title']}.")
    if record:
        lines.append(f"Recommandation calculée le {record['recorded_at'][:10]}.")
    if conversation_id:
        lines.append(f"Consultation : {conversation_id}.")
    lines += ["", case_summary(rec["case"]).replace("**", "## ", 1).replace("**", "", 1), ""]
    indication = rec["indication"]
    lines += ["## Proposition", "", f"{headline(rec)}. {indication['text_fr']} ({sources(indication)})", ""]
    if rec.get("mirels"):
        lines += [mirels_line(rec["mirels"]), ""]
    for kind in ("techniques", "workup", "postoperative", "warnings"):
        if rec.get(kind):
            lines += [f"## {titles[kind]}", ""]
            for item in rec[kind]:
                label = item.get("label_fr") or item.get("text_fr")
                role = f" — {texts()['roles'][item['role']]}" if item.get("role") else ""
                condition = f" ({item['condition_fr']})" if item.get("condition_fr") else ""
                rationale = f" {item['rationale_fr']}" if item.get("rationale_fr") else ""
                lines.append(f"- **{label}**{role}{condition}.{rationale} ({sources(item)})")
            lines.append("")
    if rec.get("citations"):
        lines += [f"## {titles['references']}", ""]
        lines += [f"{citation['number']}. {citation['reference']}" for citation in rec["citations"]] + [""]
    lines.append("*" + texts()["messages"]["disclaimer"].split(". ")[0] + ".*")
    return "\n".join(lines).strip() + "\n"


def _font_path() -> Path:
    """DejaVu Sans, shipped with matplotlib (a Rasa dependency): covers French and the dashes of references."""
    spec = find_spec("matplotlib")
    if spec is None or spec.origin is None:  # pragma: no cover - matplotlib always comes with rasa
        raise RuntimeError("matplotlib's DejaVu fonts are needed for the PDF report")
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


def report_pdf(markdown: str) -> bytes:
    """The Markdown report laid out as a PDF (A4)."""
    from fpdf import FPDF

    fonts = _font_path()
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
    pdf.add_font("DejaVu", "BI", str(fonts / "DejaVuSans-BoldOblique.ttf"))
    pdf.add_page()
    for line in markdown.splitlines():
        if line.startswith("# "):
            pdf.set_font("DejaVu", "B", 13)
            pdf.multi_cell(0, 7, line[2:], new_x="LMARGIN", new_y="NEXT")
        elif line.startswith("## "):
            pdf.set_font("DejaVu", "B", 10)
            pdf.ln(1)
            pdf.multi_cell(0, 5.5, line[3:], new_x="LMARGIN", new_y="NEXT")
        elif line.strip():
            pdf.set_font("DejaVu", "", 8.5)
            pdf.multi_cell(0, 4.2, line, markdown=True, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
