"""Tokens of a message and of a lexicon phrase.

A message is cut into words, numbers, symbols and boundaries (punctuation).
Words are compared in a matching form: lower case, no accents, no final plural
s/x ("Fémurs" and "femur" match). Lexicon phrases go through the same
tokenizer, with "(a|b|)" alternations expanded first.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum

from text_to_num import text2num

from .fields import Fact


class TokenKind(Enum):
    WORD = "word"
    NUMBER = "number"
    SYMBOL = "symbol"  # < > ≤ ≥ ~ / % + = #
    BOUNDARY = "boundary"  # punctuation that ends a clause or a sentence


_TOKEN_RE = re.compile(
    r"(?P<number>\d+(?:[.,]\d+)?)"
    r"|(?P<word>(?:[^\W\d_]|[\u0300-\u036f])+)"
    r"|(?P<symbol>[<>≤≥~/%+=#])"
    r"|(?P<boundary>[.;!?:,\n\r])"
)


_KIND_OF_GROUP = {kind.value: kind for kind in TokenKind}
WORD, NUMBER, BOUNDARY = TokenKind.WORD, TokenKind.NUMBER, TokenKind.BOUNDARY


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    norm: str  # lower case, no accents (numbers: canonical digits)
    key: str  # form used for matching: singular, typo-corrected
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.kind is WORD

    @property
    def is_number(self) -> bool:
        return self.kind is NUMBER

    @property
    def is_boundary(self) -> bool:
        return self.kind is BOUNDARY

    @property
    def is_content(self) -> bool:
        """A word or a number (not a symbol or punctuation)."""
        return self.kind is WORD or self.kind is NUMBER


def unaccented(text: str) -> str:
    """Lower case without accents: « Fémur » -> « femur ». The project's one
    accent folding (records and consultation use it), but for the channels':
    the Matrix bridge runs in its own environment and imports none of this."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65536)
def normalize(word: str) -> str:
    """Lower case, accents removed, ligatures spelt out."""
    return unaccented(word).replace("œ", "oe").replace("æ", "ae")


def canon(norm: str) -> str:
    """Matching form of a normalized word: a final plural s/x is dropped."""
    return norm[:-1] if len(norm) >= 4 and norm[-1] in "sx" else norm


def number_key(raw: str) -> str:
    """Canonical digits of a number ("4,0" -> "4", "2,5" -> "2.5")."""
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return raw
    if value.is_integer() and value < 1e15:
        return str(int(value))
    return repr(value)


@functools.lru_cache(maxsize=8192)
def word_number(words: str) -> int | None:
    """Value of French number words ("trois", "vingt et un"), else None."""
    try:
        value = text2num(words, "fr")
    except ValueError:  # text2num's answer to anything that is not a number
        return None
    return value if isinstance(value, int) else None


def is_number_word(norm: str) -> bool:
    return norm.isalpha() and word_number(norm) is not None


def _normalized(text: str) -> Iterator[tuple[TokenKind, str, re.Match[str]]]:
    """(kind, normalized form, match) of every token of ``text``."""
    for m in _TOKEN_RE.finditer(text):
        kind, raw = _KIND_OF_GROUP[m.lastgroup or ""], m.group()
        if kind is WORD:
            norm = normalize(raw)
            if not norm:
                continue
        elif kind is NUMBER:
            norm = number_key(raw)
        elif kind is BOUNDARY:
            norm = "\n" if raw == "\r" else raw
        else:
            norm = raw
        yield kind, norm, m


def scan(text: str, word_key: Callable[[str], str] = canon) -> list[Token]:
    """Every token of ``text``; a word's key is ``word_key`` of its normalized form."""
    return [
        Token(kind, norm, word_key(norm) if kind is WORD else norm, m.start(), m.end())
        for kind, norm, m in _normalized(text)
    ]


ANY_NUMBER = "#"  # in a lexicon phrase, matches any number of the message ("malgré 8 Gy")


def phrase_keys(text: str) -> tuple[str, ...]:
    """Matching forms of the words of a lexicon phrase (no punctuation allowed)."""
    keys = []
    for kind, norm, _ in _normalized(text):
        if kind is BOUNDARY:
            raise ValueError(f"punctuation in lexicon phrase {text!r}")
        keys.append(canon(norm) if kind is WORD else norm)
    return tuple(keys)


_ALTERNATION_RE = re.compile(r"\(([^()]*)\)")


