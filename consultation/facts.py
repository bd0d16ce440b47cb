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
from freetext.parser import interpret_answer

from .render import case_field_name
from .texts import field_name, message, value_label, values_list


@dataclass
class Update:
    """Slots to set (None clears a slot) and what to tell the user."""

    slots: dict[str, Any] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


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
) -> Update:
    """The slot changes a user message brings to the case `current`."""
    update = Update()
    heard: dict[str, list[Any]] = {}
    for name, value in contract_entities(entities):
        if value not in heard.setdefault(name, []):
            heard[name].append(value)
    if requested is not None and requested in FIELDS and requested not in heard:
        answer = answer_from_context(requested, text)
        if answer is None and _says_dont_know(intent, text) and requested in UNKNOWN_ALLOWED:
            answer = UNKNOWN
        if answer is not None:
            heard[requested] = [answer]

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
    bone = accepted.get("bone", current.get("bone"))
    site = accepted.get("site", current.get("site"))
    if bone is None or site in (None, UNKNOWN) or site in SITES_BY_BONE.get(bone, ()):
        return
    update.messages.append(message("incoherent_site", site=value_label("site", site), bone=value_label("bone", bone)))
    accepted.pop("site", None)
    if current.get("site") is not None:
        accepted["site"] = None
