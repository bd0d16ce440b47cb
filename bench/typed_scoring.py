"""How well the assistant reads consultations typed as clinicians type them:
the corpus, the simulated clinician and the scoring. Pure: no Rasa, no server;
`bench/typed_bench.py` plays the corpus over REST.

The corpus (bench/data/consultations.yml) holds written consultations, each
with the whole case the clinician has in mind (`case`, hidden from the
assistant) and the messages typed, each annotated with what its TEXT states,
as a clinician reads it (never from what the bot does):

- `states`: contract field -> value. A list of values is a survival that
  straddles a bracket bound (« autour de 6 mois »): the assistant must ask,
  writing either value is a silent guess. `null` takes a fact back
  (« retire la perte osseuse »): the field must end unset or `unknown`.
- `may`: facts the text implies without stating them (a renal primary is
  often hypervascular): written or not, neither counts.
- `case_after`: fields checked after the message (corrections, undo; `null`
  = unset), e.g. the site that no longer exists on the corrected bone.
- `kind`: opening, answer, correction, question, aside, whatif (« et si … »:
  a hypothesis, never a fact of the case), out_of_scope, greeting.
- `name`: an identifying name typed by mistake, which must not be kept.

Entries `answer: next` (one) and `answer: all` (until the first
recommendation) let the simulated clinician answer the pending question from
`case`, in the free-text phrasings of the corpus's `answers` section (after
two typed answers not taken, it clicks the button, as the trial's clinician
did). A consultation that expects an answer ends with `answer: all`.

Each message is scored from the tracker's contract slots before and after it:

- a fact written (a field whose value changed to a value) that the message
  did not state is invented, and so is a value other than the one stated;
- a message is misread when a fact is invented, a stated fact is not in the
  case after it, an annotated `case_after` field differs, a fact already
  given is lost without a word, a straddling survival is guessed, the reply
  says « Je n'ai pas compris », an out-of-scope message changes the pending
  question (starts the form), or a question, an aside or a hypothesis drops
  or moves the question that was waiting.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from consultation import texts as assistant_texts
from decision import FIELDS
from decision.contract import UNKNOWN, UNKNOWN_ALLOWED

CORPUS = Path(__file__).with_name("data") / "consultations.yml"

KINDS = ("opening", "answer", "correction", "question", "aside", "whatif", "out_of_scope", "greeting")
# Messages that state no fact of the case: the pending question must stay the same.
KEEP_PENDING = ("question", "aside", "whatif", "out_of_scope")
# A change of these fields may clear the facts that depend on them (the site of another bone)…
PARENT_FIELDS = ("situation", "bone", "site")
# … but never these, which hold whatever the lesion.
CASE_WIDE_FIELDS = ("primary_tumor", "life_expectancy", "fit_for_surgery", "performance_status")
DRIVEN = ("next", "all")
# Typed answers to one question the assistant did not take before the clinician clicks its button.
TYPED_TRIES = 2
# Messages of one consultation at most (a loop ends there).
MAX_MESSAGES = 30

TARGETS = {"invented": 0, "misread_pct": 3.0, "mean_to_first_answer": 3.0}

_ABSENT = object()


def _value(raw: Any) -> Any:
    """A contract value as YAML gives it (booleans, "unknown", "1" for OMS)."""
    if isinstance(raw, list):
        return [_value(item) for item in raw]
    return raw


@dataclass(frozen=True)
class Expect:
    """What a message states, as a clinician reads its text."""

    kind: str
    states: Mapping[str, Any] = field(default_factory=dict)
    may: Mapping[str, Any] = field(default_factory=dict)
    case_after: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Entry:
    """One entry of a consultation's script: a typed message, or `answer`
    (the simulated clinician answers the pending question)."""

    text: str | None
    expect: Expect
    answer: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Consultation:
    id: str
    about: str
    case: Mapping[str, Any]
    entries: tuple[Entry, ...]
    expects_answer: bool = True


def _check_fact(where: str, name: str, value: Any, *, allow_list: bool = False, allow_null: bool = False) -> None:
    if name not in FIELDS:
        raise ValueError(f"{where}: unknown field {name!r}")
    values = value if isinstance(value, list) and allow_list else [value]
    for item in values:
        if item is None and allow_null:
            continue
        if item not in FIELDS[name] and not (item == UNKNOWN and name in UNKNOWN_ALLOWED):
            raise ValueError(f"{where}: {name} = {item!r} is not a contract value")


def _entry(where: str, raw: Mapping[str, Any]) -> Entry:
    known = {"say", "kind", "states", "may", "case_after", "name", "answer"}
    if set(raw) - known:
        raise ValueError(f"{where}: unknown keys {sorted(set(raw) - known)}")
    if "answer" in raw:
        if raw["answer"] not in DRIVEN or "say" in raw:
            raise ValueError(f"{where}: `answer` is one of {DRIVEN}, without `say`")
        return Entry(None, Expect("answer"), answer=raw["answer"])
    kind = raw.get("kind", "answer")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind {kind!r} is not one of {KINDS}")
    states = {name: _value(value) for name, value in (raw.get("states") or {}).items()}
    may = {name: _value(value) for name, value in (raw.get("may") or {}).items()}
    case_after = {name: _value(value) for name, value in (raw.get("case_after") or {}).items()}
    for name, value in states.items():
        _check_fact(where, name, value, allow_list=True, allow_null=True)
    for name, value in may.items():
        _check_fact(where, name, value, allow_list=True)
    for name, value in case_after.items():
        _check_fact(where, name, value, allow_null=True)
    if kind in KEEP_PENDING + ("greeting",) and states:
        raise ValueError(f"{where}: a {kind} states no fact")
    text = raw.get("say")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: no text (`say`)")
    return Entry(text, Expect(kind, states, may, case_after), name=raw.get("name"))


def parse_corpus(data: Mapping[str, Any]) -> tuple[list[Consultation], dict[str, dict[Any, list[str]]]]:
    """The consultations and the answer phrasings of a corpus (checked)."""
    phrasings: dict[str, dict[Any, list[str]]] = {}
    for name, values in (data.get("answers") or {}).items():
        if name != "boolean" and name not in FIELDS:
            raise ValueError(f"answers: unknown field {name!r}")
        phrasings[name] = {}
        for raw_value, texts in values.items():
            value = {"true": True, "false": False}.get(str(raw_value), raw_value)
            if name != "boolean":
                _check_fact(f"answers.{name}", name, value)
            phrasings[name][value] = list(texts)
    consultations = []
    seen: set[str] = set()
    for raw in data.get("consultations") or []:
        ident = str(raw["id"])
        if ident in seen:
            raise ValueError(f"consultation {ident} twice")
        seen.add(ident)
        case = {name: _value(value) for name, value in (raw.get("case") or {}).items()}
        for name, value in case.items():
            _check_fact(f"{ident}.case", name, value)
        entries = tuple(_entry(f"{ident}[{number}]", item) for number, item in enumerate(raw.get("messages") or []))
        expects_answer = bool(raw.get("expects_answer", True))
        if expects_answer and (not entries or entries[-1].answer != "all"):
            entries += (Entry(None, Expect("answer"), answer="all"),)
        consultations.append(Consultation(ident, str(raw.get("about", "")), case, entries, expects_answer))
    return consultations, phrasings


@lru_cache(maxsize=1)
def corpus(path: Path = CORPUS) -> tuple[list[Consultation], dict[str, dict[Any, list[str]]]]:
    with open(path, encoding="utf-8") as handle:
        return parse_corpus(yaml.safe_load(handle))


# ------------------------------------------------------------ the clinician


def button(name: str, value: Any) -> str:
    """The payload of the question's button for `value`."""
    return "/inform" + json.dumps({name: value}, ensure_ascii=False)


