"""The decision path in the RCP sheet's PDF (records/report.py), read back
with pypdf: the picture is an image of the PDF, at its natural proportions;
the sheet keeps its one page for a typical case and the picture goes under it
when it fits there almost as large as alone, on a second page otherwise."""

import io
import re
import subprocess
from dataclasses import dataclass

import pytest
from PIL import Image
from pypdf import PdfReader

import diagram
from records.report import PICTURE_SAME_PAGE, report_markdown, report_pdf, svg_size_mm
from tests.cases import FEMORAL_NECK, LONG_SURVIVOR, recorded

# An image drawn on a page: `q w 0 0 h x y cm /I1 Do Q` (its size and left edge in points).
DRAWN_IMAGE = re.compile(r"([\d.]+) 0 0 ([\d.]+) ([\d.]+) [\d.]+ cm /I\d+ Do")


@dataclass(frozen=True)
class Drawn:
    svg: str
    png: bytes


def graphviz(nodes: int) -> Drawn:
    """A vertical chain of `nodes` boxes drawn by Graphviz, as SVG and PNG."""
    labels = "; ".join(f'n{i} [label="Étape {i}"]' for i in range(nodes))
    edges = " -> ".join(f"n{i}" for i in range(nodes))
    dot = f"digraph {{ node [shape=box]; {labels}; {edges} }}"
    svg, png = (
        subprocess.run(["dot", f"-T{kind}"], input=dot.encode(), capture_output=True, check=True).stdout
        for kind in ("svg", "png")
    )
    return Drawn(svg.decode(), png)


def pages(rec, picture) -> list:
    return PdfReader(io.BytesIO(report_pdf(report_markdown(rec, "c1"), picture))).pages


def words(page) -> str:
    return " ".join(page.extract_text().split())


def pictures(page) -> list:
    return list(page.images)


@pytest.mark.parametrize("case", [FEMORAL_NECK, LONG_SURVIVOR], ids=["col-femoral", "long-survivant"])
def test_the_case_path_is_an_image_of_the_pdf_after_the_sheet_of_one_page(case):
    rec = recorded(case)
    drawn = diagram.draw(rec["case"])
    without = pages(rec, None)
    found = pages(rec, drawn)
    assert len(without) == 1  # the sheet alone: one page
    assert len(found) in (1, 2)  # the picture adds at most its own page
    assert words(found[0]).startswith(words(without[0]))  # the sheet itself is unchanged, first
    # One picture, whole: in one piece, or cut in two columns (same width,
    # the heights adding up to the picture's).
    images = [Image.open(io.BytesIO(image.data)) for page in found for image in pictures(page)]
    assert len(images) in (1, 2)
    whole = Image.open(io.BytesIO(drawn.png))
    assert {image.size[0] for image in images} == {whole.size[0]}
    assert sum(image.size[1] for image in images) == whole.size[1]
    holder = next(page for page in found if pictures(page))
    assert "Chemin de décision de ce cas" in words(holder)


def test_a_small_picture_stays_under_the_sheet_on_its_one_page():
    [page] = pages(recorded(FEMORAL_NECK), graphviz(1))
    assert len(pictures(page)) == 1 and "Chemin de décision de ce cas" in words(page)


def test_a_tall_picture_goes_on_a_second_page_of_its_own_not_shrunk_under_the_sheet():
    """Nine steps fit a page in one column: one piece, at its size."""
    first, second = pages(recorded(FEMORAL_NECK), graphviz(9))
    assert not pictures(first) and len(pictures(second)) == 1
    assert words(second) == "Chemin de décision de ce cas"


def drawn_sizes_mm(page) -> list[tuple[float, float, float]]:
    """Each image drawn on `page`: width, height and left edge, in mm (from
    its content stream, `q w 0 0 h x y cm /I1 Do Q`)."""
    content = page.get_contents().get_data().decode("latin-1")
    return [tuple(float(v) * 25.4 / 72 for v in found) for found in DRAWN_IMAGE.findall(content)]


def test_a_picture_taller_than_a_page_prints_in_two_columns_at_its_size_cut_between_two_steps():
    drawn = graphviz(14)  # a chain of 14 steps: taller than the page
    natural = svg_size_mm(drawn.svg)
    assert natural is not None and natural[1] > 297
    [_, page] = pages(recorded(FEMORAL_NECK), drawn)
    [(w1, h1, x1), (w2, h2, x2)] = drawn_sizes_mm(page)
    assert w1 == pytest.approx(natural[0], abs=0.1) and w2 == pytest.approx(natural[0], abs=0.1)  # natural size
    assert h1 + h2 == pytest.approx(natural[1], abs=0.2) and x2 > x1 + w1  # side by side, nothing lost
    assert max(h1, h2) <= float(page.mediabox.height) * 25.4 / 72
    # The cut falls between two boxes: no box text in the rows around it.
    top, bottom = (Image.open(io.BytesIO(image.data)).convert("L") for image in pictures(page))
    edge_rows = [top.crop((0, top.size[1] - 6, top.size[0], top.size[1])), bottom.crop((0, 0, bottom.size[0], 6))]
    for rows in edge_rows:
        dark = sum(1 for value in rows.getdata() if value < 200)
        assert dark <= 6 * 12, dark  # only the arrow crosses there
    assert 0 < PICTURE_SAME_PAGE < 1


def test_svg_sizes_are_read_in_points_pixels_or_from_the_viewbox():
    assert svg_size_mm('<svg width="72pt" height="144pt" xmlns="http://www.w3.org/2000/svg">') == pytest.approx(
        (25.4, 50.8)
    )
    assert svg_size_mm('<svg width="96" height="48px">') == pytest.approx((25.4, 12.7))
    assert svg_size_mm('<svg viewBox="0 0 192 96">') == pytest.approx((50.8, 25.4))
    assert svg_size_mm("<p>pas un SVG</p>") is None
