"""The privacy measures (recall, false masks), printed in pytest's terminal summary."""

from __future__ import annotations

MEASURES: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:
    if MEASURES:
        terminalreporter.section("privacy screening")
        for line in MEASURES:
            terminalreporter.write_line(line)
