"""The recommendation and the questions, written for a clinician (Markdown).

Input is the contract's JSON (`Recommendation.to_dict()`), so the same text can
be rebuilt later from an audit record. Channels turn the Markdown into what
they can show (HTML for the web and Matrix, numbered options where there are
no buttons). Every sentence comes from `texts.yml`.

The answer comes in two parts: a short one (the indication, the options, the
warnings that matter, what is still open), then the rest on demand
(« bilan », « suites », « points d'attention », « références », « détails »),
so that no item is printed twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from decision import FIELDS, knowledge
from decision.contract import UNKNOWN, UNKNOWN_ALLOWED

from .texts import answer_text, field_name, field_text, message, options, texts, value_label

DETAIL_KINDS = ("workup", "postoperative", "warnings")
# A warning's head (« Site déjà irradié : … »), left out under its condition.
WARNING_HEAD_WORDS = 4
# Where the Mirels score does not apply: its items are named without it.
NO_MIRELS_BONES = ("acetabulum",)
# The work-up item that puts the diagnosis first when a primary bone tumour is
# not ruled out (decision: `biopsy_or_minimal_workup`).
DOUBT_WORKUP = "biopsy_or_minimal_workup"
PERCUTANEOUS = ("percutaneous_cementoplasty", "percutaneous_ablation")
# Warnings that ask the clinician a question: shown whole in the short answer.
TO_CHECK = ("inconsistent_facts",)


def lower_first(text: str) -> str:
    """« Chirurgie à discuter en RCP » inside a sentence: « chirurgie à discuter en RCP »;
    an acronym keeps its capitals (« IRM ou TEP », never « iRM »)."""
    if text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def sections() -> dict[str, str]:
    """The sections of a recommendation and their titles, in reading order
    (shared with the RCP report)."""
    return dict(texts()["sections"])


def sources(item: Mapping[str, Any], bone_reading: bool = True) -> str:
    """ "§ 4.2 ; réf. 144 ; lecture complémentaire : réf. 141 (cotyle)" — where an
    item comes from: its section, the references that support it (the chapter's
    own apart from related ones) and, labelled as such, the review of the
    case's bone. The chapter's general reading (137–142) is never here."""
    parts = [answer_text("item_sources", section=item["section"])]
    support = support_sources(item)
    if support:
        parts.append(support)
    if bone_reading and item.get("bone_reading"):
        parts.append(bone_reading_sources(item["bone_reading"]))
    return " ; ".join(parts)


def support_sources(item: Mapping[str, Any]) -> str:
    """ "réf. 139 ; voir aussi 77 (autres chapitres…)": the references that
    support the item; empty when the chapter states it without one."""
    numbers = sorted(item.get("citations") or [])
    chapter = [n for n in numbers if knowledge.reference(n)["cited_by_chapter"]]
    related = [n for n in numbers if not knowledge.reference(n)["cited_by_chapter"]]
    parts = []
    if chapter:
        parts.append(answer_text("item_references", numbers=", ".join(map(str, chapter))))
    if related:
        parts.append(answer_text("item_related", numbers=", ".join(map(str, related))))
    return " ; ".join(parts)


def bone_reading_sources(numbers: Sequence[int]) -> str:
    """ "lecture complémentaire : réf. 137 (fémur)": a review of the case's bone
    from the chapter's reading list, never shown as support."""
    bones = texts()["answer"]["reading_bones"]
    return " ; ".join(
        answer_text("item_bone_reading", number=n, bone=bones[knowledge.reading_about(n)["bone"]]) for n in numbers
    )


# ------------------------------------------------------------------ questions


