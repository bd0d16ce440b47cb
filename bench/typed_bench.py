"""How the assistant reads consultations typed as clinicians type: written
consultations (bench/data/consultations.yml: one-sentence
openings, answer by answer, corrections, asides and questions, abbreviations,
typos, survival as ranges and approximations, out-of-scope messages, a
patient's name typed by mistake) played over REST against our trained bot,
served as `make run` serves it. The tracker is read after every message and
its contract slots compared with what the message's text states
(bench/typed_scoring.py). Reported:

(a) messages to the first answer (mean per consultation);
(b) messages misread;
(c) facts written that the text did not state (invented facts).

Targets: 0 invented, under 3 % misread, at most 3 messages to the first answer.
Results: bench/results/typed.json (every message with its verdict) and the
table on standard output.

    python -m bench.typed_bench            # make bench runs it
    python -m bench.typed_bench --only c01 c05
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

from bench.typed_scoring import (
    MAX_MESSAGES,
    Consultation,
    ConsultationResult,
    Expect,
    MessageResult,
    answer,
    buttons_field,
    contract_slots,
    corpus,
    misread_list,
    pick_button,
    score,
    summarize,
    table,
)
from decision import FIELDS
from harness.bots import running_bot

RESULTS = Path(__file__).with_name("results")


class Client(Protocol):
    def send(self, sender: str, text: str) -> list[dict]: ...

    def tracker(self, sender: str) -> dict: ...


def _answered(replies: Sequence[Mapping[str, Any]]) -> bool:
    return any(((reply.get("custom") or {}).get("data") or {}).get("recommendation_ready") for reply in replies)


def play(
    client: Client,
    consultation: Consultation,
    phrasings: Mapping[str, Mapping[Any, Sequence[str]]],
    prefix: str = "bench-typed",
) -> ConsultationResult:
    """Play one consultation; every message scored against the tracker."""
    sender = f"{prefix}-{consultation.id}"
    result = ConsultationResult(consultation.id, consultation.expects_answer)
    state: dict[str, Any] = {"slots": {}, "pending": None, "tries": {}, "buttons": []}

    def send(text: str, expect: Expect, driven: bool, name: str | None = None) -> None:
        replies = client.send(sender, text)
        tracker = client.tracker(sender)
        slots = tracker.get("slots") or {}
        after, pending = contract_slots(slots), slots.get("requested_slot")
        texts = [str(reply.get("text") or "") for reply in replies]
        state["buttons"] = [button for reply in replies for button in reply.get("buttons") or []]
        verdict = score(expect, state["slots"], after, texts, state["pending"], pending)
        message = MessageResult(text, expect.kind, driven, verdict)
        result.messages.append(message)
        if result.to_first_answer is None and _answered(replies):
            result.to_first_answer = len(result.messages)
            message.first_answer = True
        if name and name.lower() in json.dumps(tracker, ensure_ascii=False).lower():
            result.names_kept.append(name)
        state["slots"], state["pending"] = after, pending

    def answer_pending() -> bool:
        """The simulated clinician answers the pending question; False when none can be."""
        pending = state["pending"] if state["pending"] in FIELDS else buttons_field(state["buttons"])
        if pending is None:
            clicked = pick_button(state["buttons"], consultation.case)
            if clicked is not None:
                send(*clicked, driven=True)
                return True
            if state["pending"] is not None:
                result.problems.append(f"question en attente inconnue du banc : {state['pending']}")
            return False
        tries = state["tries"].get(pending, 0)
        text, expect = answer(phrasings, pending, consultation.case.get(pending), len(result.messages), tries)
        send(text, expect, driven=True)
        # typed tries count while the same question stays pending
        state["tries"][pending] = tries + 1 if state["pending"] == pending else 0
        return True

    for entry in consultation.entries:
        if len(result.messages) >= MAX_MESSAGES:
            result.problems.append(f"arrêt après {MAX_MESSAGES} messages")
            break
        if entry.text is not None:
            send(entry.text, entry.expect, driven=False, name=entry.name)
        elif entry.answer == "next":
            answer_pending()
        else:
            while result.to_first_answer is None and len(result.messages) < MAX_MESSAGES:
                if not answer_pending():
                    if state["pending"] is None:
                        result.problems.append("ni question en attente ni réponse")
                    break
    return result


def measure(client: Client, only: Sequence[str] = (), prefix: str = "bench-typed") -> list[ConsultationResult]:
    consultations, phrasings = corpus()
    chosen = [c for c in consultations if not only or c.id in only]
    return [play(client, consultation, phrasings, prefix) for consultation in chosen]


def report(results: Sequence[ConsultationResult]) -> dict[str, Any]:
    return {"summary": summarize(results), "consultations": [asdict(result) for result in results]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=RESULTS / "typed.json")
    parser.add_argument("--only", nargs="*", default=[], help="consultation ids")
    parser.add_argument("--details", action="store_true", help="print every misread message")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir, running_bot(Path(workdir)) as bot:
        results = measure(bot, args.only)
    data = report(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("Consultations écrites comme les cliniciens écrivent (bench/data/consultations.yml) :")
    print(table(data["summary"]))
    if args.details:
        print("\nMessages mal lus :")
        print(misread_list(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
