"""Many consultations over REST, timed turn by turn: the one load driver of
the scale tests (`tests/scale/`) and the benchmarks (`bench/`):

    from harness.load import consultations, run_load
    result = run_load([bot.url], consultations(50))               # all at once
    result = run_load([bot.url], scripted(...), concurrency=20)   # 20 at a time
    result.summary()   # {'turns': …, 'p50_ms': …, 'p95_ms': …, 'turns_per_s': …, …}
    result.problems()  # [] when every answer arrived and was the expected one

Each conversation is a complete consultation in free French text with its own
case facts (bone, site, life expectancy, fitness for surgery): the first
message states the case, then every question the form asks is a yes/no one
answered "non". The script and the expected answers are computed with
`consultation.progress`, which paces the bot (the questions it asks, when
the answer comes, how a change is said), so an answer that belongs to
another conversation is detected.

Only loopback URLs are expected; every request has a timeout and the whole
run a deadline.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from consultation import progress
from consultation.texts import field_text
from decision import FIELDS, recommend
from decision.contract import BOOLEAN
from harness.rest import send

__all__ = ["Turn", "Conversation", "TurnResult", "LoadResult", "consultations", "scripted", "run_load", "percentile"]

# (bone, site, words): each phrase names the bone and the site unambiguously.
LOCATIONS = [
    ("femur", "neck", "du col fémoral"),
    ("femur", "head", "de la tête fémorale"),
    ("femur", "diaphysis", "de la diaphyse fémorale"),
    ("femur", "subtrochanteric", "sous-trochantérienne du fémur"),
    ("femur", "trochanteric", "pertrochantérienne du fémur"),
    ("femur", "distal", "du fémur distal"),
    ("humerus", "proximal", "de l'humérus proximal"),
    ("humerus", "diaphysis", "de la diaphyse humérale"),
    ("humerus", "distal", "de l'humérus distal"),
    ("tibia", "proximal", "du tibia proximal"),
    ("tibia", "diaphysis", "de la diaphyse tibiale"),
    ("tibia", "distal", "du tibia distal"),
    ("radius", None, "du radius"),
    ("ulna", None, "du cubitus"),
    ("fibula", None, "du péroné"),
    ("metacarpal", None, "du métacarpe"),
    ("metatarsal", None, "du métatarse"),
    ("acetabulum", None, "du cotyle"),
]

# (class, unit, numbers): "espérance de vie <n> <unit>" falls in the class.
LIFE_EXPECTANCIES = [
    ("lt_6_weeks", "semaines", (2, 3, 4, 5)),
    ("6_weeks_to_6_months", "mois", (2, 3, 4, 5)),
    ("6_to_12_months", "mois", (7, 8, 9, 10, 11)),
    ("gt_12_months", "ans", (2, 3, 4, 5)),
]


@dataclass(frozen=True)
class Turn:
    text: str
    # A piece of text the bot's answer to this turn must contain; several: any of them.
    expect: str | tuple[str, ...] = ""

    def answered_by(self, answer: str) -> bool:
        return any(piece in answer for piece in ((self.expect,) if isinstance(self.expect, str) else self.expect))


@dataclass(frozen=True)
class Conversation:
    sender: str
    turns: list[Turn]
    case: dict[str, Any] = field(default_factory=dict)  # every contract slot at the end
    recommendation: dict[str, Any] = field(default_factory=dict)  # decision.recommend(case).to_dict()


def _script(sender: str, first_message: str, facts: dict[str, Any]) -> Conversation:
    """The turns of a consultation that states `facts`, then answers "non" to
    each question the form asks (all yes/no for these cases), paced as the
    bot paces it (`consultation.progress`): the questions that settle the
    answer, the answer, then the « pour affiner » ones, each answer saying
    what it changed."""
    case = dict(facts)
    turns: list[Turn] = []
    text = first_message
    given: dict[str, Any] | None = None
    for _ in range(len(FIELDS) + 1):
        said = progress.turn(case, given)
        given = said.recommendation or given
        asked = progress.next_question(case)
        if asked is None:
            # Its first paragraph: Rasa's channels send each paragraph as its own message.
            turns.append(Turn(text, said.messages[0].split("\n\n")[0] if said.messages else ""))
            break
        if FIELDS[asked] != BOOLEAN:
            raise ValueError(f"{sender}: the form would ask {asked!r}, which 'non' does not answer")
        turns.append(Turn(text, field_text(asked)["question"]))
        case[asked] = False
        text = "non"
    else:  # pragma: no cover - the questions always end
        raise RuntimeError(f"{sender}: the form never ends")
    return Conversation(sender, turns, case, recommend(case).to_dict())


def consultations(count: int, prefix: str = "load") -> list[Conversation]:
    """`count` complete consultations, no two with the same case facts (at most
    len(LOCATIONS) × len(LIFE_EXPECTANCIES) × 2 = 144)."""
    combinations = []
    for fit in (True, False):
        for index in range(len(LOCATIONS) * len(LIFE_EXPECTANCIES)):
            # walk the grid diagonally so the first conversations differ in everything
            location = LOCATIONS[index % len(LOCATIONS)]
            life = LIFE_EXPECTANCIES[(index // len(LOCATIONS) + index) % len(LIFE_EXPECTANCIES)]
            combinations.append((location, life, fit))
    if count > len(combinations):
        raise ValueError(f"at most {len(combinations)} distinct consultations")
    result = []
    for number, ((bone, site, where), (life_class, unit, numbers), fit) in enumerate(combinations[:count]):
        amount = numbers[number % len(numbers)]
        message = (
            f"fracture pathologique {where}, espérance de vie {amount} {unit}, {'opérable' if fit else 'inopérable'}"
        )
        facts: dict[str, Any] = {
            "situation": "pathological_fracture",
            "bone": bone,
            "life_expectancy": life_class,
            "fit_for_surgery": fit,
        }
        if site is not None:
            facts["site"] = site
        result.append(_script(f"{prefix}-{number:03d}", message, facts))
    return result


def scripted(
    scripts: Sequence[Sequence[str]], done: str | tuple[str, ...], count: int, prefix: str
) -> list[Conversation]:
    """`count` conversations playing `scripts` in turn, each under its own
    sender; only the last answer is checked: it contains `done` (any of them)."""
    result = []
    for number in range(count):
        texts = scripts[number % len(scripts)]
        turns = [Turn(text) for text in texts[:-1]] + [Turn(texts[-1], done)]
        result.append(Conversation(f"{prefix}-{number:03d}", turns))
    return result


# --------------------------------------------------------------------------- load


@dataclass
class TurnResult:
    sender: str
    index: int
    url: str
    started: float  # time.monotonic()
    seconds: float
    texts: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class LoadResult:
    conversations: list[Conversation]
    turns: list[TurnResult]
    wall_seconds: float
    unfinished: list[str]  # senders of the conversations started and not finished before the deadline
    not_started: list[str] = field(default_factory=list)  # with a concurrency limit, left when the deadline came

    def latencies(self) -> list[float]:
        return [turn.seconds for turn in self.turns if turn.error is None]

    def summary(self) -> dict[str, Any]:
        """Per-turn latency (answer to a user message) and throughput."""
        latencies = self.latencies()
        done = len(latencies)
        return {
            "conversations": len(self.conversations),
            "turns": done,
            "errors": sum(1 for turn in self.turns if turn.error is not None),
            "unfinished": len(self.unfinished),
            "not_started": len(self.not_started),
            "wall_s": round(self.wall_seconds, 2),
            "turns_per_s": round(done / self.wall_seconds, 2) if self.wall_seconds else 0.0,
            "mean_ms": round(1000 * statistics.fmean(latencies), 1) if latencies else None,
            "p50_ms": round(1000 * percentile(latencies, 50), 1) if latencies else None,
            "p95_ms": round(1000 * percentile(latencies, 95), 1) if latencies else None,
            "max_ms": round(1000 * max(latencies), 1) if latencies else None,
        }

    def _problems_by_sender(self) -> dict[str, list[str]]:
        """Every missing, failed or unexpected answer, by conversation."""
        found: dict[str, list[str]] = {sender: ["not finished before the deadline"] for sender in self.unfinished}
        by_sender = {conversation.sender: conversation for conversation in self.conversations}
        for turn in self.turns:
            expected = by_sender[turn.sender].turns[turn.index]
            where = f"turn {turn.index} ({expected.text!r} → {turn.url})"
            if turn.error is not None:
                problem = f"{where}: {turn.error}"
            elif not turn.texts:
                problem = f"{where}: no answer"
            elif not expected.answered_by("\n".join(turn.texts)):
                problem = f"{where}: expected {expected.expect!r} in {turn.texts!r}"
            else:
                continue
            found.setdefault(turn.sender, []).append(problem)
        for conversation in self.conversations:
            answered = sum(1 for turn in self.turns if turn.sender == conversation.sender)
            skipped = conversation.sender in self.unfinished or conversation.sender in self.not_started
            if answered != len(conversation.turns) and not skipped:
                found.setdefault(conversation.sender, []).append(f"{answered} of {len(conversation.turns)} turns sent")
        return found

    def problems(self) -> list[str]:
        """Every missing, failed or unexpected answer (empty when all is well)."""
        return [f"{sender}: {problem}" for sender, found in self._problems_by_sender().items() for problem in found]

    def completed(self) -> list[str]:
        """Senders of the conversations played whose every turn got the expected answer."""
        spoiled = self._problems_by_sender()
        played = {turn.sender for turn in self.turns}
        return [c.sender for c in self.conversations if c.sender in played and c.sender not in spoiled]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile, linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def run_load(
    urls: Sequence[str],
    conversations: Sequence[Conversation],
    *,
    concurrency: int | None = None,
    request_timeout: float = 120.0,
    deadline: float = 600.0,
) -> LoadResult:
    """Play the conversations, `concurrency` at a time (default: all at once),
    the players released together.

    Turn i of conversation c goes to urls[(i + c) % len(urls)]: with two Rasa
    servers, every conversation alternates between them. A conversation stops
    at its first failed turn; no conversation starts after `deadline` seconds,
    and the run waits no longer. Returns the timings and answers; nothing
    raises for a failed answer (see LoadResult.problems()).
    """
    if not urls:
        raise ValueError("no server URL")
    players = min(concurrency or len(conversations), len(conversations))
    results: list[TurnResult] = []
    lock = threading.Lock()
    barrier = threading.Barrier(players + 1)
    queue = list(enumerate(conversations))
    started_senders: set[str] = set()
    finished_senders: set[str] = set()
    end = float("inf")

    def play(number: int, conversation: Conversation) -> None:
        for index, turn in enumerate(conversation.turns):
            url = urls[(index + number) % len(urls)]
            started = time.monotonic()
            outcome = TurnResult(conversation.sender, index, url, started, 0.0)
            try:
                replies = send(url, conversation.sender, turn.text, timeout=request_timeout)
                outcome.texts = [
                    reply.get("text", "")
                    for reply in replies
                    if reply.get("recipient_id", conversation.sender) == conversation.sender
                ]
                if len(outcome.texts) != len(replies):
                    outcome.error = f"answer addressed to another conversation: {replies!r}"
            except Exception as error:  # noqa: BLE001 - reported, not raised
                outcome.error = f"{type(error).__name__}: {error}"
            outcome.seconds = time.monotonic() - started
            with lock:
                results.append(outcome)
            if outcome.error is not None:
                return

    def player() -> None:
        try:
            barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            return
        while True:
            with lock:
                if not queue or time.monotonic() > end:
                    return
                number, conversation = queue.pop(0)
                started_senders.add(conversation.sender)
            play(number, conversation)
            with lock:
                finished_senders.add(conversation.sender)

    threads = [threading.Thread(target=player, daemon=True, name=f"load-{number}") for number in range(players)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    started = time.monotonic()
    end = started + deadline
    for thread in threads:
        thread.join(timeout=max(0.0, end - time.monotonic()))
    wall = time.monotonic() - started
    with lock:
        turns = sorted(results, key=lambda turn: (turn.sender, turn.index))
        unfinished = [c.sender for c in conversations if c.sender in started_senders - finished_senders]
        not_started = [c.sender for c in conversations if c.sender not in started_senders]
    return LoadResult(list(conversations), turns, wall, unfinished, not_started)
