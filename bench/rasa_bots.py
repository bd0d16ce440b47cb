"""The two bots of the Rasa benchmark: ours (this tree, served as `make run`
serves it, harness.bots) and Rasa's starter bot (`rasa init`), how each is
trained and served, and the conversations each is driven with."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from harness.bots import start_rasa, wait_for_rasa
from harness.processes import ROOT, free_port, stop
from harness.scripts import FEMORAL_NECK_FREE_TEXT

BIN = Path(sys.executable).parent
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
TRAINING_TIMEOUT_S = 420

# Full consultations in free text (from tests/e2e: they work today), each
# ending with the recommendation (« Chirurgie … ») or, when refining questions
# followed it, with « La recommandation ci-dessus ne change pas. ».
OURS_CONVERSATIONS: list[list[str]] = [
    [message for message, _ in FEMORAL_NECK_FREE_TEXT],
    [
        "lésion lytique de la diaphyse humérale à risque fracturaire",
        "plus d'un an",
        "oui",
        "douleur mécanique à la mise en charge",
        "plus des deux tiers du diamètre",
        "non",  # a single bone lesion (over a year: asked before the answer)
        "non",
        "non",
        "non",
        "non",
    ],
    [
        "bonjour",
        "fracture pathologique de la diaphyse fémorale, espérance de vie 3 mois, opérable",
        "non",
        "non",
        "non",
        "non",
    ],
    ["fracture du col fémoral, espérance de vie 4 mois", "état général trop altéré, inopérable"],
]
OURS_DONE = ("Chirurgie", "La recommandation ci-dessus ne change pas.")

# The starter bot's own mood dialogue (its stories and rules), each ending with "Bye".
BASELINE_CONVERSATIONS: list[list[str]] = [
    ["hello", "I am sad", "yes", "bye"],
    ["hi", "I am feeling very good", "are you a bot?", "goodbye"],
    ["good morning", "not good", "no"],
    ["hey there", "very sad", "yes it did", "see you later"],
]
BASELINE_DONE = "Bye"


def train_baseline(workdir: Path, cache: Path) -> tuple[Path, float]:
    """`rasa init --no-prompt` in a fresh folder: scaffolds the starter bot and trains it."""
    project = workdir / "baseline"
    project.mkdir()
    began = time.monotonic()
    done = subprocess.run(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
        cwd=project,
        env={**ENV, "RASA_CACHE_DIRECTORY": str(cache)},
        capture_output=True,
        text=True,
        timeout=TRAINING_TIMEOUT_S,
    )
    seconds = time.monotonic() - began
    (workdir / "baseline-train.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    models = sorted((project / "models").glob("*.tar.gz"))
    if done.returncode != 0 or not models:
        raise RuntimeError(f"rasa init failed ({done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}")
    return models[-1], seconds


def train_ours(
    workdir: Path, cache: Path, config: Path | None = None, extra_env: dict[str, str] | None = None
) -> tuple[Path, float]:
    """`rasa train --force` of this tree into a temporary folder (models/ is not touched)."""
    out = workdir / "ours-model"
    config_args = ["--config", str(config)] if config else []
    began = time.monotonic()
    done = subprocess.run(
        [str(BIN / "rasa"), "train", "--force", "--fixed-model-name", "consultation", *config_args, "--out", str(out)],
        cwd=ROOT,
        env={**ENV, **(extra_env or {}), "RASA_CACHE_DIRECTORY": str(cache)},
        capture_output=True,
        text=True,
        timeout=TRAINING_TIMEOUT_S,
    )
    seconds = time.monotonic() - began
    (workdir / "ours-train.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    model = out / "consultation.tar.gz"
    if done.returncode != 0 or not model.exists():
        raise RuntimeError(f"rasa train failed ({done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}")
    return model, seconds


@contextlib.contextmanager
def running_baseline(project: Path, model: Path, workdir: Path) -> Iterator[tuple[str, dict[str, int]]]:
    """The starter bot's Rasa server (REST + API, the same launch recipe as
    ours with the `rasa` command); it has no custom action."""
    port = free_port()
    log = workdir / "baseline-rasa.log"
    process = start_rasa(
        port,
        project / "endpoints.yml",
        log,
        ENV,
        model=model,
        credentials=project / "credentials.yml",
        command=[str(BIN / "rasa")],
        cwd=project,
    )
    try:
        wait_for_rasa(port, process, log)
        yield f"http://127.0.0.1:{port}", {"rasa": process.pid}
    finally:
        stop(process)
