"""The lexicon phrases of a message: each phrase of the lexicon found in it
(its first two keys looked up in the index, a number standing for any), ranked
(longest phrase, then values first, leftmost, longest span) and accepted when
none of its tokens is taken already (by a quantity read before, or by a
phrase ranked before it)."""

from __future__ import annotations

from typing import NamedTuple

from .lexicon import VALUE_ROLES, Entry, Lexicon, Role
from .matches import Group
from .tokens import ANY_NUMBER, Tokenized


class _Candidate(NamedTuple):
    """A phrase that may be accepted, ranked: longest phrase, then values first, leftmost, longest span."""

    neg_length: int
    no_value: bool
    start: int
    neg_span: int
    group: Group


def select_groups(
    lex: Lexicon, msg: Tokenized, taken: list[bool], answer_field: str | None, generic: bool
) -> list[Group]:
    """The lexicon phrases of the message, longest first, none overlapping;
    their tokens are marked in ``taken``."""
    index = lex.index_for(answer_field, generic)
    keys, tokens, n = msg.keys, msg.tokens, len(msg)
    candidates: dict[tuple[int, int], list[tuple[int, Entry]]] = {}
    for i, key in enumerate(keys):
        for first in (key, ANY_NUMBER) if tokens[i].is_number else (key,):
            found_here = index.get(first)
            if found_here is None:
                continue
            singles, by_second = found_here
            longer: list[Entry] = []
            if i + 1 < n:
                longer.extend(by_second.get(keys[i + 1], ()))
                if tokens[i + 1].is_number:
                    longer.extend(by_second.get(ANY_NUMBER, ()))
            for e in (*singles, *longer):
                if len(e.keys) > 2 and not e.matches(msg, i):
                    continue
                span = (i + e.emit_start, i + e.emit_end)
                if not any(taken[span[0] : span[1]]):
                    candidates.setdefault(span, []).append((len(e.keys), e))
    ranked = []
    for (start, end), found in candidates.items():
        fact_length = max((ln for ln, e in found if e.role in VALUE_ROLES), default=0)
        ignore_length = max((ln for ln, e in found if e.role is Role.IGNORE), default=0)
        # Facts of a shorter phrase are overridden by those (or the absence) of a longer one.
        entries = [e for ln, e in found if e.role not in VALUE_ROLES or (ln == fact_length and ln > ignore_length)]
        if ignore_length > fact_length:
            fact_length = 0
        if answer_field and any(e.role is Role.FACT and e.field == answer_field for e in entries):
            entries = [e for e in entries if e.role is not Role.FACT or e.field == answer_field]
        full = max(ln for ln, _ in found)
        ranked.append(_Candidate(-full, not fact_length, start, start - end, Group(start, end, entries)))
    ranked.sort(key=lambda r: r[:4])
    groups = []
    for candidate in ranked:
        g = candidate.group
        if not any(taken[g.start : g.end]):
            groups.append(g)
            for k in range(g.start, g.end):
                taken[k] = True
    groups.sort(key=lambda g: g.start)
    return groups
