"""Typo correction: a misspelt word becomes the closest word of the lexicon.

Conservative: a word of the lexicon, a short word, a number word, a word with
non-ASCII letters and a protected French word are never corrected, and when
two lexicon words are equally close the word is left as typed.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Callable, Iterable

from .tokens import canon, is_number_word


class Speller:
    """Nearest-word search over the correction targets of the lexicon."""

    def __init__(self, vocab: frozenset[str], targets: Iterable[str], protected: frozenset[str],
                 min_length: int, cutoff: float) -> None:
        self.vocab = vocab            # words never corrected
        self.protected = protected    # real French words never corrected either
        self.min_length = min_length
        self.cutoff = cutoff
        self.targets_by_length: dict[int, list[str]] = {}
        for word in sorted(targets):
            if word.isalpha() and len(word) >= min_length:
                self.targets_by_length.setdefault(len(word), []).append(word)
        # Matching form of a normalized word ("femurs" -> "femur", "humérsu" -> "humerus").
        self.key: Callable[[str], str] = functools.lru_cache(maxsize=65536)(self._key)

    def _key(self, norm: str) -> str:
        word = canon(norm)
        if (word in self.vocab or len(word) < self.min_length or not word.isascii()
                or not word.isalpha() or word in self.protected or norm in self.protected
                or is_number_word(norm)):
            return word
        return self.nearest(word) or word

    def nearest(self, word: str) -> str | None:
        """The one target at least ``cutoff`` similar to ``word`` and closer than any other."""
        n, c = len(word), self.cutoff
        # Lengths a word at least c similar can have: 2 * min / (n + m) >= c.
        shortest, longest = math.ceil(n * c / (2 - c)), math.floor(n * (2 - c) / c)
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(word)
        scored: list[tuple[float, str]] = []
        for length in range(shortest, longest + 1):
            for target in self.targets_by_length.get(length, ()):
                matcher.set_seq1(target)
                if (matcher.real_quick_ratio() >= c and matcher.quick_ratio() >= c
                        and matcher.ratio() >= c):
                    scored.append((matcher.ratio(), target))
        if not scored:
            return None
        scored.sort(reverse=True)
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return None  # two equally close words: do not guess
        return scored[0][1]
