"""Rasa's own checks on the trained assistant: data validation and the test
stories (every branch of the form, corrections, follow-ups, out-of-scope).
The NLU scores (dev and frozen sets) are in tests/nlu/test_generalisation.py."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paths import ROOT

RASA = str(Path(sys.executable).parent / "rasa")
MODEL = ROOT / "models" / "consultation.tar.gz"
RESULTS = ROOT / "results"
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}

pytestmark = pytest.mark.model


def rasa(*args):
    return subprocess.run([RASA, *args], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=1200)


def test_training_data_and_domain_are_valid():
    done = rasa("data", "validate", "--fail-on-warnings")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def evaluation():
    """`rasa test core` once on the test stories, with --fail-on-prediction-errors."""
    out = RESULTS / "rasa-test"
    done = rasa(
        "test",
        "core",
        "--model",
        str(MODEL),
        "--stories",
        "tests/stories",
        "--out",
        str(out),
        "--fail-on-prediction-errors",
    )
    return done, out


def test_every_test_story_is_predicted_without_error(evaluation):
    done, out = evaluation
    failed = (
        (out / "failed_test_stories.yml").read_text(encoding="utf-8")
        if (out / "failed_test_stories.yml").exists()
        else ""
    )
    assert done.returncode == 0, failed[-4000:] or (done.stdout[-3000:] + done.stderr[-3000:])
    report = json.loads((out / "story_report.json").read_text(encoding="utf-8"))
    assert report["accuracy"] == 1.0