def question(
    name: str,
    number: int,
    values: Sequence[Any] | None = None,
    refining: bool = False,
    preface: str | None = None,
) -> dict[str, Any]:
    """The question about `name`: its number, hint and buttons whose payloads
    set the slot directly (« Je ne sais pas » included where it is an answer)."""
    data = field_text(name)
    progress = message("progress_refine" if refining else "progress", number=number)
    lines = [preface] if preface else []
    lines.append(f"*{progress}* — **{data['question']}**")
    if data.get("hint"):
        lines.append(data["hint"])
    buttons = [{"title": label, "payload": payload(name, value)} for label, value in options(name, values)]
    if name in UNKNOWN_ALLOWED and UNKNOWN not in FIELDS[name]:
        buttons.append({"title": message("dont_know_button"), "payload": payload(name, UNKNOWN)})
    return {"text": "\n".join(lines), "buttons": buttons}


def payload(name: str, value: Any) -> str:
    """The button payload that sets `name` to `value`."""
    return "/inform" + json.dumps({name: value}, ensure_ascii=False)


# --------------------------------------------------------------------- answer


def case_field_name(name: str, case: Mapping[str, Any]) -> str:
    """The name of a fact in this case: the Mirels items lose « (score de
    Mirels) » where the score does not apply (the acetabulum)."""
    if case.get("bone") in NO_MIRELS_BONES:
        return texts()["answer"]["names_without_mirels"].get(name, field_name(name))
    return field_name(name)


def case_summary(case: Mapping[str, Any]) -> str:
    """A compact summary of the facts given so far."""
    facts = [(name, case[name]) for name in FIELDS if case.get(name) is not None]
    if not facts:
        return message("summary_empty")
    lines = [f"**{message('summary_title')}**"]
    for name, value in facts:
        label = case_field_name(name, case)
        lines.append(f"- {label[:1].upper()}{label[1:]} : {value_label(name, value)}")
    return "\n".join(lines)


def case_line(case: Mapping[str, Any]) -> str:
    """The case recap folded into one line, after the verdict: « *Cas : fracture
    pathologique, fémur, col fémoral, espérance de vie 6 à 12 mois…* »."""
    words = texts()["answer"]
    facts = []
    for name in FIELDS:
        value = case.get(name)
        if value is None or (name, value) == ("primary_tumor", "lung"):  # the chapter's own case
            continue
        label = words["case_line_unknown"] if value == UNKNOWN else lower_first(value_label(name, value))
        if name in words["case_line_self_named"] and value != UNKNOWN:
            facts.append(label)
        else:
            short = words["case_line_names"].get(name) or case_field_name(name, case)
            facts.append(answer_text("case_line_fact", name=short, value=label))
    if not facts:
        return message("summary_empty")
    return answer_text("case_line", facts=", ".join(facts))


def technique_open(rec: Mapping[str, Any]) -> str | None:
    """How an indicated surgery without a first-line technique leaves the
    technique open: "rcp" where the chapter names none for this site and
    prognosis (a `guideline_silent` warning says which), "answer" where it
    depends on an unknown fact (the branches say what each answer leads to)."""
    if rec["surgery"] != "indicated" or any(item.get("role") == "primary" for item in rec.get("techniques") or []):
        return None
    return "answer" if rec.get("branches") else "rcp"


def headline(rec: Mapping[str, Any]) -> str:
    """« **Chirurgie indiquée** (à visée symptomatique) », and, when the chapter
    leaves the technique open, which way: « **Chirurgie indiquée — technique à
    choisir en RCP** (à visée symptomatique) : le chapitre ne nomme pas… »."""
    words = texts()
    primary = [item["code"] for item in rec.get("techniques") or [] if item.get("role") == "primary"]
    key = "percutaneous" if rec["surgery"] == "not_indicated" and set(primary) & set(PERCUTANEOUS) else rec["surgery"]
    open_by = technique_open(rec)
    if open_by:
        key = f"indicated_technique_{open_by}"
    text = f"**{words['surgery'][key]}**"
    if rec.get("intent"):
        text += f" ({words['intent'][rec['intent']]})"
    # Left to the RCP: the line under the headline says which question, in its place.
    if open_by and not (open_by == "rcp" and open_questions(rec)):
        names = answer_text("branch_or").join(dict.fromkeys(field_name(b["field"]) for b in rec.get("branches") or []))
        text += " : " + answer_text(f"technique_open_{open_by}", names=names)
    return text


