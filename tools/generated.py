"""What the generators of tools/ share: print a generated document, write it
(`--write`), or say whether the committed copy is stale (`--check`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def write_or_check(document: Path, text: str, args: Sequence[str], command: str) -> int:
    """`--write`: `text` written to `document`; `--check`: 1 when the file
    differs from `text` (with the command that regenerates it), else 0;
    otherwise `text` on standard output."""
    if "--write" in args:
        document.parent.mkdir(parents=True, exist_ok=True)
        document.write_text(text, encoding="utf-8")
        return 0
    if "--check" in args:
        if not document.exists() or document.read_text(encoding="utf-8") != text:
            print(f"stale: {document} (run python -m {command} --write)", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0
