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

# An image drawn on a page: `q w 0 0 h x y cm /I1 Do Q` (its size in points).
DRAWN_IMAGE = re.compile(r"([\d.]+) 0 0 ([\d.]+) [\d.]+ [\d.]+ cm /I\d+ Do")


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
    images = [image for page in found for image in pictures(page)]
    assert len(images) == 1, "one picture: the decision path"
    printed = Image.open(io.BytesIO(images[0].data))
    assert printed.size == Image.open(io.BytesIO(drawn.png)).size
    holder = next(page for page in found if pictures(page))
    assert "Chemin de décision de ce cas" in words(holder)


def test_a_small_picture_stays_under_the_sheet_on_its_one_page():
    [page] = pages(recorded(FEMORAL_NECK), graphviz(1))
    assert len(pictures(page)) == 1 and "Chemin de décision de ce cas" in words(page)


def test_a_tall_picture_goes_on_a_second_page_of_its_own_not_shrunk_under_the_sheet():
    first, second = pages(recorded(FEMORAL_NECK), graphviz(9))
    assert not pictures(first) and len(pictures(second)) == 1
    assert words(second) == "Chemin de décision de ce cas"


def test_on_a_page_of_its_own_the_picture_keeps_its_size_and_fits_the_page():
    drawn = graphviz(14)  # taller than the page: shrunk to fit, never cut
    [_, page] = pages(recorded(FEMORAL_NECK), drawn)
    # The image's drawn size, from the page's content stream (`w 0 0 h x y cm`).
    content = page.get_contents().get_data().decode("latin-1")
    [(width_pt, height_pt)] = [(float(w), float(h)) for w, h in DRAWN_IMAGE.findall(content)]
    natural = svg_size_mm(drawn.svg)
    assert natural is not None
    ratio = (width_pt * 25.4 / 72) / natural[0]
    assert ratio < 1 and abs((height_pt * 25.4 / 72) / natural[1] - ratio) < 0.01  # proportions kept
    assert height_pt <= float(page.mediabox.height)
    assert 0 < PICTURE_SAME_PAGE < 1


def test_svg_sizes_are_read_in_points_pixels_or_from_the_viewbox():
    assert svg_size_mm('<svg width="72pt" height="144pt" xmlns="http://www.w3.org/2000/svg">') == pytest.approx(
        (25.4, 50.8)
    )
    assert svg_size_mm('<svg width="96" height="48px">') == pytest.approx((25.4, 12.7))
    assert svg_size_mm('<svg viewBox="0 0 192 96">') == pytest.approx((50.8, 25.4))
    assert svg_size_mm("<p>pas un SVG</p>") is None
