"""Parse the guideline's bibliography and build `decision/data/references.json`.

The data file is generated once from the source text and committed; a test
re-parses the source and compares, so a typo in either is caught. It lives
outside `decision/`, which reads only its own data: this reads the guideline.

    python -m tools.bibliography ../shared/guideline/chirurgie-metastases-osseuses-membres.md
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from decision import knowledge

REFERENCE_LINE = re.compile(r"^(\d+)\.\s+(.*\S)\s*$")

# References the chapter itself cites: (137–142) for the whole chapter, (143)
# for the Mirels score's improvements, (144) for total hip arthroplasty.
CHAPTER_CITATIONS = frozenset(range(137, 145))

# Known duplicates of the source (see shared/guideline/README.md).
SAME_WORK = (
    (82, 83, "identical"),
    (87, 88, "identical"),
    (93, 94, "date_differs"),
    (81, 150, "other_edition"),
)


def parse_references(source: str) -> dict[int, str]:
    """Number -> text, exactly as printed after "N. " in the REFERENCES part."""
    _, _, bibliography = source.partition("## REFERENCES")
    references: dict[int, str] = {}
    for line in bibliography.splitlines():
        match = REFERENCE_LINE.match(line)
        if match:
            references[int(match.group(1))] = match.group(2)
    return references


def build_records(references: dict[int, str]) -> list[dict]:
    links: dict[int, list[dict]] = {}
    for first, second, relation in SAME_WORK:
        links.setdefault(first, []).append({"number": second, "relation": relation})
        links.setdefault(second, []).append({"number": first, "relation": relation})
    return [
        {
            "number": number,
            "reference": text,
            "cited_by_chapter": number in CHAPTER_CITATIONS,
            "same_work_as": links.get(number, []),
        }
        for number, text in sorted(references.items())
    ]


def main(argv: list[str]) -> int:
    source = Path(argv[0]).read_text(encoding="utf-8")
    records = build_records(parse_references(source))
    target = knowledge.DATA / "references.json"
    target.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(records)} references written to {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover - maintenance script
    sys.exit(main(sys.argv[1:]))
