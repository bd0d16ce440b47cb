"""Where the milliseconds of a turn go (docs/performance.md).

    make bench-profile        # py-spy in a scratch virtualenv (var/py-spy), then this
    python -m bench.profile_turn --py-spy /path/to/py-spy [--seconds 40]

Our bot is served as `make run` serves it (harness.bots.running_bot: action
server, then `python -m serving` with the SQL tracker store), warmed by one
typed consultation, then driven with the typed consultations of the speed
bench (bench/load_scripts.py), 20 at a time, while py-spy samples the Rasa
server and the action server (`py-spy record --format raw`, 100 samples per
second per thread, idle threads left out; a stack topped by the event loop's
wait is counted as idle). Each sample is put in the first category whose
pattern one of its frames matches (the order below: the most specific
first); the milliseconds per turn of each category are its samples × 10 ms /
turns played: time the process spent on it, on a core or waiting for one
(or for the disk: an SQLite commit waits for fsync) — on a loaded machine,
more than the CPU time.

py-spy is not in requirements.lock: it is a profiler of this bench only.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

from bench import load_scripts
from bench.rasa_measure import drive, load_average
from harness.bots import running_bot

RESULTS = Path(__file__).with_name("results")
RATE = 100  # samples per second

# (category, pattern on a frame "function (path:line)"), most specific first.
CATEGORIES: list[tuple[str, str]] = [
    ("écran des données identifiantes", r"records/privacy|privacy/|records/vocabulary"),
    ("verrou (lock store)", r"lock_store"),
    ("magasin des conversations (SQL)", r"tracker_store|records/store|sqlalchemy|sqlite3|psycopg"),
    ("lecture du français libre (freetext)", r"freetext/"),
    ("module de décision (dont consultation/progress)", r"decision/|consultation/progress"),
    ("rendu des réponses (consultation/)", r"consultation/"),
    ("NLU : spaCy", r"spacy/|spacy_lean|thinc/"),
    ("NLU : DIET et TensorFlow", r"tensorflow|keras|diet_classifier"),
    ("NLU : autres composants", r"rasa/nlu/|nlu/"),
    ("politiques (prédiction de l'action)", r"rasa/core/policies|policies/"),
    ("appel au serveur d'actions (client)", r"rasa/core/actions/action\.py|aiohttp|rasa/utils/endpoints"),
    ("actions du projet (actions/, hors ce qui précède)", r"(^|[ (/])actions/"),
    ("rasa_sdk (tracker reçu, réponse, HTTP)", r"rasa_sdk"),
    ("graphe et événements de Rasa", r"rasa/engine|rasa/shared/core|rasa/core/processor"),
    ("HTTP (Sanic) et boucle asyncio", r"sanic|asyncio|uvloop"),
]
OTHER = "autre"
IDLE = "attente (boucle d'évènements inoccupée)"
# A stack whose top frame is one of these waits for work (py-spy cannot tell
# uvloop's native wait from work): counted apart, not as a cost of the turn.
IDLE_TOP = re.compile(r"^(serve \(sanic/server/runners\.py|run_forever \(|select \(selectors\.py|_run_once \()")


def categorize(stack: str) -> str:
    frames = stack.split(";")
    if IDLE_TOP.search(frames[-1]):
        return IDLE
    for name, pattern in CATEGORIES:
        regex = re.compile(pattern)
        if any(regex.search(frame) for frame in frames):
            return name
    return OTHER


def read_raw(path: Path) -> Counter:
    """py-spy's raw output (one `stack count` a line) as samples per category."""
    counts: Counter = Counter()
    if not path.exists():
        return counts
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, number = line.rpartition(" ")
        if stack and number.isdigit():
            counts[categorize(stack)] += int(number)
    return counts


def top_functions(path: Path, most: int = 12) -> list[tuple[str, int]]:
    """The functions most often on top of the stack (self time), in samples."""
    leaves: Counter = Counter()
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            stack, _, number = line.rpartition(" ")
            if stack and number.isdigit() and categorize(stack) != IDLE:
                leaves[re.sub(r":\d+\)$", ")", stack.split(";")[-1])] += int(number)
    return leaves.most_common(most)


def per_turn(counts: Counter, turns: int) -> list[tuple[str, float, float]]:
    """(category, ms per turn, share of the process's busy samples in %),
    largest first; the idle samples last, their share of all samples."""
    busy = sum(samples for name, samples in counts.items() if name != IDLE) or 1
    rows = [
        (name, round(samples * 1000 / RATE / max(turns, 1), 1), round(100 * samples / busy, 1))
        for name, samples in counts.most_common()
        if name != IDLE
    ]
    if counts.get(IDLE):
        idle = counts[IDLE]
        rows.append((IDLE, round(idle * 1000 / RATE / max(turns, 1), 1), round(100 * idle / (busy + idle), 1)))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--py-spy", required=True, help="the py-spy executable")
    parser.add_argument("--seconds", type=int, default=40, help="sampling duration")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--out", type=Path, default=RESULTS / "profile.json")
    parser.add_argument("--keep-raw", action="store_true", help="keep py-spy's stacks beside --out")
    args = parser.parse_args(argv)

    report: dict = {"loadavg_start": load_average(), "rate_hz": RATE, "processes": {}}
    with tempfile.TemporaryDirectory(prefix="clinibot-profile-") as folder, running_bot(Path(folder)) as bot:
        drive(bot.url, load_scripts.conversations(1, "profile-warmup"), 1, 120)
        outputs = {name: Path(folder) / f"{name}.txt" for name in bot.pids}
        samplers = [
            subprocess.Popen(
                [args.py_spy, "record", "--pid", str(pid), "--rate", str(RATE), "--duration", str(args.seconds)]
                + ["--format", "raw", "--output", str(outputs[name]), "--nonblocking", "--subprocesses"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for name, pid in bot.pids.items()
        ]
        level: dict = {}
        loader = threading.Thread(
            target=lambda: level.update(
                drive(bot.url, load_scripts.conversations(400, "profile"), args.concurrency, args.seconds)
            )
        )
        loader.start()
        for sampler in samplers:
            sampler.wait(timeout=args.seconds + 120)
        loader.join(timeout=300)
        turns = level.get("turns", 0)
        report["load"] = level
        for name, path in outputs.items():
            report["processes"][name] = per_turn(read_raw(path), turns)
            report.setdefault("top_functions", {})[name] = top_functions(path)
            if args.keep_raw:
                args.out.parent.mkdir(parents=True, exist_ok=True)
                (args.out.parent / f"profile-{name}.txt").write_text(path.read_text(encoding="utf-8"), "utf-8")
    report["loadavg_end"] = load_average()
    print(f"{turns} turns in {level.get('wall_s')} s, p50 {level.get('p50_ms')} ms, p95 {level.get('p95_ms')} ms")
    for name, rows in report["processes"].items():
        print(f"\n{name}: ms per turn (share of the process's busy samples; idle: of all)")
        for category, ms, share in rows:
            print(f"  {category:50} {ms:8.1f} ms  {share:5.1f} %")
        print("  most often on top of the stack (samples):")
        for function, samples in report["top_functions"][name]:
            print(f"    {samples:6d}  {function}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
