"""Answers about the case as it stands, from the decision module: the
verdict (« donc on fait quoi ? »), what is missing to decide and what would
settle it, what the chapter leaves open, the biopsy, the roles of the
options, the source of the answers, and what the pending question means.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from decision import knowledge, recommend
from decision.contract import UNKNOWN
from decision.question_order import completions, values_of
from decision.rules import DECISIVE, decide

from .discussion_words import data, described
from .render import headline, technique_open
from .texts import field_name, field_text, lower_first, message, texts, values_list


def options_text(rec: Mapping[str, Any]) -> str | None:
    roles_fr = texts()["roles"]
    words = data()["verdict"]
    labels = [
        words["option"].format(label=item["label_fr"], role=roles_fr.get(item.get("role") or "", ""))
        for item in rec.get("techniques") or []
    ]
    return " ; ".join(labels) if labels else None


def verdict(case: Mapping[str, Any], rec: Mapping[str, Any] | None) -> list[str]:
    """« Donc on fait quoi ? »: the indication and the options, in a few lines."""
    words = data()["verdict"]
    if rec is None and not described(case):
        return [words["none"]]
    current = rec or recommend(case).to_dict()
    lines = [words["title"].format(headline=headline(current))]
    options = options_text(current)
    if options:
        lines.append(words["options"].format(options=options))
    elif current["surgery"] in ("indicated", "discuss") and not current.get("branches") and not technique_open(current):
        lines.append(words["no_option"])
    if current.get("branches"):
        names = dict.fromkeys(field_name(b["field"]) for b in current["branches"])
        lines.append(words["open"].format(names=", ".join(names)))
    asked = [name for name in current.get("missing") or [] if name not in (current.get("refinements") or [])]
    if asked:
        key = "not_yet" if rec is None else "pending"
        lines.append(words[key].format(names=", ".join(field_name(name) for name in asked)))
    lines.append(words["more"])
    return ["\n".join(lines)]


def missing(case: Mapping[str, Any]) -> list[str]:
    """« Qu'est-ce qui me manque pour trancher ? »: the facts that would change
    the answer (unknown or not asked yet), each with what would settle it,
    then those that would only refine it."""
    words = data()["missing"]
    if not described(case):
        return [words["no_case"]]
    rec = recommend(case)
    refinements = list(rec.refinements)
    deciding = [name for name in rec.missing if name not in refinements]
    deciding += [name for name in _open_unknowns(case) if name not in deciding]
    if not deciding and not refinements:
        return [words["none"]]
    lines: list[str] = []
    if deciding:
        lines.append(words["title"])
        lines += [_missing_line(case, name) for name in deciding]
    if refinements:
        lines.append(words["refine_title"])
        lines += [_missing_line(case, name) for name in refinements]
    return ["\n".join(lines)]


def _missing_line(case: Mapping[str, Any], name: str) -> str:
    words = data()["missing"]
    state = words["state_unknown"] if case.get(name) == UNKNOWN else words["state_missing"]
    return words["line"].format(name=field_name(name), state=state, exam=settled_by(name))


def settled_by(name: str) -> str:
    """What would settle `name`: a work-up item of the chapter, or the project's words."""
    words = data()["missing"]
    entry = words["settled_by"].get(name) or {}
    if "workup" in entry:
        item = knowledge.item("workup", entry["workup"])
        return str(words["exam"].format(label=lower_first(item["label_fr"]), section=item["section"]))
    return str(entry.get("text", ""))


def _open_unknowns(case: Mapping[str, Any]) -> list[str]:
    """The facts answered « je ne sais pas » whose answer would change the
    decision: some completion of the other unknown facts gives another
    surgery or other options for another value of this one."""
    unknown = [name for name in DECISIVE if case.get(name) == UNKNOWN]
    found = []
    for name in unknown:
        others = [other for other in unknown if other != name]
        for completed in completions(case, others):
            plans = {
                decide({**completed, name: value}).surgery_indication_and_options() for value in values_of(case, name)
            }
            if len(plans) > 1:
                found.append(name)
                break
    return found


