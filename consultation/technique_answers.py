"""« Pourquoi pas une PTH ? », « plutôt un clou gamma ? »: what each technique
a message names is in the chapter's catalogue for this case (one meaning
when the bone and the site settle it), and why it is or is not proposed —
with the single answers that would make the chapter propose it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from decision import knowledge, recommend
from decision.contract import UNKNOWN
from decision.question_order import completions, values_of
from decision.rules import DECISIVE

from .case_questions import options_text
from .discussion_words import concepts_named, data, described
from .render import technique_open
from .texts import field_name, lower_first, sections, texts, value_label
from .why import item_explanation

# At most this many techniques answered for one message.
MAX_TECHNIQUES = 3
# Questions not asked yet that a « would it be proposed? » weighs (each of their answers).
OPEN_QUESTIONS = 3


def _fits(meaning: Mapping[str, Any], bone: Any, site: Any) -> bool:
    if "bone" in meaning and bone not in meaning["bone"]:
        return False
    return "site" not in meaning or site in meaning["site"]


def meanings_for(concept: str, case: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """What `concept` may be for this case: one meaning when the bone and the
    site settle it, each possible one otherwise."""
    meanings = data()["techniques"][concept]["meanings"]
    bone, site = case.get("bone"), case.get("site")
    bone_known = bone not in (None, UNKNOWN)
    site_known = site not in (None, UNKNOWN)
    possible = [m for m in meanings if not bone_known or "bone" not in m or bone in m["bone"]]
    if bone_known and (site_known or not any("site" in m for m in possible)):
        chosen = next((m for m in meanings if _fits(m, bone, site)), None)
        return [chosen] if chosen else []
    # The bone or the site is not known: every meaning they leave possible,
    # one per distinct first technique.
    seen: dict[str, Mapping[str, Any]] = {}
    for meaning in possible:
        if meaning["codes"]:
            seen.setdefault(meaning["codes"][0], meaning)
    return list(seen.values()) or possible[:1]


def technique_answer(text: str, case: Mapping[str, Any], rec: Mapping[str, Any] | None) -> list[str]:
    """« Pourquoi pas une PTH ? », « plutôt un clou gamma ? », « et une
    hémiarthroplastie ? »: what each technique named is in the chapter's
    catalogue for this case, and why it is or is not proposed."""
    words = data()["technique"]
    named = concepts_named(text)
    if not named:
        return [words["unknown"]]
    current = rec or (recommend(case).to_dict() if described(case) else None)
    messages: list[str] = []
    explained: set[str] = set()
    for concept, typed in named[:MAX_TECHNIQUES]:
        code, said = _concept_answer(concept, typed, case, current)
        if code is None or code not in explained:
            messages += [text for text in said if text not in messages]
        if code is not None:
            explained.add(code)
    return messages


def _concept_answer(
    concept: str, typed: str, case: Mapping[str, Any], rec: Mapping[str, Any] | None
) -> tuple[str | None, list[str]]:
    """The technique code `concept` stands for here (None when ambiguous or
    outside the catalogue) and the messages that answer it."""
    words = data()["technique"]
    meanings = meanings_for(concept, case)
    proposed = [m for m in meanings if rec and any(_proposed(rec, code) for code in m["codes"])]
    if len(meanings) > 1 and proposed:
        meanings = proposed[:1]
    if len(meanings) > 1:
        lines = [words["ambiguous"].format(word=typed)]
        lines += [
            words["ambiguous_line"].format(
                where=m.get("where_fr", ""), label=knowledge.item("techniques", m["codes"][0])["label_fr"]
            )
            for m in meanings
        ]
        lines.append(words["ambiguous_end"])
        notes = [data()["notes"][m["note"]] for m in meanings if m.get("note")]
        return None, ["\n".join(lines), *dict.fromkeys(notes)]
    meaning = meanings[0] if meanings else {"codes": []}
    variants = meaning.get("variants") or {}
    code = _explained_code(rec, case, meaning["codes"]) if meaning["codes"] else None
    messages = explain_codes(rec, case, meaning["codes"], variants) if meaning["codes"] else []
    several = len(data()["techniques"][concept]["meanings"]) > 1
    if messages and code and (several or variants) and meaning.get("where_fr"):
        label = _label(rec, code, variants.get(code))
        messages[0] = words["named_as"].format(word=typed, label=label, where=meaning["where_fr"]) + "\n" + messages[0]
    if meaning.get("note"):
        messages.append(data()["notes"][meaning["note"]])
    return code, messages


def _proposed(rec: Mapping[str, Any] | None, code: str) -> Mapping[str, Any] | None:
    if not rec:
        return None
    return next((item for item in rec.get("techniques") or [] if item["code"] == code), None)


def _label(rec: Mapping[str, Any] | None, code: str, variant: str | None = None) -> str:
    item = _proposed(rec, code)
    return str((item or knowledge.item("techniques", code, variant))["label_fr"])


def would_propose(case: Mapping[str, Any], code: str) -> list[tuple[str, Any]]:
    """The single answers (among the facts the decision weighs) that would
    make the chapter propose `code` for this case."""
    weighed = (*DECISIVE, "major_bone_loss", "solitary_bone_metastasis", "diagnostic_uncertainty", "prior_radiotherapy")
    found = []
    for name in dict.fromkeys(weighed):
        for value in values_of(case, name):
            if value == case.get(name):
                continue
            if _proposes({**case, name: value}, code):
                found.append((name, value))
    return found


def _proposes(case: Mapping[str, Any], code: str) -> bool:
    """Whether the chapter proposes `code` for `case`, or for some answers to
    the few decisive questions it has not asked yet."""
    result = recommend(case)
    if any(item.code == code for item in result.techniques):
        return True
    open_questions = [name for name in result.missing if name in DECISIVE][:OPEN_QUESTIONS]
    if not open_questions:
        return False
    return any(
        any(item.code == code for item in recommend(completed).techniques)
        for completed in completions(case, open_questions)
    )


def _explained_code(rec: Mapping[str, Any] | None, case: Mapping[str, Any], codes: Sequence[str]) -> str:
    for code in codes:
        if _proposed(rec, code):
            return code
    if rec and rec["surgery"] != "undetermined":
        for code in codes:
            if would_propose(case, code):
                return code
    return codes[0]


def explain_codes(
    rec: Mapping[str, Any] | None,
    case: Mapping[str, Any],
    codes: Sequence[str],
    variants: Mapping[str, str] | None = None,
) -> list[str]:
    """Why the first of `codes` the recommendation proposes is there, or why
    the first the chapter would propose with another answer is not."""
    words = data()["technique"]
    code = _explained_code(rec, case, codes)
    item = _proposed(rec, code)
    title = sections()["techniques"]
    if item is not None:
        role = item.get("role") or ""
        key = "proposed_adjunct" if role == "adjunct" else "proposed"
        head = words[key].format(label=item["label_fr"], role=texts()["roles"].get(role, ""))
        return [head + "\n" + item_explanation(title, item)]
    entry = knowledge.item("techniques", code, (variants or {}).get(code))
    label = entry["label_fr"]
    if rec is None or rec["surgery"] == "undetermined":
        names = ", ".join(field_name(n) for n in (rec or {}).get("missing") or []) or field_name("life_expectancy")
        return [words["not_yet"].format(label=label, names=names) + "\n" + item_explanation(title, entry)]
    head = [words["not_proposed"].format(label=label)]
    conditions = would_propose(case, code)
    if conditions:
        head.append(words["would_be"].format(conditions=_conditions_text(case, conditions)))
    else:
        head.append(words["never_here"])
    silent = [
        words["silent"].format(text=w["text_fr"]) for w in rec.get("warnings") or [] if w["code"] == "guideline_silent"
    ]
    open_by = technique_open(rec)
    if open_by and not silent:
        head.insert(1, texts()["why"][f"technique_open_{open_by}"])
    options = options_text(rec)
    here = [words["here"].format(options=options)] if options else []
    # The base item's main sentence says when the chapter proposes it (a variant's says where).
    base = knowledge.item("techniques", code)
    quotes = [words["quote"].format(text=q["text"], section=q["section"]) for q in base["quotes"][:1]]
    return ["\n".join([" ".join(head), *here, *silent, *quotes])]


def _conditions_text(case: Mapping[str, Any], conditions: Sequence[tuple[str, Any]]) -> str:
    """« si la lésion siégeait au massif trochantérien, en région
    sous-trochantérienne ou à la diaphyse (ici : tête fémorale) »."""
    words = data()["technique"]
    grouped: dict[str, list[Any]] = {}
    for name, value in conditions:
        grouped.setdefault(name, []).append(value)
    parts = []
    for name, values in list(grouped.items())[:3]:
        phrases = words["condition_phrases"].get(name)
        if phrases:
            said = [phrases["values"].get(value) or lower_first(value_label(name, value)) for value in values]
            part = phrases["pattern"].format(values=_listed(said, words["condition_or"]))
        else:
            labels = _listed([lower_first(value_label(name, value)) for value in values], words["condition_or"])
            part = words["condition"].format(name=field_name(name), values=labels)
        if case.get(name) is not None:
            part += " " + words["would_be_current"].format(values=lower_first(value_label(name, case[name])))
        parts.append(part)
    return words["condition_join"].join(parts)


def _listed(items: Sequence[str], last: str) -> str:
    """« a, b ou c »."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + last + items[-1]
