"""What a message does besides stating facts: it asks, corrects, removes, denies.

A « non » typed in a correction (« ah non pardon, c'est l'humérus »), in a
question (« non ? ») or after the name of another field is not the answer to
the question pending; « retire la perte osseuse » and « je n'ai pas dit ça »
take facts out of the case. The words are in ``lexicon.yml`` (``discourse``);
this module only finds them. Pure Python, no Rasa.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import yaml

from .analysis import cached_analysis
from .fields import BOOLEAN_FIELDS, FIELD_VALUES
from .lexicon import LEXICON_PATH, load_lexicon
from .memo import Memo
from .tokens import ANY_NUMBER, Token, expanded_keys, scan

Phrase = tuple[str, ...]
# Facts that justify an answer rather than change the subject.
BACKGROUND_FIELDS = frozenset({"primary_tumor", "performance_status"})


@functools.cache
def words() -> dict[str, list[Phrase]]:
    """The phrases of lexicon.yml's ``discourse`` and ``out_of_scope`` sections, as keys."""
    with LEXICON_PATH.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    out: dict[str, list[Phrase]] = {}
    for section in ("discourse", "out_of_scope"):
        for name, phrases in raw[section].items():
            if isinstance(phrases, list):
                out[name] = expanded_keys(phrases)
    return out


@functools.cache
def _by_first_key(name: str) -> dict[str, list[Phrase]]:
    """The phrases of ``words()[name]`` by their first key (longest first)."""
    out: dict[str, list[Phrase]] = {}
    phrases = load_lexicon().dont_know_keys if name == DONT_KNOW else words()[name]
    for p in sorted(phrases, key=len, reverse=True):
        out.setdefault(p[0], []).append(p)
    return out


DONT_KNOW = "dont_know"  # « je ne sais pas » (lexicon.yml, answers), for find()


@functools.cache
def raw_section(name: str) -> dict:
    with LEXICON_PATH.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle)[name])


@functools.lru_cache(maxsize=256)
def content(text: str) -> tuple[Token, ...]:
    """The tokens of ``text`` (no typo correction: these words are matched as typed)."""
    return tuple(scan(text))


def matches_at(tokens: Sequence[Token], i: int, phrase: Phrase) -> bool:
    if i + len(phrase) > len(tokens):
        return False
    found = tokens[i : i + len(phrase)]
    return all((key == ANY_NUMBER and t.is_number) or t.key == key for key, t in zip(phrase, found, strict=True))


def find(tokens: Sequence[Token], name: str) -> list[tuple[int, int]]:
    """Token spans [start, end) where one of the phrases of ``words()[name]``
    occurs (the longest at each start)."""
    index = _by_first_key(name)
    numbered = index.get(ANY_NUMBER, [])
    out = []
    for i, t in enumerate(tokens):
        candidates = index.get(t.key, [])
        if t.is_number and numbered:
            candidates = sorted([*candidates, *numbered], key=len, reverse=True)
        for p in candidates:
            if matches_at(tokens, i, p):
                out.append((i, i + len(p)))
                break
    return out


def sentence_starts(tokens: Sequence[Token]) -> list[int]:
    """Indices of the first token of every sentence (after . ! ? ; or a line break)."""
    starts = [0]
    for i, t in enumerate(tokens):
        if t.is_boundary and t.norm in ".!?;\n" and i + 1 < len(tokens):
            starts.append(i + 1)
    return starts


def is_question(text: str) -> bool:
    """Whether the message asks something: a « ? », or a sentence opening with a
    question word (« pourquoi pas une PTH », « quelle dose »)."""
    tokens = content(text)
    if any(t.norm == "?" for t in tokens):
        return True
    openers = words()["question_openers"]
    return any(matches_at(tokens, s, p) for s in sentence_starts(tokens) for p in openers)


def is_correction(text: str) -> bool:
    """Whether the message takes back or restates something said before (« ah non », « pardon »)."""
    return bool(find(content(text), "corrections"))


def _yes_no_phrases() -> list[tuple[Phrase, str]]:
    lex = load_lexicon()
    return list(lex.answers.yes_no) + list(lex.answers.whole.items())


def leading_answer_then_addition(text: str) -> bool:
    """« non, et l'EV est de 8 mois », « oui, au fémur »: a yes or a no opens the
    message and what follows goes on with it (never « non, c'est le tibia »)."""
    tokens = content(text)
    lengths = [len(p) for p, _ in _yes_no_phrases() if matches_at(tokens, 0, p)]
    if not lengths:
        return False
    k = max(lengths)
    while k < len(tokens) and tokens[k].is_boundary and tokens[k].norm in ",;:.":
        k += 1
    return k < len(tokens) and any(matches_at(tokens, k, p) for p in words()["continuations"])