def source(rec: Mapping[str, Any] | None) -> list[str]:
    """« Quel référentiel ? »: the chapter, its guideline, edition and licence."""
    words = data()["source"]
    meta = knowledge.chapter()["guideline"]
    text = words["text"].format(
        chapter=meta["chapter"],
        title=meta["title"],
        count=len(knowledge.references()),
        edition=meta["edition"],
        licence=meta["licence"],
        range=knowledge.reading()["range"],
    )
    return [text + ("\n" + words["with_answer"] if rec else "")]


def biopsy(case: Mapping[str, Any], rec: Mapping[str, Any] | None) -> list[str]:
    """« Il faut biopsier avant ? »: from the diagnostic doubt of this case (§ 3)."""
    words = data()["biopsy"]
    doubt = case.get("diagnostic_uncertainty")
    quotes = [
        data()["technique"]["quote"].format(text=knowledge.quote(key)["text"], section=knowledge.quote(key)["section"])
        for key in words["quotes"]
    ]
    if doubt is True:
        item = next((i for i in (rec or {}).get("workup") or [] if i["code"] == "biopsy_or_minimal_workup"), None)
        item = item or knowledge.item("workup", "biopsy_or_minimal_workup")
        head = words["doubt"].format(label=item["label_fr"], rationale=item["rationale_fr"], section=item["section"])
        return ["\n".join([head, *quotes])]
    if doubt is False:
        return ["\n".join([words["no_doubt"], quotes[1]])]
    state = words["state_unknown"] if doubt == UNKNOWN else words["state_missing"]
    return ["\n".join([words["unknown"].format(state=state), *quotes])]


def open_points(rec: Mapping[str, Any] | None) -> list[str]:
    """« Qu'est-ce que le chapitre ne tranche pas ? »: its silences for this case."""
    words = data()["open_points"]
    if rec is None:
        return [words["no_case"]]
    lines = [
        f"- {w['text_fr']}"
        for w in rec.get("warnings") or []
        if w["code"] in ("guideline_silent", "inconsistent_facts", "articular_involvement_short_prognosis")
    ]
    if rec["surgery"] == "discuss":
        lines.insert(0, "- " + words["discuss"].format(text=rec["indication"]["text_fr"]))
    if rec.get("branches"):
        names = ", ".join(dict.fromkeys(field_name(b["field"]) for b in rec["branches"]))
        lines.append("- " + words["branches"].format(names=names))
    if not lines:
        return [words["none"]]
    return ["\n".join([words["title"], *lines])]


def roles(rec: Mapping[str, Any] | None) -> list[str]:
    """« Alternative à quoi ? »: what each role means, and the options of this case by role."""
    words = data()["roles"]
    if rec is None:
        return [words["no_case"]]
    lines = [words["intro"]]
    by_role: dict[str, list[str]] = {}
    for item in rec.get("techniques") or []:
        by_role.setdefault(item.get("role") or "primary", []).append(item["label_fr"])
    if "primary" not in by_role:
        lines.append(words["no_primary"])
        silent = [w["text_fr"] for w in rec.get("warnings") or [] if w["code"] == "guideline_silent"]
        lines += silent[:1]
    for role in ("primary", "alternative", "adjunct"):
        if role in by_role:
            lines.append(words["line"].format(role_title=words["titles"][role], labels=" ; ".join(by_role[role])))
    return ["\n".join(lines)]


def clarify(pending: str | None, rec: Mapping[str, Any] | None) -> list[str]:
    """« ?? » while a question waits: what it asks, why, and the answers expected."""
    words = data()["clarify"]
    if pending is None:
        return [words["none_after_answer"] if rec else message("not_understood_free")]
    entry = field_text(pending)
    expected = values_list(pending)
    hint = f"{entry['hint']} " if entry.get("hint") else ""
    return [words["question"].format(name=field_name(pending), hint=hint, why=entry["why"], expected=expected)]
