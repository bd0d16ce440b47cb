"""One pass over one message: the facts it states.

The steps, in order: durations (quantities.py), lexicon phrases
(selection.py), performance statuses (scores.py), lesion sizes
(quantities.py), clauses (negation.py); then values upgraded, bound to their
cues (binding.py), answered by a yes or a no after a field's name
(yes_no_unknown.py), read in the bone's context, turned into field names
after a change cue, filtered by negations, hedges, questions and the past,
dropped when told of another site than the lesion's (« RT encéphalique »),
and finally combined (lytic and blastic: mixed).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from .binding import bind_to_cues
from .fields import (
    FALSE,
    FIELD_ENTITY,
    REFERENCE_ENTITY,
    SITES_BY_BONE,
    TRUE,
    Fact,
    OnBound,
    Straddle,
)
from .lexicon import Lexicon, Role, load_lexicon
from .matches import Group, Item
from .memo import Memo
from .negation import Clauses, apply_negation, clauses, questions
from .quantities import QuantityReader
from .scores import performance_statuses
from .selection import select_groups
from .yes_no_unknown import unsure_after_facts, yes_no_after_names


@dataclass
class Analysis:
    facts: list[Fact]
    ambiguous: set[str]  # fields named with a value we could not settle
    # field -> the two neighbouring values a quantity straddles ("environ 6 mois")
    choices: dict[str, Straddle] = field(default_factory=dict)
    # field -> a quantity read exactly on a class bound ("6 mois")
    boundaries: dict[str, OnBound] = field(default_factory=dict)
    named: set[str] = field(default_factory=set)  # fields named by the message ("la perte osseuse")


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
        groups = select_groups(self.lex, self.msg, self.taken, self.answer_field, self.generic)
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
        used_cues = bind_to_cues(
            self.lex, self.msg, self.answer_field, items, groups, durations + sizes, ambiguous, found
        )
        items.extend(yes_no_after_names(self.lex, self.msg, groups))
        items = unsure_after_facts(self.lex, self.msg, items, groups)
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
