"""`python -m decision path CASE.json -o path.svg|png` and `python -m diagram path …`."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from defusedxml import ElementTree

from decision.__main__ import main as decision_main
from diagram.__main__ import main as diagram_main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "femoral_neck_fracture.json"


def run(args, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    code = decision_main(args, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_svg_and_png_by_extension(tmp_path):
    svg, png = tmp_path / "path.svg", tmp_path / "path.png"
    assert run(["path", str(EXAMPLE), "-o", str(svg)])[0] == 0
    root = ElementTree.fromstring(svg.read_text(encoding="utf-8"))
    ids = [g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert "step-1" in ids and "outcome" in ids
    assert run(["path", str(EXAMPLE), "-o", str(png)])[0] == 0
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_without_output_the_path_is_printed_in_words():
    code, out, _ = run(["path", "-"], stdin=EXAMPLE.read_text(encoding="utf-8"))
    assert code == 0
    assert out.splitlines()[1].startswith("1. Situation (§ 2.2) : Fracture pathologique")


def test_a_bad_case_or_extension_exits_2(tmp_path):
    code, out, err = run(["path", "-", "-o", str(tmp_path / "p.svg")], stdin='{"bone": "skull"}')
    assert code == 2 and out == "" and "bone" in err
    assert run(["path", str(EXAMPLE), "-o", str(tmp_path / "p.pdf")])[0] == 2
    assert run(["path", str(tmp_path / "missing.json")])[0] == 2
    assert not (tmp_path / "p.svg").exists()


def test_python_m_diagram(tmp_path):
    out = tmp_path / "path.svg"
    done = subprocess.run(
        [sys.executable, "-m", "diagram", "path", str(EXAMPLE), "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("<svg ")
    assert diagram_main(["nonsense"]) == 2
