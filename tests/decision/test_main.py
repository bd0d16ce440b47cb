"""`python -m decision CASE.json`: every exit path."""

import io
import json
import subprocess
import sys

from decision.__main__ import main
from paths import ROOT


def run(args, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    code = main(args, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_valid_case_from_a_file_prints_json_and_exits_0():
    code, out, err = run([str(ROOT / "examples" / "femoral_neck_fracture.json")])
    assert code == 0 and err == ""
    result = json.loads(out)
    assert result["surgery"] == "indicated" and result["techniques"][0]["code"] == "cemented_arthroplasty"


def test_valid_case_from_standard_input():
    code, out, _ = run(["-"], stdin='{"bone": "acetabulum"}')
    assert code == 0 and json.loads(out)["missing"][0] == "situation"


def test_unknown_field_and_value_outside_its_set_exit_2_one_line_each():
    code, out, err = run(["-"], stdin='{"bone": "spine", "colour": "red"}')
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert any(line.startswith("bone: received 'spine'; allowed: femur") for line in lines)
    assert any(line.startswith("colour: ") for line in lines)


def test_wrong_type_exits_2():
    code, out, err = run(["-"], stdin='{"fit_for_surgery": "oui"}')
    assert code == 2 and out == "" and "true, false" in err


def test_malformed_json_exits_2():
    code, out, err = run(["-"], stdin="{bone: femur")
    assert code == 2 and out == "" and err.startswith("(json): malformed JSON")


def test_not_an_object_exits_2():
    code, out, err = run(["-"], stdin="[1, 2]")
    assert code == 2 and out == "" and "JSON object" in err


def test_identifying_field_exits_2():
    code, out, err = run(["-"], stdin='{"nom": "Martin"}')
    assert code == 2 and out == "" and "identifying" in err


def test_unreadable_file_exits_2(tmp_path):
    code, out, err = run([str(tmp_path / "absent.json")])
    assert code == 2 and out == "" and "cannot read" in err


def test_usage_errors():
    assert run([])[0] == 2
    code, _, err = run(["--help"])
    assert code == 0 and "usage" in err


def test_module_runs_as_a_script():
    completed = subprocess.run(
        [sys.executable, "-m", "decision", "-"],
        input='{"bone": "femur"}',
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 0 and json.loads(completed.stdout)["missing"][0] == "situation"
    failed = subprocess.run(
        [sys.executable, "-m", "decision", "-"],
        input='{"bone": "os"}',
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert failed.returncode == 2 and failed.stdout == "" and "bone" in failed.stderr
