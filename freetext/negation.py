"""Negations, hedges and questions: which values read in a message are not stated.

A negation cue ("pas de", "jamais") turns the first value after it into its
negation (false for a boolean, nothing for a category); a hedge ("suspicion
de", "à confirmer") drops what it reaches; a yes/no question states nothing.
Their reach ends at punctuation and at breakers ("mais", "avec").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .fields import BOOLEAN_FIELDS, FALSE, TRUE
from .lexicon import Lexicon, Role
from .matches import Group, Item
from .tokens import Tokenized


@dataclass(frozen=True)
class Clauses:
    """Clause ids per token (one more for the end of the message).

    Hedges and the past stop at any punctuation or breaker; negations there and
    at a negation ender ("non c'est le col": not « peut-être que c'est le col »);
    cues at any punctuation but the colon ("espérance de vie : 4 mois") and at
    breakers."""

    negation: list[int]
    hedge: list[int]
    cue: list[int]
    breaker_starts: frozenset[int]


def clauses(msg: Tokenized, groups: list[Group]) -> Clauses:
    n = len(msg)
    breaker_starts = frozenset(g.start for g in groups if g.has(Role.BREAK))
    ender_starts = frozenset(g.start for g in groups if g.has(Role.NEG_END))
    negation, hedge, cue = [0] * (n + 1), [0] * (n + 1), [0] * (n + 1)
    c_neg = c_hedge = c_cue = 0
    for i, t in enumerate(msg.tokens):
        if t.is_boundary:
            c_neg += 1
            c_hedge += 1
            c_cue += t.norm != ":"
        elif i in breaker_starts:
            c_neg += 1
            c_hedge += 1
            c_cue += 1
        elif i in ender_starts:
            c_neg += 1
        negation[i], hedge[i], cue[i] = c_neg, c_hedge, c_cue
    negation[n], hedge[n], cue[n] = c_neg + 1, c_hedge + 1, c_cue + 1
    return Clauses(negation, hedge, cue, breaker_starts)


def questions(msg: Tokenized, groups: list[Group]) -> list[tuple[int, int]]:
    """Token ranges asked about: from a yes/no question marker to its "?"; from an
    open question or a hypothesis (« pourquoi », « et si ») to its "?" or the end
    of its sentence."""
    out = []
    toks = msg.tokens
    for g in groups:
        is_open = g.has(Role.QUESTION_OPEN)
        if not g.has(Role.QUESTION) and not is_open:
            continue
        k = g.end
        while k < len(toks) and toks[k].norm not in "?.!;\n":
            k += 1
        if is_open or (k < len(toks) and toks[k].norm == "?"):
            out.append((g.start, k))
    return out


class Status(Enum):
    NEGATED = "negated"
    HEDGED = "hedged"


def apply_negation(lex: Lexicon, msg: Tokenized, found: Clauses, items: list[Item], groups: list[Group]) -> list[Item]:
    """The items left once negated and hedged ones are dropped; a negated true becomes false."""
    toks, n = msg.tokens, len(msg)
    window, doubt_window = lex.tuning.negation_window, lex.tuning.doubt_window
    # Events in text order: a cue acts after its last token, a value at its first.
    events: list[tuple[float, Item | Group]] = [(it.start, it) for it in items]
    events += [(g.end - 0.5, g) for g in groups if g.has(Role.NEG) or g.has(Role.HEDGE)]
    events.sort(key=lambda ev: ev[0])
    group_at = {g.start: g for g in groups}
    status: dict[int, Status] = {}
    span: dict[int, tuple[int, int]] = {}  # a negated value's span includes its negation
    cue: Group | None = None
    facts_since_cue, last_fact_start, last_fact_end = 0, -1, -1
    for _, obj in events:
        if isinstance(obj, Group):
            cue, facts_since_cue, last_fact_start = obj, 0, -1
            continue
        it = obj
        clause = found.hedge if cue is not None and cue.has(Role.HEDGE) else found.negation
        if cue is not None and clause[cue.start] == clause[it.start] and cue.end <= it.start:
            distance = msg.between(cue.end, it.start)
            if facts_since_cue == 0 and distance <= window:
                status[id(it)] = Status.HEDGED if cue.has(Role.HEDGE) else Status.NEGATED
                span[id(it)] = (cue.start, it.end)
            elif distance <= doubt_window:
                # Within reach of the cue but not clearly its object. A complement
                # of the previous value is outside a negation ("pas de fracture
                # du col") but inside a hedge ("antécédent de fracture du col").
                complement = facts_since_cue and all(
                    toks[k].key in lex.complement_words for k in range(last_fact_end, it.start)
                )
                if not complement or cue.has(Role.HEDGE):
                    status[id(it)] = Status.HEDGED
            if it.start != last_fact_start:
                facts_since_cue += 1
                last_fact_start = it.start
            last_fact_end = max(last_fact_end, it.end)
        # A negation or hedge right after the value ("atteinte articulaire : non").
        k, after = it.end, None
        while k < n:
            after = group_at.get(k)
            if after is not None or not (toks[k].key in lex.skip or toks[k].norm == ":"):
                break
            k += 1
        if after is not None and not after.has(Role.FACT):
            if after.has(Role.HEDGE_AFTER):
                status[id(it)] = Status.HEDGED
            elif after.has(Role.NEG_AFTER):
                strict = all(e.strict for e in after.entries if e.role is Role.NEG_AFTER)
                at_clause_end = after.end == n or toks[after.end].is_boundary or after.end in found.breaker_starts
                # setdefault: a value already hedged stays hedged.
                if (
                    (not strict or at_clause_end)
                    and status.setdefault(id(it), Status.NEGATED) is Status.NEGATED
                    and id(it) not in span
                ):
                    span[id(it)] = (it.start, after.end)
    kept = []
    for it in items:
        state = status.get(id(it))
        if state is None:
            kept.append(it)
        elif state is Status.NEGATED and it.field in BOOLEAN_FIELDS and it.value == TRUE:
            start, end = span.get(id(it), (it.start, it.end))
            kept.append(Item(start, end, it.field, FALSE, it.cue))
    return kept
