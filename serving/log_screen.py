"""Identifying data screened out of what the servers print.

Rasa logs some user messages as they were typed: a payload it cannot parse
(« Failed to parse arguments in line '/inform{"nom": "Dupont"…' »), and every
message, slot and event at debug level. `install()` puts a screen in front of
the process's standard output and error, where the logging handlers, the
warnings and structlog write: each line goes through
`records.privacy.screen` before it reaches the terminal or the log file of
`make run`. A log line's leading timestamp is kept; a line is cut at
`MAX_LINE` characters (a 100 KB message is not worth logging whole).
`python -m serving` installs it, for the Rasa server and the action server.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from typing import Any, TextIO

from records.privacy import screen

MAX_LINE = 4000
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?")
# Loggers whose information messages are noise, and long (fpdf2's font subsetting).
QUIET = ("fontTools",)


def screen_line(line: str) -> str:
    """One line of log, screened; its leading timestamp kept."""
    cut = ""
    if len(line) > MAX_LINE:
        line, cut = line[:MAX_LINE], f" … [{len(line) - MAX_LINE} caractères coupés]"
    stamp = TIMESTAMP.match(line)
    head, rest = (line[: stamp.end()], line[stamp.end() :]) if stamp else ("", line)
    return head + screen(rest).text + cut


class ScreenedStream:
    """A text stream that writes whole lines, each screened, to `stream`."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._pending = ""
        self._lock = threading.RLock()
        self._inside = threading.local()

    def write(self, text: str) -> int:
        if getattr(self._inside, "active", False):
            # Written while a line is being screened (the recogniser loading):
            # the program's own words, not a user's.
            return self.stream.write(text)
        with self._lock:
            self._pending += text
            while "\n" in self._pending:
                line, self._pending = self._pending.split("\n", 1)
                self._emit(line + "\n")
        return len(text)

    def _emit(self, text: str) -> None:
        self._inside.active = True
        try:
            line = text.rstrip("\n")
            self.stream.write(screen_line(line) + text[len(line) :])
        finally:
            self._inside.active = False

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                pending, self._pending = self._pending, ""
                self._emit(pending)
            self.stream.flush()

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        # fileno, isatty, encoding, errors, buffer…: those of the stream.
        return getattr(self.stream, name)


def install() -> None:
    """Screen everything printed on standard output and error from now on."""
    if not isinstance(sys.stdout, ScreenedStream):
        sys.stdout = ScreenedStream(sys.stdout)
    if not isinstance(sys.stderr, ScreenedStream):
        sys.stderr = ScreenedStream(sys.stderr)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