def answer(
    phrasings: Mapping[str, Mapping[Any, Sequence[str]]], name: str, value: Any, turn: int, tries: int
) -> tuple[str, Expect]:
    """What the simulated clinician types to the question about `name` when
    the case says `value` (None: not in the case, « je ne sais pas »): the
    `turn`-th phrasing in turn, the button after TYPED_TRIES typed tries."""
    if value is None:
        value = UNKNOWN
    states = {name: value} if value != UNKNOWN or name in UNKNOWN_ALLOWED else {}
    if tries >= TYPED_TRIES:
        return button(name, value), Expect("answer", states)
    own = phrasings.get(name, {}).get(value, [])
    generic = phrasings.get("boolean", {}).get(value, []) if FIELDS[name] == (True, False) or value == UNKNOWN else []
    choices = [*own, *generic]
    if not choices:
        return button(name, value), Expect("answer", states)
    return choices[turn % len(choices)], Expect("answer", states)


def _button_facts(item: Mapping[str, Any]) -> dict[str, Any] | None:
    payload = str(item.get("payload") or "")
    if not payload.startswith("/inform{"):
        return None
    try:
        facts = json.loads(payload[len("/inform") :])
    except ValueError:
        return None
    return facts if isinstance(facts, dict) and facts else None


def buttons_field(buttons: Sequence[Mapping[str, Any]]) -> str | None:
    """The contract field the assistant's last buttons all answer, if one
    (its question, when the tracker names none)."""
    fields = {name for item in buttons for name in (_button_facts(item) or {"": None})}
    if len(fields) == 1:
        (name,) = fields
        return name if name in FIELDS else None
    return None


