"""DEV-ONLY STAND-IN for helper D's `diagram` package (branch `path`): same
interface, deleted when that branch is merged. Never shipped."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from decision import recommend


@dataclass(frozen=True)
class Picture:
    svg: str
    png: bytes
    text: str
    dot: str


def draw(case: Mapping[str, Any]) -> Picture:
    rec = recommend(case).to_dict()
    steps = [f"{name} : {value}" for name, value in rec["case"].items()]
    steps.append(f"Chirurgie : {rec['surgery']}")
    lines = ["digraph path {", "rankdir=TB;", 'node [shape=box, fontname="DejaVu Sans"];']
    for index, step in enumerate(steps):
        lines.append(f'n{index} [label="{step}"];')
        if index:
            lines.append(f"n{index - 1} -> n{index};")
    lines.append("}")
    dot = "\n".join(lines)
    svg = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, check=True).stdout.decode()
    png = subprocess.run(["dot", "-Tpng"], input=dot.encode(), capture_output=True, check=True).stdout
    return Picture(svg=svg, png=png, text="\n".join(f"{i + 1}. {s}" for i, s in enumerate(steps)), dot=dot)
