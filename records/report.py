"""The one-page RCP report: case, recommendation, rationale, references.

Built from the contract's JSON kept in the `recommendation` slot (with its
`record` part: time, project version, guideline edition), as Markdown for the
chat and as PDF for the meeting's file.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Any, Mapping

from consultation.render import case_summary, references_message, sources
from consultation.texts import texts

TITLE = "Fiche d'aide à la décision pour la RCP"


def report_markdown(rec: Mapping[str, Any], conversation_id: str = "") -> str:
    words = texts()
    record = rec.get("record", {})
    lines = [f"# {TITLE}", ""]
    lines.append(f"Chapitre « {rec['guideline']['chapter']} » — {rec['guideline']['title']}.")
    lines.append(f"Édition : {rec['guideline']['edition']}.")
    if record:
        lines.append(f"Recommandation calculée le {record['recorded_at']} (version du logiciel {record['project_version']}).")
    if conversation_id:
        lines.append(f"Consultation : {conversation_id}.")
    lines += ["", case_summary(rec["case"]).replace("**", "## ", 1).replace("**", "", 1), ""]
    indication = rec["indication"]
    headline = words["surgery"][rec["surgery"]]
    if rec.get("intent"):
        headline += f" ({words['intent'][rec['intent']]})"
    lines += ["## Proposition", "", f"**{headline}.** {indication['text_fr']} ({sources(indication)})", ""]
    if rec.get("mirels"):
        lines += [f"Score de Mirels : {rec['mirels']['score']}/12 — {rec['mirels']['interpretation_fr']}", ""]
    for kind, title in (("techniques", "Technique(s)"), ("workup", "Bilan"), ("postoperative", "Après l'intervention"),
                        ("warnings", "Points d'attention")):
        if rec.get(kind):
            lines += [f"## {title}", ""]
            for item in rec[kind]:
                label = item.get("label_fr") or item.get("text_fr")
                role = f" — {words['roles'][item['role']]}" if item.get("role") else ""
                rationale = f" {item['rationale_fr']}" if item.get("rationale_fr") else ""
                lines.append(f"- **{label}**{role}.{rationale} ({sources(item)})")
            lines.append("")
    if rec.get("citations"):
        lines += [references_message(rec["citations"]).replace("**Références**", "## Références"), ""]
    lines.append("*Aide à la décision : la décision appartient à la réunion de concertation pluridisciplinaire.*")
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
