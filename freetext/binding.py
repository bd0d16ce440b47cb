"""Values that count only near a cue of their field: the cued values
(« légère » after « douleur »), the durations and the lesion sizes, each bound
to the nearest cue of its field within the tuned windows, in the same clause;
a quantity alone, or the answer to its field's question, needs no cue."""

from __future__ import annotations

import bisect

from .fields import UNKNOWN
from .lexicon import Lexicon, Role
from .matches import Group, Item
from .negation import Clauses
from .quantities import Measured
from .tokens import Tokenized


def bind_to_cues(
    lex: Lexicon,
    msg: Tokenized,
    answer_field: str | None,
    items: list[Item],
    groups: list[Group],
    measured: list[Measured],
    ambiguous: set[str],
    found: Clauses,
) -> set[int]:
    """Cued values, durations and lesion sizes count only near a cue of their
    field; returns the cue groups used."""
    tuning = lex.tuning
    cues: dict[str, list[int]] = {}
    for gi, g in enumerate(groups):
        for fname in g.fields(Role.CUE, Role.NAME):
            cues.setdefault(fname, []).append(gi)
    cue_starts = {fname: [groups[c].start for c in indices] for fname, indices in cues.items()}
    cue_clause = found.cue

    def bind(
        start: int,
        end: int,
        fname: str,
        after: int,
        before: int,
        allowed: set[str] | None = None,
        across: bool = False,
    ) -> int | None:
        """The cue group a value binds to (-1: a word between them may change it).
        ``across``: a value standing alone after a comma may bind to a cue of the
        part before ("une cimentoplastie il y a 1 mois, inefficace")."""
        candidates = cues.get(fname, [])
        pos = bisect.bisect_left(cue_starts.get(fname, []), start)
        if pos > 0:
            c = groups[candidates[pos - 1]]
            reach = cue_clause[c.start] == cue_clause[start] or (
                across and cue_clause[c.start] == cue_clause[start] - 1 and msg.segment_alone(start, end)
            )
            if reach and msg.between(c.end, start) <= after:
                if allowed is not None:
                    last = next(
                        (
                            k
                            for k in range(start - 1, c.end - 1, -1)
                            if not msg.tokens[k].is_boundary and msg.keys[k] not in lex.skip
                        ),
                        None,
                    )
                    if last is not None and msg.keys[last] not in allowed:
                        return -1  # "espérance de vie réduite à 3 mois": unclear
                return candidates[pos - 1]
        if pos < len(candidates):
            c = groups[candidates[pos]]
            if cue_clause[c.start] == cue_clause[end - 1] and msg.between(end, c.start) <= before:
                return candidates[pos]
        return None

    bound: list[Item] = []
    for g in groups:
        for e in g.entries:
            if e.role is Role.CUED:
                cue = bind(g.start, g.end, e.field, tuning.cue_window_after, tuning.cue_window_before, across=True)
                if cue is not None and cue >= 0:
                    bound.append(Item(g.start, g.end, e.field, e.value, cue))
                elif e.value != UNKNOWN and len(g.fields(Role.CUED)) == 1 and msg.alone(g.start, g.end):
                    # "légère" alone; not "inefficace" (which treatment?) nor "inconnue" (which field?)
                    bound.append(Item(g.start, g.end, e.field, e.value))
    # "pardon, je voulais dire 6 mois, pas 6 semaines": a message saying only durations
    # (some of them negated) says life expectancies.
    said = sum(msg.words_in(m.start, m.end) for m in measured if m.scale == "life_expectancy")
    said += sum(msg.words_in(g.start, g.end) for g in groups if g.has(Role.NEG))
    only_durations = said == msg.words_in(0, len(msg))
    for m in measured:
        fname = m.scale
        if m.excluded:
            continue
        if answer_field == fname or msg.alone(m.start, m.end) or (only_durations and fname == "life_expectancy"):
            # An answer to the question, or a message saying only a quantity
            # ("4 mois", "huit mois selon l'oncologue", "70 %").
            bound.append(Item(m.start, m.end, fname, m.value, None, m.choice, m.boundary))
            continue
        if fname == "life_expectancy":
            cue = bind(
                m.start,
                m.end,
                fname,
                tuning.duration_window_after,
                tuning.duration_window_before,
                lex.durations.allowed_before,
            )
        else:
            cue = bind(m.start, m.end, fname, tuning.cue_window_after, tuning.cue_window_before)
        if cue == -1:
            ambiguous.add(fname)
        elif cue is not None:
            bound.append(Item(m.start, m.end, fname, m.value, cue, m.choice, m.boundary))
        elif fname == "lesion_size" and fname in cues and msg.segment_alone(m.start, m.end):
            # "lésion mixte, 60 %, douleur modérée": a part of a case description on its own.
            bound.append(Item(m.start, m.end, fname, m.value, None, m.choice, m.boundary))
    # One cue giving two different values ("douleur légère à modérée") gives none.
    by_cue: dict[tuple[int | None, str], set[str | None]] = {}
    for it in bound:
        by_cue.setdefault((it.cue, it.field), set()).add(it.value)
    for it in bound:
        if it.cue is None or len(by_cue[(it.cue, it.field)]) == 1:
            items.append(it)
        else:
            ambiguous.add(it.field)
    return {it.cue for it in bound if it.cue is not None}
