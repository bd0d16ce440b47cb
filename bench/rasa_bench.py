"""Our assistant against Rasa's own starter bot, on this machine, in one run.

    python -m bench.rasa_bench            # full: trains both, serves each in turn, drives both
    python -m bench.rasa_bench --smoke    # our bot only, already trained model, a few turns

Full run:
1. the baseline is generated with `rasa init --no-prompt` in a temporary folder
   (which also trains it: that command's wall time is its training time);
2. our bot is trained from this tree with `rasa train --force` into a temporary
   folder (models/ is left alone) with a cold training cache;
3. each bot is served in turn (ours: action server + Rasa server, as `make run`;
   the baseline needs no action server) and driven over REST with the same
   load: 1 conversation at a time, then 20 concurrent conversations; each
   conversation is a full dialogue in free text (ours: a consultation to its
   recommendation; the baseline: its mood dialogue);
4. the Rasa server's resident memory (process and children, from /proc) is
   sampled every 0.25 s; the start-up time runs from launching the servers to
   the first answer received.

It prints one table (ours, baseline, ours / baseline, target) and writes it as
JSON to bench/results/rasa.json, with the load average at each step: the
machine may be shared, so numbers from a busy machine are noisier.

Smoke mode (`make test` runs it): no baseline (it would have to be trained,
≈1-2 min), our already trained model, 1 then 2 concurrent conversations,
nothing written to bench/results/ unless --out says so.

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
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import decision_bench
from tests.support import servers
from tests.support.load import percentile, send
from tests.support.scripts import FEMORAL_NECK_FREE_TEXT

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results")
BIN = Path(sys.executable).parent
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}

# Targets of the issue (ours, measured by this table on the 2-core machine).
TARGET_P95_RATIO = 1.5  # p95 turn latency at 20 concurrent conversations, ours / baseline
TARGET_TRAINING_S = 180.0
TARGET_STARTUP_S = 60.0
TARGET_RSS_MB = 2500.0  # Rasa server (process tree)

REQUEST_TIMEOUT_S = 60.0
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


# --------------------------------------------------------------------------- measures


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def tree_rss_kb(root_pid: int) -> int:
    """VmRSS of `root_pid` and all its descendants, in kB (0 if gone)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, pending = 0, [root_pid]
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


class RssSampler:
    """Samples the RSS of some process trees in a thread; keeps the peak and the last value."""

    def __init__(self, pids: dict[str, int], period: float = 0.25) -> None:
        self.pids, self.period = pids, period
        self.peak_kb = dict.fromkeys(pids, 0)
        self.last_kb = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.period)

    def sample(self) -> dict[str, int]:
        for name, pid in self.pids.items():
            value = tree_rss_kb(pid)
            if value:
                self.last_kb[name] = value
                self.peak_kb[name] = max(self.peak_kb[name], value)
        return dict(self.last_kb)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()


