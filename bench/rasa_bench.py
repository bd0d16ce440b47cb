"""Our assistant against Rasa's own starter bot, on this machine, in one run.

    python -m bench.rasa_bench            # full: trains both, serves each in turn, drives both
    python -m bench.rasa_bench --smoke    # our bot only, already trained model, a few turns

Full run:
1. the baseline is generated with `rasa init --no-prompt` in a temporary folder
   (which also trains it: that command's wall time is its training time);
2. our bot is trained from this tree with `rasa train --force` into a temporary
   folder (models/ is left alone) with a cold training cache;
3. each bot is served as `make run` serves it (ours: action server, then
   `python -m serving` with the SQL tracker store; the baseline needs no
   action server) on free ports, and driven over REST with the same texts:
   the typed consultations of bench/data/load_consultations.yml (whole-case
   openings, names and dates of birth, abbreviations, corrections, button
   answers; bench/load_scripts.py), only the turns timed
   (bench/rasa_measure.py): the load of 20 simultaneous conversations right
   after a start; after another start, the first message alone (an unknown
   capitalised name), one untimed warm-up conversation, then 1 and 20
   simultaneous conversations; the first message alone again after more
   restarts (the median of 3 is reported); the two bots take turns at each
   of these steps, so that other work on the machine weighs on both alike;
4. the Rasa server's resident memory (process and children, from /proc) is
   sampled every 0.25 s during the warm load.

It prints one table (ours, baseline, ours / baseline, target) and writes it as
JSON to bench/results/rasa.json, with the load average at each step: the
machine may be shared, so numbers from a busy machine are noisier.

Smoke mode (`make test` runs it): no baseline (it would have to be trained,
≈1-2 min), our already trained model, one start, 1 then 2 concurrent
conversations, no load right after start, nothing written to bench/results/ unless --out says so.

Every load loop is bounded in count and in time, and only talks to loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import decision_bench, load_scripts
from bench.rasa_bots import running_baseline, train_baseline, train_ours
from bench.rasa_measure import Subject, load_average, measure_bots
from bench.rasa_table import markdown, rows, verdict
from harness.bots import MODEL, running_bot
from harness.processes import ROOT

RESULTS = Path(__file__).with_name("results")
# What `rasa init` writes and the starter bot is served with, when its model is given.
BASELINE_FILES = {"endpoints.yml": "", "credentials.yml": 'rest:\nrasa:\n  url: "http://localhost:5002/api"\n'}

__all__ = ["main", "rows", "markdown", "verdict"]


def git_state() -> str:
    """The commit measured, with '+changes' when the work tree differs from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=30
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit}{'+changes' if dirty else ''}" or "unknown"


