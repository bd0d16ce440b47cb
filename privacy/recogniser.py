"""Names and places without a cue: spaCy's French named-entity recogniser.

The recogniser (`PER` and `LOC` of fr_core_news_md) runs sentence by
sentence, also on a copy of an all-lower-case message whose unknown words are
capitalised. It runs only on the sentences where it could find a name that
would be kept (`_may_hold_name`): a sentence whose every token is one of the
project's words, a number, a tag or punctuation is not given to it. A
recognised entity is masked when one of its words may be a name: not one of the
project's own words (`privacy.vocabulary`: « Fémur », « Mirels », « PTH »,
« col »…), nor a typo or an abbreviation of one, nor, in lower case, a common
French word (the pipeline's lemmatizer tables).

`load()` loads the pipeline and the word lists (`privacy.screening.warm_up`
calls it); otherwise they are loaded on first use, once per process.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from .patterns import CIVILITY_WORDS, TAGS, L
from .vocabulary import fold, is_known

NER_MODEL = "fr_core_news_md"
ROMAN = re.compile(r"[IVXLC]+")
WORD_SHAPE = re.compile(rf"{L}+(?:['’.-]{L}+)*\.?")
LETTERS = re.compile(rf"{L}+")
JOINED = re.compile(rf"{L}['’.-]{L}")  # letters joined as in a word shaped like a name
SENTENCE_END = re.compile(r"(?<=[.!?;\n])\s+")
MAX_SENTENCE = 1000  # characters given to the recogniser at once
# The words of the tags (« NOM », « TÉLÉPHONE »…): a text screened already is no one's name.
TAG_WORDS = frozenset(fold(word) for tag in TAGS.values() for word in re.findall(rf"{L}+", tag))


def entity_spans(text: str, standalone: bool, protected: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    """Persons and places of the named-entity recogniser, sentence by
    sentence, on the sentences with a word the project does not know (no
    other can hold a name it would keep); for a text all in lower case, also
    on a copy whose unknown words are capitalised."""
    lower = not any(char.isupper() for char in text)
    todo = [
        (offset, sentence)
        for offset, sentence in _sentences(text)
        if not _is_protected(offset, sentence, protected) and _may_hold_name(sentence, lower)
    ]
    found = _sentence_entities([sentence for _, sentence in todo], lower, standalone)
    for (offset, _), spans in zip(todo, found, strict=True):
        for start, end, kind in spans:
            yield offset + start, offset + end, kind


def _is_protected(offset: int, sentence: str, protected: list[tuple[int, int]]) -> bool:
    """The sentence (its spaces apart) lies within one of the assistant's own texts."""
    first = offset + len(sentence) - len(sentence.lstrip())
    last = offset + len(sentence.rstrip())
    return any(start <= first and last <= end for start, end in protected)


def _may_hold_name(sentence: str, lower: bool) -> bool:
    """Whether the recogniser could find in `sentence` an entity that
    `_entities` keeps. Every kept entity holds a token (one of the
    recogniser's own tokens, of the sentence or of its recased copy) shaped
    like a name and neither one of the project's words nor a tag
    (`_name_candidate`; `_unknown` and `_may_be_name` ask that and more); in
    a text without capitals, an entity is kept only with two such-shaped
    words or more. Machine keys (« intent_ranking », « extractor »), numbers,
    tags and clinical sentences are not given to the recogniser."""
    if not re.search(rf"{L}{L}", sentence):
        return False
    if not JOINED.search(sentence) and all(len(run) < 2 or _known(run) for run in LETTERS.findall(sentence)):
        return False  # no token but the project's words, tags, numbers and punctuation
    if not lower:
        return _tokens_seen(sentence)[1]
    shaped, candidate = _tokens_seen(sentence)
    if shaped >= 2 and candidate:
        return True
    if len(sentence.split()) < 2:  # no recased copy
        return False
    shaped, candidate = _tokens_seen(_recased(sentence))
    return shaped >= 2 and candidate


@lru_cache(maxsize=16384)
def _tokens_seen(sentence: str) -> tuple[int, bool]:
    """How many of the recogniser's tokens of `sentence` are shaped like a
    name, and whether one of them is a `_name_candidate`."""
    tokens = [token.text for token in _ner().tokenizer(sentence)]
    return sum(_name_shaped(token) for token in tokens), any(_name_candidate(token) for token in tokens)


@lru_cache(maxsize=65536)
def _name_candidate(token: str) -> bool:
    """A token that `_unknown` or `_may_be_name` could take for (part of) a name."""
    if not _name_shaped(token):
        return False
    bare = token.rstrip(".")
    return not (_known(bare) or any(_known(part) for part in re.split(r"['’-]", bare) if len(part) > 3))


