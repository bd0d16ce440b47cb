"""The typed consultations of the speed measure, as fixed scripts.

bench/data/load_consultations.yml holds consultations typed as clinicians
type them (whole-case openings, names and dates of birth, abbreviations,
corrections, button answers), in the format of bench/data/consultations.yml.
Before any load starts, each consultation becomes a fixed list of texts: each
`answer: next` / `answer: all` is resolved with `consultation.progress` from
the facts the messages state, as the bot paces the form, and answered with
the phrasings of that corpus's simulated clinician (bench/typed_scoring.py).
So the same texts go to our bot and to Rasa's starter bot, and the load does
not read any tracker between turns: only the turns are timed.

The turn at which the first recommendation is due expects its verdict (the
first line the bot would say); a conversation whose answers drift from the
script is counted, not timed differently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.typed_scoring import MAX_MESSAGES, Consultation, Expect, answer, corpus, parse_corpus
from consultation import progress
from harness.load import Conversation, Turn

LOAD_CORPUS = Path(__file__).with_name("data") / "load_consultations.yml"

# The first message after a start: an opening with a capitalised name the
# bot has never seen (the privacy screen's recogniser must read it).
FIRST_TURN_TEXT = (
    "Mme Trévidic Maryvonne, née le 14/05/1950, métastase pulmonaire, fracture pathologique de la diaphyse humérale"
)


def _apply(state: dict[str, Any], expect: Expect) -> None:
    for facts in (expect.states, expect.case_after):
        for name, value in facts.items():
            if isinstance(value, list):  # a straddling survival: the bot asks, nothing is known yet
                continue
            if value is None:
                state.pop(name, None)
            else:
                state[name] = value


def resolve(
    consultation: Consultation, phrasings: Mapping[str, Mapping[Any, Sequence[str]]]
) -> tuple[list[str], int | None, str]:
    """The texts of one consultation, the index of the turn at which the first
    recommendation is due (None: never), and the first line it says."""
    state: dict[str, Any] = {}
    texts: list[str] = []
    due_at: int | None = None
    verdict = ""

    def sent(text: str, expect: Expect) -> None:
        nonlocal due_at, verdict
        texts.append(text)
        _apply(state, expect)
        if due_at is None and progress.answer_due(state):
            due_at = len(texts) - 1
            said = progress.turn(state, None)
            verdict = said.messages[0].split("\n")[0].split(" — ")[0] if said.messages else ""

    def answer_next() -> bool:
        asked = progress.next_question(state)
        if asked is None:
            return False
        sent(*answer(phrasings, asked, consultation.case.get(asked), len(texts), 0))
        return True

    for entry in consultation.entries:
        if entry.text is not None:
            sent(entry.text, entry.expect)
        elif entry.answer == "next":
            answer_next()
        else:
            while due_at is None and len(texts) < MAX_MESSAGES and answer_next():
                pass
    return texts, due_at, verdict


def load_scripts(path: Path = LOAD_CORPUS) -> list[tuple[str, list[str], int | None, str]]:
    """(id, texts, turn at which the answer is due, its first line) for each consultation."""
    import yaml

    with open(path, encoding="utf-8") as handle:
        consultations, _ = parse_corpus(yaml.safe_load(handle))
    _, phrasings = corpus()
    return [(c.id, *resolve(c, phrasings)) for c in consultations]


def conversations(count: int, prefix: str, *, expect: bool = True) -> list[Conversation]:
    """`count` conversations playing the scripts in turn, each under its own
    sender; with `expect`, the turn of the first answer must contain its
    first line (our bot; the starter bot answers whatever)."""
    scripts = load_scripts()
    result = []
    for number in range(count):
        ident, texts, due_at, verdict = scripts[number % len(scripts)]
        turns = [Turn(text, verdict if expect and index == due_at else "") for index, text in enumerate(texts)]
        result.append(Conversation(f"{prefix}-{ident}-{number:03d}", turns))
    return result
