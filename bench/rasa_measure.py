"""What the Rasa benchmark measures on a bot it starts: the first
turn after a start, the load right after a start and once warm, turn by turn
(harness.load), and the memory of its process trees (from /proc)."""

from __future__ import annotations

import contextlib
import os
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.load import Conversation, run_load
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
    url: str | list[str],
    conversations: list[Conversation],
    concurrency: int,
    budget_s: float,
) -> dict:
    """Play `conversations`, `concurrency` at a time (harness.load.run_load),
    each turn timed (several URLs: each turn of a conversation to the next
    server, round-robin); a conversation is completed when every answer holds
    what its script expects (our bot: the verdict of the first recommendation).

    Bounded: no new conversation starts after `budget_s` seconds, and each
    request times out after REQUEST_TIMEOUT_S."""
    result = run_load(
        [url] if isinstance(url, str) else url,
        conversations,
        concurrency=concurrency,
        request_timeout=REQUEST_TIMEOUT_S,
        deadline=budget_s,
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
        "problem_samples": result.problems()[:3],
        "turns": summary["turns"],
        "wall_s": summary["wall_s"],
        "turns_per_s": summary["turns_per_s"],
        "p50_ms": summary["p50_ms"],
        "p95_ms": summary["p95_ms"],
        "max_ms": summary["max_ms"],
        "loadavg_after": load_average(),
    }


def timed_turn(url: str, sender: str, text: str) -> float:
    """One message, its round trip in ms (REST webhook)."""
    began = time.monotonic()
    send(url, sender, text, timeout=REQUEST_TIMEOUT_S)
    return round(1000 * (time.monotonic() - began), 1)


Starter = Callable[[], contextlib.AbstractContextManager]
Conversations = Callable[[int, str], list[Conversation]]


@dataclass
class Subject:
    """A bot under measure: how to start it, what to send it, and what was measured."""

    name: str
    start: Starter
    first_text: str
    conversations: Conversations
    log: Callable[[str], None]
    result: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.result = {"name": self.name, "loadavg_before": load_average(), "first_turn_ms": [], "startup_s": []}
        self.tag = f"{self.name}-{os.getpid()}"

    def cold(self, concurrency: int, count: int, budget_s: float) -> None:
        """Started, and right after it says it is ready, `count` conversations
        `concurrency` at a time: the first turns pay whatever was left to load."""
        began = time.monotonic()
        with self.start() as (url, _pids):
            self.result["startup_s"].append(round(time.monotonic() - began, 1))
            level = drive(url, self.conversations(count, f"{self.tag}-cold"), concurrency, budget_s)
        self.result["cold"] = level
        self.log(
            f"  {self.name}, load right after start x{concurrency}: {level['turns']} turns, "
            f"p50 {level['p50_ms']} ms, p95 {level['p95_ms']} ms, {level['turns_per_s']} turns/s, "
            f"{level['errors']} errors, load {level['loadavg_after']}"
        )

    def warm(self, levels: list[tuple[int, int]], budget_s: float) -> None:
        """Started: the first message alone, timed; one untimed warm-up
        conversation; then each level (concurrency, conversations); the
        memory of the servers sampled all along."""
        result = self.result
        began = time.monotonic()
        with self.start() as (url, pids):
            result["startup_s"].append(round(time.monotonic() - began, 1))
            with RssSampler(pids) as sampler:
                result["first_turn_ms"].append(timed_turn(url, f"{self.tag}-first-0", self.first_text))
                result["startup_to_first_answer_s"] = round(time.monotonic() - began, 2)
                result["rss_mb_after_start"] = {k: round(v / 1024, 1) for k, v in sampler.sample().items()}
                self.log(
                    f"  {self.name}: first turn {result['first_turn_ms'][-1]} ms, "
                    f"first answer {result['startup_to_first_answer_s']} s after launch, "
                    f"RSS {result['rss_mb_after_start']} MB"
                )
                # One untimed conversation: what one clinician's consultation warms.
                drive(url, self.conversations(1, f"{self.tag}-warmup"), 1, budget_s)
                result["levels"] = []
                for concurrency, count in levels:
                    level = drive(url, self.conversations(count, f"{self.tag}-{concurrency}"), concurrency, budget_s)
                    result["levels"].append(level)
                    self.log(
                        f"  {self.name} x{concurrency}: {level['turns']} turns in {level['wall_s']} s, "
                        f"p50 {level['p50_ms']} ms, p95 {level['p95_ms']} ms, {level['turns_per_s']} turns/s, "
                        f"{level['errors']} errors, load {level['loadavg_after']}"
                    )
            result["rss_mb_peak"] = {k: round(v / 1024, 1) for k, v in sampler.peak_kb.items()}

    def restart(self, number: int) -> None:
        """Started once more, for its first message alone."""
        began = time.monotonic()
        with self.start() as (url, _pids):
            self.result["startup_s"].append(round(time.monotonic() - began, 1))
            self.result["first_turn_ms"].append(timed_turn(url, f"{self.tag}-first-{number}", self.first_text))
        self.log(f"  {self.name}: first turn after restart {number}: {self.result['first_turn_ms'][-1]} ms")

    def done(self) -> dict:
        self.result["first_turn_median_ms"] = round(statistics.median(self.result["first_turn_ms"]), 1)
        self.result["loadavg_after"] = load_average()
        return self.result


def measure_bots(
    subjects: list[Subject],
    levels: list[tuple[int, int]],
    budget_s: float,
    restarts: int = 3,
    cold: bool = True,
) -> dict[str, dict]:
    """What a clinician lives, on each bot started `restarts` + 1 times, the
    bots taking turns at each step (so that a machine shared with other work
    weighs on both alike):

    1. started, and right after it says it is ready, the highest level of
       load (`levels[-1]`): the cold load (skipped with `cold=False`);
    2. started again: the first message alone, timed (one with a name the
       bot has never seen); one untimed warm-up conversation; then each level
       of `levels` (concurrency, conversations): the warm load;
    3. `restarts` - 1 more starts, each for its first message alone.

    "Ready" is what the harness waits for (harness.bots: the action server's
    /health, then the Rasa server's /). The first turn reported is the median
    of the `restarts` first messages."""
    if cold:
        for subject in subjects:
            subject.cold(*levels[-1], budget_s)
    for subject in subjects:
        subject.warm(levels, budget_s)
    for number in range(1, restarts):
        for subject in subjects:
            subject.restart(number)
    return {subject.name: subject.done() for subject in subjects}
