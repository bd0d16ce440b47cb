"""Discussing the case: the clinician's questions and asides, before and
after the answer, answered from the decision module.

What a message asks (`topic`) is read from its words (`discussion.yml`): a
hypothesis (« et si … ? »), the current verdict (« donc on fait quoi ? »), a
technique (« plutôt un clou gamma ? »), what is missing to decide, what the
chapter leaves open, the biopsy, the roles of the options, the source of the
answers, or an explanation of the pending question (« ?? »). Each answer is a
list of messages (Markdown). Pure Python: nothing here writes a fact; a
hypothesis is applied to a copy of the case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from decision import knowledge, recommend
from decision.contract import UNKNOWN
from decision.question_order import completions, values_of
from decision.rules import DECISIVE, decide
from freetext.parser import extract_facts, interpret_answer
from freetext.tokens import words_in

from . import progress
from .facts import update_facts
from .render import headline, item_explanation, lower_first, sections, technique_open
from .texts import field_name, field_text, message, texts, value_label, values_list

DATA = Path(__file__).with_name("discussion.yml")
# At most this many techniques answered for one message.
MAX_TECHNIQUES = 3
# Questions not asked yet that a « would it be proposed? » weighs (each of their answers).
OPEN_QUESTIONS = 3
# Topics in the order they are tried (a technique named comes before `roles`).
WORD_TOPICS = ("source", "missing", "open_points", "biopsy")
LATE_TOPICS = ("roles", "verdict")
# The topic an intent stands for when the words say none.
INTENT_TOPICS = {"ask_about_case": "verdict", "ask_clarify": "clarify"}


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    with open(DATA, encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def words() -> frozenset[str]:
    """Every word of discussion.yml, its keys included, as written."""
    return words_in(data())


# ------------------------------------------------------------------ words


def plain(text: str) -> str:
    """Lower case without accents, one character for one: positions in it are
    positions in `text`."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFKD", char.casefold())
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        out.append(base[:1] if base else " ")
    return "".join(out)


@lru_cache(maxsize=4096)
def _pattern(word: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in re.split(r"[^a-z0-9?]+", plain(word)) if part]
    return re.compile(r"(?<![a-z0-9])" + r"[^a-z0-9]+".join(parts) + r"(?![a-z0-9])")


def find(text: str, words: Iterable[str]) -> tuple[int, int] | None:
    """(start, end) of the earliest of `words` in `text` (the longest at the
    same start), whole words, without accents or case; None if none is there."""
    found = find_word(text, words)
    return (found[0], found[1]) if found else None


def find_word(text: str, words: Iterable[str]) -> tuple[int, int, str] | None:
    """(start, end, the word of `words` found) of the earliest of `words` in `text`."""
    folded = plain(text)
    best: tuple[int, int, str] | None = None
    for word in words:
        if not plain(word).strip():
            continue
        found = _pattern(word).search(folded)
        if found and (best is None or (found.start(), -found.end()) < (best[0], -best[1])):
            best = (found.start(), found.end(), word)
    return best


def says(text: str, words: Iterable[str]) -> bool:
    return find(text, words) is not None


def only_asks_to_explain(text: str) -> bool:
    """« ?? », « hein ? », « c'est-à-dire ? »: the message only asks what the question means."""
    stripped = text.strip()
    if not stripped or stripped.startswith("/"):
        return False
    if not re.search(r"\w", stripped):
        return "?" in stripped
    folded = plain(stripped)
    cues = sorted(data()["clarify_words"], key=len, reverse=True)
    if not says(folded, cues):
        return False
    for cue in cues:
        folded = _pattern(cue).sub(" ", folded)
    filler = {plain(word) for word in data()["clarify_filler"]}
    return set(re.findall(r"[a-z0-9]+", folded)) <= filler


def concepts_named(text: str) -> list[tuple[str, str]]:
    """(concept, its name in the answers) of each technique the message names,
    in the order they are typed (a longer name wins over a shorter one it
    contains: « clou gamma » is not « clou »). The name said back is the
    data's `name_fr`, never the text typed."""
    found: list[tuple[int, int, str, str]] = []
    for concept, entry in data()["techniques"].items():
        match = find_word(text, entry["words"])
        if match:
            found.append((match[0], match[1], concept, match[2]))
    found.sort(key=lambda item: (item[0], -item[1]))
    named: list[tuple[str, str]] = []
    covered: list[tuple[int, int]] = []
    for start, end, concept, _ in found:
        if any(start >= s and end <= e for s, e in covered):
            continue
        covered.append((start, end))
        named.append((concept, data()["techniques"][concept]["name_fr"]))
    return named


# ------------------------------------------------------------------ topic


