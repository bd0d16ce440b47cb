"""What the Rasa benchmark measures on a running bot: the memory of its
process trees (from /proc), the time to its first answer, and the latency and
throughput of whole conversations at a given concurrency (harness.load)."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable

from harness.load import run_load, scripted
from harness.rest import send

REQUEST_TIMEOUT_S = 60.0


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
    scripts: list[list[str]],
    done: str | tuple[str, ...],
    concurrency: int,
    count: int,
    budget_s: float,
    prefix: str,
) -> dict:
    """`count` conversations playing `scripts`, `concurrency` at a time, each
    turn timed (harness.load.run_load); a conversation is completed when its
    last answer contains `done`.

    Bounded: no new conversation starts after `budget_s` seconds, and each
    request times out after REQUEST_TIMEOUT_S."""
    conversations = scripted(scripts, done, count, f"{prefix}-{concurrency}-{os.getpid()}")
    result = run_load(
        [url], conversations, concurrency=concurrency, request_timeout=REQUEST_TIMEOUT_S, deadline=budget_s
    )
    summary = result.summary()
    failed = sorted({turn.sender for turn in result.turns if turn.error is not None})
    played = len({turn.sender for turn in result.turns})
    completed = len(result.completed())
    return {
        "concurrency": concurrency,
        "conversations": played,
        "conversations_completed": completed,
        "conversations_without_final_answer": played - completed - len(failed),
        "errors": len(failed),
        "error_samples": [f"{turn.sender}: {turn.error}"[:300] for turn in result.turns if turn.error][:3],
        "turns": summary["turns"],
        "wall_s": summary["wall_s"],
        "turns_per_s": summary["turns_per_s"],
        "p50_ms": summary["p50_ms"],
        "p95_ms": summary["p95_ms"],
        "max_ms": summary["max_ms"],
        "loadavg_after": load_average(),
    }


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


def measure_bot(
    name: str,
    start: Callable[[], contextlib.AbstractContextManager],
    first_text: str,
    conversations: list[list[str]],
    done_marker: str | tuple[str, ...],
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
