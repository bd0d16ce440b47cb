"""Extraction of case facts from French clinical free text.

Pure Python (stdlib, PyYAML, text2num): no Rasa, no spaCy. Every French word
lives in ``lexicon.yml``; the codes are those of
``../shared/spec/decision-contract.md`` and the entity rules those of
``docs/nlu-conventions.md``.

Two entry points:

- ``extract_facts(text)`` reads a message without context and returns every
  fact it states, with character spans into the original text;
- ``interpret_answer(text, field)`` reads a short answer to the question about
  ``field`` ("4 mois", "la moitié", "oui") and returns one code or ``None``.

The parser is conservative: a negated, hedged, ambiguous or contradictory
statement gives nothing rather than a guess.

The work is done by modules named after their job: ``tokens`` (tokens and the
phrase language), ``lexicon`` (lexicon.yml compiled), ``spelling`` (typos),
``quantities`` (durations and fractions), ``negation`` (negations, hedges,
questions) and ``analysis`` (one pass over a message).
"""

from __future__ import annotations

from decision.contract import UNKNOWN

from .analysis import cached_analysis
from .discourse import DONT_KNOW, answer_is_blocked, content, find
from .fields import BOOLEAN_FIELDS, FIELD_VALUES, REFERENCE_ENTITY, Fact, OnBound, Straddle, accepts
from .lexicon import load_lexicon as _lexicon

__all__ = ["FIELD_VALUES", "Fact", "OnBound", "Straddle", "boundaries", "choices", "extract_facts", "interpret_answer"]


def extract_facts(text: str) -> list[Fact]:
    """Every fact stated in a French message, sorted by position.

    Spans are character offsets into ``text`` (``text[f.start:f.end] == f.text``)
    and never overlap. Negated, hedged or ambiguous statements give nothing.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    if not text.strip():
        return []
    return list(cached_analysis(text).facts)


def interpret_answer(text: str, field: str) -> str | None:
    """The code meant by a short answer to the question about ``field``, or None.

    Reads the answer as ``extract_facts`` would, then with the words that only
    make sense as an answer (a bare duration, "la moitié", "oui"/"non",
    "je ne sais pas": `unknown` for the fields of ``UNKNOWN_ALLOWED``). Any
    doubt or contradiction gives None.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    if field not in FIELD_VALUES and field != REFERENCE_ENTITY:
        return None
    lex = _lexicon()
    stated = extract_facts(text)
    values = {f.value for f in stated if f.field == field}
    # « ah non pardon, c'est l'humérus », « non ? », « perte osseuse : non »: the
    # yes, the no or the « je ne sais pas » belongs to something else; only what
    # the message states of the field itself counts.
    blocked = field != REFERENCE_ENTITY and answer_is_blocked(
        text, field, {f.field for f in stated if f.field in FIELD_VALUES}, cached_analysis(text).named
    )
    if field in BOOLEAN_FIELDS and not blocked:
        whole = tuple(t.key for t in lex.tokenize(text) if not t.is_boundary)
        if whole in lex.answers.whole:
            return lex.answers.whole[whole]
    if field == REFERENCE_ENTITY and not values:
        tokens = [t for t in lex.tokenize(text) if not t.is_boundary]
        low, high = lex.ref_range
        if len(tokens) == 1 and tokens[0].is_number and tokens[0].norm.isdigit() and low <= int(tokens[0].norm) <= high:
            values = {tokens[0].norm}
    # « irradié, je n'en suis pas sûr »: the doubt is the other field's unknown, it
    # never answers the question asked (« doute diagnostique : oui »).
    # « pas sûr du site »: nor when the doubt is said of another field named.
    named = cached_analysis(text).named - {field}
    doubt_elsewhere = blocked and (
        any(f.value == UNKNOWN and f.field != field for f in stated) or bool(named and find(content(text), DONT_KNOW))
    )
    if field != REFERENCE_ENTITY and not doubt_elsewhere:
        answer = cached_analysis(text, field, not blocked)
        if field in answer.ambiguous:
            return None
        values |= {f.value for f in answer.facts if f.field == field}
    return _single(field, values)


def _single(field: str, values: set[str]) -> str | None:
    if len(values) != 1:
        return None
    value = next(iter(values))
    if field == REFERENCE_ENTITY:
        return value
    return value if accepts(field, value) else None


def choices(text: str, field: str | None = None) -> dict[str, Straddle]:
    """Fields whose value the message gives as a quantity straddling one class bound
    (« environ 6 mois », « 1 à 3 mois »), with the two classes on either side;
    ``field``: read as the answer to the question about it."""
    if not isinstance(text, str) or not text.strip():
        return {}
    return cached_analysis(text, field if field in FIELD_VALUES else None).choices


def boundaries(text: str) -> dict[str, OnBound]:
    """Fields whose value was read from a quantity exactly on a class bound
    (« 6 mois », « 1 an »), with the words read."""
    if not isinstance(text, str) or not text.strip():
        return {}
    return cached_analysis(text).boundaries
