"""Scores stated as a number after their name: the WHO (OMS) / ECOG performance status.

« OMS 1 », « PS 2 », « ECOG 3 », « PS0 », « OMS : 2 » give the number as stated;
« OMS 1-2 », « PS ≤ 2 » or a number off the scale give nothing (the field is
named, so it is ambiguous). The performance status is informative: it never
says by itself whether the patient is fit for surgery.
"""

from __future__ import annotations

from .lexicon import Lexicon, Role
from .matches import Group, Item
from .quantities import QuantityReader
from .tokens import Tokenized

FIELD = "performance_status"


def performance_statuses(
    lex: Lexicon, msg: Tokenized, reader: QuantityReader, groups: list[Group], taken: list[bool]
) -> list[Item]:
    """The performance statuses after a name of the scale; a value None when the number is unclear."""
    words = lex.scores
    out = []
    for g in groups:
        if not g.has(Role.CUE) or FIELD not in g.fields(Role.CUE):
            continue
        k = g.end + (g.end < len(msg) and msg.tokens[g.end].norm == ":")
        k += msg.seq_at(k, words.joiners)
        if msg.seq_at(k, words.qualifiers):
            out.append(Item(g.start, k, FIELD, None))  # « PS ≤ 2 »
            continue
        number = reader.number(k, vague=False)
        if number is None or any(taken[k : number.end]):
            continue
        end, value = number.end, number.lo
        clear = number.lo == number.hi and value.is_integer() and 0 <= value <= words.maximum
        second = range_end(msg, reader, end, words.range_words, lex.durations.range_gap_chars)
        if second is not None:
            end, clear = second, False  # « OMS 1-2 », « PS 1 à 2 »
        for i in range(k, end):
            taken[i] = True
        out.append(Item(g.start, end, FIELD, str(int(value)) if clear else None))
    return out


def range_end(msg: Tokenized, reader: QuantityReader, k: int, range_words: set[str], gap_chars: set[str]) -> int | None:
    """The end of a second number making a range with the one ending at token k, if any."""
    toks = msg.tokens
    if k >= len(toks):
        return None
    gap = msg.text[toks[k - 1].end : toks[k].start].strip()
    if gap and gap in gap_chars:
        start = k
    elif toks[k].key in range_words:
        start = k + 1
    else:
        return None
    second = reader.number(start, vague=False)
    return None if second is None else second.end