def topic(text: str, intent: str | None = None, case: Mapping[str, Any] | None = None) -> str | None:
    """What the message asks, or None: its words first, the intent's topic if they say nothing."""
    if not text or text.lstrip().startswith("/"):
        return INTENT_TOPICS.get(intent or "")
    if only_asks_to_explain(text):
        return "clarify"
    if hypothesis(text, case or {}, None)[0]:
        return "what_if"
    for name in WORD_TOPICS:
        if says(text, data()["topics"][name]):
            return name
    if concepts_named(text):
        return "technique"
    for name in LATE_TOPICS:
        if says(text, data()["topics"][name]):
            return name
    if find(text, data()["what_if_cues"]):
        return "what_if"
    return INTENT_TOPICS.get(intent or "")


def answer(
    text: str,
    case: Mapping[str, Any],
    rec: Mapping[str, Any] | None,
    pending: str | None = None,
    intent: str | None = None,
) -> list[str] | None:
    """The messages that answer `text` about this case, or None when it asks
    nothing recognised. `rec` is the last recommendation given, if any."""
    kind = topic(text, intent, case)
    if kind is None:
        return None
    if kind == "clarify":
        return clarify(pending, rec)
    if kind == "what_if":
        return what_if(text, case, pending)
    if kind == "technique":
        return technique_answer(text, case, rec)
    if kind == "source":
        return source(rec)
    current = rec or (recommend(case).to_dict() if _described(case) else None)
    if kind == "missing":
        return missing(case)
    if kind == "open_points":
        return open_points(current)
    if kind == "biopsy":
        return biopsy(case, current)
    if kind == "roles":
        return roles(current)
    return verdict(case, rec)


def _described(case: Mapping[str, Any]) -> bool:
    return bool(set(case) - {"primary_tumor"})


# ------------------------------------------------------------------ verdict


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
    if rec is None and not _described(case):
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


# ------------------------------------------------------------------ what if


def hypothesis(text: str, case: Mapping[str, Any], pending: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the facts the hypothesis states, the case with them) — a copy: the
    case itself is never changed. Empty when the message states no hypothesis."""
    span = find(text, data()["what_if_cues"])
    if span is None:
        return {}, dict(case)
    clause = text[span[1] :]
    end = find(clause, data()["what_if_ends"])
    if end is not None:
        clause = clause[: end[0]]
    # The clause is the supposed fact, no longer a question: « et si oui ? » reads « oui ».
    clause = clause.rstrip(" ?!.…")
    entities = [{"entity": fact.field, "value": fact.value} for fact in extract_facts(clause)]
    if not entities and pending:
        value = interpret_answer(clause, pending)
        if value is not None:
            entities = [{"entity": pending, "value": value}]
    if not entities:
        return {}, dict(case)
    update = update_facts(current=case, entities=entities, intent=None, text="", requested=None)
    supposed = {name: value for name, value in {**case, **update.slots}.items() if value is not None}
    stated = {e["entity"]: supposed[e["entity"]] for e in entities if e["entity"] in supposed}
    return stated, supposed


def what_if(text: str, case: Mapping[str, Any], pending: str | None) -> list[str]:
    """« Et si … ? »: the recommendation for a copy of the case with the
    hypothesis, and what it changes; nothing is recorded."""
    words = data()["what_if"]
    stated, supposed = hypothesis(text, case, pending)
    if not stated:
        concepts = concepts_named(text)
        if concepts:
            return technique_answer(text, case, None)
        return [words["no_fact"]]
    facts = " ; ".join(f"{field_name(name)} : {value_label(name, value)}" for name, value in stated.items())
    lines = [words["title"].format(facts=facts)]
    if supposed == dict(case):
        lines.append(words["same"])
        return ["\n".join(lines)]
    before = recommend(case).to_dict()
    after = recommend(supposed).to_dict()
    if progress.plan(before) == progress.plan(after):
        lines.append(words["unchanged"].format(headline=headline(after)))
        lines += progress.change_lines(before, after)
    else:
        lines.append(words["changed"].format(headline=headline(after)))
        options = options_text(after)
        if options:
            lines.append(words["options"].format(options=options))
        lines.append(words["now"].format(headline=headline(before)))
    return ["\n".join(lines)]


# ------------------------------------------------------------------ techniques


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
    current = rec or (recommend(case).to_dict() if _described(case) else None)
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


# ------------------------------------------------------------------ missing


def missing(case: Mapping[str, Any]) -> list[str]:
    """« Qu'est-ce qui me manque pour trancher ? »: the facts that would change
    the answer (unknown or not asked yet), each with what would settle it,
    then those that would only refine it."""
    words = data()["missing"]
    if not _described(case):
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


# ------------------------------------------------------------------ the rest


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
