"""The recommendation, written for a clinician (Markdown).

Input is the contract's JSON (`Recommendation.to_dict()`), so the same text can
be rebuilt later from an audit record. Channels turn the Markdown into what
they can show (HTML for the web and Matrix, numbered options where there are
no buttons). Every sentence comes from `texts.yml`.

The answer comes in two parts: a short one (the indication, the options, the
warnings that matter, what is still open), then the rest on demand
(« bilan », « suites », « points d'attention », « références », « détails »),
so that no item is printed twice. The questions and the case are in
`questions`, the sources and references in `sources`, « pourquoi ? » in `why`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from decision import knowledge

from .questions import case_line
from .sources import references_message, sources
from .texts import answer_text, field_name, lower_first, sections, texts, value_label

# A warning's head (« Site déjà irradié : … »), left out under its condition.
WARNING_HEAD_WORDS = 4
# The work-up item that puts the diagnosis first when a primary bone tumour is
# not ruled out (decision: `biopsy_or_minimal_workup`).
DOUBT_WORKUP = "biopsy_or_minimal_workup"
PERCUTANEOUS = ("percutaneous_cementoplasty", "percutaneous_ablation")
# Warnings that ask the clinician a question: shown whole in the short answer.
TO_CHECK = ("inconsistent_facts",)


# --------------------------------------------------------------------- answer


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