def drive(
    url: str,
    conversations: list[list[str]],
    done_marker: str,
    concurrency: int,
    count: int,
    budget_s: float,
    prefix: str,
) -> dict:
    """`count` conversations, `concurrency` at a time, each turn timed.

    Bounded: no new conversation starts after `budget_s` seconds, and each
    request times out after REQUEST_TIMEOUT_S."""
    latencies: list[float] = []
    errors: list[str] = []
    completed = incomplete = 0
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + budget_s

    def one(index: int) -> None:
        nonlocal completed, incomplete
        if time.monotonic() > deadline:
            return
        turns = conversations[index % len(conversations)]
        sender = f"{prefix}-{concurrency}-{index}-{os.getpid()}"
        mine: list[float] = []
        replies: list[dict] = []
        try:
            for text in turns:
                begin = time.perf_counter()
                replies = send(url, sender, text, timeout=REQUEST_TIMEOUT_S)
                mine.append(time.perf_counter() - begin)
                if not replies:
                    raise RuntimeError(f"no answer to {text!r}")
        except Exception as error:  # counted, reported, and the run goes on
            with lock:
                latencies.extend(mine)
                errors.append(f"{sender}: {type(error).__name__}: {error}"[:300])
            return
        markers = (done_marker,) if isinstance(done_marker, str) else tuple(done_marker)
        finished = any(marker in (message.get("text") or "") for message in replies for marker in markers)
        with lock:
            latencies.extend(mine)
            completed += finished
            incomplete += not finished

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(count)))
    wall = time.monotonic() - started
    return {
        "concurrency": concurrency,
        "conversations": completed + incomplete + len(errors),
        "conversations_completed": completed,
        "conversations_without_final_answer": incomplete,
        "errors": len(errors),
        "error_samples": errors[:3],
        "turns": len(latencies),
        "wall_s": round(wall, 2),
        "turns_per_s": round(len(latencies) / wall, 2) if wall > 0 else None,
        "p50_ms": _ms(percentile(latencies, 50) if latencies else None),
        "p95_ms": _ms(percentile(latencies, 95) if latencies else None),
        "max_ms": _ms(max(latencies) if latencies else None),
        "loadavg_after": load_average(),
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def first_answer(url: str, text: str, deadline_s: float) -> None:
    """Sends `text` until an answer comes (the server may still be loading)."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            if send(url, f"first-answer-{os.getpid()}", text, timeout=30):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


# --------------------------------------------------------------------------- the two bots


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
    """The starter bot's Rasa server (REST + API, same flags as ours); it has no custom action."""
    port = servers.free_port()
    log = workdir / "baseline-rasa.log"
    with open(log, "w") as handle:
        process = subprocess.Popen(
            [
                str(BIN / "rasa"),
                "run",
                "--model",
                str(model),
                "--interface",
                "127.0.0.1",
                "--port",
                str(port),
                "--enable-api",
                "--endpoints",
                str(project / "endpoints.yml"),
                "--credentials",
                str(project / "credentials.yml"),
            ],
            cwd=project,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=ENV,
            start_new_session=True,
        )
    try:
        servers.wait_for(f"http://127.0.0.1:{port}/status", 240, process, log)
        yield f"http://127.0.0.1:{port}", {"rasa": process.pid}
    finally:
        servers.stop(process)


def measure_bot(
    name: str,
    start: Callable[[], contextlib.AbstractContextManager],
    first_text: str,
    conversations: list[list[str]],
    done_marker: str,
    levels: list[tuple[int, int]],
    budget_s: float,
    log: Callable[[str], None],
) -> dict:
    """Starts a bot, times the first answer, drives each (concurrency, conversations) level."""
    result: dict = {"name": name, "loadavg_before": load_average()}
    began = time.monotonic()
    with start() as (url, pids):
        with RssSampler(pids) as sampler:
            first_answer(url, first_text, 240)
            result["startup_to_first_answer_s"] = round(time.monotonic() - began, 2)
            result["rss_mb_after_start"] = {k: round(v / 1024, 1) for k, v in sampler.sample().items()}
            log(
                f"  {name}: first answer after {result['startup_to_first_answer_s']} s, "
                f"RSS {result['rss_mb_after_start']} MB"
            )
            # One untimed conversation: lazy imports, first graph runs, connections.
            drive(url, conversations, done_marker, 1, 1, budget_s, f"{name}-warmup")
            result["levels"] = []
            for concurrency, count in levels:
                level = drive(url, conversations, done_marker, concurrency, count, budget_s, name)
                result["levels"].append(level)
                log(
                    f"  {name} x{concurrency}: {level['turns']} turns in {level['wall_s']} s, "
                    f"p50 {level['p50_ms']} ms, p95 {level['p95_ms']} ms, {level['turns_per_s']} turns/s, "
                    f"{level['errors']} errors, load {level['loadavg_after']}"
                )
        result["rss_mb_peak"] = {k: round(v / 1024, 1) for k, v in sampler.peak_kb.items()}
    result["loadavg_after"] = load_average()
    return result


# --------------------------------------------------------------------------- the table


def _ratio(ours, baseline) -> float | None:
    if ours is None or baseline in (None, 0):
        return None
    return round(ours / baseline, 2)


LEVEL_METRICS = (
    ("p50_ms", "latence p50", "ms"),
    ("p95_ms", "latence p95", "ms"),
    ("turns_per_s", "tours par seconde", "tour/s"),
)


def _simultaneous(concurrency: int) -> str:
    return "1 conversation" if concurrency == 1 else f"{concurrency} simultanées"


def rows(report: dict) -> list[dict]:
    """One row per metric: `id` (stable, English), `metric` (French label), ours, baseline, ratio, target, met."""
    ours, base = report["ours"], report.get("baseline")

    def level(bot, concurrency, key):
        if not bot:
            return None
        for entry in bot["levels"]:
            if entry["concurrency"] == concurrency:
                return entry[key]
        return None

    table = []

    def add(key, metric, unit, ours_value, base_value, target=None, met=None):
        table.append(
            {
                "id": key,
                "metric": metric,
                "unit": unit,
                "ours": ours_value,
                "baseline": base_value,
                "ratio": _ratio(ours_value, base_value),
                "target": target,
                "met": met,
            }
        )

    concurrencies = [entry["concurrency"] for entry in ours["levels"]]
    for concurrency in concurrencies:
        for key, label, unit in LEVEL_METRICS:
            o, b = level(ours, concurrency, key), level(base, concurrency, key)
            target = met = None
            if key == "p95_ms" and concurrency == 20:
                target = f"rapport ≤ {_cell(TARGET_P95_RATIO)}"
                met = None if b is None else (_ratio(o, b) or 0) <= TARGET_P95_RATIO
            add(f"{key}@{concurrency}", f"{label}, {_simultaneous(concurrency)}", unit, o, b, target, met)
    for concurrency in concurrencies:
        add(
            f"failures@{concurrency}",
            f"erreurs et conversations inachevées, {_simultaneous(concurrency)}",
            "nombre",
            level(ours, concurrency, "errors") + level(ours, concurrency, "conversations_without_final_answer"),
            None
            if not base
            else level(base, concurrency, "errors") + level(base, concurrency, "conversations_without_final_answer"),
        )
    rss_o = ours["rss_mb_peak"]["rasa"]
    add(
        "rasa_rss_mb",
        "mémoire (RSS) du serveur Rasa, pic",
        "Mo",
        rss_o,
        base and base["rss_mb_peak"]["rasa"],
        f"< {TARGET_RSS_MB:.0f} Mo",
        rss_o < TARGET_RSS_MB,
    )
    if "actions" in ours["rss_mb_peak"]:
        add(
            "actions_rss_mb",
            "mémoire (RSS) du serveur d'actions, pic (la référence n'en a pas)",
            "Mo",
            ours["rss_mb_peak"]["actions"],
            None,
        )
    training = report.get("training_s", {})
    if training.get("ours") is not None:
        add(
            "training_s",
            "entraînement",
            "s",
            training["ours"],
            training.get("baseline"),
            f"< {TARGET_TRAINING_S:.0f} s",
            training["ours"] < TARGET_TRAINING_S,
        )
    sizes = report.get("model_mb", {})
    add("model_mb", "taille du modèle", "Mo", sizes.get("ours"), sizes.get("baseline"))
    start_o = ours["startup_to_first_answer_s"]
    add(
        "startup_s",
        "démarrage jusqu'à la première réponse",
        "s",
        start_o,
        base and base["startup_to_first_answer_s"],
        f"< {TARGET_STARTUP_S:.0f} s",
        start_o < TARGET_STARTUP_S,
    )
    decision = report.get("decision")
    if decision:
        cases = f"{decision['cases']:,}".replace(",", "\u202f")  # French thousands separator
        add("recommend_mean_us", f"`recommend()` par appel, moyenne ({cases} cas)", "µs", decision["mean_us"], None)
        add("recommend_p95_us", "`recommend()` par appel, p95", "µs", decision["p95_us"], None)
    return table


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "**NON**"
    if isinstance(value, float):
        text = f"{value:g}" if abs(value) < 10 else f"{value:.0f}" if abs(value) >= 1000 else f"{value:.1f}"
        return text.replace(".", ",")
    return str(value)


def markdown(table: list[dict]) -> str:
    lines = [
        "| mesure | unité | nous | référence | nous / référence | objectif | atteint |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for row in table:
        lines.append(
            "| "
            + " | ".join(_cell(row[key]) for key in ("metric", "unit", "ours", "baseline", "ratio", "target", "met"))
            + " |"
        )
    return "\n".join(lines)


def _why(row: dict, table: list[dict]) -> str:
    if row["id"] != "p95_ms@20":
        return ""
    throughput = next((r for r in table if r["id"] == "turns_per_s@20"), None)
    if not throughput or throughput["ratio"] is None:
        return ""
    return (
        f" Pourquoi : à 20 conversations simultanées, le serveur Rasa (un seul processus) est saturé et sert "
        f"{_cell(throughput['ratio'])} × les tours par seconde de la référence ; chacun de nos tours coûte "
        f"plus de calcul (actions sur HTTP, magasin SQL : voir docs/performance.md)."
    )


def verdict(table: list[dict], report: dict) -> list[str]:
    """Plain French sentences: each target met or not, and why not."""
    lines = []
    for row in table:
        if row["target"] is None:
            continue
        value = row["ratio"] if row["target"].startswith("rapport") else row["ours"]
        if row["met"] is None:
            lines.append(f"- {row['metric']} : non mesuré dans cette exécution (pas de référence).")
        elif row["met"]:
            lines.append(f"- {row['metric']} : objectif atteint ({_cell(value)}, objectif {row['target']}).")
        else:
            lines.append(
                f"- {row['metric']} : objectif NON ATTEINT ({_cell(value)}, objectif {row['target']})."
                f"{_why(row, table)}"
            )
    if report.get("smoke"):
        lines.append("- mode rapide : référence non mesurée, modèle non réentraîné ; ces chiffres ne sont pas le banc.")
    return lines


# --------------------------------------------------------------------------- main


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


def decision_timing(quick: bool) -> dict:
    cases = list(decision_bench.combinations())
    if quick:
        cases = cases[:: max(1, len(cases) // 200)]
    decision_bench.measure(cases[:50])
    micro = sorted(t / 1000 for t in decision_bench.measure(cases))
    return {
        "cases": len(cases),
        "mean_us": round(sum(micro) / len(micro), 1),
        "p50_us": round(micro[len(micro) // 2], 1),
        "p95_us": round(micro[int(len(micro) * 0.95)], 1),
    }


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
    parser.add_argument("--sequential", type=int, default=None, help="conversations at concurrency 1")
    parser.add_argument("--concurrent", type=int, default=None, help="conversations at concurrency 20 (total)")
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
    model_path = args.model if args.model else (servers.MODEL if smoke else None)
    with_baseline = not (smoke or args.no_baseline)
    if smoke:
        levels = [(1, args.sequential or 1), (2, args.concurrent or 2)]
    else:
        levels = [(1, args.sequential or 8), (20, args.concurrent or 80)]

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
            "ours_turns_per_conversation": [len(c) for c in OURS_CONVERSATIONS],
            "baseline_turns_per_conversation": [len(c) for c in BASELINE_CONVERSATIONS],
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
        if with_baseline:
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

        if with_baseline:
            log("Serving and driving the baseline...")
            report["baseline"] = measure_bot(
                "baseline",
                lambda: running_baseline(workdir / "baseline", baseline_model, workdir),
                "hello",
                BASELINE_CONVERSATIONS,
                BASELINE_DONE,
                levels,
                args.budget,
                log,
            )

        @contextlib.contextmanager
        def start_ours():
            folder = workdir / "ours"
            folder.mkdir(exist_ok=True)
            with servers.running_bot(folder, model=Path(model_path), extra_env=extra_env) as bot:
                yield bot.url, bot.pids

        log("Serving and driving ours...")
        report["ours"] = measure_bot(
            "ours", start_ours, "bonjour", OURS_CONVERSATIONS, OURS_DONE, levels, args.budget, log
        )
        report["decision"] = decision_timing(quick=smoke)
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
