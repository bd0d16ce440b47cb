"""Prints the NLU scores of the dev and frozen sets at the end of the session (make test shows them)."""

from __future__ import annotations

import pytest

from tests.nlu.sets import SUMMARY_KEY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    summary = config.stash.get(SUMMARY_KEY, None)
    if summary is not None:
        terminalreporter.write_sep("-", "NLU dev and frozen sets (tests/nlu/test_generalisation.py)")
        for line in summary.splitlines():
            terminalreporter.write_line(line)