def _known(word: str) -> bool:
    """One of the project's words, or a word of a tag."""
    return is_known(word) or fold(word) in TAG_WORDS


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    """(offset, sentence) of `text`; a sentence longer than MAX_SENTENCE is cut at a space."""
    start = 0
    ends = [match.start() for match in SENTENCE_END.finditer(text)] + [len(text)]
    for end in ends:
        while end - start > MAX_SENTENCE:
            cut = text.rfind(" ", start + 1, start + MAX_SENTENCE)
            cut = cut if cut > start else start + MAX_SENTENCE
            yield start, text[start:cut]
            start = cut
        if end > start:
            yield start, text[start:end]
        start = end


Spans = tuple[tuple[int, int, str], ...]
_sentence_cache: OrderedDict[tuple[str, bool, bool], Spans] = OrderedDict()
SENTENCE_CACHE = 16384


def _sentence_entities(sentences: list[str], lower: bool, standalone: bool) -> list[Spans]:
    """The entities of each sentence, the recogniser run once over those not seen lately."""
    with _lock:
        known = {sentence: _sentence_cache.get((sentence, lower, standalone)) for sentence in sentences}
    missing = list(dict.fromkeys(sentence for sentence, spans in known.items() if spans is None))
    if missing:
        labels = ("PER",) if lower else ("PER", "LOC")
        found = {
            sentence: list(_entities(doc, labels, standalone=standalone))
            for sentence, doc in zip(missing, _recognised(missing), strict=True)
        }
        if lower:
            recased = {sentence: _recased(sentence) for sentence in missing if len(sentence.split()) >= 2}
            recased = {s: r for s, r in recased.items() if len(r) == len(s) and r != s}
            for sentence, doc in zip(recased, _recognised(list(recased.values())), strict=True):
                found[sentence] += _entities(doc, ("PER",), recased=True)
        with _lock:
            for sentence, spans in found.items():
                known[sentence] = _sentence_cache[(sentence, lower, standalone)] = tuple(spans)
                while len(_sentence_cache) > SENTENCE_CACHE:
                    _sentence_cache.popitem(last=False)
    return [known[sentence] or () for sentence in sentences]


def _recased(text: str) -> str:
    """`text` with its words that may be names capitalised, and the unknown words next to them."""
    words = list(re.finditer(rf"{L}+(?:-{L}+)*", text))
    candidates = [_may_be_name(match.group()) for match in words]
    chars = list(text)
    for index, match in enumerate(words):
        neighbour = any(candidates[i] for i in (index - 1, index + 1) if 0 <= i < len(words))
        word = match.group()
        if candidates[index] or (neighbour and _name_shaped(word) and _unknown(word)):
            chars[match.start()] = word[0].upper()
    return "".join(chars)


def _entities(
    doc: Any, labels: tuple[str, ...], recased: bool = False, standalone: bool = False
) -> Iterator[tuple[int, int, str]]:
    """The recognised entities of `doc` with a word that may be a name: a
    capitalised unknown word; in lower case, two words of which one is unknown
    (« jean dupont »); in a recased copy, two words of which one is no common
    French word."""
    text = doc.text
    for entity in doc.ents:
        if entity.label_ not in labels:
            continue
        tokens = [token.text for token in entity]
        first = 0
        while first < len(tokens) and _drop_at_edge(tokens[first]):
            first += 1
        last = len(tokens)
        while last > first and _drop_at_edge(tokens[last - 1]):
            last -= 1
        words = [token for token in tokens[first:last] if _name_shaped(token)]
        if recased:
            accepted = len(words) >= 2 and any(_may_be_name(word.lower()) for word in words)
        else:
            accepted = any(word[0].isupper() and _unknown(word, entity.start_char == 0) for word in words) or (
                entity.label_ == "PER"
                and len(words) >= 2
                and all(word[0].islower() for word in words)
                and any(_unknown(word) for word in words)
            )
        opening = last - first == 1 and not (recased or standalone) and _opens_sentence(text, entity[first].idx)
        if not accepted or opening:
            continue
        start = entity[first].idx
        end = entity[last - 1].idx + len(entity[last - 1].text)
        yield start, end, "name" if entity.label_ == "PER" else "place"


def _opens_sentence(text: str, start: int) -> bool:
    """A single capitalised word that opens a sentence is taken for an ordinary
    word (« Osimertinib efficace », « Registered function… »): a name there
    has a cue or a second word."""
    before = text[:start].rstrip(" \t«\"“'([")
    return not before or before[-1] in ".!?:;–—-\n"


