"""Turn what the user said into case facts, safely.

`update_facts` is the only way a fact enters the consultation: every value is
checked against the decision contract (`decision.validate_fact`), a site must
belong to its bone, a bone is inferred from a site that exists on one bone only,
and every change is said back to the user in French. Pure Python: the Rasa
action that calls it only moves slots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from decision import FIELDS, CaseError, validate_fact
from decision.contract import SITES_BY_BONE, UNKNOWN, UNKNOWN_ALLOWED, bones_for_site
from freetext.discourse import Command, answer_is_blocked, choice_side, command
from freetext.parser import boundaries, choices, extract_facts, interpret_answer
from freetext.scope import out_of_scope

from .questions import case_field_name
from .texts import field_name, message, value_label, values_list


@dataclass(frozen=True)
class Choice:
    """A short question between two values of ``field`` (« environ 6 mois »: « 6
    semaines à 6 mois » or « 6 à 12 mois ? »): ``text`` is the question; each
    value is a button. Nothing is written until the user chooses."""

    field: str
    values: tuple[Any, Any]
    text: str


@dataclass
class Update:
    """Slots to set (None clears a slot) and what to tell the user.

    ``choice``: a value read on the edge of two (its text is not in
    ``messages``: the action says it with one button per value, instead of the
    field's question); ``out_of_scope``: why the message is
    outside the chapter (nothing is set then); ``removed``: the fields a
    removal or a denial cleared."""

    slots: dict[str, Any] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    choice: Choice | None = None
    out_of_scope: str | None = None
    removed: list[str] = field(default_factory=list)


def contract_entities(entities: Iterable[Mapping[str, Any]]) -> list[tuple]:
    """(field, value) of the entities named after a contract field, in order."""
    return [(e.get("entity"), e.get("value")) for e in entities if e.get("entity") in FIELDS]


def answer_from_context(requested: str | None, text: str) -> Any | None:
    """A short answer read as the answer to the pending question ("oui", "4 mois",
    "je ne sais pas"). Only the words count, never the intent alone: a message
    the classifier happens to read as "yes" sets nothing unless it says yes."""
    if requested is None or requested not in FIELDS or text.lstrip().startswith("/"):
        return None
    return interpret_answer(text, requested)


OUT_OF_SCOPE_INTENT = "out_of_scope"

# « Je ne sais pas » read by the intent classifier alone, with no words the
# reader understood: it only ever records `unknown` for the pending question
# (never a fact), so a confident intent is enough.
DONT_KNOW_CONFIDENCE = 0.8


def update_facts(
    current: Mapping[str, Any],
    entities: Iterable[Mapping[str, Any]],
    intent: Mapping[str, Any] | None,
    text: str,
    requested: str | None,
    previous: Mapping[str, Any] | None = None,
    offered: tuple[Any, ...] | None = None,
) -> Update:
    """The slot changes a user message brings to the case `current`.

    ``previous``: the facts the user's previous message wrote (« je n'ai pas dit
    ça » removes them); ``offered``: the two values of ``requested`` the previous
    reply offered as a choice (« plutôt moins » picks the first). A message
    outside the chapter sets nothing; « retire la perte osseuse » clears a fact;
    a duration on the edge of two classes gives a `Choice`; a yes or a no that
    belongs to a correction, a question or another field never answers the
    pending question."""
    update = Update()
    typed = not text.lstrip().startswith("/")
    if typed:
        scope = out_of_scope(text)
        if scope is not None:
            update.out_of_scope = scope.reason
            update.messages.append(message(f"out_of_scope_{scope.reason}", words=" », « ".join(scope.words)))
            if (intent or {}).get("name") != OUT_OF_SCOPE_INTENT:
                # The out_of_scope intent's own reply (utter_out_of_scope) says what is covered.
                update.messages.append(message("out_of_scope_covered"))
            return update
        request = command(text)
        if request is not None:
            return _take_out(current, request, previous or {}, update)
    heard: dict[str, list[Any]] = {}
    for name, value in contract_entities(entities):
        if value not in heard.setdefault(name, []):
            heard[name].append(value)
    if requested is not None and requested in FIELDS and requested not in heard:
        answer = answer_from_context(requested, text)
        if (
            answer is None
            and _says_dont_know(intent, text)
            and requested in UNKNOWN_ALLOWED
            and not _answer_belongs_elsewhere(text, requested)
        ):
            answer = UNKNOWN
        if answer is not None:
            heard[requested] = [answer]
    if typed and requested is not None and requested in FIELDS and requested not in heard and offered:
        picked = _picked(text, requested, tuple(offered))
        if picked is not None:
            heard[requested] = [picked]
    if typed:
        update.choice = _choice(text, requested, heard)

    accepted: dict[str, Any] = {}
    for name, values in heard.items():
        valid: list[Any] = []
        invalid = 0
        for value in values:
            try:
                checked = validate_fact(name, value, strict=False)
            except CaseError:
                invalid += 1
                continue
            if checked not in valid:
                valid.append(checked)
        if len(valid) > 1:
            # Only the contract's values are named: a value outside it may be anything the user typed.
            labels = ", ".join(value_label(name, value) for value in valid)
            update.messages.append(message("ambiguous", name=field_name(name), values=labels))
        elif invalid:
            # The value is not repeated either.
            update.messages.append(message("invalid_value", name=field_name(name), expected=values_list(name)))
        elif valid:
            accepted[name] = valid[0]

    _infer_bone(current, accepted)
    _check_site(current, accepted, update)

    changes = {name: value for name, value in accepted.items() if current.get(name) != value}
    update.slots.update(changes)
    noted = []
    for name, value in changes.items():
        old = current.get(name)
        if old is not None and value is not None:
            update.messages.append(
                message("corrected", name=field_name(name), new=value_label(name, value), old=value_label(name, old))
            )
        elif value is not None:
            # The Mirels items named without the score where it does not apply (acetabulum).
            noted.append(f"{case_field_name(name, {**current, **accepted})} : {value_label(name, value)}")
    if noted:
        update.messages.insert(0, message("noted", facts=" ; ".join(noted)))
    if typed:
        for name, bound in boundaries(text).items():
            if name in changes and changes[name] is not None:
                update.messages.append(
                    message(
                        "on_bound",
                        said=bound.text,
                        label=value_label(name, changes[name]),
                        other=value_label(name, bound.other),
                    )
                )
    return update


def _answer_belongs_elsewhere(text: str, requested: str) -> bool:
    """Whether a « je ne sais pas » the classifier heard belongs to something else
    than the pending question (a correction, a question, another field)."""
    stated = {f.field for f in extract_facts(text) if f.field in FIELDS}
    return answer_is_blocked(text, requested, stated, ())


def _picked(text: str, requested: str, offered: tuple[Any, ...]) -> Any | None:
    """The offered value a typed reply picks: « plutôt moins », « la seconde », or a
    value whose reading overlaps one offered value only (« moins de 6 mois » between
    « 6 semaines à 6 mois » and « 6 à 12 mois »)."""
    straddle = choices(text, requested).get(requested)
    if straddle is not None:
        common = [v for v in offered if v in (straddle.low, straddle.high)]
        return common[0] if len(common) == 1 else None
    side = choice_side(text)
    if side is None or len(offered) != 2 or _answer_belongs_elsewhere(text, requested):
        return None
    return offered[side]


def _choice(text: str, requested: str | None, heard: Mapping[str, list[Any]]) -> Choice | None:
    """The short choice a value on the edge of two classes calls for (« environ 6 mois »)."""
    for name, straddle in choices(text, requested).items():
        if name in heard or name not in FIELDS:
            continue
        low, high = (validate_fact(name, v, strict=False) for v in (straddle.low, straddle.high))
        text_fr = message(
            "straddle_choice",
            said=straddle.text,
            name=field_name(name),
            low=value_label(name, low),
            high=value_label(name, high),
        )
        return Choice(name, (low, high), text_fr)
    return None


def _take_out(current: Mapping[str, Any], request: Command, previous: Mapping[str, Any], update: Update) -> Update:
    """« retire la perte osseuse », « je n'ai pas dit ça », « je n'ai jamais dit que la
    perte osseuse était non, je ne sais pas »: the facts named (or those the previous
    message wrote) are cleared, or become unknown."""
    fields = [name for name in request.fields if name in FIELDS]
    if request.kind == "denial" and not fields:
        fields = [name for name, value in previous.items() if name in FIELDS and current.get(name) == value]
        if not fields:
            update.messages.append(message("nothing_written_before"))
            return update
    if request.unknown:
        unknown = [name for name in fields if name in UNKNOWN_ALLOWED]
        noted = []
        for name in unknown:
            if current.get(name) == UNKNOWN:
                continue
            update.slots[name] = UNKNOWN
            old = current.get(name)
            if old is None:
                noted.append(f"{field_name(name)} : {value_label(name, UNKNOWN)}")
            else:
                update.messages.append(
                    message(
                        "corrected",
                        name=field_name(name),
                        new=value_label(name, UNKNOWN),
                        old=value_label(name, old),
                    )
                )
        if noted:
            update.messages.insert(0, message("noted", facts=" ; ".join(noted)))
        fields = [name for name in fields if name not in UNKNOWN_ALLOWED]
    held = [name for name in fields if current.get(name) is not None]
    for name in held:
        update.slots[name] = None
        update.removed.append(name)
        if name == "bone" and current.get("site") is not None and "site" not in held:
            update.slots["site"] = None
            update.removed.append("site")
    if update.removed:
        said = " ; ".join(f"{field_name(n)} : {value_label(n, current[n])}" for n in update.removed)
        update.messages.append(message("removed_facts", facts=said))
    missing = [name for name in fields if current.get(name) is None]
    if missing and not update.slots:
        update.messages.append(message("nothing_to_remove", names=", ".join(field_name(n) for n in missing)))
    return update


def _says_dont_know(intent: Mapping[str, Any] | None, text: str) -> bool:
    if not intent or text.lstrip().startswith("/"):
        return False
    return intent.get("name") == "dont_know" and (intent.get("confidence") or 0.0) >= DONT_KNOW_CONFIDENCE


def _infer_bone(current: Mapping[str, Any], accepted: dict[str, Any]) -> None:
    """ "Pertrochantérien" says femur: a site that exists on one bone names it."""
    site = accepted.get("site")
    if site and "bone" not in accepted and current.get("bone") is None:
        bones = bones_for_site(site)
        if len(bones) == 1:
            accepted["bone"] = bones[0]


def _check_site(current: Mapping[str, Any], accepted: dict[str, Any], update: Update) -> None:
    """A site that does not exist on the bone is refused; a site already noted
    that is valid on the bone stays (a misread word never wipes it), one that the
    new bone does not have is cleared."""
    bone = accepted.get("bone", current.get("bone"))
    site = accepted.get("site", current.get("site"))
    if bone is None or site in (None, UNKNOWN) or site in SITES_BY_BONE.get(bone, ()):
        return
    update.messages.append(message("incoherent_site", site=value_label("site", site), bone=value_label("bone", bone)))
    accepted.pop("site", None)
    kept = current.get("site")
    if kept is not None and kept != UNKNOWN and kept not in SITES_BY_BONE.get(bone, ()):
        accepted["site"] = None