def short_answer(rec: Mapping[str, Any], recap: bool = True) -> str:
    """The verdict first, in a few lines: with a diagnostic doubt, the
    diagnosis before any implant; the indication; what the chapter leaves to
    the RCP; the options; then the case folded into one line (`recap`), the
    warnings that matter and what is still open."""
    indication = rec["indication"]
    open_by = technique_open(rec)
    # The headline already says how the technique is left open: a sentence follows.
    joint = ". " if open_by else " — "
    body = [line for line in (doubt_first(rec),) if line]
    body.append(f"{headline(rec)}{joint}{indication['text_fr']} *({sources(indication)})*")
    left_open = open_questions(rec)
    if left_open:
        body.append(left_open)
    # The review of the bone is named once, on the first line that has it.
    shown = list(indication.get("bone_reading") or [])
    options_lines = []
    for item in rec.get("techniques") or []:
        options_lines.append(technique_line(item, bone_reading=item.get("bone_reading") != shown))
        shown = shown or list(item.get("bone_reading") or [])
    if options_lines:
        body.append(f"**{answer_text('options')}**\n" + "\n".join(options_lines))
    elif rec["surgery"] in ("indicated", "discuss") and not open_by and not rec.get("branches"):
        body.append(answer_text("options_none"))
    if rec.get("branches"):
        body.append(f"**{answer_text('branches')}**\n" + "\n".join(branch_line(b) for b in rec["branches"]))
    if rec.get("mirels"):
        body.append(mirels_line(rec["mirels"]))
    if recap:
        body.append(case_line(rec.get("case") or {}))
    flags = texts()["answer"]["flags"]
    # Said above: what the chapter leaves open, the diagnosis first.
    said = {"guideline_silent"}
    if doubt_first(rec):
        said.add("nailing_dissemination")
    warnings = [w for w in rec.get("warnings") or [] if w["code"] not in said]
    noted = list(dict.fromkeys(flags[key] for key in (flag_key(rec, w) for w in warnings) if key))
    if noted:
        body.append(f"**{answer_text('flags_title')}** : " + " ".join(noted))
    body += [to_check(w["text_fr"]) for w in rec.get("warnings") or [] if w["code"] in TO_CHECK]
    asked = [name for name in rec.get("missing") or [] if name not in (rec.get("refinements") or [])]
    if asked:
        body.append(answer_text("pending", names=", ".join(field_name(name) for name in asked)))
    return "\n\n".join(body)


def doubt_first(rec: Mapping[str, Any]) -> str | None:
    """With a diagnostic doubt stated (not merely possible), the line that
    comes before everything: the diagnosis before any implant, as the
    decision's work-up item says it (biopsy outside urgency; biopsy or minimal
    work-up before a fracture is fixed)."""
    if (rec.get("case") or {}).get("diagnostic_uncertainty") is not True:
        return None
    item = next((w for w in rec.get("workup") or [] if w["code"] == DOUBT_WORKUP), None)
    if item is None:
        return None
    # Before a fracture the chapter allows a minimal work-up then surgery first,
    # unless a nail would spread a primary tumour (`nailing_dissemination`).
    nailing = any(w["code"] == "nailing_dissemination" for w in rec.get("warnings") or [])
    key = "doubt_first" if nailing or variant_of("workup", item) == "non_urgent" else "doubt_first_urgent"
    return f"**{answer_text(key)}** — {lower_first(item['label_fr'])} *({sources(item)})*"


def variant_of(kind: str, item: Mapping[str, Any]) -> str | None:
    """Which of its variants (decision/data/chapter.yml) an item of the
    recommendation is, found by its text (the contract's JSON does not carry it)."""
    variants = knowledge.chapter()[kind][item["code"]].get("variants") or {}
    text = item.get("label_fr") or item.get("text_fr")
    for variant in variants:
        data = knowledge.item(kind, item["code"], variant)
        if (data.get("label_fr") or data.get("text_fr")) == text:
            return str(variant)
    return None


