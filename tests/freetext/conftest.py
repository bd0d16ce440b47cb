"""Prints the shorthand set's slot-fill accuracy at the end of the session (make test shows it)."""

from __future__ import annotations

import pytest

from tests.freetext.shorthand import SUMMARY_KEY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    summary = config.stash.get(SUMMARY_KEY, None)
    if summary is not None:
        terminalreporter.write_sep("-", "clinical shorthand (tests/freetext/test_shorthand.py)")
        terminalreporter.write_line(summary)
