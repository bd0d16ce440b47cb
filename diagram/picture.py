"""A case's decision path as a picture: the dot source, the SVG (sanitised),
the PNG and the same path in French words.

The path (`decision.path`) runs from top to bottom, one box per question:
the answer given, in a thick black box filled light grey (class
`path-step`, id `step-N`); beside it, a thin dashed grey box with the other
answers and where each one leads (class `path-alternative`, id `alt-N`);
at the bottom the result, with a double border (class `path-step
path-outcome`, id `outcome`). Black and white print keeps the difference:
thickness, fill and dashes, never colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from consultation.texts import answer_text
from decision.path import MIRELS, Path, Step, decision_path

from . import words
from .graphviz import PNG_DPI, escape, run_dot
from .sanitize import sanitize_svg

FONT = "DejaVu Sans"
MIRELS_ITEMS = ("site", "pain", "lesion_type", "lesion_size")
GRAPH = (
    f'graph [rankdir=TB, fontname="{FONT}", fontsize=9, nodesep=0.18, ranksep=0.22, '
    'margin=0.05, pad=0.05, bgcolor="white", newrank=true]\n'
    f'  node [shape=box, fontname="{FONT}", fontsize=9, margin="0.07,0.04", width=1.3]\n'
    f'  edge [fontname="{FONT}", fontsize=8, arrowsize=0.6]\n'
)
ON_PATH = 'style="rounded,filled,bold", penwidth=2.4, color="black", fillcolor="#e6e6e6", fontcolor="black"'
OFF_PATH = 'style="rounded,dashed", penwidth=0.8, color="#777777", fontcolor="#444444"'
OUTCOME = ON_PATH + ", peripheries=2"
PATH_EDGE = 'penwidth=2.4, color="black"'
OFF_EDGE = 'style=dashed, color="#777777", arrowhead=none, penwidth=0.8'


@dataclass(frozen=True)
class Box:
    """One box of the picture: its id, its class and its lines."""

    id: str
    css: str
    lines: list[str]


class Picture:
    """The picture of a path. `.dot` is built at once; `.svg` and `.png` run
    dot when first read (`graphviz.DiagramError` when they cannot)."""

    def __init__(self, path: Path):
        self.path = path
        self.boxes = boxes(path)
        self.dot = dot_source(self.boxes)
        self.text = text_of(path)

    @cached_property
    def svg(self) -> str:
        return sanitize_svg(run_dot(self.dot, "svg"))

    @cached_property
    def png(self) -> bytes:
        return run_dot(self.dot, "png", f"-Gdpi={PNG_DPI}")


def draw(case: Mapping[str, Any]) -> Picture:
    """The picture of a case of the decision contract (`decision.CaseError` when it breaks it)."""
    return Picture(decision_path(case))


# ------------------------------------------------------------------- boxes


def step_value(step: Step) -> str:
    """The answer of a step as a box says it."""
    if step.field == MIRELS:
        items = {name: (step.items or {}).get(name, answer_text("mirels_unknown_item")) for name in MIRELS_ITEMS}
        detail = words.label("mirels_items", **items)
        if step.value is not None:
            return words.label("mirels_score", score=step.value) + " : " + detail
        low, high = step.score_range or [0, 0]
        return words.label("mirels_range", low=low, high=high) + " : " + detail
    value = words.answer(step.field, step.value)
    if step.points is not None:
        return words.label("mirels_points", value=value, points=step.points)
    return value


def step_title(number: int, step: Step) -> str:
    return words.label(
        "step_title", number=number, name=words.step_name(step.field), section=words.section(step.section)
    )


def others(step: Step) -> list[tuple[str, str]]:
    """(answers, where they lead) of a step's other answers, those that lead
    to the same place together, in the order of the answers."""
    grouped: dict[str, list[str]] = {}
    for alternative in step.alternatives:
        outcome = words.outcome(alternative.to_dict(), techniques=step.field != MIRELS)
        grouped.setdefault(outcome, []).append(words.answer(step.field, alternative.value))
    return [(joined_answers(values), outcome) for outcome, values in grouped.items()]


def joined_answers(values: Sequence[str]) -> str:
    """« Radius, ulna (cubitus) ou fibula (péroné) »: one capital, at the start."""
    return words.joined([values[0], *(words.lower_first(value) for value in values[1:])])


def outcome_lines(path: Path) -> tuple[str, list[str]]:
    """The result's title and lines: the surgery (and intent), the options, what waits."""
    outcome = path.outcome
    primary = [option.code for option in outcome.options if option.role == "primary"]
    key = outcome.surgery
    if key == "not_indicated" and {"percutaneous_cementoplasty", "percutaneous_ablation"} & set(primary):
        key = "percutaneous"
    elif key == "indicated" and not primary:
        open_answer = any(not step.answered for step in path.steps if step.field != MIRELS)
        key = "indicated_technique_answer" if open_answer else "indicated_technique_rcp"
    lines = [words.surgery(key) + (f" ({words.intent(outcome.intent)})" if outcome.intent else "")]
    if outcome.surgery != "undetermined":
        lines.append(words.upper_first(words.indication(outcome.indication)))
    if outcome.first:
        lines.append(words.label("first", items=", ".join(words.work_up(code) for code in outcome.first)))
    alternative = [option.code for option in outcome.options if option.role != "primary"]
    if primary:
        lines.append(words.label("first_line", options=", ".join(words.technique(code) for code in primary)))
    if alternative:
        lines.append(words.label("alternatives", options=", ".join(words.technique(code) for code in alternative)))
    if outcome.unknown:
        names = ", ".join(words.lower_first(words.step_name(name)) for name in outcome.unknown)
        lines.append(words.label("unknown", names=names))
    if outcome.pending:
        names = ", ".join(words.lower_first(words.step_name(name)) for name in outcome.pending)
        lines.append(words.label("pending", names=names))
    return words.label("outcome_title", section=words.section(outcome.section)), lines


