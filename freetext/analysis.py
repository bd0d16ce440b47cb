"""One pass over one message: the facts it states.

The steps, in order: durations (quantities.py), lexicon phrases
(``select_groups``), performance statuses (scores.py), lesion sizes
(quantities.py), clauses (negation.py); then values upgraded, bound to their
cues, answered by a yes or a no after a field's name, read in the bone's
context, turned into field names after a change cue, filtered by negations,
hedges, questions and the past, dropped when told of another site than the
lesion's (« RT encéphalique »), and finally combined (lytic and blastic:
mixed).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import NamedTuple

from .fields import (
    BOOLEAN_FIELDS,
    FALSE,
    FIELD_ENTITY,
    REFERENCE_ENTITY,
    SITES_BY_BONE,
    TRUE,
    UNKNOWN,
    UNKNOWN_ALLOWED,
    Fact,
    OnBound,
    Straddle,
)
from .lexicon import VALUE_ROLES, Entry, Lexicon, Role, load_lexicon
from .matches import Group, Item
from .memo import Memo
from .negation import Clauses, apply_negation, clauses, questions
from .quantities import Measured, QuantityReader
from .scores import performance_statuses
from .tokens import ANY_NUMBER


@dataclass
class Analysis:
    facts: list[Fact]
    ambiguous: set[str]  # fields named with a value we could not settle
    # field -> the two neighbouring values a quantity straddles ("environ 6 mois")
    choices: dict[str, Straddle] = field(default_factory=dict)
    # field -> a quantity read exactly on a class bound ("6 mois")
    boundaries: dict[str, OnBound] = field(default_factory=dict)
    named: set[str] = field(default_factory=set)  # fields named by the message ("la perte osseuse")


class _Candidate(NamedTuple):
    """A phrase that may be accepted, ranked: longest phrase, then values first, leftmost, longest span."""

    neg_length: int
    no_value: bool
    start: int
    neg_span: int
    group: Group


class Analyzer:
    """One pass over one message (context-free, or as an answer to ``answer_field``)."""

    def __init__(self, lex: Lexicon, text: str, answer_field: str | None, generic: bool = True) -> None:
        self.lex = lex
        self.answer_field = answer_field
        self.generic = generic
        self.msg = lex.read(text)
        self.taken = [False] * len(self.msg)  # tokens already read as something
        self.quantities = QuantityReader(lex, self.msg, self.taken)

    def run(self) -> Analysis:
        durations = self.quantities.durations()
        groups = self.select_groups()
        scores = performance_statuses(self.lex, self.msg, self.quantities, groups, self.taken)
        breakers = frozenset(k for g in groups if g.roles == {Role.BREAK} for k in range(g.start, g.end))
        sizes = self.quantities.sizes(breakers)
        found = clauses(self.msg, groups)

        items: list[Item] = []
        ambiguous: set[str] = set()
        for g in groups:
            stated = [(e.field, e.value) for e in g.entries if e.role is Role.FACT]
            if len(set(stated)) == 1:
                items.append(Item(g.start, g.end, *stated[0]))
            elif stated:
                ambiguous.update(f for f, _ in stated)
        items.extend(scores)
        self.apply_upgrades(items, groups, found.cue)
        used_cues = self.bind_to_cues(items, groups, durations + sizes, ambiguous, found)
        items.extend(self.yes_no_after_names(groups))
        items = self.unsure_after_facts(items, groups)
        self.apply_bone_context(items, groups)

        for it in items:
            if it.value is None:
                ambiguous.add(it.field)
        items = [it for it in items if it.value is not None or it.choice is not None]
        items.sort(key=lambda it: (it.start, it.end))
        forced_names = self.apply_change_cues(items, groups, found)
        past = {found.hedge[g.start] for g in groups if g.has(Role.HEDGE_CLAUSE)}
        past |= {found.hedge[d.start] for d in durations if d.past}
        now = {it.field for it in items if found.hedge[it.start] not in past}
        items = [
            it
            for it in items
            if found.hedge[it.start] not in past
            or it.field in self.lex.clause_exempt
            or (it.field in self.lex.clause_fallback and it.field not in now)
        ]
        asked = questions(self.msg, groups)
        items = [it for it in items if not any(a <= it.start < b for a, b in asked)]
        kept = apply_negation(self.lex, self.msg, found, items, groups)
        kept = self.combine(self.told_of_elsewhere(kept, groups))
        choices = {
            it.field: Straddle(*it.choice, self.msg.fact(it.field, "", it.start, it.end).text)
            for it in kept
            if it.value is None and it.choice is not None
        }
        kept = [it for it in kept if it.value is not None]
        boundaries = {
            it.field: OnBound(self.msg.fact(it.field, "", it.start, it.end).text, it.boundary)
            for it in kept
            if it.boundary
        }

        # Sites that do not exist on the bone named ("extrémité supérieure du fémur").
        bones = {it.value for it in kept if it.field == "bone"}
        if len(bones) == 1:
            allowed = SITES_BY_BONE.get(bones.pop() or "", frozenset())
            kept = [it for it in kept if it.field != "site" or it.value in allowed]

        facts = [self.msg.fact(it.field, it.value or "", it.start, it.end) for it in kept]
        if self.answer_field is None:
            facts.extend(self.field_names(groups, kept, ambiguous, used_cues, forced_names))
        facts.extend(self.references(groups))
        named = {f for g in groups if g.has(Role.NAME) and not g.has(Role.FACT) for f in g.fields(Role.NAME)}
        return Analysis(self.without_overlaps(facts), ambiguous, choices, boundaries, named)

    def select_groups(self) -> list[Group]:
        """The lexicon phrases of the message, longest first, none overlapping."""
        index = self.lex.index_for(self.answer_field, self.generic)
        msg, taken = self.msg, self.taken
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
            if self.answer_field and any(e.role is Role.FACT and e.field == self.answer_field for e in entries):
                entries = [e for e in entries if e.role is not Role.FACT or e.field == self.answer_field]
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

    def bind_to_cues(
        self, items: list[Item], groups: list[Group], measured: list[Measured], ambiguous: set[str], found: Clauses
    ) -> set[int]:
        """Cued values, durations and lesion sizes count only near a cue of their
        field; returns the cue groups used."""
        lex, msg, tuning = self.lex, self.msg, self.lex.tuning
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
            if (
                self.answer_field == fname
                or msg.alone(m.start, m.end)
                or (only_durations and fname == "life_expectancy")
            ):
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

    def yes_no_after_names(self, groups: list[Group]) -> list[Item]:
        """ "perte osseuse : oui", "irradiation antérieure : non": a yes or a no right
        after the name of a yes/no field answers it; « je ne sais pas » right after
        the name of any field that may stay unknown makes it unknown."""
        msg = self.msg
        out: list[Item] = []
        for g in groups:
            if not g.has(Role.NAME) or g.has(Role.FACT):
                continue
            named = g.fields(Role.NAME)
            k = g.end
            while k < len(msg) and (msg.tokens[k].norm == ":" or msg.keys[k] in self.lex.skip):
                k += 1
            # « perte osseuse : je ne sais pas », « l'irradiation, aucune idée », « la
            # RT antérieure, mets inconnu »: the field named is unknown, whatever is asked.
            j, dont_know = self.dont_know_after(k)
            if dont_know:
                out.extend(Item(j, j + dont_know, f, UNKNOWN) for f in sorted(named & UNKNOWN_ALLOWED))
                continue
            fields = named & BOOLEAN_FIELDS
            if not fields:
                continue
            said = max(((len(p), value) for p, value in self.lex.answers.yes_no if msg.has_at(k, p)), default=None)
            if said is not None:
                out.extend(Item(k, k + said[0], fname, said[1]) for fname in sorted(fields))
        return out

    def dont_know_after(self, k: int, unsure_only: bool = False) -> tuple[int, int]:
        """Start and length of a « je ne sais pas » at token k, after commas and the
        words asking to write it down (« , mets inconnu »); length 0 if none.
        ``unsure_only``: without such words, only the speaker's own doubt counts
        (« je n'en suis pas sûr »; « non précisée » stays a hedge)."""
        msg = self.msg
        j = k
        while j < len(msg) and msg.tokens[j].norm in {",", ":", "?"}:
            j += 1
        j += msg.seq_at(j, self.lex.unsure_opener_keys)
        while j < len(msg) and msg.tokens[j].norm == ",":
            j += 1
        written = msg.seq_at(j, self.lex.write_down_keys)
        j += written
        while j < len(msg) and msg.tokens[j].norm == ":":
            j += 1
        phrases = self.lex.unsure_keys if unsure_only and not written else self.lex.dont_know_keys
        return j, msg.seq_at(j, phrases)

    def unsure_after_facts(self, items: list[Item], groups: list[Group]) -> list[Item]:
        """ "irradié, je n'en suis pas sûr", "radiothérapie antérieure : mets inconnu":
        a fact followed by a doubt is no fact; its field, if it may stay unknown, is
        unknown (never the « doute diagnostique » of the doubt's words)."""
        msg = self.msg
        out = list(items)
        covered = {k for g in groups for k in range(g.start, g.end)}
        for g in groups:
            if not g.has(Role.FACT):
                continue
            stated = g.fields(Role.FACT)
            if len(stated) != 1:
                continue
            # « radiothérapie préalable : », « irradié auparavant, »: at most two free
            # words (no fact, no negation) between the fact and the doubt, which ends
            # its clause (« irradié, je ne sais pas la dose » is irradiated).
            k, free, j, dont_know = g.end, 0, g.end, 0
            while k < len(msg) and free <= 2:
                j, dont_know = self.dont_know_after(k, unsure_only=True)
                if dont_know or msg.tokens[k].is_boundary or k in covered:
                    break
                free += msg.keys[k] not in self.lex.skip
                k += 1
            end = j + dont_know
            if not dont_know or not (
                end == len(msg) or msg.tokens[end].is_boundary or msg.seq_at(end, self.lex.dont_know_tail_keys)
            ):
                continue
            (fname,) = stated
            if fname not in UNKNOWN_ALLOWED:
                continue  # « fracture du fémur, je ne sais pas »: the doubt is about something else
            out = [it for it in out if not (it.field == fname and g.start <= it.start < g.end)]
            out.append(Item(j, j + dont_know, fname, UNKNOWN))
        return out

    def apply_bone_context(self, items: list[Item], groups: list[Group]) -> None:
        """Readings that hold for one bone only ("fracture imminente" of the acetabulum)."""
        bones = {it.value for it in items if it.field == "bone"}
        bone = next(iter(bones)) if len(bones) == 1 else None
        conversions = self.lex.bone_conversions.get(bone or "", {})
        for k, it in enumerate(items):
            target = conversions.get((it.field, it.value or ""))
            if target is not None:
                items[k] = Item(it.start, it.end, target[0], target[1], it.cue)
        for g in groups:
            values = {(e.field, e.value) for e in g.entries if e.role is Role.CONTEXT and e.bone == bone}
            if len(values) == 1 and not g.has(Role.FACT):
                items.append(Item(g.start, g.end, *values.pop()))

    def apply_change_cues(self, items: list[Item], groups: list[Group], found: Clauses) -> set[int]:
        """ "modifier l'espérance de vie", "erreur sur le doute diagnostique": the first
        field named (or fact) after a change cue is the field to change. Returns the
        starts of the field-name groups to emit; a fact read as a field name is
        replaced in ``items`` by a FIELD_ENTITY item (and values near it dropped)."""
        forced: set[int] = set()
        msg, window, neg_clause = self.msg, self.lex.tuning.doubt_window, found.negation
        name_starts = [h.start for h in groups if h.has(Role.NAME) and not h.has(Role.FACT)]
        item_starts = [it.start for it in items]
        dropped: set[int] = set()
        added: list[Item] = []
        for g in groups:
            if not g.has(Role.CHANGE):
                continue
            n_pos = bisect.bisect_left(name_starts, g.end)
            first_name = name_starts[n_pos] if n_pos < len(name_starts) else None
            clause = neg_clause[g.end - 1]
            i_pos = bisect.bisect_left(item_starts, g.end)
            while i_pos < len(items) and i_pos in dropped:
                i_pos += 1
            first = items[i_pos] if i_pos < len(items) else None
            if first is not None and (
                neg_clause[first.start] != clause or msg.between(g.end, first.start) > self.lex.tuning.negation_window
            ):
                first = None
            if first_name is not None and (first is None or first_name < first.start):
                forced.add(first_name)  # "erreur, ce n'est pas le bon os"
                continue
            if first is None:
                continue
            k = i_pos
            while (
                k < len(items) and neg_clause[items[k].start] == clause and msg.between(g.end, items[k].start) <= window
            ):
                dropped.add(k)
                k += 1
            added.append(Item(first.start, first.end, FIELD_ENTITY, first.field))
        if dropped or added:
            items[:] = sorted(
                [it for k, it in enumerate(items) if k not in dropped] + added, key=lambda it: (it.start, it.end)
            )
        return forced

    def field_names(
        self, groups: list[Group], kept: list[Item], ambiguous: set[str], used_cues: set[int], forced: set[int]
    ) -> list[Fact]:
        """`field` entities: a field named without a value, after a change cue or alone."""
        out = []
        named = {it.field for it in kept} | {it.value for it in kept if it.field == FIELD_ENTITY} | ambiguous
        for gi, g in enumerate(groups):
            fields = sorted(g.fields(Role.NAME) - named)
            if gi in used_cues or g.has(Role.FACT) or not fields:
                continue
            full_start = min(g.start, *(g.start - e.emit_start for e in g.entries if e.role is Role.NAME))
            full_end = max(g.end, *(g.start - e.emit_start + len(e.keys) for e in g.entries if e.role is Role.NAME))
            alone = self.msg.between(0, full_start) + self.msg.between(full_end, len(self.msg)) == 0
            if g.start in forced or alone:
                out.append(self.msg.fact(FIELD_ENTITY, fields[0], g.start, g.end))
        return out

    def told_of_elsewhere(self, items: list[Item], groups: list[Group]) -> list[Item]:
        """ "RT encéphalique": a value followed by another site than the lesion's says
        nothing of the lesion; as the answer to its field's question, a yes is a no
        (« seulement une RT encéphalique »)."""
        after = {g.start: g for g in groups if g.has(Role.ELSEWHERE)}
        out = []
        for it in items:
            g = after.get(it.end)
            if g is None or it.field not in g.fields(Role.ELSEWHERE):
                out.append(it)
            elif self.answer_field == it.field and it.value == TRUE:
                out.append(Item(it.start, g.end, it.field, FALSE, it.cue))
        return out

    def combine(self, items: list[Item]) -> list[Item]:
        """Values said together that mean another ("lytique ... composante condensante": mixed)."""
        keys = self.msg.keys
        for rule in self.lex.combined:
            of_field = [it for it in items if it.field == rule.field]
            said = {it.value for it in of_field}
            offered = any(
                k in self.lex.alternatives
                for a, b in zip(of_field, of_field[1:], strict=False)
                for k in keys[a.end : b.start]
            )
            if len(said) > 1 and said <= rule.values and not offered:
                items = [
                    Item(it.start, it.end, it.field, rule.means, it.cue) if it.field == rule.field else it
                    for it in items
                ]
        return items

    @staticmethod
    def apply_upgrades(items: list[Item], groups: list[Group], cue_clause: list[int]) -> None:
        """ "col du fémur étendu au massif trochantérien": neck becomes neck_trochanteric_extension."""
        for g in groups:
            for e in g.entries:
                if e.role is not Role.UPGRADE:
                    continue
                earlier = [
                    it
                    for it in items
                    if it.field == e.field
                    and it.value == e.upgrade_from
                    and it.end <= g.start
                    and cue_clause[it.start] == cue_clause[g.start]
                ]
                if not earlier:
                    items.append(Item(g.start, g.end, e.field, e.fallback))
                    continue
                source = earlier[-1]
                items.remove(source)
                inside = any(source.end <= it.start < g.start for it in items)
                start = g.start if inside else source.start
                items.append(Item(start, g.end, e.field, e.value))

    def references(self, groups: list[Group]) -> list[Fact]:
        """Reference numbers after a reference cue ("références 137 et 144")."""
        out = []
        msg, taken = self.msg, self.taken
        toks, n = msg.tokens, len(msg)
        low, high = self.lex.ref_range
        for g in groups:
            if not g.has(Role.REF):
                continue
            k = g.end
            while k < n and (toks[k].key in self.lex.ref_fillers or toks[k].norm in (".", ":")):
                k += 1
            while k < n and not taken[k]:
                q = self.quantities.number(k) if toks[k].is_content else None
                if (
                    q is None
                    or q.lo != q.hi
                    or not q.lo.is_integer()
                    or not low <= q.lo <= high
                    or any(taken[k : q.end])
                ):
                    break
                out.append(msg.fact(REFERENCE_ENTITY, str(int(q.lo)), k, q.end))
                k = q.end
                if k + 1 < n and (toks[k].norm == "," or toks[k].key == "et"):
                    k += 1
                else:
                    break
        return out

    @staticmethod
    def without_overlaps(facts: list[Fact]) -> list[Fact]:
        out: list[Fact] = []
        for f in sorted(facts, key=lambda f: (f.start, f.end)):
            if not out or f.start >= out[-1].end:
                out.append(f)
        return out


def analyze(lex: Lexicon, text: str, answer_field: str | None = None, generic: bool = True) -> Analysis:
    """``generic``: in an answer, read the yes, no and « je ne sais pas » as its value."""
    return Analyzer(lex, text, answer_field, generic).run()


# The analyses of the last messages read: one message is read several times
# (facts, answer, scope, discourse), and a message the Rasa server's NLU read
# is put here by the action server (`freetext.reading`).
ANALYSES: Memo[Analysis] = Memo(256)


def cached_analysis(text: str, answer_field: str | None = None, generic: bool = True) -> Analysis:
    """``analyze`` with the project's lexicon, remembered for the last messages: one
    message is read several times (facts, answer, scope, discourse). Do not modify
    the result."""
    return ANALYSES.get((text, answer_field, generic), lambda: analyze(load_lexicon(), text, answer_field, generic))
