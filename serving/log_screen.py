"""Identifying data screened out of what the servers print.

Rasa logs some user messages as they were typed: a payload it cannot parse
(« Failed to parse arguments in line '/inform{"nom": "Dupont"…' »), and every
message, slot and event at debug level. `install()` puts a screen in front of
the process's standard output and error, where the logging handlers, the
warnings and structlog write: each line goes through
`privacy.screen` before it reaches the terminal or the log file of
`make run`. A log line's leading timestamp is kept; a line is cut at
`MAX_LINE` characters (a 100 KB message is not worth logging whole).

The programs' own sentences about a failure (`KNOWN`: Rasa's, SQLAlchemy's,
psycopg2's, redis-py's, the project's) are kept word for word and only the
text between them is screened: the recogniser took « Error happened when
trying to save conversation tracker … » for a name, and the log could no
longer tell a failed save from a failed read.
`python -m serving` installs it, for the Rasa server and the action server.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from typing import Any, TextIO

from privacy import screen
from privacy.recogniser import inside_recogniser

MAX_LINE = 4000
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?")
# Loggers whose information messages are noise, and long (fpdf2's font subsetting).
QUIET = ("fontTools",)
# Sentences of the programs (fixed words, names of classes and actions,
# addresses of loopback or of the servers), never a user's.
KNOWN = re.compile(
    "|".join(
        [
            # Rasa's tracker store (rasa/core/tracker_store.py) and serving/turns.py
            r"Error happened when trying to (?:save|retrieve) conversation tracker (?:to|from) '\w+'",
            r"Falling back to use the '\w+'\. Please investigate the following error:",
            r"The turn is refused, nothing kept in memory\. Error:",
            r"Tracker store: (?:save|read|read of the conversation ids) failed \(attempt \d+ of \d+\):",
            r"Turn not stored: the action server could not run [\w, ]+; the conversation stays as it was\.",
            r"Message \w+ is already in the conversation: its answer is sent again\.",
            # SQLAlchemy and psycopg2
            r"\((?:psycopg2|sqlalchemy|sqlite3)(?:\.\w+)+\)",
            r"\b(?:OperationalError|InterfaceError|DatabaseError|StoreUnavailable|LockError|ConnectionError):",
            r"server closed the connection unexpectedly",
            r"This probably means the server terminated abnormally",
            r"before or while processing the request\.",
            r"terminating connection due to administrator command",
            r"the database system is (?:shutting down|starting up)",
            r'connection to server at "[\w.:-]+", port \d+ failed: Connection refused',
            r"Is the server running on that host and accepting TCP/IP connections\?",
            r"\(Background on this error at: https://sqlalche\.me/e/\d+/\w+\)",
            # redis-py and the lock store (rasa/core/lock_store.py, serving/lock_store.py)
            r"Error \d+ connecting to [\w.-]+:\d+\. Connection refused\.",
            r"Connection closed by server\.",
            r"Error while (?:acquiring|reading|waiting for) (?:the )?lock\. Error:",
            r"Lock store: [\w ]+ failed",
            # the action server (rasa/core/actions/action.py, rasa/core/processor.py)
            r"Failed to run custom action '\w+'\.",
            r"Couldn't connect to the server at '[\w.:/-]+'\. Is the server running\?",
            r"Encountered an exception while running action '\w+'\.",
            r"Action server unavailable while running '\w+'\.",
            r"Circuit breaker tripped\. Stopped predicting more actions",
            # the warm-up before the servers answer (serving/warm_up.py)
            r"Warm-up: (?:screening loaded|parse and prediction|\d+ actions run) in \d+\.\d s"
            r"(?:, before the server answers)?\.",
            r"Warm-up: (?:screening not loaded|the turn path did not run|actions that did not run):",
        ]
    )
)


def screen_line(line: str) -> str:
    """One line of log, screened; its leading timestamp kept."""
    cut = ""
    if len(line) > MAX_LINE:
        line, cut = line[:MAX_LINE], f" … [{len(line) - MAX_LINE} caractères coupés]"
    stamp = TIMESTAMP.match(line)
    head, rest = (line[: stamp.end()], line[stamp.end() :]) if stamp else ("", line)
    return head + _screened_around_known(rest) + cut


def _screened_around_known(text: str) -> str:
    """`text` screened, the programs' own sentences (KNOWN) left whole."""
    pieces, start = [], 0
    for known in KNOWN.finditer(text):
        pieces.append(_screened(text[start : known.start()]))
        pieces.append(known.group())
        start = known.end()
    pieces.append(_screened(text[start:]))
    return "".join(pieces)


def _screened(text: str) -> str:
    return screen(text).text if text.strip() else text


class ScreenedStream:
    """A text stream that writes whole lines, each screened, to `stream`."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._pending = ""
        self._lock = threading.RLock()
        self._inside = threading.local()

    def write(self, text: str) -> int:
        if getattr(self._inside, "active", False) or inside_recogniser():
            # Written while a line is being screened, or by a thread that
            # loads or runs the recogniser (spaCy's warnings): the program's
            # own words, not a user's; written without waiting for a line
            # another thread screens, which may be waiting for the recogniser.
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
