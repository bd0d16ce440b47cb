"""Messages outside the chapter: the spine, the pelvis but the acetabulum,
radiotherapy doses and schedules, bone-targeted drugs.

``out_of_scope(text)`` says whether a message is about one of them, and why;
nothing is then read from it. A limb case that mentions the spine in passing
(« fracture du fémur, métastases rachidiennes multiples ») stays in scope.
The words are in ``lexicon.yml`` (``out_of_scope``). Pure Python, no Rasa.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .discourse import BACKGROUND_FIELDS, content, find, is_question, raw_section, words
from .fields import FIELD_VALUES
from .memo import Memo
from .parser import extract_facts
from .tokens import Token

SPINE, PELVIS, RADIOTHERAPY_DOSE, BONE_DRUG = "spine", "pelvis", "radiotherapy_dose", "bone_drug"
# Facts that place the lesion on a bone the chapter covers.
LIMB_FIELDS = frozenset({"bone", "site"})


@dataclass(frozen=True)
class OutOfScope:
    """Why a message is outside the chapter: ``reason`` (spine, pelvis,
    radiotherapy_dose, bone_drug) and the words that say so, as typed."""

    reason: str
    words: tuple[str, ...]


def _levels(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Spans of vertebral levels (« L3 », « D12 », « T8 ») that are not a stage or a line."""
    section = raw_section("out_of_scope")
    ranges = {letter: (int(lo), int(hi)) for letter, (lo, hi) in section["spine_levels"].items()}
    ambiguous = {letter: (int(lo), int(hi)) for letter, (lo, hi) in section["spine_levels_ambiguous"].items()}
    context = words()["spine_level_context"]
    never = {p[0] for p in words()["spine_level_not"] if len(p) == 1}
    staged = any(
        t.is_word and t.norm in ("n", "m") and i + 1 < len(tokens) and tokens[i + 1].is_number
        for i, t in enumerate(tokens)
    )
    out: list[tuple[int, int]] = []
    for i in range(len(tokens) - 1):
        letter, number = tokens[i], tokens[i + 1]
        if not (letter.is_word and letter.norm in ranges and number.is_number and number.start == letter.end):
            continue
        if not number.norm.isdigit():
            continue
        n = int(number.norm)
        lo, hi = ranges[letter.norm]
        if not lo <= n <= hi:
            continue
        near = [t.key for t in [*tokens[max(0, i - 2) : i], *tokens[i + 2 : i + 5]] if t.is_word]
        if any(w in never for w in near):
            continue
        a_lo, a_hi = ambiguous.get(letter.norm, (0, -1))
        if a_lo <= n <= a_hi:
            before = any(
                _keys(tokens[j - len(p) : j]) == p for j in range(max(0, i - 2), i + 1) for p in context if len(p) <= j
            )
            if staged or not (before or (out and out[-1][1] >= i - 2)):
                continue
        out.append((i, i + 2))
    return out


def _keys(tokens: Sequence[Token]) -> tuple[str, ...]:
    return tuple(t.key for t in tokens)


def _typed(text: str, tokens: Sequence[Token], spans: list[tuple[int, int]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(text[tokens[a].start : tokens[b - 1].end] for a, b in spans))


def out_of_scope(text: str) -> OutOfScope | None:
    """Why the message is outside the chapter, or None when it may be read.

    The spine and the pelvis (but the acetabulum) count when the message places
    no lesion on a limb bone; radiotherapy doses when the message asks about
    them; bone-targeted drugs when it asks about them or says nothing of the
    lesion."""
    if not isinstance(text, str) or not text.strip() or text.lstrip().startswith("/"):
        return None
    return SCOPES.get(text, lambda: _out_of_scope(text))


# `out_of_scope` of the last texts, read once: the extraction, the ask action
# and `CaseFactsPolicy` all ask it of the same message (and the action server
# is told what the Rasa server's NLU found: `freetext.reading`).
SCOPES: Memo[OutOfScope | None] = Memo(256)


def _out_of_scope(text: str) -> OutOfScope | None:
    tokens = content(text)
    facts = {f.field for f in extract_facts(text) if f.field in FIELD_VALUES}
    on_limb = bool(facts & LIMB_FIELDS)
    asks = is_question(text)
    if not on_limb:
        spine = _levels(tokens) + find(tokens, "spine")
        if spine:
            return OutOfScope(SPINE, _typed(text, tokens, sorted(spine)))
        pelvis = find(tokens, "pelvis")
        if pelvis:
            return OutOfScope(PELVIS, _typed(text, tokens, pelvis))
    dose = find(tokens, "radiotherapy_dose")
    if dose and asks and find(tokens, "radiotherapy"):
        return OutOfScope(RADIOTHERAPY_DOSE, _typed(text, tokens, dose))
    drugs = find(tokens, "bone_drug")
    if drugs and (asks or not facts - BACKGROUND_FIELDS):
        return OutOfScope(BONE_DRUG, _typed(text, tokens, drugs))
    return None
