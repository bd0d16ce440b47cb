"""Identifying data screened out of everything the assistant keeps.

The assistant asks for none, but a clinician may type it anyway: `screen`
finds it in a text and replaces it with a bracketed tag, and says which kinds it
found; `screen_value` does the same to every string of a nested value (an
event, a slot, metadata). The tracker store (`records.store`) and the server
logs (`serving.log_screen`) write nothing that has not been through them.

What is found:
- patterns: e-mail addresses, French social-security numbers (NIR, with or
  without spaces and key), phone numbers (0…, +33…, 0033…), record numbers
  (IPP, NIP, NDA, IEP, « dossier », « séjour »…), dates in digits and in
  words (« né le douze mars 1950 », « 12/03/1950 », « né en 1950 »), postal
  addresses and postcodes, and any other long number;
- names after a cue: a civility (M., Mme, Monsieur…), a title (Dr, Pr),
  « nom », « prénom », « s'appelle », « patient(e) », « née », « épouse »;
- names and places without a cue: spaCy's French named-entity recogniser
  (`PER` and `LOC` of fr_core_news_md), also on a copy of an all-lower-case
  message whose unknown words are capitalised, and « NOM Prénom » written in
  capitals. The recogniser runs only on the sentences where it could find a
  name that would be kept (`_may_hold_name`): a sentence whose every token is
  one of the project's words, a number, a tag or punctuation is not given to
  it. `warm_up()` loads it and everything else screening reads (the servers
  call it before they answer their health check); otherwise it is loaded on
  first use, once per process.

A recognised entity is kept when all its words are the project's own words
(`privacy.vocabulary`: « Fémur », « Mirels », « PTH », « col »…), and the
assistant's own texts that name people (the bibliography) are kept where they
appear whole. Ages and durations (« 67 ans », « 4 mois ») are clinical data
and kept.

Why one module of ≈ 600 lines: the patterns, the name cues and the
recogniser's filter decide together which span is masked (overlaps, priority
between kinds); split, a change to one would be checked against the others
in another file. The word lists are apart (`privacy.vocabulary`).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from .vocabulary import fold, is_known, project_texts

# kind -> (French label, tag), in the order `Screened.kinds` lists them.
KINDS: dict[str, tuple[str, str]] = {
    "email": ("adresse électronique", "[EMAIL]"),
    "nir": ("numéro de sécurité sociale", "[NIR]"),
    "phone": ("numéro de téléphone", "[TÉLÉPHONE]"),
    "record": ("numéro de dossier", "[N° DOSSIER]"),
    "date": ("date", "[DATE]"),
    "address": ("adresse", "[ADRESSE]"),
    "name": ("nom", "[NOM]"),
    "place": ("lieu", "[LIEU]"),
    "number": ("numéro", "[NUMÉRO]"),
}
TAGS = {kind: tag for kind, (_, tag) in KINDS.items()}
PRIORITY = {kind: index for index, kind in enumerate(KINDS)}
NER_MODEL = "fr_core_news_md"

# ---------------------------------------------------------------- patterns

L = r"[^\W\d_]"  # a letter
UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
UNITS = "un|deux|trois|quatre|cinq|six|sept|huit|neuf"
DAY_WORDS = (
    "premier|dix-sept|dix-huit|dix-neuf|dix|onze|douze|treize|quatorze|quinze|seize"
    rf"|vingt(?:[- ]et[- ]un|-(?:deux|trois|quatre|cinq|six|sept|huit|neuf))?|trente(?:[- ]et[- ]un)?|{UNITS}"
)
DAY = rf"(?:1er|[0-3]?\d|{DAY_WORDS})"
MONTH = (
    r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
    r"|janv\.?|f[ée]vr?\.?|avr\.?|juil\.?|sept\.|oct\.?|nov\.?|d[ée]c\.?)"
)
NUMBER_WORDS = (
    rf"{UNITS}|dix|onze|douze|treize|quatorze|quinze|seize|vingts?|trente|quarante|cinquante|soixante|cents?|et"
)
YEAR_WORDS = rf"(?:mil|mille)(?:[ -](?:{NUMBER_WORDS}))+"
YEAR = rf"(?:(?:19|20)\d{{2}}|\d{{2}}(?!\s*(?:ans?|mois|semaines?|jours?|%|gy)\b)|{YEAR_WORDS})"
STREET = (
    r"(?:rue|avenue|av\.|boulevard|bd|chemin|place|all[ée]e|impasse|quai|cours|route|square|passage|faubourg"
    r"|rond-point|voie|sentier|lotissement|r[ée]sidence|cit[ée]|hameau|lieu-dit|mont[ée]e|esplanade|promenade"
    r"|chauss[ée]e|domaine|parc)"
)
POSTCODE = r"(?:0[1-9]|[1-8]\d|9[0-8]|2[AB])\d{3}"
CITY = rf"[{UP}]{L}*(?:['’-]{L}+)*(?:[ -](?:sur|en|lès|les|le|la|de|du|d['’]|aux?|[{UP}]{L}*)(?:['’-]{L}+)*)*"
PARTICLE = r"(?:de|du|des|d['’]|la|le|les|l['’]|en|sur|aux?|et|saint|sainte)"
STREET_NAME = rf"(?:{PARTICLE}\s*)*(?:[{UP}0-9]{L}*\.?(?:['’-]{L}+)*)(?:\s+(?:{PARTICLE}\s*)*[{UP}]{L}*(?:['’-]{L}+)*)*"
RECORD_CUE = (
    r"(?:\b(?:IPP|NIP|NDA|IEP)|\bn[°o]\s*(?:de\s+)?(?:dossier|s[ée]jour|patient)|\bnum[ée]ro\s+(?:de\s+|d['’])?"
    r"(?:dossier|s[ée]jour|patient|hospitalisation)|\bdossier(?:\s+m[ée]dical)?(?:\s+n[°o])?|\bidentifiant(?:\s+patient)?"
    r"|\br[ée]f\.?\s+dossier|\bs[ée]jour)"
)
RECORD_ID = r"(?=[A-Z0-9/ -]*\d{3})[A-Z0-9](?:[A-Z0-9/-]|\s(?=\d))*"

# (kind, pattern): the part to mask is the group "value" when there is one.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (
        "nir",
        re.compile(
            r"(?<![\w.-])[12][ .-]?\d{2}[ .-]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .-]?(?:\d{2}|2A|2B)[ .-]?\d{3}[ .-]?\d{3}"
            r"(?:[ .-]?\d{2})?(?![\w-])",
            re.I,
        ),
    ),
    (
        "phone",
        re.compile(r"(?<![\w+])(?:(?:\+|00)33[ .-]?(?:\(0\)[ .-]?)?|0)[1-9](?:[ .-]?\d{2}){4}(?!\w)"),
    ),
    (
        "record",
        re.compile(rf"{RECORD_CUE}\s*(?:n[°o]|:|#|est(?: le)?)?\s*{RECORD_ID}|\b(?:IPP|NIP|NDA|IEP)\d{{4,}}", re.I),
    ),
    (
        "date",
        re.compile(
            r"(?<![\w/.-])\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})(?![\w/-]|\.\d)"
            r"|(?<![\w/.-])(?:19|20)\d{2}([/.-])\d{1,2}\2\d{1,2}(?!\w|[/.-]\d)"
            r"|(?<![\w.])\d{1,2} \d{1,2} (?:19|20)\d{2}(?!\w)"
            rf"|(?<!\w){DAY}\s+{MONTH}(?:\s+{YEAR})?(?![\w-])"
            rf"|(?<!\w){MONTH}\s+(?:19|20)\d{{2}}(?!\w)",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            rf"\bnée?s?\s+(?:en|le)\s+(?P<value>(?:{MONTH}\s+)?(?:(?:19|20)?\d{{2}}|\d{{1,2}}[/.]\d{{1,2}}))(?!\w)",
            re.I,
        ),
    ),
    (
        "address",
        re.compile(
            rf"(?<![\w,.])\d{{1,4}}(?:\s?(?:bis|ter|[ab])\b)?,?\s+{STREET}\s+{STREET_NAME}"
            rf"(?:,?\s+{POSTCODE}(?![\w-]))?",
            re.I,
        ),
    ),
    ("address", re.compile(rf"\b{STREET}\s+(?=(?:{PARTICLE}\s*)*[{UP}])(?P<value>{STREET_NAME})")),
    ("address", re.compile(rf"(?<![\w-]){POSTCODE}(?![\w-])(?=,?\s+[{UP}])(?:,?\s+{CITY})?")),
    ("address", re.compile(rf"\b(?:code postal|CP)\s*:?\s*(?P<value>{POSTCODE}(?:,?\s+{CITY})?)(?![\w-])", re.I)),
    ("number", re.compile(r"(?<![\w,.])\d{7,}(?![\w,])")),
]

# ---------------------------------------------------------------- names after a cue

CIVILITY = r"(?:M\.|MM\.|Mr\.?|Mrs\.?|Mme\.?|Mmes\.?|Mlle\.?|Melle\.?|monsieur|madame|mademoiselle)"
TITLE = r"(?:Dr\.?|Dre\.?|Pr\.?|docteure?|professeure?)"
IDENTITY = (
    r"(?:nom(?:\s+(?:de\s+naissance|d['’]usage|du\s+patient|de\s+la\s+patiente|de\s+famille|de\s+jeune\s+fille"
    r"|marital|usuel|de))?|pr[ée]noms?|s['’]appelle|identit[ée]|concerne|[ée]pouse|veuve)"
)
# (pattern of the cue, what may follow): "any" takes a first word in lower case
# too, "capital" only capitalised words.
CUES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"(?<![\w.]){CIVILITY}(?!\w)", re.I), "any"),
    (re.compile(rf"(?<![\w.]){TITLE}(?!\w)", re.I), "capital"),
    (re.compile(rf"(?<![\w.]){IDENTITY}(?!\w)\"?\s*(?:[:=]|est)?", re.I), "any"),
    (re.compile(r"(?<![\w.])(?:patiente?|née?)\s*:?(?!\w)", re.I), "capital"),
]
CIVILITY_WORDS = {
    fold(word)
    for word in re.findall(
        r"\S+",
        "m mr mrs mme mmes mlle melle mm monsieur madame mademoiselle messieurs dr dre pr docteur docteure "
        "professeur professeure",
    )
}
# Words that end a name after a cue (besides the project's words).
NOT_NAME = {fold(word) for word in re.findall(r"\S+", "né née nés nées épouse veuve dit dite alias et ou")}
NAME_PARTICLES = {"de", "du", "des", "d", "la", "le", "van", "den", "der", "von", "da", "dos", "di", "ben", "el", "al"}
NAME_TOKEN = re.compile(rf"[\s\"«“]*({L}+(?:['’-]{L}+)*)")
MAX_NAME_WORDS = 5

# « NOM Prénom »: words in capitals, then a capitalised word.
CAPITALS_NAME = re.compile(
    rf"(?<![\w'’-])(?P<caps>[{UP}]{{2,}}(?:['’-][{UP}]+)*(?:\s+[{UP}]{{2,}}(?:['’-][{UP}]+)*)*)"
    rf"\s+(?P<first>[{UP}][a-zàâäçéèêëîïôöùûüÿ]+(?:-[{UP}][a-zàâäçéèêëîïôöùûüÿ]+)?)(?![\w'’-])"
)
ROMAN = re.compile(r"[IVXLC]+")
WORD_SHAPE = re.compile(rf"{L}+(?:['’.-]{L}+)*\.?")
LETTERS = re.compile(rf"{L}+")
JOINED = re.compile(rf"{L}['’.-]{L}")  # letters joined as in a word shaped like a name
# A machine id (uuid, hex digest) and a timestamp of the present are no one's data.
MACHINE_ID = re.compile(
    r"[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
PRESENT_SECONDS = 2 * 86400
# Rasa's payload syntax typed or sent by a button: /intent{json}
PAYLOAD = re.compile(r"\s*(/[^{@\s]*)(@[0-9.]+)?(\{.*\})\s*", re.S)
CACHED_LENGTH = 2000
SENTENCE_END = re.compile(r"(?<=[.!?;\n])\s+")
MAX_SENTENCE = 1000  # characters given to the recogniser at once
STANDALONE_WORDS = 4  # a value of at most 4 words is screened as a value, not a sentence
# The words of the tags (« NOM », « TÉLÉPHONE »…): a text screened already is no one's name.
TAG_WORDS = frozenset(fold(word) for tag in TAGS.values() for word in re.findall(rf"{L}+", tag))
# Screened by `warm_up()`: a cue, a date, a name without a cue, the same in lower case.
WARM_UP_TEXTS = (
    "Mme Ysolde Quénard, née le 2 mai 1950, vue avec Gaspard Lemoine : fracture du col fémoral droit",
    "vu ce matin avec ysolde quénard pour une métastase de l'humérus",
)


@dataclass(frozen=True)
class Screened:
    text: str
    kinds: tuple[str, ...]  # the kinds found, in KINDS order, each once

    @property
    def labels(self) -> list[str]:
        return [KINDS[kind][0] for kind in self.kinds]


def screen(text: str, standalone: bool = False) -> Screened:
    """The text with identifying data replaced by tags, and the kinds found.

    `standalone`: the text is a value on its own (an entity's value, a slot's,
    a field of a payload), not a sentence: a capitalised word opening it may be
    a name too (« Dupont »)."""
    if not text or not text.strip():
        return Screened(text or "", ())
    if len(text) <= CACHED_LENGTH:
        return _screen_cached(text, standalone)
    return _screen_long(text, standalone)


@lru_cache(maxsize=8192)
def _screen_cached(text: str, standalone: bool) -> Screened:
    return _screen(text, standalone)


@lru_cache(maxsize=4)
def _screen_long(text: str, standalone: bool) -> Screened:
    # a message and its parse data hold the same long text: screened once
    return _screen(text, standalone)


def _screen(text: str, standalone: bool) -> Screened:
    payload = PAYLOAD.fullmatch(text)
    if payload:
        screened_payload = _screen_payload(payload)
        if screened_payload is not None:
            return screened_payload
    protected = _protected(text)
    if protected and protected[0] == (0, len(text)):
        return Screened(text, ())  # one of the assistant's own texts, whole
    spans = list(_pattern_spans(text)) + list(_cue_name_spans(text)) + list(_capitals_spans(text))
    spans += list(_entity_spans(text, standalone, protected))
    kept = [span for span in _merge(spans) if not any(span[0] < end and start < span[1] for start, end in protected)]
    if not kept:
        return Screened(text, ())
    pieces, position = [], 0
    for start, end, kind in kept:
        pieces += [text[position:start], TAGS[kind]]
        position = end
    pieces.append(text[position:])
    kinds = {kind for _, _, kind in kept}
    return Screened("".join(pieces), tuple(kind for kind in KINDS if kind in kinds))


def _screen_payload(match: re.Match[str]) -> Screened | None:
    """/inform{"bone": "Jean Dupont"}: each key and value screened alone."""
    try:
        data = json.loads(match.group(3))
    except ValueError:
        return None
    found: list[str] = []
    screened = _screen_nested(data, found)
    if not found:
        return Screened(match.string, ())
    text = match.group(1) + (match.group(2) or "") + json.dumps(screened, ensure_ascii=False)
    return Screened(text, tuple(kind for kind in KINDS if kind in found))


def screen_value(value: Any) -> Any:
    """`value` with every string screened (dict keys included), recursively;
    integers of 7 digits or more are screened as text. Other values as they are."""
    return _screen_nested(value, [])


def _screen_nested(value: Any, found: list[str]) -> Any:
    if isinstance(value, str):
        if _is_machine_value(value):
            return value
        screened = screen(value, standalone=len(value.split()) <= STANDALONE_WORDS)
        found.extend(screened.kinds)
        return screened.text
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        if abs(value) < 1_000_000:
            return value
        screened = screen(str(value))
        found.extend(screened.kinds)
        return value if not screened.kinds else screened.text
    if isinstance(value, dict):
        return {_screen_nested(key, found): _screen_nested(item, found) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_screen_nested(item, found) for item in value]
    return value


def _is_machine_value(value: str) -> bool:
    if MACHINE_ID.fullmatch(value):
        return True
    if ISO_TIMESTAMP.fullmatch(value):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return abs(moment.timestamp() - time.time()) < PRESENT_SECONDS
    return False


# ---------------------------------------------------------------- spans


def _pattern_spans(text: str) -> Iterator[tuple[int, int, str]]:
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            if "value" in pattern.groupindex and match.group("value") is not None:
                yield match.start("value"), match.end("value"), kind
            else:
                yield match.start(), match.end(), kind
    for match in re.finditer(r"(?<![\w/-])[A-Za-z0-9/-]*\d[A-Za-z0-9/-]*(?![\w/-])", text):
        token = match.group()
        if sum(char.isdigit() for char in token) >= 6 and sum(char.isalpha() for char in token) <= 4:
            yield match.start(), match.end(), "number"


def _cue_name_spans(text: str) -> Iterator[tuple[int, int, str]]:
    for pattern, mode in CUES:
        for match in pattern.finditer(text):
            span = _name_after(text, match.end(), mode)
            if span:
                yield span[0], span[1], "name"


def _name_after(text: str, position: int, mode: str) -> tuple[int, int] | None:
    """The name that follows a cue at `position`, if any."""
    start = end = None
    words = 0
    while words < MAX_NAME_WORDS:
        match = NAME_TOKEN.match(text, position)
        if not match or (words and "\n" in text[position : match.start(1)]):
            break
        word = match.group(1)
        folded = fold(word)
        capital = word[0].isupper()
        if folded in CIVILITY_WORDS:
            break
        if words and folded in NAME_PARTICLES and not capital:
            position = match.end()
            continue
        if folded in NOT_NAME:
            break
        if capital:
            if mode == "capital" and (is_known(word) or (word.isupper() and len(word) <= 4)):
                break
        elif mode == "capital" or is_known(word) or (not words and len(word) < 2):
            break
        if start is None:
            start = match.start(1)
        end, position, words = match.end(1), match.end(), words + 1
    return (start, end) if start is not None and end is not None else None


def _capitals_spans(text: str) -> Iterator[tuple[int, int, str]]:
    for match in CAPITALS_NAME.finditer(text):
        caps = re.findall(rf"[{UP}]+", match.group("caps"))
        if any(not is_known(word) for word in caps):
            yield match.start(), match.end(), "name"


def _entity_spans(text: str, standalone: bool, protected: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
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


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans as one, of the kind listed first."""
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans):
        if start >= end:
            continue
        if merged and start < merged[-1][1]:
            last_start, last_end, last_kind = merged[-1]
            best = last_kind if PRIORITY[last_kind] <= PRIORITY[kind] else kind
            merged[-1] = (last_start, max(last_end, end), best)
        else:
            merged.append((start, end, kind))
    return merged


def _protected(text: str) -> list[tuple[int, int]]:
    """Where the assistant's own texts naming people (the bibliography…) appear whole."""
    if len(text) < 20:
        return []
    found = []
    for known in project_texts():
        start = text.find(known)
        while start >= 0:
            found.append((start, start + len(known)))
            start = text.find(known, start + len(known))
    return sorted(found, key=lambda span: (span[0], -span[1]))


# ---------------------------------------------------------------- the recogniser

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


def warm_up() -> None:
    """Load the recogniser, the French words and the project's words and
    texts, and screen a few texts: the first message screened afterwards
    loads nothing. The servers call it before they answer their health check."""
    _ner()
    _french_words()
    _sorted_known()
    project_texts()
    for text in WARM_UP_TEXTS:
        for standalone in (False, True):
            _screen(text, standalone)


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
