"""Where the repository's files are: its root, computed here once.

Each package reads its own data next to itself (`Path(__file__).parent`);
what lies outside every package (VERSION, endpoints.yml, credentials.yml,
var/, docs/, tests/…) is found from `ROOT`.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent
VERSION_FILE = ROOT / "VERSION"


def version() -> str:
    """The software version (the file VERSION: the newest release of docs/contract-changelog.md)."""
    return VERSION_FILE.read_text(encoding="utf-8").strip()