def open_questions(rec: Mapping[str, Any]) -> str | None:
    """What the chapter leaves to the RCP, from its `guideline_silent`
    warnings: the question or the sections in tension, in a few words
    (texts.yml, by variant), else the warning's own sentence."""
    words = texts()["answer"]
    silent = [w for w in rec.get("warnings") or [] if w["code"] == "guideline_silent"]
    if not silent:
        return None
    said = [words["left_open"].get(variant_of("warnings", w) or "", w["text_fr"]) for w in silent]
    return f"**{words['left_open_title']}** : " + " ".join(dict.fromkeys(said))


def to_check(text: str) -> str:
    """« **Réponses contradictoires** : … » — a warning that asks a question, whole."""
    head, _, rest = text.partition(" : ")
    return f"**{head}** : {rest}" if rest else text


def flag_key(rec: Mapping[str, Any], warning: Mapping[str, Any]) -> str | None:
    """The short flag of a warning in texts.yml, if it has one: its
    `…_without_branches` form when no branch follows (nothing is « détaillé »),
    its `…_conditional` form when the warning waits for an unknown fact."""
    flags = texts()["answer"]["flags"]
    code = warning["code"]
    if not rec.get("branches") and f"{code}_without_branches" in flags:
        return f"{code}_without_branches"
    if warning.get("condition_fr") and f"{code}_conditional" in flags:
        return f"{code}_conditional"
    return code if code in flags else None


def mirels_line(mirels: Mapping[str, Any]) -> str:
    items = {
        name: mirels["items"].get(name, answer_text("mirels_unknown_item"))
        for name in ("site", "pain", "lesion_type", "lesion_size")
    }
    score = mirels["interpretation_fr"].split(". ", 1)
    return "**" + answer_text("mirels", score=score[0], **items) + "** " + (score[1] if len(score) > 1 else "")


def technique_line(item: Mapping[str, Any], bone_reading: bool = True) -> str:
    role = texts()["roles"].get(item.get("role") or "", "")
    line = f"- {item['label_fr']}" + (f", {role}" if role else "")
    if item.get("condition_fr"):
        line += f", {item['condition_fr']}"
    return f"{line} *({sources(item, bone_reading)})*"


def item_line(item: Mapping[str, Any]) -> str:
    text = item.get("label_fr") or item.get("text_fr") or ""
    if item.get("condition_fr"):
        head, colon, rest = text.partition(" : ")
        if not item.get("label_fr") and colon and len(head.split()) <= WARNING_HEAD_WORDS:
            text = rest  # « Site déjà irradié : … » under « Si le site a déjà été irradié » says it twice
        text = f"{item['condition_fr'][0].upper()}{item['condition_fr'][1:]} : {lower_first(text)}"
    return f"- {text} *({sources(item)})*"


def branch_line(branch: Mapping[str, Any]) -> str:
    words = texts()
    name, value = branch["field"], branch["value"]
    possible = branch.get("possible") or []
    if branch["surgery"] == "undetermined" and len(possible) == 1:
        key = "branch_treatment_open" if possible[0] == "not_indicated" else "branch_technique_open"
        outcome = answer_text(key, outcome=lower_first(words["surgery"][possible[0]]))
    elif branch["surgery"] == "undetermined" and possible:
        labels = [lower_first(words["surgery"][s]) for s in possible]
        outcomes = ", ".join(labels[:-1]) + answer_text("branch_or") + labels[-1]
        outcome = answer_text("branch_open", outcomes=outcomes)
    else:
        techniques = [
            lower_first(knowledge.item("techniques", code)["label_fr"]) for code in branch.get("techniques", [])
        ]
        # An indicated surgery for which the chapter names no technique.
        key = "indicated_technique_rcp" if branch["surgery"] == "indicated" and not techniques else branch["surgery"]
        outcome = lower_first(words["surgery"][key])
        if techniques:
            outcome += " (" + ", ".join(techniques) + ")"
    return "- " + answer_text(
        "branch", name=field_name(name), value=lower_first(value_label(name, value)), outcome=outcome
    )


