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
  name that would be kept (`recogniser._may_hold_name`): a sentence whose every token is
  one of the project's words, a number, a tag or punctuation is not given to
  it. `warm_up()` loads it and everything else screening reads (the servers
  call it before they answer their health check); otherwise it is loaded on
  first use, once per process.

A recognised entity is kept when all its words are the project's own words
(`privacy.vocabulary`: « Fémur », « Mirels », « PTH », « col »…), and the
assistant's own texts that name people (the bibliography) are kept where they
appear whole. Ages and durations (« 67 ans », « 4 mois ») are clinical data
and kept.

The patterns and the name cues are in `privacy.patterns`, the recogniser and
its filter in `privacy.recogniser`; this module merges their spans (overlaps,
priority between kinds) and masks them. The word lists are apart
(`privacy.vocabulary`).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from . import recogniser
from .patterns import KINDS, TAGS, capitals_spans, cue_name_spans, pattern_spans
from .recogniser import entity_spans
from .vocabulary import project_texts

PRIORITY = {kind: index for index, kind in enumerate(KINDS)}
# A machine id (uuid, hex digest) and a timestamp of the present are no one's data.
MACHINE_ID = re.compile(
    r"[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
PRESENT_SECONDS = 2 * 86400
# Rasa's payload syntax typed or sent by a button: /intent{json}
PAYLOAD = re.compile(r"\s*(/[^{@\s]*)(@[0-9.]+)?(\{.*\})\s*", re.S)
CACHED_LENGTH = 2000
STANDALONE_WORDS = 4  # a value of at most 4 words is screened as a value, not a sentence
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
    spans = list(pattern_spans(text)) + list(cue_name_spans(text)) + list(capitals_spans(text))
    spans += list(entity_spans(text, standalone, protected))
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


def warm_up() -> None:
    """Load the recogniser, the French words and the project's words and
    texts, and screen a few texts: the first message screened afterwards
    loads nothing. The servers call it before they answer their health check."""
    recogniser.load()
    project_texts()
    for text in WARM_UP_TEXTS:
        for standalone in (False, True):
            _screen(text, standalone)