def config_summary(path: Path) -> list[str]:
    """Component and policy names of a Rasa config, with their options."""
    import yaml

    config = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return [
        ", ".join(f"{key}={value}" for key, value in item.items())
        for item in (config.get("pipeline") or []) + (config.get("policies") or [])
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--smoke", action="store_true", help="our bot only, already trained model, a few turns (make test)"
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="serve this model of ours instead of training one (training time not measured)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline")
    parser.add_argument(
        "--baseline-model",
        type=Path,
        default=None,
        help="serve this model of the starter bot (from an earlier `rasa init`) instead of training one",
    )
    parser.add_argument("--sequential", type=int, default=None, help="conversations at concurrency 1")
    parser.add_argument("--concurrent", type=int, default=None, help="conversations at concurrency 20 (total)")
    parser.add_argument(
        "--restarts", type=int, default=None, help="starts whose first message alone is timed (median; default 3)"
    )
    parser.add_argument(
        "--budget", type=float, default=180.0, help="no new conversation starts after this many seconds of a load level"
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON file to write (default bench/results/rasa.json)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, models)")
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="train ours with this config instead of config.yml (to weigh a change)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="add to the environment of our training and servers (to weigh a change)",
    )
    parser.add_argument(
        "--actions-workers", type=int, default=None, help="ACTION_SERVER_SANIC_WORKERS for our action server"
    )
    args = parser.parse_args(argv)
    extra_env = dict(item.split("=", 1) for item in args.env)
    if args.actions_workers:
        extra_env["ACTION_SERVER_SANIC_WORKERS"] = str(args.actions_workers)

    smoke = args.smoke
    model_path = args.model if args.model else (MODEL if smoke else None)
    with_baseline = not (smoke or args.no_baseline)
    if smoke:
        levels = [(1, args.sequential or 1), (2, args.concurrent or 2)]
    else:
        levels = [(1, args.sequential or 10), (20, args.concurrent or 80)]
    restarts = args.restarts or (1 if smoke else 3)

    def log(text: str) -> None:
        print(text, flush=True)

    started = time.monotonic()
    report: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "smoke": smoke,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        },
        "load": {
            "concurrency_levels": levels,
            "budget_s_per_level": args.budget,
            "restarts": restarts,
            "first_turn_text": load_scripts.FIRST_TURN_TEXT,
            "scripts": {ident: texts for ident, texts, _, _ in load_scripts.load_scripts()},
        },
        "loadavg_start": load_average(),
        "training_s": {},
        "model_mb": {},
        "ours_setup": {
            "tree": git_state(),
            "config": str(args.config or ROOT / "config.yml"),
            "pipeline_and_policies": config_summary(args.config or ROOT / "config.yml"),
            "extra_env": extra_env,
            "model": str(model_path) if model_path else "trained by the bench",
        },
    }
    log(f"Rasa bench ({'smoke' if smoke else 'full'}), load average {report['loadavg_start']}, {os.cpu_count()} CPUs")
    workdir = Path(tempfile.mkdtemp(prefix="clinibot-bench-"))
    try:
        cache = workdir / "rasa-cache"
        baseline_model = None
        if with_baseline and args.baseline_model:
            baseline_model = args.baseline_model
            (workdir / "baseline").mkdir()
            for name in ("endpoints.yml", "credentials.yml"):
                (workdir / "baseline" / name).write_text(BASELINE_FILES[name], encoding="utf-8")
            report["model_mb"]["baseline"] = round(baseline_model.stat().st_size / 2**20, 2)
        elif with_baseline:
            log("Training the baseline (rasa init --no-prompt)...")
            baseline_model, seconds = train_baseline(workdir, cache / "baseline")
            report["training_s"]["baseline"] = round(seconds, 1)
            report["model_mb"]["baseline"] = round(baseline_model.stat().st_size / 2**20, 2)
            log(f"  baseline trained in {seconds:.1f} s (load {load_average()})")
        if model_path is None:
            log("Training ours (rasa train --force, cold cache)...")
            model_path, seconds = train_ours(workdir, cache / "ours", args.config, extra_env)
            report["training_s"]["ours"] = round(seconds, 1)
            log(f"  ours trained in {seconds:.1f} s (load {load_average()})")
        report["model_mb"]["ours"] = round(Path(model_path).stat().st_size / 2**20, 2)
        report["loadavg_after_training"] = load_average()

        @contextlib.contextmanager
        def start_ours():
            folder = workdir / "ours"
            folder.mkdir(exist_ok=True)
            with running_bot(folder, model=Path(model_path), extra_env=extra_env) as bot:
                yield bot.url, bot.pids

        subjects = [
            Subject("ours", start_ours, load_scripts.FIRST_TURN_TEXT, load_scripts.conversations, log),
        ]
        if baseline_model is not None:  # with_baseline
            subjects.append(
                Subject(
                    "baseline",
                    lambda: running_baseline(workdir / "baseline", baseline_model, workdir),
                    load_scripts.FIRST_TURN_TEXT,
                    lambda count, prefix: load_scripts.conversations(count, prefix, expect=False),
                    log,
                )
            )
        log("Serving and driving " + " and ".join(subject.name for subject in subjects) + " in turn...")
        report.update(measure_bots(subjects, levels, args.budget, restarts, cold=not smoke))
        report["decision"] = decision_bench.timing(quick=smoke)
        report["loadavg_end"] = load_average()
        report["duration_s"] = round(time.monotonic() - started, 1)
        table = rows(report)
        report["table"] = table
        report["verdict"] = verdict(table, report)
        report["markdown"] = markdown(table)
    finally:
        if args.keep:
            log(f"Temporary folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    log("")
    log(report["markdown"])
    log("")
    log("\n".join(report["verdict"]))
    log(
        f"Load average: start {report['loadavg_start']}, after training {report['loadavg_after_training']}, "
        f"end {report['loadavg_end']} ({os.cpu_count()} CPUs; the bench itself keeps 1-2 busy, "
        f"more means other work shared the machine). "
        f"Bench duration {report['duration_s']} s."
    )
    out = args.out or (None if smoke else RESULTS / "rasa.json")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"Written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
