"""The chapter's four decision trees — preventive surgery (Mirels), fracture,
refractory pain, acetabulum — drawn from the rules, not from a second copy.

Each tree enumerates every combination of known answers to its situation's
questions (`TREES`), weighs each case with the decision module
(`decision.path.outcome_of`: `rules.decide` and the indication's item),
and folds the results into a tree: at each node, the first question (in
the dialogue's order) whose answers lead to different results is asked;
answers whose subtrees are the same share one arrow; a question that
changes nothing there is not asked. A leaf is the surgery, the indication's
section and the first-line options when they are the same for every case
it holds (otherwise « selon l'os, la localisation et le pronostic », with
the sections of the techniques of section 4 and 1 that the tree reaches).

    python -m diagram flowcharts docs/flowcharts          (writes the SVGs and docs/flowcharts.md)
    python -m diagram flowcharts docs/flowcharts --check  (exit 1 when a file is stale)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import product
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from decision.contract import BOOLEAN, FIELDS, LIFE_EXPECTANCY_CLASSES, SITES_BY_BONE, is_joint_end
from decision.path import (
    MIRELS_BANDS,
    Outcome,
    acetabular_escalation,
    acetabular_mechanical,
    mirels_band,
    outcome_of,
    section_of,
)

from . import words
from .graphviz import escape, run_dot
from .picture import FONT, OFF_PATH, ON_PATH, dot_label
from .sanitize import SVG_NS, sanitize_svg

LONG_BONES = tuple(SITES_BY_BONE)
LIMB_BONES = tuple(bone for bone in FIELDS["bone"] if bone != "acetabulum")
ACETABULAR = (
    "acetabular_stability_compromised",
    "acetabular_fracture_risk",
    "conservative_treatment_failed",
    "percutaneous_treatment_failed",
)


@dataclass(frozen=True)
class Level:
    """A question of a tree: a contract field, or the Mirels score (derived
    from the case's items, `Outcome.mirels_score`)."""

    name: str
    value: Callable[[Mapping[str, Any], Outcome], Any]
    values: tuple[Any, ...]


def _field(name: str) -> Level:
    values = LIFE_EXPECTANCY_CLASSES if name == "life_expectancy" else FIELDS[name]
    return Level(name, lambda facts, _outcome: facts.get(name), tuple(values))


MIRELS_LEVEL = Level(
    "mirels",
    lambda _facts, outcome: None if outcome.mirels_score is None else mirels_band(outcome.mirels_score),
    tuple(MIRELS_BANDS),
)
ESCALATION_LEVEL = Level("acetabular_escalation", lambda facts, _o: acetabular_escalation(facts), BOOLEAN)
MECHANICAL_LEVEL = Level("acetabular_mechanical", lambda facts, _o: acetabular_mechanical(facts), BOOLEAN)


@dataclass(frozen=True)
class Tree:
    """A situation's tree: the answers enumerated (`given`), in the order
    its questions are asked (`levels`)."""

    key: str
    given: dict[str, tuple[Any, ...]]
    levels: tuple[Level, ...]
    section: str


def _limb_cases() -> dict[str, tuple[Any, ...]]:
    return {"bone": LIMB_BONES, "life_expectancy": LIFE_EXPECTANCY_CLASSES, "fit_for_surgery": BOOLEAN}


TREES = (
    Tree(
        "impending_fracture",
        {
            "situation": ("impending_fracture",),
            **_limb_cases(),
            "pain": FIELDS["pain"],
            "lesion_type": FIELDS["lesion_type"],
            "lesion_size": FIELDS["lesion_size"],
        },
        (
            _field("life_expectancy"),
            _field("fit_for_surgery"),
            MIRELS_LEVEL,
            _field("bone"),
            _field("pain"),
        ),
        "2.1",
    ),
    Tree(
        "pathological_fracture",
        {"situation": ("pathological_fracture",), **_limb_cases()},
        (_field("life_expectancy"), _field("fit_for_surgery"), _field("bone")),
        "2.2",
    ),
    Tree(
        "refractory_pain",
        {"situation": ("refractory_pain",), **_limb_cases()},
        (_field("life_expectancy"), _field("fit_for_surgery"), _field("bone")),
        "2.3",
    ),
    Tree(
        "acetabulum",
        {
            "bone": ("acetabulum",),
            "situation": FIELDS["situation"],
            "life_expectancy": LIFE_EXPECTANCY_CLASSES,
            "fit_for_surgery": BOOLEAN,
            **dict.fromkeys(ACETABULAR, BOOLEAN),
        },
        (
            _field("situation"),
            _field("life_expectancy"),
            _field("fit_for_surgery"),
            ESCALATION_LEVEL,
            _field("percutaneous_treatment_failed"),
            MECHANICAL_LEVEL,
        ),
        "2.4",
    ),
)


# ------------------------------------------------------------------ cases


def cases(tree: Tree) -> list[tuple[dict[str, Any], Outcome]]:
    """Every case of the tree (a limb's long bone at each of its sites) and its outcome."""
    found = []
    names = list(tree.given)
    for combination in product(*tree.given.values()):
        facts = {"primary_tumor": "lung", **dict(zip(names, combination, strict=True))}
        for site in SITES_BY_BONE.get(facts["bone"], (None,)):
            case = {**facts, "site": site} if site else facts
            # At a joint end, with and without articular involvement (4.2).
            for articular in BOOLEAN if is_joint_end(facts["bone"], site) else (None,):
                full = {**case, "articular_involvement": articular} if articular is not None else case
                found.append((full, outcome_of(full)))
    return found


# ------------------------------------------------------------------- tree


@dataclass(frozen=True)
class Leaf:
    """A result: the surgery, the indication (code, section), the first-line
    options (None when they vary with the bone, the site or the prognosis),
    the alternatives of every case and those of only some."""

    surgery: str
    indication: str
    section: str
    options: tuple[str, ...] | None
    alternatives: tuple[str, ...] = ()
    some: tuple[str, ...] = ()
    # Where the options vary: the sections of every option the leaf's cases reach.
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Node:
    level: str
    section: str
    branches: tuple[tuple[tuple[Any, ...], Node | Leaf], ...]


def _leaf(outcomes: Sequence[Outcome]) -> Leaf | None:
    keys = {(o.surgery, o.indication, o.section) for o in outcomes}
    if len(keys) != 1:
        return None
    ((surgery, indication, section),) = keys
    primary = {tuple(option.code for option in o.options if option.role == "primary") for o in outcomes}
    if len(primary) != 1:
        sections = tuple(sorted({option.section for o in outcomes for option in o.options}, key=_section_order))
        return Leaf(surgery, indication, section, None, sections=sections)
    every = [tuple(option.code for option in o.options if option.role != "primary") for o in outcomes]
    union = list(dict.fromkeys(code for codes in every for code in codes))
    always = tuple(code for code in union if all(code in codes for codes in every))
    some = tuple(code for code in union if code not in always)
    return Leaf(surgery, indication, section, primary.pop(), always, some)


def _section_order(section: str) -> tuple[int, ...]:
    return tuple(int(part) for part in section.split("."))


def fold(found: Sequence[tuple[dict[str, Any], Outcome]], levels: Sequence[Level]) -> Node | Leaf:
    """The tree of `found`: a leaf when one outcome holds for all, else the
    first level that separates them, its answers with the same subtree together."""
    leaf = _leaf([outcome for _, outcome in found])
    for at, level in enumerate(levels):
        groups: dict[Any, list[tuple[dict[str, Any], Outcome]]] = {}
        for case, outcome in found:
            groups.setdefault(level.value(case, outcome), []).append((case, outcome))
        if len(groups) < 2:
            continue
        subtrees = {value: fold(group, levels[at + 1 :]) for value, group in groups.items()}
        if leaf is not None and len(set(subtrees.values())) == 1:
            continue  # the same everywhere: this question changes nothing here
        merged: dict[Node | Leaf, list[Any]] = {}
        for value in [*level.values, *(value for value in subtrees if value not in level.values)]:
            if value in subtrees:
                merged.setdefault(subtrees[value], []).append(value)
        facts = found[0][0]
        section = section_of(level.name, facts, facts.get(level.name)) if level.name != "bone" else "4.1"
        return Node(level.name, section, tuple((tuple(values), subtree) for subtree, values in merged.items()))
    if leaf is None:
        raise ValueError("cases that no question separates lead to different outcomes")
    return leaf


@cache
def tree_of(key: str) -> Node | Leaf:
    tree = next(t for t in TREES if t.key == key)
    return fold(cases(tree), tree.levels)


# ---------------------------------------------------------------- drawing


def answers_label(level: str, values: Sequence[Any]) -> str:
    """« 6 à 12 mois, plus de 12 mois »."""
    labels = [words.answer(level, value) for value in values]
    return ", ".join([labels[0], *(words.lower_first(label) for label in labels[1:])])


def leaf_lines(leaf: Leaf) -> list[str]:
    key = leaf.surgery
    primary = list(leaf.options or ())
    if key == "not_indicated" and {"percutaneous_cementoplasty", "percutaneous_ablation"} & set(primary):
        key = "percutaneous"
    elif key == "indicated" and leaf.options is not None and not primary:
        key = "indicated_technique_rcp"
    lines = [
        f"{words.surgery(key)} ({words.section(leaf.section)})",
        words.upper_first(words.indication(leaf.indication)),
    ]
    if leaf.options is None:
        lines.append(words.label("varying", sections=", ".join(words.section(s) for s in leaf.sections)))
        return lines
    if primary:
        lines.append(words.label("first_line", options=", ".join(words.technique(code) for code in primary)))
    if leaf.alternatives:
        options = ", ".join(words.technique(code) for code in leaf.alternatives)
        lines.append(words.label("alternatives", options=options))
    if leaf.some:
        lines.append(words.label("alternatives_some", options=", ".join(words.technique(code) for code in leaf.some)))
    return lines


def dot_source(key: str) -> str:
    root = tree_of(key)
    tree = next(t for t in TREES if t.key == key)
    out = [
        f"digraph {key} {{",
        f'  graph [rankdir=LR, fontname="{FONT}", fontsize=9, nodesep=0.12, ranksep=0.3, margin=0.05, bgcolor="white"]',
        f'  node [shape=box, fontname="{FONT}", fontsize=9, margin="0.07,0.04"]',
        f'  edge [fontname="{FONT}", fontsize=8, arrowsize=0.6]',
    ]
    title = words.labels()["flowcharts"]["trees"][key]
    heading = dot_label([title, words.section(tree.section)])
    out.append(f'  "title" [id="title", class="tree-title", label="{heading}", {ON_PATH}]')
    counter = {"question": 0, "outcome": 0}

    def visit(node: Node | Leaf) -> str:
        if isinstance(node, Leaf):
            counter["outcome"] += 1
            name = f"outcome-{counter['outcome']}"
            label = dot_label(leaf_lines(node))
            out.append(f'  "{name}" [id="{name}", class="tree-outcome", label="{label}", {ON_PATH}, peripheries=2]')
            return name
        counter["question"] += 1
        name = f"question-{counter['question']}"
        label = dot_label([f"{words.step_name(node.level)} ({words.section(node.section)})"])
        out.append(f'  "{name}" [id="{name}", class="tree-question", label="{label}", {OFF_PATH}]')
        for values, subtree in node.branches:
            child = visit(subtree)
            answer = escape("\n".join(words.wrap(answers_label(node.level, values), 24)))
            out.append(f'  "{name}" -> "{child}" [label="{answer}"]')
        return name

    first = visit(root)
    out.append(f'  "title" -> "{first}"')
    out.append("}")
    return "\n".join(out) + "\n"


def svg(key: str) -> str:
    return sanitize_svg(run_dot(dot_source(key), "svg"))


def text_lines(node: Node | Leaf, depth: int = 0) -> list[str]:
    indent = "  " * depth
    if isinstance(node, Leaf):
        return [f"{indent}- → " + " ; ".join(leaf_lines(node))]
    lines = []
    question = f"{words.step_name(node.level)} ({words.section(node.section)})"
    for values, subtree in node.branches:
        lines.append(f"{indent}- {question} : {answers_label(node.level, values)}")
        lines += text_lines(subtree, depth + 1)
    return lines


def markdown(directory_name: str) -> str:
    texts = words.labels()["flowcharts"]
    out = [f"# {texts['title']}", "", texts["intro"], ""]
    for tree in TREES:
        title = texts["trees"][tree.key]
        out += [f"## {title} — {words.section(tree.section)}", ""]
        out += [f"![{title}]({directory_name}/{tree.key}.svg)", ""]
        out += text_lines(tree_of(tree.key))
        out.append("")
    return "\n".join(out)


def files(directory: Path) -> dict[Path, str]:
    """Every generated file and its content: the dot source and the SVG of
    each tree in `directory`, and the Markdown page beside it
    (`docs/flowcharts.md` for `docs/flowcharts`)."""
    found: dict[Path, str] = {}
    for tree in TREES:
        source = dot_source(tree.key)
        found[directory / f"{tree.key}.dot"] = source
        found[directory / f"{tree.key}.svg"] = sanitize_svg(run_dot(source, "svg"))
    found[directory.parent / f"{directory.name}.md"] = markdown(directory.name)
    return found


def svg_content(svg_text: str) -> list[tuple[str, str]]:
    """What an SVG says, not where dot put it: (id, text) of every box, in
    order. Another Graphviz version may place the boxes elsewhere; the check
    of the SVGs compares this, the dot sources and the page exactly."""
    root = ElementTree.fromstring(svg_text)
    found = []
    for group in root.iter(f"{{{SVG_NS}}}g"):
        texts = [text.text or "" for text in group.iter(f"{{{SVG_NS}}}text")]
        found.append((group.get("id", ""), " ".join(texts)))
    return found


def stale(directory: Path) -> list[Path]:
    """The generated files that are missing or differ from what the rules give now."""
    found = []
    for path, content in files(directory).items():
        if not path.exists():
            found.append(path)
            continue
        current = path.read_text(encoding="utf-8")
        same = svg_content(current) == svg_content(content) if path.suffix == ".svg" else current == content
        if not same:
            found.append(path)
    return found


def main(args: list[str]) -> int:
    check = "--check" in args
    rest = [arg for arg in args if arg != "--check"]
    if len(rest) != 1:
        print("usage: python -m diagram flowcharts DIRECTORY [--check]", file=sys.stderr)
        return 2
    directory = Path(rest[0])
    if check:
        old = stale(directory)
        if old:
            names = ", ".join(str(path) for path in old)
            print(f"Fichiers périmés : {names} ; les régénérer avec make flowcharts.", file=sys.stderr)
            return 1
        return 0
    for path, content in files(directory).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return 0