@dataclass(frozen=True)
class Command:
    """A request to take facts out of the case.

    ``fields``: the fields named after the command (cleared, or set unknown when
    ``unknown``); empty for a denial naming nothing (« je n'ai pas dit ça »): the
    facts written by the previous message are meant."""

    kind: str  # "removal" or "denial"
    fields: tuple[str, ...]
    unknown: bool = False


def _fields_in(text: str) -> tuple[str, ...]:
    """Fields named or stated in ``text``, in order."""
    analysis = cached_analysis(text)
    found = [f.field for f in analysis.facts if f.field in FIELD_VALUES]
    found += [f.value for f in analysis.facts if f.field == "field" and f.value in FIELD_VALUES]
    found += sorted(analysis.named)
    return tuple(dict.fromkeys(found))


def _says_dont_know(tokens: Sequence[Token]) -> bool:
    return bool(find(tokens, DONT_KNOW))


# `command` of the last texts (and of those the Rasa server's NLU read: `freetext.reading`).
COMMANDS: Memo[Command | None] = Memo(256)


def command(text: str) -> Command | None:
    """The removal (« retire la perte osseuse ») or denial (« je n'ai jamais dit que
    la perte osseuse était non, je sais pas ») the message makes, if any."""
    return COMMANDS.get(text, lambda: _command(text))


def _command(text: str) -> Command | None:
    tokens = content(text)
    denial = find(tokens, "denials")
    if denial:
        start, end = denial[0]
        rest = text[tokens[end - 1].end :]
        return Command("denial", _fields_in(rest), _says_dont_know(tokens[end:]))
    openers = words()["removal_openers"]
    for s in sentence_starts(tokens):
        k = s
        while k < len(tokens) and (tokens[k].is_boundary or any(matches_at(tokens, k, p) for p in openers)):
            k += max([len(p) for p in openers if matches_at(tokens, k, p)] or [1])
        for p in words()["removals"]:
            if matches_at(tokens, k, p):
                rest = text[tokens[k + len(p) - 1].end :]
                fields = _fields_in(rest)
                if fields:
                    return Command("removal", fields, False)
    return None


def answer_is_blocked(text: str, field: str, stated: Iterable[str], named: Iterable[str]) -> bool:
    """Whether words that only make sense as an answer (« non », « oui », « je ne sais
    pas ») must not be read as the answer to the question about ``field``.

    They are not when the message asks (« non ? »), corrects (« ah non pardon »),
    denies or removes, or speaks of other fields (``stated``: fields of its facts,
    ``named``: fields it names) — but for a yes or a no opening the message that
    the rest adds to (« non, et l'EV est de 8 mois »)."""
    if is_question(text) or command(text) is not None:
        return True
    # The primary and the performance status (« non, c'est un CBNPC », « oui, OMS 1 »)
    # justify the answer, they are no other subject.
    justifying = raw_section("discourse")["justifying"].get(field, [])
    others = (set(stated) | set(named)) - {field, *BACKGROUND_FIELDS, *justifying}
    if is_correction(text) and (field in BOOLEAN_FIELDS or others):
        return True
    return bool(others) and not (field in BOOLEAN_FIELDS and leading_answer_then_addition(text))


def choice_side(text: str) -> int | None:
    """The side a typed reply to a two-value choice picks: 0 for the lower (or
    first) value (« plutôt moins »), 1 for the higher (or second) one (« la
    seconde »), None when it says neither or both. « plus court » is the lower."""
    tokens = content(text)
    low = find(tokens, "choice_low")
    high = find(tokens, "choice_high")
    # « plus court » is one phrase of the lower side: its « plus » is not the higher one.
    high = [h for h in high if not any(a <= h[0] < b for a, b in low)]
    low = [x for x in low if not any(a <= x[0] < b and b - a > x[1] - x[0] for a, b in high)]
    if bool(low) == bool(high):
        return None
    covered = {k for a, b in (*low, *high) for k in range(a, b)}
    fillers = {k for a, b in find(tokens, "choice_fillers") for k in range(a, b)}
    if any(t.is_content and k not in covered and k not in fillers for k, t in enumerate(tokens)):
        return None  # « plus de douleur »: the words say something else
    return 0 if low else 1
