"""The picture of a decision path: the SVG holds every step, in the path's
order, with its label and section; the highlighted boxes are exactly the
path's; the other answers are greyed and dashed; it fits a phone's width;
the PNG and the words say the same."""

from __future__ import annotations

import re

import pytest
from defusedxml import ElementTree
from hypothesis import given, settings

from decision.path import MIRELS, decision_path
from diagram import DiagramError, draw, graphviz, picture
from diagram import words as diagram_words
from tests.decision.test_path import CASES
from tests.decision.test_properties import cases as any_case

SVG = "{http://www.w3.org/2000/svg}"
# 360 px wide at 96 px per inch = 270 points: the whole picture, both columns.
PHONE_WIDTH_PT = 270


def boxes(svg: str) -> list[dict]:
    """Every node of the SVG: id, classes, text, top (dot's y is negative upwards)."""
    root = ElementTree.fromstring(svg)
    found = []
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "node" not in classes:
            continue
        texts = list(group.iter(f"{SVG}text"))
        found.append(
            {
                "id": group.get("id"),
                "classes": classes,
                "text": " ".join(t.text or "" for t in texts),
                "top": min(float(t.get("y")) for t in texts),
                "shapes": [shape for shape in group if shape.tag in (f"{SVG}path", f"{SVG}polygon")],
            }
        )
    return found


@pytest.fixture(scope="module")
def drawn():
    return {name: draw(case) for name, (case, _steps, _outcome) in CASES.items()}


@pytest.mark.parametrize("name", CASES)
def test_the_highlighted_boxes_are_exactly_the_path_in_order_with_labels_and_sections(name, drawn):
    case, steps, _outcome = CASES[name]
    svg = drawn[name].svg
    highlighted = [box for box in boxes(svg) if "path-step" in box["classes"]]
    # One highlighted box per step of the chapter, then the result; none other.
    assert [box["id"] for box in highlighted] == [f"step-{n}" for n in range(1, len(steps) + 1)] + ["outcome"]
    # Top to bottom in the path's order.
    tops = [box["top"] for box in highlighted]
    assert tops == sorted(tops)
    for box, (field, _value, section) in zip(highlighted, steps, strict=False):
        assert diagram_words.step_name(field) in box["text"]
        assert f"§\u00a0{section}" in box["text"] or f"§ {section}" in box["text"]
    for box, step in zip(highlighted, decision_path(case).steps, strict=False):
        assert picture.step_value(step).split(" (")[0] in box["text"]


@pytest.mark.parametrize("name", ["femoral neck fracture", "impending tibia, pain unknown"])
def test_the_other_answers_are_dashed_grey_and_the_path_thick_black(name, drawn):
    found = boxes(drawn[name].svg)
    for box in found:
        strokes = [(s.get("stroke"), s.get("stroke-width"), s.get("stroke-dasharray")) for s in box["shapes"]]
        if "path-step" in box["classes"]:
            assert all(stroke == "black" and float(width) >= 2 and dash is None for stroke, width, dash in strokes)
        else:
            assert "path-alternative" in box["classes"]
            assert all(dash and stroke != "black" for stroke, _width, dash in strokes)
    # The other answers say where they lead (4.1: the shaft takes a nail).
    others = " ".join(box["text"] for box in found if "path-alternative" in box["classes"])
    if name == "femoral neck fracture":
        assert "enclouage centromédullaire" in others and "Moins de 6 semaines" in others


@pytest.mark.parametrize("name", CASES)
def test_the_picture_fits_a_phone(name, drawn):
    svg = drawn[name].svg
    width = float(re.search(r'width="([0-9.]+)pt"', svg).group(1))
    assert width <= PHONE_WIDTH_PT


def test_the_png_is_a_png_of_a_phones_size(drawn):
    png = drawn["femoral neck fracture"].png
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert 300 <= width <= 800


