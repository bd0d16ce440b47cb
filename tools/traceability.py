"""The clinical traceability matrix: each decision-relevant statement of the
chapter, the rule that applies it, the items it produces, the tests that
check it, and its status (literal, interpretation, silent, conflict).

    python -m tools.traceability            # print docs/clinical-traceability.md
    python -m tools.traceability --write    # write it
    python -m tools.traceability --check    # exit 1 if it is stale

The rows are data (`decision/data/traceability.yml`); the tests of a
statement are found by its sentence, quoted verbatim in a test's docstring
under tests/decision/. `problems()` lists what is wrong with the matrix (a
quote used nowhere, a statement without rule, test or example…). It lives
outside `decision/`, which reads only its own data: this reads the tests and
writes docs/.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from decision import knowledge, recommend
from paths import ROOT

from .generated import write_or_check

MATRIX = knowledge.DATA / "traceability.yml"
DOCUMENT = ROOT / "docs" / "clinical-traceability.md"
TESTS = ROOT / "tests" / "decision"
STATUSES = {
    "literal": "littéral",
    "interpretation": "interprétation",
    "silent": "chapitre muet",
    "conflict": "conflit entre sections",
}
KINDS = {
    "indications": "indication",
    "techniques": "technique",
    "workup": "bilan",
    "postoperative": "suites",
    "warnings": "avertissement",
}


@dataclass(frozen=True)
class Statement:
    id: str
    quote: str
    rules: tuple[str, ...]
    items: tuple[str, ...]
    examples: tuple[dict[str, Any], ...]
    status: str
    reason: str | None

    @property
    def section(self) -> str:
        return knowledge.quote(self.quote)["section"]

    @property
    def text(self) -> str:
        return knowledge.quote(self.quote)["text"]


@lru_cache(maxsize=1)
def statements() -> tuple[Statement, ...]:
    with open(MATRIX, encoding="utf-8") as handle:
        rows = yaml.safe_load(handle)["statements"]
    return tuple(
        Statement(
            str(row["id"]),
            row["quote"],
            tuple(row["rules"]),
            tuple(row["items"]),
            tuple(row["example"] if isinstance(row["example"], list) else [row["example"]]),
            row["status"],
            row.get("reason"),
        )
        for row in rows
    )


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def test_docstrings(directory: Path = TESTS) -> tuple[tuple[str, str], ...]:
    """(file::test, docstring squeezed) of every test function under `directory`."""
    found = []
    for path in sorted(directory.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                found.append((f"{path.name}::{node.name}", squeeze(ast.get_docstring(node) or "")))
    return tuple(found)


def tests_of(statement: Statement) -> list[str]:
    """The tests whose docstring quotes the statement's sentence verbatim."""
    sentence = squeeze(statement.text)
    return [name for name, docstring in test_docstrings() if sentence in docstring]


def _resolve(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name, None)


def _emitted(statement: Statement) -> set:
    """The items (kind.code) the statement's examples show."""
    codes = set()
    for example in statement.examples:
        data = recommend(example).to_dict()
        codes.add(f"indications.{data['indication']['code']}")
        for kind in ("techniques", "workup", "postoperative", "warnings"):
            codes |= {f"{kind}.{item['code']}" for item in data[kind]}
    return codes


