"""The files of ../shared the tests check the data against: the guideline's
chapter and the decision contract."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paths import ROOT

SOURCE = ROOT.parent / "shared" / "guideline" / "chirurgie-metastases-osseuses-membres.md"
SPEC = SOURCE.parents[1] / "spec" / "decision-contract.md"


def shared_file(path: Path) -> str:
    """A file of ../shared. In CI (CI=true) its absence fails the run: the checks
    against the guideline are what the documentation promises. Elsewhere the
    test is skipped with the reason (pytest -rs prints it)."""
    if not path.exists():
        message = f"{path} is missing: the clone must sit beside shared/ (guideline and contract)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")
