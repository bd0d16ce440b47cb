"""« Pourquoi pas une PTH ? »: why a technique is, or is not, proposed for
this case, with the chapter's sentences.

When the technique is in the recommendation, its rationale, section,
references and quotations. When it is not, which single answer (among the
facts the decision depends on) would make the chapter propose it, found by
asking the decision module, and the sentences the technique rests on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from decision import knowledge, recommend
from decision.rules import DECISIVE, WHEN_SURGERY_CONSIDERED, values_of

from .render import conditions_phrase, item_explanation, sections, technique_open
from .texts import texts, words_named

# The facts whose other answers are weighed (not the bone or the situation:
# « si l'os était le fémur » answers nothing).
WEIGHED = (*DECISIVE, "major_bone_loss", *WHEN_SURGERY_CONSIDERED)


def techniques_named(text: str) -> list[str]:
    """The technique codes a message names (« une PTH », « le clou »…)."""
    return words_named(text, texts()["technique_words"])


def _proposed(rec: Mapping[str, Any], code: str) -> Mapping[str, Any] | None:
    return next((item for item in rec.get("techniques") or [] if item["code"] == code), None)


def _would_propose(case: Mapping[str, Any], code: str) -> list[tuple[str, Any]]:
    """The single answers that would make the chapter propose `code`."""
    found = []
    for name in WEIGHED:
        for value in values_of(case, name):
            if value == case.get(name):
                continue
            changed = {**case, name: value}
            if any(item.code == code for item in recommend(changed).techniques):
                found.append((name, value))
    return found


def explain_technique(rec: Mapping[str, Any], codes: Sequence[str]) -> list[str]:
    """Why the first of `codes` that concerns this case is or is not proposed."""
    why = texts()["why"]
    case = rec["case"]
    for code in codes:
        item = _proposed(rec, code)
        if item is not None:
            role = texts()["roles"].get(item.get("role") or "", "")
            return (
                [item_explanation(sections()["techniques"], item)]
                if not role
                else [
                    why["proposed"].format(label=item["label_fr"], role=role, rationale=item.get("rationale_fr") or ""),
                    item_explanation(sections()["techniques"], item),
                ]
            )
    for code in codes:
        conditions = _would_propose(case, code)
        if conditions:
            return _not_proposed(rec, code, conditions)
    return _not_proposed(rec, codes[0], [])


def _not_proposed(rec: Mapping[str, Any], code: str, conditions: list[tuple[str, Any]]) -> list[str]:
    why = texts()["why"]
    data = knowledge.item("techniques", code)
    lines = [why["not_proposed"].format(label=data["label_fr"])]
    open_by = technique_open(rec)
    if open_by:  # not proposed, yet the surgery is indicated
        lines.append(why[f"technique_open_{open_by}"])
    if conditions:
        lines.append(why["would_be"].format(conditions=conditions_phrase(conditions)))
    else:
        lines.append(why["never_here"])
    explanation = item_explanation(sections()["techniques"], {**data, "code": code})
    return [" ".join(lines), explanation]
