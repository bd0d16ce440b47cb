"""The scale path measured: turns per second per Rasa server added.

    python -m bench.scale_bench                 # make bench-scale: 1 then 2 Rasa servers
    python -m bench.scale_bench --servers 3     # 1, 2, then 3

The deployment of docs/scale.md on this machine: a throwaway PostgreSQL
(tracker store `records.store.ScreenedSQLTrackerStore`) and a throwaway Redis
(lock store `serving.lock_store.AtomicRedisLockStore`), both on free loopback
ports (tests/support/services.py and the endpoints of tests/support/faults.py,
as the scale tests start them), one action
server and N Rasa servers started together (harness.bots.running_bots, same
launch recipe as `make run`). After one untimed warm-up conversation on each
server, the typed consultations of the speed bench (bench/load_scripts.py),
20 simultaneous conversations, are sent to the first 1, 2, … N servers, each
turn of a conversation to the next server (round-robin, as a load balancer
without sticky sessions would). Reported: turns per second, p50 and p95 for
each number of servers, and the turns per second each added server brings.

All servers run on the same 2 cores: a server added here shares the cores of
the others, so the gain measured is a floor for servers on their own machines.
Written to bench/results/scale.json; bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench import load_scripts
from bench.rasa_measure import drive, load_average
from harness.bots import running_bots

RESULTS = Path(__file__).with_name("results")


def per_server_added(levels: list[dict]) -> list[float | None]:
    """Turns per second each server brings over one fewer (None for the first)."""
    gains: list[float | None] = [None]
    for before, after in zip(levels, levels[1:], strict=False):
        gains.append(round(after["turns_per_s"] - before["turns_per_s"], 2))
    return gains


def markdown(levels: list[dict]) -> str:
    lines = [
        "| serveurs Rasa | tours/s | gain par serveur ajouté | p50 (ms) | p95 (ms) | erreurs et hors script |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for level, gain in zip(levels, per_server_added(levels), strict=True):
        cells = [
            level["servers"],
            level["turns_per_s"],
            "—" if gain is None else f"{gain:+.2f}",
            level["p50_ms"],
            level["p95_ms"],
            level["errors"] + level["conversations_without_final_answer"],
        ]
        lines.append("| " + " | ".join(str(cell).replace(".", ",") for cell in cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    # The scale tests' throwaway servers and docs/scale.md's endpoints (secrets from the environment).
    from tests.support.faults import STORES
    from tests.support.services import postgres_server, redis_server

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", type=int, default=2, help="Rasa servers at most (measured 1, 2, … N)")
    parser.add_argument("--conversations", type=int, default=80, help="conversations per measure")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--budget", type=float, default=180.0, help="seconds per measure at most")
    parser.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    args = parser.parse_args(argv)

    def log(text: str) -> None:
        print(text, flush=True)

    began = time.monotonic()
    report: dict = {"when": time.strftime("%Y-%m-%d %H:%M:%S %z"), "loadavg_start": load_average(), "levels": []}
    log(f"Scale bench: 1 to {args.servers} Rasa servers, load average {report['loadavg_start']}")
    with (
        tempfile.TemporaryDirectory(prefix="clinibot-scale-") as workdir,
        postgres_server() as pg,
        redis_server() as redis,
    ):
        env = {
            "DB_HOST": pg.host,
            "DB_USER": pg.user,
            "DB_PASSWORD": pg.password,
            "REDIS_HOST": redis.host,
            "REDIS_PASSWORD": redis.password,
        }
        stores = STORES.format(pg=pg, redis=redis)
        with running_bots(Path(workdir), args.servers, stores_yaml=stores, extra_env=env) as bots:
            report["startup_s"] = round(time.monotonic() - began, 1)
            log(f"  {args.servers} servers ready after {report['startup_s']} s")
            urls = [bot.url for bot in bots]
            tag = f"scale-{os.getpid()}"
            for number, url in enumerate(urls):
                drive(url, load_scripts.conversations(1, f"{tag}-warmup-{number}"), 1, args.budget)
            for count in range(1, args.servers + 1):
                conversations = load_scripts.conversations(args.conversations, f"{tag}-{count}")
                level = {**drive(urls[:count], conversations, args.concurrency, args.budget), "servers": count}
                report["levels"].append(level)
                log(
                    f"  {count} server(s): {level['turns']} turns, {level['turns_per_s']} turns/s, "
                    f"p50 {level['p50_ms']} ms, p95 {level['p95_ms']} ms, {level['errors']} errors, "
                    f"load {level['loadavg_after']}"
                )
    report["per_server_added"] = per_server_added(report["levels"])
    report["markdown"] = markdown(report["levels"])
    report["loadavg_end"] = load_average()
    report["duration_s"] = round(time.monotonic() - began, 1)
    log("")
    log(report["markdown"])
    log(
        f"Load average: start {report['loadavg_start']}, end {report['loadavg_end']} ({os.cpu_count()} CPUs, "
        f"all servers on them). Duration {report['duration_s']} s."
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"Written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