@pytest.mark.parametrize("name", CASES)
def test_the_words_say_the_same_path(name, drawn):
    case, steps, _outcome = CASES[name]
    lines = drawn[name].text.splitlines()
    assert len(lines) == 1 + len(steps) + 1  # title, one line per step, the result
    for number, (line, (field, _value, section)) in enumerate(zip(lines[1:], steps, strict=False), start=1):
        assert line.startswith(f"{number}. {diagram_words.step_name(field)} (§ {section}) : ")
    assert lines[-1].startswith(f"{len(steps) + 1}. Résultat (§ ")


def test_the_words_name_the_other_answers_and_where_they_lead(drawn):
    text = drawn["fracture, unfit"].text
    # 2.2: fit, the tibial shaft fracture is nailed (4.1).
    fit = next(line for line in text.splitlines() if line.startswith("5. "))
    assert fit == (
        "5. Intervention et anesthésie possibles (§ 2.2) : Non ; autre réponse : "
        "Oui → chirurgie indiquée (enclouage centromédullaire)."
    )
    # Unfit: no surgery whatever the survival (2.2), the answers that lead there together.
    life = next(line for line in text.splitlines() if line.startswith("4. "))
    assert life.endswith(
        "Moins de 6 semaines, 6 à 12 mois ou plus de 12 mois → "
        "chirurgie non indiquée (antalgie, radiothérapie éventuelle)."
    )


def test_a_missing_step_is_caught(drawn, monkeypatch):
    """Drop one step from the boxes: the picture no longer matches the path."""
    real = picture.boxes

    def without_fitness(path):
        return [pair for pair in real(path) if "Intervention" not in pair[0].lines[0]]

    monkeypatch.setattr(picture, "boxes", without_fitness)
    case, steps, _outcome = CASES["femoral neck fracture"]
    broken = draw(case)
    ids = [box["id"] for box in boxes(broken.svg) if "path-step" in box["classes"]]
    assert len(ids) != len(steps) + 1


def test_the_mirels_box_gives_the_score_and_the_threshold(drawn):
    text = " ".join(box["text"] for box in boxes(drawn["impending subtrochanteric, Mirels settled"].svg))
    assert "Score de Mirels" in text and "10/12" in text
    text = " ".join(box["text"] for box in boxes(drawn["impending tibia, pain unknown"].svg))
    assert "8 à 10/12" in text
    assert MIRELS == "mirels"


def test_dot_missing_is_said_in_french(monkeypatch):
    monkeypatch.setattr(graphviz.shutil, "which", lambda _name: None)
    with pytest.raises(DiagramError, match="Graphviz"):
        _ = draw(CASES["radius fracture"][0]).svg


def test_a_stuck_dot_times_out(monkeypatch):
    def stuck(*args, **kwargs):
        raise graphviz.subprocess.TimeoutExpired(cmd="dot", timeout=kwargs.get("timeout", 0))

    monkeypatch.setattr(graphviz.subprocess, "run", stuck)
    with pytest.raises(DiagramError, match="n'a pas répondu"):
        _ = draw(CASES["radius fracture"][0]).png


def test_the_layout_is_dots_not_ours(drawn):
    source = drawn["femoral neck fracture"].dot
    assert "rankdir=TB" in source
    assert not re.search(r"\bpos\s*=", source)  # no coordinates of ours


@settings(max_examples=15, deadline=None)
@given(any_case())
def test_any_case_draws_its_whole_path_on_a_phone(case):
    drawn = draw(case)
    path = drawn.path
    highlighted = [box["id"] for box in boxes(drawn.svg) if "path-step" in box["classes"]]
    assert highlighted == [f"step-{n}" for n in range(1, len(path.steps) + 1)] + ["outcome"]
    assert float(re.search(r'width="([0-9.]+)pt"', drawn.svg).group(1)) <= PHONE_WIDTH_PT
    assert len(drawn.text.splitlines()) == len(path.steps) + 2