def pick_button(buttons: Sequence[Mapping[str, Any]], case: Mapping[str, Any]) -> tuple[str, Expect] | None:
    """The button a clinician holding `case` clicks among the assistant's last
    ones (a question the bench does not know, such as a choice between two
    survival brackets): the first whose payload sets contract fields to the
    case's values; None when no button fits."""
    for item in buttons:
        facts = _button_facts(item)
        if facts and all(name in FIELDS and case.get(name, UNKNOWN) == value for name, value in facts.items()):
            return str(item["payload"]), Expect("answer", facts)
    return None


# ------------------------------------------------------------ the scoring


@lru_cache(maxsize=1)
def not_understood_prefixes() -> tuple[str, ...]:
    """The openings of the assistant's « not understood » replies (consultation/texts.yml)."""
    messages = assistant_texts.texts()["messages"]
    prefixes = set()
    for key, text in messages.items():
        if key.startswith("not_understood"):
            prefixes.add(text.split("{")[0].split(".")[0].strip())
    return tuple(sorted(prefixes))


def contract_slots(slots: Mapping[str, Any]) -> dict[str, Any]:
    """The tracker's slots that are contract fields and set."""
    return {name: slots[name] for name in FIELDS if slots.get(name) is not None}


@dataclass
class Verdict:
    invented: list[tuple[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def misread(self) -> bool:
        return bool(self.reasons)


def _shown(value: Any) -> str:
    return "—" if value is None else json.dumps(value, ensure_ascii=False)


def score(
    expect: Expect,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    replies: Sequence[str] = (),
    pending_before: str | None = None,
    pending_after: str | None = None,
) -> Verdict:
    """The verdict on one message: `before`/`after` are the contract slots
    set before and after it, `replies` the texts of the assistant's answer."""
    verdict = Verdict()
    names = sorted(set(before) | set(after), key=list(FIELDS).index)
    written = {name: after.get(name) for name in names if after.get(name) != before.get(name)}
    for name, value in written.items():
        if value is None:
            continue
        if name in expect.may and (value == expect.may[name] or value in _as_list(expect.may[name])):
            continue
        if name in expect.case_after and expect.case_after[name] == value:
            continue
        stated = expect.states.get(name, _ABSENT)
        if isinstance(stated, list) and value in stated:
            verdict.reasons.append(
                f"survie à la limite de deux classes, choisie sans demander : {name} = {_shown(value)}"
            )
        elif stated is None and value == UNKNOWN:
            continue
        elif stated is _ABSENT or stated != value:
            verdict.invented.append((name, value))
            said = "" if stated is _ABSENT else f" (le texte dit {_shown(stated)})"
            verdict.reasons.append(f"fait écrit que le texte ne dit pas : {name} = {_shown(value)}{said}")
    for name, value in expect.states.items():
        got = after.get(name)
        if isinstance(value, list):
            continue
        if value is None:
            if got not in (None, UNKNOWN):
                verdict.reasons.append(f"fait retiré resté dans le cas : {name} = {_shown(got)}")
        elif got != value and name not in written:
            verdict.reasons.append(f"fait non lu : {name} = {_shown(value)} (dans le cas : {_shown(got)})")
    for name, value in expect.case_after.items():
        if after.get(name) != value:
            verdict.reasons.append(
                f"cas attendu après la correction : {name} = {_shown(value)}, obtenu {_shown(after.get(name))}"
            )
    parent_changed = any(before.get(name) not in (None, after.get(name)) for name in PARENT_FIELDS)
    for name, value in before.items():
        if name in expect.states or name in expect.case_after or after.get(name) is not None:
            continue
        if not parent_changed or name in CASE_WIDE_FIELDS:
            verdict.reasons.append(f"fait perdu sans correction : {name} (était {_shown(value)})")
    prefixes = not_understood_prefixes()
    if any(prefix in reply for reply in replies for prefix in prefixes):
        verdict.reasons.append("« Je n'ai pas compris » à un message compréhensible")
    if expect.kind == "out_of_scope" and pending_after != pending_before:
        verdict.reasons.append(
            f"message hors champ qui change la question en attente : {pending_before} → {pending_after}"
        )
    elif expect.kind in KEEP_PENDING and pending_before is not None and pending_after != pending_before:
        verdict.reasons.append(f"question en attente perdue : {pending_before} → {pending_after}")
    return verdict


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# ------------------------------------------------------------ the results


@dataclass
class MessageResult:
    text: str
    kind: str
    driven: bool
    verdict: Verdict
    first_answer: bool = False


@dataclass
class ConsultationResult:
    id: str
    expects_answer: bool
    messages: list[MessageResult] = field(default_factory=list)
    to_first_answer: int | None = None
    names_kept: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def summarize(results: Sequence[ConsultationResult]) -> dict[str, Any]:
    messages = [message for result in results for message in result.messages]
    misread = [message for message in messages if message.verdict.misread]
    invented = [fact for message in messages for fact in message.verdict.invented]
    answered = [result.to_first_answer for result in results if result.expects_answer and result.to_first_answer]
    unanswered = [result.id for result in results if result.expects_answer and result.to_first_answer is None]
    by_kind: dict[str, dict[str, int]] = {}
    for message in messages:
        kind = "answer (simulated)" if message.driven else message.kind
        row = by_kind.setdefault(kind, {"messages": 0, "misread": 0, "invented": 0})
        row["messages"] += 1
        row["misread"] += message.verdict.misread
        row["invented"] += len(message.verdict.invented)
    summary: dict[str, Any] = {
        "consultations": len(results),
        "messages": len(messages),
        "typed_messages": sum(not message.driven for message in messages),
        "typed_misread": sum(message.verdict.misread and not message.driven for message in messages),
        "misread": len(misread),
        "misread_pct": round(100 * len(misread) / len(messages), 1) if messages else 0.0,
        "invented": len(invented),
        "mean_to_first_answer": round(statistics.mean(answered), 2) if answered else None,
        "max_to_first_answer": max(answered) if answered else None,
        "answered": len(answered),
        "unanswered": unanswered,
        "names_kept": sum(len(result.names_kept) for result in results),
        "by_kind": by_kind,
    }
    summary["met"] = {
        "invented": summary["invented"] <= TARGETS["invented"],
        "misread_pct": summary["misread_pct"] < TARGETS["misread_pct"],
        "mean_to_first_answer": (
            summary["mean_to_first_answer"] is not None
            and summary["mean_to_first_answer"] <= TARGETS["mean_to_first_answer"]
            and not unanswered
        ),
    }
    return summary


def _number(value: Any) -> str:
    return "—" if value is None else str(value).replace(".", ",")


def table(summary: Mapping[str, Any]) -> str:
    """The measure's table, in French (Markdown)."""
    yes = {True: "oui", False: "NON"}
    met = summary["met"]
    lines = [
        f"{summary['consultations']} consultations écrites, {summary['messages']} messages "
        f"({summary['typed_messages']} rédigés, les autres réponses du clinicien simulé)",
        "",
        "| mesure | valeur | objectif | atteint |",
        "|---|---:|---|---|",
        f"| (a) messages jusqu'à la première réponse, moyenne par consultation "
        f"({summary['answered']} consultations ; maximum {_number(summary['max_to_first_answer'])}) "
        f"| {_number(summary['mean_to_first_answer'])} | ≤ 3 | {yes[met['mean_to_first_answer']]} |",
        f"| (b) messages mal lus | {summary['misread']} ({_number(summary['misread_pct'])} %) | < 3 % "
        f"| {yes[met['misread_pct']]} |",
        f"| dont messages rédigés mal lus | {summary['typed_misread']} sur {summary['typed_messages']} | — | — |",
        f"| (c) faits écrits que le texte ne dit pas | {summary['invented']} | 0 | {yes[met['invented']]} |",
        f"| consultations sans réponse | {len(summary['unanswered'])} | 0 | {yes[not summary['unanswered']]} |",
        f"| noms gardés dans le tracker | {summary['names_kept']} | 0 | {yes[summary['names_kept'] == 0]} |",
        "",
        "| sorte de message | messages | mal lus | faits inventés |",
        "|---|---:|---:|---:|",
    ]
    for kind, row in sorted(summary["by_kind"].items()):
        lines.append(f"| {kind} | {row['messages']} | {row['misread']} | {row['invented']} |")
    return "\n".join(lines)


def misread_list(results: Sequence[ConsultationResult]) -> str:
    """Every misread message with its reasons (what to fix)."""
    lines = []
    for result in results:
        for number, message in enumerate(result.messages, 1):
            if message.verdict.misread:
                lines.append(
                    f"- {result.id} #{number} ({message.kind}) « {message.text} » : "
                    + " ; ".join(message.verdict.reasons)
                )
        lines += [f"- {result.id} : {problem}" for problem in result.problems]
    return "\n".join(lines)


def corpus_problems(consultations: Sequence[Consultation]) -> list[str]:
    """What makes the corpus unusable: a hidden case outside the contract, a
    case that leaves a question of the decision module unanswered (the
    simulated clinician could not answer it), or stated facts that end
    different from the case the clinician has in mind."""
    from decision import recommend
    from decision.contract import CaseError, validate_case

    problems = []
    for consultation in consultations:
        if not consultation.expects_answer:
            continue
        try:
            validate_case(consultation.case)
        except CaseError as error:
            problems.append(f"{consultation.id}: {error}")
            continue
        missing = recommend(consultation.case).missing
        if missing:
            problems.append(f"{consultation.id}: the case does not answer {missing}")
        final: dict[str, Any] = {}
        for entry in consultation.entries:
            if entry.text is None or entry.expect.kind == "whatif":
                continue
            final.update({k: v for k, v in entry.expect.states.items() if not isinstance(v, list)})
            final.update(entry.expect.case_after)
        for name, value in final.items():
            held = consultation.case.get(name)
            if value is None and held in (None, UNKNOWN):
                continue
            if held != value:
                problems.append(f"{consultation.id}: the messages end with {name} = {value!r}, the case says {held!r}")
    return problems
