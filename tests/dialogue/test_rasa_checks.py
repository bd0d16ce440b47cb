"""Rasa's own checks on the trained assistant: data validation, the test stories
(every branch of the form, corrections, follow-ups, out-of-scope) and the NLU
held-out French test set, whose intent and entity F1 are printed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).parent / "rasa")
MODEL = ROOT / "models" / "consultation.tar.gz"
RESULTS = ROOT / "results"
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}

# Quality floors of the held-out set. Measured (docs/performance.md): intent F1
# 0.891-0.897 over DIET seeds 1-3 (0.879-0.896 with spaCy's full pipeline),
# entity F1 0.966; the model `make model` trains (seed 1) scored 0.891-0.897.
MIN_INTENT_F1 = 0.88
MIN_ENTITY_F1 = 0.95


def rasa(*args):
    return subprocess.run([RASA, *args], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=1200)


def test_training_data_and_domain_are_valid():
    done = rasa("data", "validate", "--fail-on-warnings")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def evaluation():
    """`rasa test` once: test stories with --fail-on-prediction-errors, and NLU on the held-out set."""
    out = RESULTS / "rasa-test"
    done = rasa(
        "test",
        "--model",
        str(MODEL),
        "--stories",
        "tests/stories",
        "--nlu",
        "tests/nlu/heldout.yml",
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


def test_nlu_on_the_held_out_french_set(evaluation, capsys):
    _, out = evaluation
    intents = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    entities = json.loads((out / "CaseFactExtractor_report.json").read_text(encoding="utf-8"))
    intent_f1 = intents["weighted avg"]["f1-score"]
    entity_f1 = entities["micro avg"]["f1-score"]
    summary = {
        "intent_weighted_f1": round(intent_f1, 3),
        "intent_accuracy": round(intents["accuracy"], 3),
        "entity_micro_f1": round(entity_f1, 3),
        "examples": intents["weighted avg"]["support"],
    }
    (RESULTS / "nlu_heldout.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    with capsys.disabled():
        print(
            f"\nNLU held-out set: intent F1 {summary['intent_weighted_f1']} (accuracy {summary['intent_accuracy']}), "
            f"entity F1 {summary['entity_micro_f1']}, {summary['examples']} examples"
        )
    assert intent_f1 >= MIN_INTENT_F1
    assert entity_f1 >= MIN_ENTITY_F1
