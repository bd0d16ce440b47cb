"""The RCP report: case, recommendation, rationale, references.

Built from the contract's JSON kept in the `recommendation` slot (with its
`record` part: time, project version, guideline edition), as Markdown for the
chat and as PDF for the meeting's file: one A4 page for a typical case (the
font shrinks from 9 to 7 points to fit), a second page rather than a lost line
for a longer one. The PDF may carry the case's decision path (diagram/): under
the sheet when it fits there almost as large as alone on a page, otherwise on
the next page; a tall path in two columns when that prints it larger.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Protocol

from consultation.questions import case_line, case_summary
from consultation.render import branch_line, doubt_first, headline, mirels_line, open_questions
from consultation.sources import reference_lines, sources
from consultation.texts import answer_text, message, report_text, sections, texts


def report_filename(when: datetime, extension: str = "md") -> str:
    """recapitulatif-rcp-2026-11-30-16h05.md (or .pdf)"""
    return report_text("filename", when=f"{when:%Y-%m-%d-%Hh%M}", extension=extension)


def report_markdown(rec: Mapping[str, Any], conversation_id: str = "") -> str:
    """The RCP sheet: the same sections as the chat's recommendation, each item
    with its rationale, section and the references that support it; the
    chapter's general reading (137–142) once, in the references; the
    guideline's edition as the source gives it and the software version that
    computed it (both from the audit record). The text's fingerprint stays in
    the record."""
    titles = sections()
    record = rec.get("record", {})
    lines = [f"# {report_text('title')}", ""]
    guideline = rec["guideline"]
    chapter = report_text("chapter", chapter=guideline["chapter"], title=guideline["title"])
    lines.append(f"{chapter} {report_text('edition', edition=guideline['edition'])}")
    if record:
        version = record.get("project_version", "?")
        lines.append(report_text("computed_on", date=record["recorded_at"][:10], version=version))
    if conversation_id:
        lines.append(report_text("conversation", conversation_id=conversation_id))
    lines += ["", case_summary(rec["case"]).replace("**", "## ", 1).replace("**", "", 1), ""]
    indication = rec["indication"]
    lines += [f"## {report_text('proposal')}", ""]
    # A diagnostic doubt first; what the chapter leaves to the RCP under the headline.
    lines += [f"{line}\n" for line in (doubt_first(rec),) if line]
    lines += [f"{headline(rec)}. {indication['text_fr']} ({sources(indication)})", ""]
    lines += [f"{line}\n" for line in (open_questions(rec),) if line]
    if rec.get("mirels"):
        lines += [mirels_line(rec["mirels"]), ""]
    if rec.get("branches"):  # what each answer still open would lead to
        lines += [f"## {answer_text('branches')}", "", *(branch_line(branch) for branch in rec["branches"]), ""]
    for kind in ("techniques", "workup", "postoperative", "warnings"):
        if rec.get(kind):
            lines += [f"## {titles[kind]}", ""]
            for item in rec[kind]:
                label = item.get("label_fr") or item.get("text_fr")
                role = f" — {texts()['roles'][item['role']]}" if item.get("role") else ""
                condition = f" ({item['condition_fr']})" if item.get("condition_fr") else ""
                rationale = f" {item['rationale_fr']}" if item.get("rationale_fr") else ""
                stop = "" if f"{label}{role}{condition}".endswith((".", "!", "?")) else "."
                lines.append(f"- **{label}**{role}{condition}{stop}{rationale} ({sources(item)})")
            lines.append("")
    if rec.get("citations") or rec.get("further_reading"):
        # Those the items cite as support, then the chapter's general reading, once.
        lines += [f"## {titles['references']}", "", *reference_lines(rec), ""]
    lines.append("*" + texts()["messages"]["disclaimer"].split(". ")[0] + ".*")
    return "\n".join(lines).strip() + "\n"


def report_chat(rec: Mapping[str, Any], conversation_id: str = "", markdown: str | None = None) -> str:
    """The RCP sheet as « rapport » shows it in the chat: one message (no blank
    line, which Rasa's REST and socket.io channels would cut into as many
    bubbles), the proposal first and the case in one line, the sheet's header
    (chapter, edition, date, consultation id) at the end, in small print.
    `markdown`: the sheet (`report_markdown`) when the caller already has it."""
    sheet: dict[str, list[str]] = {}
    header: list[str] = []
    section = ""
    for line in (markdown or report_markdown(rec, conversation_id)).splitlines():
        if line.startswith("# "):
            continue
        if line.startswith("## "):
            section = line[3:]
            sheet[section] = []
        elif line.strip() and not section:
            header.append(line)
        elif line.strip():
            sheet[section].append(line)
    closing = sheet.get(sections()["references"], [])
    closing = [line for line in closing if not _italic(line)]
    if sections()["references"] in sheet:
        sheet[sections()["references"]] = closing
    proposal = sheet.pop(report_text("proposal"), [])
    sheet.pop(message("summary_title"), None)
    lines = [*proposal, case_line(rec["case"])]
    for title, body in sheet.items():
        if body:
            lines += [f"**{title}**", *body]
    lines += [f"*{' '.join(header)}*", "*" + texts()["messages"]["disclaimer"].split(". ")[0] + ".*"]
    return "\n".join(lines)


def _font_path() -> Path:
    """DejaVu Sans, shipped with matplotlib (a Rasa dependency): covers French and the dashes of references."""
    spec = find_spec("matplotlib")
    if spec is None or spec.origin is None:  # pragma: no cover - matplotlib always comes with rasa
        raise RuntimeError("matplotlib's DejaVu fonts are needed for the PDF report")
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


# Body font sizes tried, largest first, until the sheet fits on one A4 page.
PDF_BODY_SIZES = (9.0, 8.5, 8.0, 7.5, 7.0)
_SINGLE_STAR_ITALIC = re.compile(r"(?<![*\\])\*(?!\*)([^*]+?)(?<!\*)\*(?!\*)")


def _pdf_markdown(line: str) -> str:
    """A line of the chat's Markdown in fpdf2's dialect: `**bold**` is the same,
    `*italic*` becomes `__italic__`; fpdf2's other markers (`__`, `--`, `~~`)
    typed in a text are escaped so that they print as they are."""
    for marker in ("__", "--", "~~"):
        line = line.replace(marker, "\\" + marker)
    return _SINGLE_STAR_ITALIC.sub(r"__\1__", line)


def _italic(line: str) -> bool:
    """The closing line in italics (« *Aide à la décision…* »), not a reference."""
    return line.startswith("*") and not line.startswith("**")


def _layout(markdown: str, body: float) -> Any:
    """The sheet laid out with a body font of `body` points: the title, the
    case summary in two columns, each section, the references a point smaller."""
    from fpdf import FPDF

    fonts = _font_path()
    pdf = FPDF(format="A4")
    pdf.set_margins(12, 10, 12)
    pdf.set_auto_page_break(True, margin=10)
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
    pdf.add_font("DejaVu", "BI", str(fonts / "DejaVuSans-BoldOblique.ttf"))
    pdf.add_page()
    line_height = body * 0.46  # millimetres: 1.3 times the font size
    summary_title, references_title = message("summary_title"), sections()["references"]
    section = ""
    summary: list[str] = []

    def flush_summary() -> None:
        if not summary:
            return
        rows = (len(summary) + 1) // 2
        columns = [summary[:rows], summary[rows:]]
        pdf.set_font("DejaVu", "", body)
        with pdf.table(
            borders_layout="NONE",
            first_row_as_headings=False,
            col_widths=(1, 1),
            line_height=line_height,
            padding=0,
            markdown=True,
            text_align="LEFT",
        ) as table:
            for index in range(rows):
                row = table.row()
                for column in columns:
                    row.cell(_pdf_markdown(column[index]) if index < len(column) else "")
        summary.clear()

    references: list[str] = []

    def flush_references() -> None:
        """The references a point smaller, in two balanced columns: a short
        reference takes a line, not a line and a half."""
        if not references:
            return
        size = body - 1
        with pdf.text_columns(ncols=2, gutter=4, balance=True, text_align="LEFT", line_height=1.0) as columns:
            for reference in references:
                bold = reference.startswith("**")
                for part in re.split(r"(\*\*[^*]+\*\*)", reference) if bold else [reference]:
                    strong = part.startswith("**") and part.endswith("**")
                    pdf.set_font("DejaVu", "B" if strong else "", size)
                    columns.write(text=part.strip("*") if strong else part)
                pdf.set_font("DejaVu", "", size)
                columns.ln()
        pdf.set_x(pdf.l_margin)  # what follows spans the page again
        references.clear()

    for line in markdown.splitlines():
        if line.startswith("#"):
            flush_summary()
            flush_references()
        if line.startswith("# "):
            pdf.set_font("DejaVu", "B", body + 4)
            pdf.multi_cell(0, line_height * 1.5, line[2:], new_x="LMARGIN", new_y="NEXT")
        elif line.startswith("## "):
            section = line[3:]
            pdf.set_font("DejaVu", "B", body + 1)
            pdf.ln(line_height * 0.4)
            pdf.multi_cell(0, line_height * 1.2, section, new_x="LMARGIN", new_y="NEXT")
        elif section == summary_title and line.startswith("- "):
            summary.append(line[2:])
        elif section == references_title and line.strip() and not _italic(line):
            references.append(line)
        elif line.strip():
            flush_summary()
            flush_references()
            size = body - 1 if section == references_title else body
            pdf.set_font("DejaVu", "", size)
            pdf.multi_cell(0, size * 0.46, _pdf_markdown(line), markdown=True, align="L", new_x="LMARGIN", new_y="NEXT")
    flush_summary()
    flush_references()
    return pdf


class Drawing(Protocol):
    """A picture of the decision path (diagram.Picture): its SVG gives the
    natural size, its PNG is what is printed."""

    @property
    def svg(self) -> str: ...

    @property
    def png(self) -> bytes: ...


# The picture goes under the sheet on its first page only if it is printed
# there at least this fraction of the size it would have alone on a page;
# never larger than its natural size (the SVG's width and height).
PICTURE_SAME_PAGE = 0.8
PT_TO_MM = 25.4 / 72
_SVG_LENGTH = re.compile(r"^\s*([\d.]+)\s*(pt|px|mm|cm|in)?\s*$")
_SVG_UNITS_MM = {"pt": PT_TO_MM, None: 25.4 / 96, "px": 25.4 / 96, "mm": 1.0, "cm": 10.0, "in": 25.4}


def svg_size_mm(svg: str) -> tuple[float, float] | None:
    """The natural width and height of an SVG, in millimetres (its root's
    `width` and `height`, else its viewBox in CSS pixels)."""
    root = re.search(r"<svg\b[^>]*>", svg)
    if root is None:
        return None
    attributes = dict(re.findall(r'([\w:-]+)\s*=\s*"([^"]*)"', root.group(0)))
    sizes = [_SVG_LENGTH.match(attributes.get(name, "")) for name in ("width", "height")]
    if all(sizes):
        width, height = (float(m.group(1)) * _SVG_UNITS_MM[m.group(2)] for m in sizes if m)
    else:
        box = attributes.get("viewBox", "").replace(",", " ").split()
        if len(box) != 4:
            return None
        width, height = float(box[2]) * 25.4 / 96, float(box[3]) * 25.4 / 96
    return (width, height) if width > 0 and height > 0 else None


# A tall, narrow path (the phone's layout) may print in two columns, cut
# between two steps, when that prints it at least this much larger.
PICTURE_COLUMNS_GAIN = 1.15
PICTURE_GUTTER_MM = 6.0
# Where to cut: a row of the middle half of the picture with the least ink
# (pixels darker than this), that is between two boxes.
INK_LEVEL = 200
CUT_MARGIN_PX = 8


def _halves(png: bytes) -> tuple[bytes, bytes] | None:
    """The picture cut in two where a row of its middle half has the least
    ink (a gap between two steps, crossed only by the arrow); None if every
    such row goes through a box's text."""
    import numpy as np
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    width, height = image.size
    # Ink of each row and of the rows around it: a gap between two lines of
    # text (or a dash of a border) is thinner than the gap between two steps.
    ink = (np.asarray(image.convert("L")) < INK_LEVEL).sum(axis=1)
    around = np.convolve(ink, np.ones(2 * CUT_MARGIN_PX + 1, dtype=int), mode="same")
    rows = range(height // 4, 3 * height // 4)
    if not rows:
        return None
    cut = min(rows, key=lambda row: (int(around[row]), abs(row - height // 2)))
    if around[cut] > width * 0.05 * (2 * CUT_MARGIN_PX + 1):
        return None
    parts = []
    for box in ((0, 0, width, cut), (0, cut, width, height)):
        buffer = io.BytesIO()
        image.crop(box).save(buffer, format="PNG")
        parts.append(buffer.getvalue())
    return parts[0], parts[1]


def _placement(
    natural: tuple[float, float], halves: tuple[float, float] | None, width: float, height: float
) -> tuple[float, bool]:
    """The scale of the picture in a `width` x `height` area (never above its
    natural size), and whether it is printed in two columns."""
    one = min(1.0, width / natural[0], height / natural[1])
    if halves is None:
        return one, False
    column = (width - PICTURE_GUTTER_MM) / 2
    two = min(1.0, column / natural[0], height / max(halves))
    return (two, True) if two > one * PICTURE_COLUMNS_GAIN else (one, False)


def _add_picture(pdf: Any, picture: Drawing, body: float) -> None:
    """The decision path under its title: on the sheet's last page when it
    fits there at least PICTURE_SAME_PAGE of its size alone on a page, else
    on a page of its own; in two columns when that prints it larger."""
    natural = svg_size_mm(picture.svg)
    if natural is None:
        return
    from PIL import Image

    width, height = natural
    pixels = Image.open(io.BytesIO(picture.png)).size[1]
    parts = _halves(picture.png)
    halves = None
    if parts is not None:
        top = Image.open(io.BytesIO(parts[0])).size[1]
        halves = (height * top / pixels, height * (pixels - top) / pixels)
    title_height = (body + 1) * 0.46 * 1.2 + body * 0.46 * 0.4
    page_width = pdf.w - pdf.l_margin - pdf.r_margin
    page_height = pdf.h - pdf.t_margin - pdf.b_margin - title_height
    alone = _placement(natural, halves, page_width, page_height)
    below = _placement(natural, halves, page_width, pdf.h - pdf.b_margin - pdf.get_y() - title_height)
    if below[0] < PICTURE_SAME_PAGE * alone[0]:
        pdf.add_page()
        scale, columns = alone
    else:
        scale, columns = below
    pdf.set_font("DejaVu", "B", body + 1)
    pdf.ln(body * 0.46 * 0.4)
    pdf.multi_cell(0, (body + 1) * 0.46 * 1.2, report_text("path_title"), new_x="LMARGIN", new_y="NEXT")
    w, y = width * scale, pdf.get_y()
    if not columns or parts is None or halves is None:
        pdf.image(io.BytesIO(picture.png), x=pdf.l_margin + (page_width - w) / 2, y=y, w=w, h=height * scale)
        return
    column = (page_width - PICTURE_GUTTER_MM) / 2
    for index, (part, part_height) in enumerate(zip(parts, halves, strict=True)):
        x = pdf.l_margin + index * (column + PICTURE_GUTTER_MM) + (column - w) / 2
        pdf.image(io.BytesIO(part), x=x, y=y, w=w, h=part_height * scale)


def report_pdf(markdown: str, picture: Drawing | None = None) -> bytes:
    """The Markdown report laid out as a PDF: one A4 page, at the largest body
    font (9 down to 7 points) that fits; a sheet longer than that goes on to a
    second page rather than lose a line. With `picture` (the decision path),
    the picture follows: under the sheet, or on the next page (_add_picture)."""
    from fpdf.fonts import SubsetMap

    try:
        # The largest size that fits, by bisection (a smaller font never takes
        # more pages); the smallest size when none does.
        body = PDF_BODY_SIZES[0]
        best = _layout(markdown, body)
        if best.pages_count > 1:
            fitting, low, high = None, 1, len(PDF_BODY_SIZES) - 1
            while low <= high:
                middle = (low + high) // 2
                pdf = _layout(markdown, PDF_BODY_SIZES[middle])
                if pdf.pages_count == 1:
                    fitting, body, high = pdf, PDF_BODY_SIZES[middle], middle - 1
                else:
                    low = middle + 1
            # when none fits, the last one tried is the smallest size
            best, body = (fitting, body) if fitting else (pdf, PDF_BODY_SIZES[-1])
        if picture is not None:
            _add_picture(best, picture, body)
        return bytes(best.output())
    finally:
        # fpdf2 2.8.9 memoises two SubsetMap methods with functools.cache, on
        # the class: every font of every document stays in memory (about 20 MB
        # a layout) unless the caches are emptied. They only save lookups.
        SubsetMap.pick.cache_clear()
        SubsetMap.get_glyph.cache_clear()
