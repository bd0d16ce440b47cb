"""How long reading a message takes, by its length (a 100,000-character
message once took 48 s over REST, the cost growing with the square of the
length).

    python -m bench.message_bench            # make bench runs it
    python -m bench.message_bench --quick    # 1 and 10 KB only, no server

Three measures:

1. the free-text parser on five short consultation phrasings (mean per message);
2. each step that reads the text of a message, alone, at 1, 10 and 100 KB: the
   identifying-data screen (privacy/screening.py), the free-text parser
   (freetext/), the whole NLU pipeline of the trained model (spaCy, featurizers,
   CaseFactExtractor, DIET); with the growth of the time from one size to the
   next (×10 in length: about ×10 when the step is linear, ×100 when it is
   quadratic);
3. over REST against the servers as `make run` starts them (one new
   conversation per message, `serving.message_cap` in front): 1 and 10 KB are
   read, 100 KB gets the limit in French without being read.

Two kinds of text at each size: French consultation sentences repeated, and
one word with no space (the worst case for patterns that scan words).
Prints tables; writes bench/results/messages.json (not with --quick).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from freetext.parser import extract_facts
from harness.bots import MODEL, running_bot
from privacy import screen
from serving.message_cap import MAX_MESSAGE_CHARS, french_number

RESULTS = Path(__file__).with_name("results")
SIZES = (1_000, 10_000, 100_000)
SENTENCE = "Fracture pathologique du col fémoral droit, espérance de vie 8 mois, patient opérable, pas d'irradiation. "
TEXTS: dict[str, Callable[[int], str]] = {
    "phrases": lambda size: (SENTENCE * (size // len(SENTENCE) + 1))[:size],
    "un mot": lambda size: "x" * size,
}
SHORT_MESSAGES = [
    "fracture du col fémoral, espérance de vie 4 mois",
    "bonjour",
    "CBNPC, métastase lytique diaphysaire du fémur, risque fracturaire, EV 8 mois",
    "pas d'atteinte articulaire, jamais irradié",
    "oui",
]
STEP_BUDGET_S = 120.0  # a step slower than this at one size is not tried at the next


def text_of(kind: str, size: int) -> str:
    text = TEXTS[kind](size).rstrip()
    return text + "." * (size - len(text))  # exactly `size` characters, no trailing space


def seconds(action: Callable[[], Any], repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - start) / repeat


def parser_per_message() -> float:
    for message in SHORT_MESSAGES:
        extract_facts(message)  # warm-up: lexicon loaded
    runs = 200
    return seconds(lambda: [extract_facts(m) for m in SHORT_MESSAGES], runs) / len(SHORT_MESSAGES)


def nlu_parser() -> Callable[[str], Any]:
    """The trained model's NLU pipeline, in this process."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa would print every parse, the 100 KB text included
    logging.getLogger("rasa").setLevel(logging.WARNING)
    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()
    loop.run_until_complete(agent.parse_message("bonjour"))
    return lambda text: loop.run_until_complete(agent.parse_message(text))


def growth(times: list[float | None]) -> list[float | None]:
    return [round(b / a, 1) if a and b else None for a, b in zip(times, times[1:], strict=False)]


def steps(sizes: tuple[int, ...], with_nlu: bool) -> list[dict[str, Any]]:
    measured: dict[str, Callable[[str], Any]] = {
        "privacy.screen": screen,
        "freetext extract_facts": extract_facts,
    }
    if with_nlu:
        measured["NLU (modèle entraîné)"] = nlu_parser()
    rows = []
    for name, step in measured.items():
        for kind in TEXTS:
            times: list[float | None] = []
            for size in sizes:
                if times and (times[-1] is None or times[-1] > STEP_BUDGET_S / 10):
                    times.append(None)  # would take too long: the growth so far says why
                    continue
                text = text_of(kind, size)
                times.append(seconds(functools.partial(step, text)))
            rows.append({"step": name, "text": kind, "seconds": times, "growth": growth(times)})
    return rows


def over_rest(sizes: tuple[int, ...]) -> list[dict[str, Any]]:
    rows = []
    with running_bot(Path(tempfile.mkdtemp(prefix="clinibot-message-bench-"))) as bot:
        bot.send("warm-up", "bonjour")
        for kind in TEXTS:
            times: list[float | None] = []
            read: list[bool] = []
            for number, size in enumerate(sizes):
                text = text_of(kind, size)
                start = time.perf_counter()
                replies = bot.send(f"bench-{kind}-{number}", text)
                times.append(time.perf_counter() - start)
                read.append(not any("caractères au plus" in (reply.get("text") or "") for reply in replies))
            rows.append({"text": kind, "seconds": times, "read": read, "growth": growth(times)})
    return rows


def cell(value: float | None) -> str:
    """Milliseconds, French style: 1 234,5."""
    return "—" if value is None else f"{value * 1000:,.1f}".replace(",", "\u202f").replace(".", ",")


def size_label(size: int) -> str:
    return f"{size // 1000} Ko"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 and 10 KB, no trained model, no server")
    args = parser.parse_args(argv)
    sizes = SIZES[:2] if args.quick else SIZES

    per_message = parser_per_message()
    print(f"Lecteur du français libre : {per_message * 1000:.3f} ms par message court (objectif : bien moins de 1 ms)")

    step_rows = steps(sizes, with_nlu=not args.quick)
    header = " | ".join(size_label(size) for size in sizes)
    print(f"\nChaque étape seule, en ms ({header}) et croissance (×10 en longueur : ≈ ×10 si linéaire)")
    for row in step_rows:
        print(
            f"  {row['step']:<26} {row['text']:<8} "
            + "  ".join(cell(value) for value in row["seconds"])
            + "   croissance "
            + ", ".join("—" if g is None else f"×{g:g}".replace(".", ",") for g in row["growth"])
        )

    rest_rows = [] if args.quick else over_rest(sizes)
    if rest_rows:
        cap = french_number(MAX_MESSAGE_CHARS)
        print(f"\nPar REST (serveurs de `make run`, plafond {cap} caractères), en ms ({header})")
        for row in rest_rows:
            print(
                f"  {row['text']:<8} "
                + "  ".join(
                    f"{cell(t)}{'' if r else ' (non lu)'}" for t, r in zip(row["seconds"], row["read"], strict=True)
                )
            )

    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        result = {
            "sizes": list(sizes),
            "parser_ms_per_short_message": round(per_message * 1000, 4),
            "steps": step_rows,
            "rest": rest_rows,
            "max_message_chars": MAX_MESSAGE_CHARS,
            "python": platform.python_version(),
        }
        (RESULTS / "messages.json").write_text(
            json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