def details(
    rec: Mapping[str, Any], wanted: Sequence[str] = ("workup", "postoperative", "warnings", "references")
) -> list[str]:
    """The parts of the recommendation not in the short answer, one message each."""
    titles = sections()
    found = []
    for kind in wanted:
        if kind == "references":
            if rec.get("citations") or rec.get("further_reading"):
                found.append(references_message(rec))
            continue
        entries = rec.get(kind) or []
        if entries:
            found.append(f"**{titles[kind]}**\n" + "\n".join(item_line(item) for item in entries))
    return found


def recommendation_messages(rec: Mapping[str, Any]) -> list[str]:
    """The answer as first given: the short answer, then how to get the rest."""
    return [short_answer(rec), answer_text("more")]


def references_message(rec: Mapping[str, Any]) -> str:
    """The references: those that support the items, then, apart and once, the
    chapter's general reading."""
    return "\n".join([f"**{sections()['references']}**", *reference_lines(rec)])


def reference_lines(rec: Mapping[str, Any]) -> list[str]:
    """The references as numbered lines (shared with the RCP report): those
    the items cite as support, under their own title, then « Lectures
    générales du chapitre (137–142) » with its sentence and why 140 is not
    listed, then its texts (one already printed above as support: « Voir
    ci-dessus »). Blank lines around each list keep it a list in any Markdown
    reader (a list that does not start at 1 cannot interrupt a paragraph, and a
    line right after an item would continue it)."""
    lines: list[str] = []
    support = [f"{citation['number']}. {citation['reference']}" for citation in rec.get("citations") or []]
    if support:
        lines += [f"**{answer_text('references_support')}**", "", *support]
    reading = rec.get("further_reading")
    if reading:
        if lines:
            lines.append("")
        not_listed = [
            answer_text("further_reading_not_listed", number=entry["number"], reason=entry["reason_fr"])
            for entry in reading.get("not_listed") or []
        ]
        lines.append(
            " ".join(
                [
                    f"**{answer_text('further_reading_title', range=reading['range'])}**",
                    answer_text("further_reading_intro", quote=reading["quote_fr"]),
                    *not_listed,
                ]
            )
        )
        printed = {citation["number"] for citation in rec.get("citations") or []}
        lines += [""] + [
            f"{citation['number']}. "
            + (answer_text("further_reading_above") if citation["number"] in printed else citation["reference"])
            for citation in reading["references"]
        ]
    return lines


# ------------------------------------------------------------------------ why


def why_messages(rec: Mapping[str, Any], everything: bool = False) -> list[str]:
    """« Pourquoi ? »: the few reasons that decided, in one message — the
    indication's sentence of the chapter, the first-line options' rationale,
    the Mirels score, the diagnosis first — and how to get the rest
    (`why_all`). With `everything`, each item's rationale, section and
    references, with the chapter's own sentences quoted verbatim."""
    if not everything:
        return [why_short(rec)]
    return why_everything(rec)


def why_short(rec: Mapping[str, Any]) -> str:
    """The reasons that decided, one line each (no item printed whole)."""
    why = texts()["why"]
    indication = rec["indication"]
    quote = indication.get("quote_fr") or indication["text_fr"]
    decided = [
        why["short_indication"].format(
            headline=texts()["surgery"][rec["surgery"]], quote=quote, sources=sources(indication, bone_reading=False)
        )
    ]
    doubt = doubt_first(rec)
    if doubt:
        decided.insert(0, f"- {doubt}")
    if rec.get("mirels"):
        decided.append(f"- {mirels_line(rec['mirels'])}")
    first_line = [item for item in rec.get("techniques") or [] if item.get("role") == "primary"]
    for item in first_line:
        decided.append(
            why["short_technique"].format(
                label=item["label_fr"],
                role=texts()["roles"]["primary"],
                rationale=item.get("rationale_fr") or "",
                sources=sources(item, bone_reading=False),
            )
        )
    left_open = open_questions(rec)
    if left_open and not first_line:
        decided.append(f"- {left_open}")
    return "\n".join([f"**{why['short_title']}**", *decided, why["short_more"]])


