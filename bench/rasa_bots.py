"""The two bots of the Rasa benchmark: ours (this tree, served as `make run`
serves it, harness.bots) and Rasa's starter bot (`rasa init`), how each is
trained and served (the conversations: bench/load_scripts.py)."""

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

BIN = Path(sys.executable).parent
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
TRAINING_TIMEOUT_S = 420


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