def expand(phrase: str) -> list[str]:
    """Expand the "(a|b|)" alternations of a lexicon phrase. Alternatives that
    match the same words ("soulagee|soulagees": a plural's s is dropped) are
    expanded once."""
    m = _ALTERNATION_RE.search(phrase)
    if not m:
        return [phrase]
    out: list[str] = []
    for alternative in _distinct(m.group(1)):
        out.extend(expand(f"{phrase[: m.start()]} {alternative} {phrase[m.end() :]}"))
    return out


@functools.lru_cache(maxsize=4096)
def _distinct(alternatives: str) -> tuple[str, ...]:
    """The alternatives of "a|b|c" that match different words, in order."""
    seen: dict[tuple[str, ...] | str, str] = {}
    for alternative in alternatives.split("|"):
        try:
            key: tuple[str, ...] | str = phrase_keys(alternative)
        except ValueError:  # punctuation: left to phrase_keys to refuse in the expanded phrase
            key = alternative
        seen.setdefault(key, alternative)
    return tuple(seen.values())


def expanded_keys(phrases: Iterable[str]) -> list[tuple[str, ...]]:
    """Matching forms of every variant of every phrase."""
    return [phrase_keys(v) for p in phrases for v in expand(p)]


@dataclass
class Tokenized:
    """A message as tokens, with counts of the words that matter for distances.

    ``skip`` words (articles, auxiliaries) do not count when measuring how far
    a cue reaches; ``fillers`` do not count when asking whether a value is all
    the message says.
    """

    text: str
    tokens: list[Token]
    skip: frozenset[str]
    fillers: frozenset[str]
    keys: list[str] = field(init=False)
    _content: list[int] = field(init=False, repr=False)
    _not_filler: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.tokens)
        self.keys = [t.key for t in self.tokens]
        # Prefix counts of content words, and of words that are not fillers.
        self._content, self._not_filler = [0] * (n + 1), [0] * (n + 1)
        for i, t in enumerate(self.tokens):
            self._content[i + 1] = self._content[i] + (t.is_content and t.key not in self.skip)
            self._not_filler[i + 1] = self._not_filler[i] + (
                not t.is_boundary and t.key not in self.skip and t.key not in self.fillers
            )

    def __len__(self) -> int:
        return len(self.tokens)

    def between(self, a: int, b: int) -> int:
        """Content words in tokens [a, b)."""
        return self._content[b] - self._content[a] if b > a else 0

    def alone(self, start: int, end: int) -> bool:
        """Whether tokens [start, end) are all the message says, but for fillers."""
        return self.words_in(0, len(self.tokens)) == self.words_in(start, end)

    def words_in(self, start: int, end: int) -> int:
        """Tokens of [start, end) that are neither punctuation, skip words nor fillers."""
        return self._not_filler[end] - self._not_filler[start]

    def segment_alone(self, start: int, end: int) -> bool:
        """Whether tokens [start, end) are all their part of the message says, between
        punctuation, but for fillers ("lésion mixte, [60 %], douleur modérée")."""
        i = start - 1
        while i >= 0 and not self.tokens[i].is_boundary:
            if self._not_filler[i + 1] != self._not_filler[i]:
                return False
            i -= 1
        i = end
        while i < len(self.tokens) and not self.tokens[i].is_boundary:
            if self._not_filler[i + 1] != self._not_filler[i]:
                return False
            i += 1
        return True

    def has_at(self, i: int, phrase: tuple[str, ...]) -> bool:
        return tuple(self.keys[i : i + len(phrase)]) == phrase

    def seq_at(self, i: int, phrases: Iterable[tuple[str, ...]]) -> int:
        """Length of the longest phrase starting at token i (0 if none)."""
        best = 0
        for p in phrases:
            if len(p) > best and self.has_at(i, p):
                best = len(p)
        return best

    def seq_before(self, i: int, phrases: Iterable[tuple[str, ...]]) -> bool:
        """Whether one of the phrases ends right before token i."""
        return any(len(p) <= i and tuple(self.keys[i - len(p) : i]) == p for p in phrases)

    def fact(self, fname: str, value: str, start: int, end: int) -> Fact:
        """The fact carried by tokens [start, end), with its span in the text."""
        a, b = self.tokens[start].start, self.tokens[end - 1].end
        return Fact(fname, value, a, b, self.text[a:b])


_LETTERS = re.compile(r"[^\W\d_]+")


def words_in(value: object) -> frozenset[str]:
    """Every word (letters only, as written) of a nested value loaded from YAML:
    its strings and its mapping keys. Each package exposes the words of its data
    with it (`freetext.lexicon.words()`, `consultation.texts.words()`…)."""
    found: set[str] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found.update(_LETTERS.findall(item))
        elif isinstance(item, dict):
            pending.extend(str(key) for key in item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return frozenset(found)
