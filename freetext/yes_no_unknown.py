"""A yes, a no or a « je ne sais pas » said of a field: right after its name
(« perte osseuse : oui », « l'irradiation, aucune idée »), or a doubt right
after a fact (« irradié, je n'en suis pas sûr »), which makes it no fact."""

from __future__ import annotations

from .fields import BOOLEAN_FIELDS, UNKNOWN, UNKNOWN_ALLOWED
from .lexicon import Lexicon, Role
from .matches import Group, Item
from .tokens import Tokenized


def yes_no_after_names(lex: Lexicon, msg: Tokenized, groups: list[Group]) -> list[Item]:
    """ "perte osseuse : oui", "irradiation antérieure : non": a yes or a no right
    after the name of a yes/no field answers it; « je ne sais pas » right after
    the name of any field that may stay unknown makes it unknown."""
    out: list[Item] = []
    for g in groups:
        if not g.has(Role.NAME) or g.has(Role.FACT):
            continue
        named = g.fields(Role.NAME)
        k = g.end
        while k < len(msg) and (msg.tokens[k].norm == ":" or msg.keys[k] in lex.skip):
            k += 1
        # « perte osseuse : je ne sais pas », « l'irradiation, aucune idée », « la
        # RT antérieure, mets inconnu »: the field named is unknown, whatever is asked.
        j, dont_know = dont_know_after(lex, msg, k)
        if dont_know:
            out.extend(Item(j, j + dont_know, f, UNKNOWN) for f in sorted(named & UNKNOWN_ALLOWED))
            continue
        fields = named & BOOLEAN_FIELDS
        if not fields:
            continue
        said = max(((len(p), value) for p, value in lex.answers.yes_no if msg.has_at(k, p)), default=None)
        if said is not None:
            out.extend(Item(k, k + said[0], fname, said[1]) for fname in sorted(fields))
    return out


def dont_know_after(lex: Lexicon, msg: Tokenized, k: int, unsure_only: bool = False) -> tuple[int, int]:
    """Start and length of a « je ne sais pas » at token k, after commas and the
    words asking to write it down (« , mets inconnu »); length 0 if none.
    ``unsure_only``: without such words, only the speaker's own doubt counts
    (« je n'en suis pas sûr »; « non précisée » stays a hedge)."""
    j = k
    while j < len(msg) and msg.tokens[j].norm in {",", ":", "?"}:
        j += 1
    j += msg.seq_at(j, lex.unsure_opener_keys)
    while j < len(msg) and msg.tokens[j].norm == ",":
        j += 1
    written = msg.seq_at(j, lex.write_down_keys)
    j += written
    while j < len(msg) and msg.tokens[j].norm == ":":
        j += 1
    phrases = lex.unsure_keys if unsure_only and not written else lex.dont_know_keys
    return j, msg.seq_at(j, phrases)


def unsure_after_facts(lex: Lexicon, msg: Tokenized, items: list[Item], groups: list[Group]) -> list[Item]:
    """ "irradié, je n'en suis pas sûr", "radiothérapie antérieure : mets inconnu":
    a fact followed by a doubt is no fact; its field, if it may stay unknown, is
    unknown (never the « doute diagnostique » of the doubt's words)."""
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
            j, dont_know = dont_know_after(lex, msg, k, unsure_only=True)
            if dont_know or msg.tokens[k].is_boundary or k in covered:
                break
            free += msg.keys[k] not in lex.skip
            k += 1
        end = j + dont_know
        if not dont_know or not (
            end == len(msg) or msg.tokens[end].is_boundary or msg.seq_at(end, lex.dont_know_tail_keys)
        ):
            continue
        (fname,) = stated
        if fname not in UNKNOWN_ALLOWED:
            continue  # « fracture du fémur, je ne sais pas »: the doubt is about something else
        out = [it for it in out if not (it.field == fname and g.start <= it.start < g.end)]
        out.append(Item(j, j + dont_know, fname, UNKNOWN))
    return out
