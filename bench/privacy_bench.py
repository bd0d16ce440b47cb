"""Cost of screening identifying data (privacy/screening.py), per message.

    python -m bench.privacy_bench [--quick]

Measures, with the screen's cache emptied before each message (the cost of a
message seen for the first time): the French recogniser's loading (once per
process), the identifying-data set (tests/privacy/identifying.yml), the
consultation phrasings of the data and tests, the events of a consultation
turn as the tracker store screens them, and long messages of 1, 10 and
100 KB. Prints a table and writes bench/results/privacy.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from paths import ROOT

RESULTS = Path(__file__).with_name("results")


def _clear() -> None:
    from privacy import recogniser, screening

    screening._screen_cached.cache_clear()
    screening._screen_long.cache_clear()
    recogniser._sentence_cache.clear()


def timed(items: list[Any], work: Callable[[Any], Any]) -> dict[str, float]:
    """Milliseconds per item: mean, median, 95th percentile, maximum."""
    times = []
    for item in items:
        _clear()
        start = time.perf_counter()
        work(item)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "count": len(times),
        "mean_ms": round(statistics.fmean(times), 2),
        "p50_ms": round(times[len(times) // 2], 2),
        "p95_ms": round(times[int(len(times) * 0.95)], 2),
        "max_ms": round(times[-1], 2),
    }


def turn_events() -> list[Any]:
    """The events a consultation turn writes: the user's message, the bot's
    replies (the recommendation), its slots."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    from consultation.render import short_answer
    from decision import recommend

    case = {
        "situation": "pathological_fracture",
        "bone": "femur",
        "site": "neck",
        "life_expectancy": "6_to_12_months",
        "fit_for_surgery": True,
    }
    rec = recommend(case).to_dict()
    text = "oui, il est opérable, vu avec le Dr Martin en RCP"
    return [
        UserUttered(text, {"name": "affirm", "confidence": 0.98}, [], {"text": text, "entities": []}),
        ActionExecuted("action_validate_slot_mappings"),
        BotUttered("Noté : intervention et anesthésie possibles : Oui."),
        SlotSet("fit_for_surgery", True),
        BotUttered(short_answer(rec)),
        SlotSet("recommendation", rec),
        ActionExecuted("action_listen"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small sample (smoke test)")
    args = parser.parse_args(argv)

    from harness.phrasings import consultation_phrasings
    from privacy import screen
    from records.store import screened_event_data

    start = time.perf_counter()
    screen("Patient Jean Dupont")
    load_s = time.perf_counter() - start

    messages = yaml.safe_load((ROOT / "tests/privacy/identifying.yml").read_text(encoding="utf-8"))["messages"]
    identifying = [item["text"] for item in messages]
    phrasings = [text for _, text in consultation_phrasings()]
    events = [event.as_dict() for event in turn_events()]
    if args.quick:
        identifying, phrasings = identifying[:20], phrasings[:50]
    result: dict[str, Any] = {"recogniser_load_s": round(load_s, 2)}
    result["identifying_set"] = timed(identifying, screen)
    result["consultation_phrasings"] = timed(phrasings, screen)
    turns = [events] * (3 if args.quick else 20)
    result["turn_events"] = timed(turns, lambda turn: [screened_event_data(event) for event in turn])
    result["turn_events"]["events_per_turn"] = len(events)
    # long messages: the identifying set's messages one after the other (names on every line)
    for size in (1, 10) if args.quick else (1, 10, 100):
        lines: list[str] = []
        length = 0
        while length < size * 1024:  # numbered: no two lines alike
            lines.append(f"{len(lines)}. {identifying[len(lines) % len(identifying)]}")
            length += len(lines[-1]) + 1
        text = "\n".join(lines)[: size * 1024]
        result[f"message_{size}_kb"] = timed([text], screen)

    print("Screening of identifying data (privacy/screening.py), caches emptied before each message:")
    print(f"  French recogniser loaded in {result['recogniser_load_s']} s (once per process)")
    for key, label in (
        ("identifying_set", "identifying-data set"),
        ("consultation_phrasings", "consultation phrasings"),
        ("turn_events", "events of a turn (tracker store)"),
    ):
        r = result[key]
        print(f"  {label:34} {r['count']:5} × : mean {r['mean_ms']} ms, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms")
    for size in (1, 10, 100):
        if f"message_{size}_kb" in result:
            print(f"  message of {size:3} KB: {result[f'message_{size}_kb']['mean_ms']} ms")
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "privacy.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