def conditions_phrase(conditions: Sequence[tuple[str, Any]], limit: int = 3) -> str:
    """The answers that would change something, in plain French: « si la lésion
    siège au massif trochantérien, en région sous-trochantérienne ou à la
    diaphyse ou si l'espérance de vie est de plus de 12 mois »; values of one
    fact grouped in one clause, at most `limit` clauses."""
    words = texts()["why"]
    grouped: dict[str, list[Any]] = {}
    for name, value in conditions:
        grouped.setdefault(name, []).append(value)
    clauses = []
    for name, values in list(grouped.items())[:limit]:
        pattern = words["condition_patterns"].get(name)
        if pattern:
            labels = [words["condition_values"][name].get(v) or lower_first(value_label(name, v)) for v in values]
            listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " ou " + labels[-1]
            clauses.append(pattern.format(values=listed))
            continue
        for value in values:
            try:
                clauses.append(knowledge.condition(name, value))
            except KeyError:
                clauses.append(
                    words["condition"].format(name=field_name(name), value=lower_first(value_label(name, value)))
                )
    return answer_text("branch_or").join(clauses)


def why_buttons() -> list[dict[str, str]]:
    """The button under the short « pourquoi ? » that gives every reason."""
    return [{"title": texts()["why"]["all_button"], "payload": texts()["why"]["all_payload"]}]


def why_everything(rec: Mapping[str, Any]) -> list[str]:
    """Each item's rationale, section and references, with the chapter's own
    sentences quoted verbatim."""
    titles = sections()
    items = [(texts()["why"]["indication_title"], rec["indication"])]
    for kind in ("techniques", *DETAIL_KINDS):
        items += [(titles[kind], item) for item in rec.get(kind) or []]
    explanations = [item_explanation(title, item) for title, item in items]
    if rec.get("further_reading"):
        explanations.append(texts()["why"]["further_reading"].format(range=rec["further_reading"]["range"]))
    return ["\n\n".join(explanations)]


def item_explanation(title: str, item: Mapping[str, Any]) -> str:
    why = texts()["why"]
    label = item.get("label_fr") or item.get("text_fr")
    lines = [f"**{why['item_title'].format(title=title, label=label)}**"]
    if item.get("rationale_fr"):
        lines.append(item["rationale_fr"])
    references = support_sources(item) or why["no_references"]
    if item.get("bone_reading"):
        references += " ; " + bone_reading_sources(item["bone_reading"])
    lines.append(
        why["section_line"].format(
            section=item["section"], section_title=knowledge.section_title(item["section"]), references=references
        )
    )
    quotes = item.get("quotes") or (
        [{"section": item["section"], "text": item["quote_fr"]}] if item.get("quote_fr") else []
    )
    lines += [why["quote"].format(text=quote["text"], section=quote["section"]) for quote in quotes]
    return "\n".join(lines)


def reference_message(number: int) -> str:
    """« Référence 137 »: its text as printed, and what it is to the chapter —
    general reading for its whole text (137–142), cited at a sentence (143,
    144), or a reference of another chapter."""
    record = knowledge.reference(number)
    lines = [message("reference_title", number=number, text=knowledge.printed_reference(number))]
    about = knowledge.reading_about(number)
    if number in knowledge.reading()["references"]:
        lines.append(message("reference_general_reading", range=knowledge.reading()["range"]))
        if about.get("bone"):
            lines.append(message("reference_bone_reading", bone=texts()["answer"]["reading_bones"][about["bone"]]))
        for key in ("support_fr", "omitted_fr"):
            if about.get(key):
                lines.append(message("reference_about", text=about[key]))
    elif knowledge.cited_at(number):
        lines.append(message("reference_cited_at", sections=", ".join(knowledge.cited_at(number))))
    else:
        lines.append(message("reference_cited" if record["cited_by_chapter"] else "reference_related"))
    relations = texts()["messages"]["reference_relations"]
    for link in record.get("same_work_as", []):
        lines.append(message("reference_same_work", relation=relations[link["relation"]], number=link["number"]))
    return "\n".join(lines)