def _name_shaped(word: str) -> bool:
    """A word that can be (part of) a name: letters (hyphens, apostrophes), at
    least two, not a roman numeral, not an acronym of four capitals or fewer."""
    if not WORD_SHAPE.fullmatch(word) or sum(char.isalpha() for char in word) < 2:
        return False
    if ROMAN.fullmatch(word) or (sum(char.isupper() for char in word[1:]) >= 2 and not word.isupper()):
        return False  # a roman numeral, a program's name (« CaseFactExtractor »)
    return not (word.isupper() and len(word) <= 4)


def _unknown(word: str, first_of_text: bool = False) -> bool:
    """Not one of the project's words (nor, first in a text or in lower case, a typo of one)."""
    bare = word.rstrip(".")
    if _known(bare) or any(_known(part) for part in re.split(r"['’-]", bare) if len(part) > 3):
        return False
    return not ((first_of_text or bare[0].islower()) and _near_known(bare))


def _may_be_name(word: str) -> bool:
    """A lower-case word that may be a name: unknown, not a typo or an
    abbreviation of a known word, not a common French word."""
    return _name_shaped(word) and _unknown(word) and not _near_known(word) and not _common_french(word)


def _drop_at_edge(word: str) -> bool:
    """A word an entity does not end on: punctuation, a civility, a known lower-case word."""
    if not WORD_SHAPE.fullmatch(word) or fold(word.rstrip(".")) in CIVILITY_WORDS:
        return True
    return word[0].islower() and is_known(word)


# ---------------------------------------------------------------- the pipeline

_lock = threading.RLock()
_loaded: list[Any] = []
_pipe_lock = threading.Lock()  # one text at a time through the recogniser, whatever the thread


_inside = threading.local()  # this thread is loading or running the recogniser


def inside_recogniser() -> bool:
    """Whether this thread is loading or running the recogniser: what it
    writes then (spaCy's warnings) is the program's, and screening it would
    wait for the recogniser (the servers' log screen writes it as it is)."""
    return getattr(_inside, "depth", 0) > 0


@contextmanager
def _in_recogniser() -> Iterator[None]:
    _inside.depth = getattr(_inside, "depth", 0) + 1
    try:
        yield
    finally:
        _inside.depth -= 1


def _recognised(texts: list[str]) -> list[Any]:
    """The recogniser's documents of `texts`."""
    nlp = _ner()
    with _pipe_lock, _in_recogniser():
        return list(nlp.pipe(texts))


def load() -> None:
    """Load the recogniser, the French words and the project's words."""
    _ner()
    _french_words()
    _sorted_known()


def _ner() -> Any:
    """spaCy's French pipeline reduced to the recogniser, loaded once per process."""
    if not _loaded:
        with _lock, _in_recogniser():
            if not _loaded:
                import spacy

                # The lemmatizer is loaded (for its word tables), not run.
                nlp = spacy.load(NER_MODEL, disable=["parser", "lemmatizer", "attribute_ruler", "morphologizer"])
                nlp.max_length = 2_000_000
                _loaded.append(nlp)
    return _loaded[0]


@lru_cache(maxsize=1)
def _french_words() -> tuple[Any, frozenset[str]]:
    """The French pipeline's lemmatizer tables: every inflected form it knows
    (by hash) and every lemma of its index: the common words of French."""
    lookups = _ner().get_pipe("lemmatizer").lookups
    index: set[str] = set()
    for words in lookups.get_table("lemma_index").values():
        index.update(words)
    return lookups.get_table("lemma_lookup"), frozenset(index)


def _common_french(word: str) -> bool:
    forms, lemmas = _french_words()
    lowered = word.lower()
    return lowered in lemmas or lowered in forms


@lru_cache(maxsize=65536)
def _near_known(word: str) -> bool:
    """A typo (one edit, words of 7 letters or more) or an abbreviation (a
    prefix of 5 letters or more) of one of the project's words."""
    from rapidfuzz import distance, process

    folded = fold(word)
    if len(folded) >= 5 and any(known.startswith(folded) for known in _sorted_known()):
        return True
    if len(folded) < 7:
        return False
    return process.extractOne(folded, _sorted_known(), scorer=distance.OSA.distance, score_cutoff=1) is not None


@lru_cache(maxsize=1)
def _sorted_known() -> tuple[str, ...]:
    from .vocabulary import known_words

    return tuple(sorted(known_words()))