def boxes(path: Path) -> list[tuple[Box, Box | None]]:
    """Each step's box and the box of its other answers (None when it has
    none), then the result's box."""
    found: list[tuple[Box, Box | None]] = []
    for number, step in enumerate(path.steps, start=1):
        own = Box(f"step-{number}", "path-step", [step_title(number, step), step_value(step)])
        grouped = others(step)
        other = None
        if grouped:
            heading = words.label("other_answer" if len(step.alternatives) == 1 else "other_answers")
            lines = [heading] + ["• " + words.label("leads_to", values=values, outcome=out) for values, out in grouped]
            other = Box(f"alt-{number}", "path-alternative", lines)
        found.append((own, other))
    title, lines = outcome_lines(path)
    found.append((Box("outcome", "path-step path-outcome", [title, *lines]), None))
    return found


def dot_label(lines: Sequence[str], width: int = words.WRAP, left: bool = False) -> str:
    """The lines of a box, wrapped; centred, or `left`-aligned (dot's `\\l`)."""
    # « § 2.2 » never broken across lines.
    wrapped = [part for line in lines for part in words.wrap(line.replace("§ ", "§\u00a0"), width)]
    if not left:
        return escape("\n".join(wrapped))
    return "".join(escape(line) + "\\l" for line in wrapped)


def dot_source(found: Sequence[tuple[Box, Box | None]]) -> str:
    out = [f'digraph "{escape(words.label("title"))}" {{', "  " + GRAPH]
    previous = None
    for own, other in found:
        style = OUTCOME if own.id == "outcome" else ON_PATH
        out.append(f'  "{own.id}" [id="{own.id}", class="{own.css}", label="{dot_label(own.lines)}", {style}]')
        if previous is not None:
            out.append(f'  "{previous}" -> "{own.id}" [id="edge-{own.id}", class="path-edge", {PATH_EDGE}, weight=10]')
        if other is not None:
            label = dot_label(other.lines, left=True)
            out.append(f'  "{other.id}" [id="{other.id}", class="{other.css}", label="{label}", {OFF_PATH}]')
            out.append(f'  "{own.id}" -> "{other.id}" [class="alternative-edge", {OFF_EDGE}]')
            out.append(f'  {{rank=same; "{own.id}"; "{other.id}"}}')
        previous = own.id
    out.append("}")
    return "\n".join(out) + "\n"


# -------------------------------------------------------------------- text


def text_of(path: Path) -> str:
    """The path in French words, one line per step: « 1. Situation (§ 2.2) :
    Fracture pathologique ; autres réponses : … »."""
    lines = [words.label("text_title")]
    for number, step in enumerate(path.steps, start=1):
        line = words.label(
            "text_step",
            number=number,
            name=words.step_name(step.field),
            section=words.section(step.section),
            value=step_value(step),
        )
        grouped = others(step)
        if grouped:
            heading = words.label("other_answer" if len(step.alternatives) == 1 else "other_answers")
            items = " ; ".join(words.label("leads_to", values=values, outcome=out) for values, out in grouped)
            line += words.label("text_others", label=words.lower_first(heading), items=items)
        lines.append(line + ".")
    title, outcome = outcome_lines(path)
    lines.append(words.label("text_outcome", number=len(path.steps) + 1, title=title, lines=" ; ".join(outcome)) + ".")
    return "\n".join(lines)