def problems() -> list[str]:
    """Everything wrong with the matrix; empty when it is sound."""
    found: list[str] = []
    rows = statements()
    ids = [row.id for row in rows]
    found += [f"statement {i} appears twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    quotes = knowledge.chapter()["quotes"]
    for row in rows:
        if row.quote not in quotes:
            found.append(f"{row.id}: unknown quote {row.quote!r}")
            continue
        if row.status not in STATUSES:
            found.append(f"{row.id}: unknown status {row.status!r}")
        if row.status != "literal" and not row.reason:
            found.append(f"{row.id}: a statement of status {row.status} needs its reason")
        if not row.rules:
            found.append(f"{row.id}: no rule applies it")
        found += [f"{row.id}: rule {rule} does not exist" for rule in row.rules if not callable(_resolve(rule))]
        if not row.items:
            found.append(f"{row.id}: produces no item")
        for item in row.items:
            kind, _, code = item.partition(".")
            if code not in knowledge.chapter().get(kind, {}):
                found.append(f"{row.id}: unknown item {item}")
        missing = set(row.items) - _emitted(row)
        if missing:
            found.append(f"{row.id}: its example does not show {', '.join(sorted(missing))}")
        if not tests_of(row):
            found.append(f"{row.id}: no test of tests/decision quotes « {row.text[:60]}… »")
    used = {row.quote for row in rows}
    for kind in knowledge.KINDS:
        for code in knowledge.chapter()[kind]:
            used |= {key for _, key in knowledge.quote_keys(kind, code)}
    found += [f"quote {key} is used by no item and no statement" for key in quotes if key not in used]
    return found


# ------------------------------------------------------------------ rendering


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _items(row: Statement) -> str:
    return ", ".join(f"{KINDS[kind]} `{code}`" for kind, _, code in (item.partition(".") for item in row.items))


def _rules(row: Statement) -> str:
    return ", ".join(f"`{rule.replace('decision.', '')}`" for rule in row.rules)


def _tests(row: Statement) -> str:
    return "<br>".join(f"`{name}`" for name in tests_of(row))


def _status(row: Statement) -> str:
    label = f"**{STATUSES[row.status]}**"
    return f"{label} : {_cell(row.reason)}" if row.reason else label


def document() -> str:
    rows = statements()
    counts = {status: sum(row.status == status for row in rows) for status in STATUSES}
    lines = [
        "# Matrice de traçabilité clinique",
        "",
        "Fichier généré par `python -m tools.traceability --write` à partir de `decision/data/traceability.yml` ;",
        "ne pas le modifier à la main (un test vérifie qu'il est à jour).",
        "",
        "Une ligne par énoncé décisionnel des sections 1 à 5 du chapitre « Chirurgie des métastases osseuses",
        "des membres » : la phrase du chapitre, citée mot pour mot ; la règle du module de décision qui",
        "l'applique ; les éléments de recommandation qu'elle produit (montrés par un cas exemple) ; les tests",
        "qui la vérifient (ceux qui citent la phrase) ; et son statut : **littéral** (appliquée telle quelle),",
        "**interprétation** (lecture que le chapitre n'explicite pas, avec sa raison), **chapitre muet** (le",
        "chapitre ne tranche pas : signalé `guideline_silent`, renvoyé à la RCP) ou **conflit entre sections**",
        "(deux phrases divergent : les deux sont montrées, la RCP tranche).",
        "",
        f"{len(rows)} énoncés : " + ", ".join(f"{counts[s]} {STATUSES[s]}" for s in STATUSES) + ".",
        "C'est le document qu'un clinicien relit et signe ; les textes du projet (justifications) restent",
        "les siens, les phrases entre guillemets sont celles du chapitre (licence CC BY-NC-ND 4.0).",
    ]
    sections = knowledge.chapter()["sections"]
    current = None
    for row in rows:
        if row.section != current:
            current = row.section
            lines += [
                "",
                f"## § {current} — {sections[current]}",
                "",
                "| n° | phrase du chapitre | règle | éléments | tests | statut |",
                "|---|---|---|---|---|---|",
            ]
        lines.append(
            f"| {row.id} | « {_cell(row.text)} » | {_rules(row)} | {_items(row)} | {_tests(row)} | {_status(row)} |"
        )
    lines += ["", "## Choix d'interprétation, silences et conflits", ""]
    lines += choices()
    return "\n".join(lines) + "\n"


def choices() -> list[str]:
    """The rows that are not literal: the clinicians' list to validate."""
    return [
        f"- **§ {row.id}** ({STATUSES[row.status]}) — {row.reason}" for row in statements() if row.status != "literal"
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    found = problems()
    if found:
        print("\n".join(found), file=sys.stderr)
        return 2
    text = document()
    return write_or_check(DOCUMENT, text, args, "tools.traceability")


if __name__ == "__main__":
    sys.exit(main())
