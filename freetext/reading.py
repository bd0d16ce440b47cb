"""A message read once, in one process, and what was read passed on.

The Rasa server's NLU (`nlu.case_fact_extractor`) reads every message: its facts, and
what the rest of the turn asks of the same reading (the fields it names, the
values it leaves open, the quantities on or across a class bound, whether it
is outside the chapter, whether it takes facts out of the case). `carry(text)` gives all of it as JSON, which Rasa
keeps in the message's parse data (`KEY`) and sends to the action server in
`tracker.latest_message`. There `remember(reading, text)` puts it back into
the memories the parser reads from (`analysis.ANALYSES`, `scope.SCOPES`), so
that reading the message again finds it: the action server only reads what
depends on the dialogue (the message as the answer to the question pending).

A reading is used only for the very text it was made of, by the same lexicon;
anything else (a message that came without NLU, a text masked since, another
version) is read again, as before. Pure Python, no Rasa.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from functools import cache
from typing import Any

from .analysis import ANALYSES, Analysis, cached_analysis
from .discourse import COMMANDS, Command, command
from .fields import Fact, OnBound, Straddle
from .lexicon import LEXICON_PATH
from .scope import SCOPES, OutOfScope, out_of_scope

# The key of the reading in a message's parse data.
KEY = "case_reading"
# Bumped whenever what is carried changes.
FORMAT = 1


@cache
def version() -> str:
    """The reading's format and the lexicon it was read with: a reading made by
    another version is not used."""
    digest = hashlib.sha256(LEXICON_PATH.read_bytes()).hexdigest()[:12]
    return f"{FORMAT}:{digest}"


def carry(text: str) -> dict[str, Any]:
    """What reading ``text`` found, as JSON (``text`` itself is not repeated: the
    parse data holds it)."""
    analysis = cached_analysis(text)
    scope = out_of_scope(text)
    request = command(text)
    return {
        "version": version(),
        "check": check(text),
        "facts": [[f.field, f.value, f.start, f.end] for f in analysis.facts],
        "ambiguous": sorted(analysis.ambiguous),
        "choices": {name: list(s) for name, s in analysis.choices.items()},
        "boundaries": {name: list(b) for name, b in analysis.boundaries.items()},
        "named": sorted(analysis.named),
        "out_of_scope": None if scope is None else {"reason": scope.reason, "words": list(scope.words)},
        "command": None
        if request is None
        else {"kind": request.kind, "fields": list(request.fields), "unknown": request.unknown},
    }


def check(text: str) -> list[int]:
    """The length of ``text`` and 16 bits of its CRC: enough to tell a reading of
    another text (a masked one), too little to say anything of the text."""
    return [len(text), zlib.crc32(text.encode("utf-8")) & 0xFFFF]


def of(reading: Any, text: str) -> bool:
    """Whether ``reading`` is that of ``text``, made by this version."""
    return (
        isinstance(reading, Mapping)
        and isinstance(text, str)
        and reading.get("version") == version()
        and reading.get("check") == check(text)
    )


def remember(reading: Any, text: str) -> bool:
    """Put the reading of ``text`` carried by a message into the parser's
    memories; False (nothing done) when there is none, or it is not that of
    ``text`` by this version."""
    if not of(reading, text) or not text.strip():
        return False
    try:
        analysis = Analysis(
            facts=[Fact(str(f), str(v), int(a), int(b), text[int(a) : int(b)]) for f, v, a, b in reading["facts"]],
            ambiguous={str(name) for name in reading["ambiguous"]},
            choices={str(name): Straddle(*map(str, s)) for name, s in reading["choices"].items()},
            boundaries={str(name): OnBound(*map(str, b)) for name, b in reading["boundaries"].items()},
            named={str(name) for name in reading["named"]},
        )
        scope = reading["out_of_scope"]
        outside = None if scope is None else OutOfScope(str(scope["reason"]), tuple(map(str, scope["words"])))
        said = reading["command"]
        request = (
            None if said is None else Command(str(said["kind"]), tuple(map(str, said["fields"])), bool(said["unknown"]))
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    ANALYSES.remember((text, None, True), analysis)
    COMMANDS.remember(text, request)
    if not text.lstrip().startswith("/"):
        SCOPES.remember(text, outside)
    return True


def carried_out_of_scope(reading: Any, text: str) -> OutOfScope | None:
    """`scope.out_of_scope(text)`, from the reading carried when there is one."""
    if of(reading, text):
        scope = reading.get("out_of_scope")
        if scope is None:
            return None
        if isinstance(scope, Mapping):
            return OutOfScope(str(scope.get("reason")), tuple(map(str, scope.get("words") or ())))
    return out_of_scope(text)
