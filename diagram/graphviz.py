"""The Graphviz `dot` program (Debian package graphviz), run as a subprocess:
the layout is dot's, never coordinates of ours."""

from __future__ import annotations

import shutil
import subprocess

# A path's graph is laid out in a few tens of milliseconds; a stuck dot must not hold a turn.
TIMEOUT_SECONDS = 10.0
# PNG: 144 dots per inch, twice the SVG's 72 points per inch, sharp on a phone's screen.
PNG_DPI = 144


class DiagramError(RuntimeError):
    """The picture cannot be drawn (dot missing, failing or too slow); the
    message is in French, for the clinician or the operator."""


def escape(text: str) -> str:
    """A string for a dot label or attribute between double quotes."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def run_dot(source: str, output: str, *options: str) -> bytes:
    """`dot -T<output>` on `source`."""
    program = shutil.which("dot")
    if program is None:
        raise DiagramError(
            "Le schéma ne peut pas être dessiné : le programme « dot » de Graphviz est introuvable "
            "(paquet Debian graphviz, installé par make run et make test)."
        )
    try:
        done = subprocess.run(
            [program, f"-T{output}", *options],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise DiagramError(
            f"Le schéma n'a pas pu être dessiné : Graphviz n'a pas répondu en {TIMEOUT_SECONDS:g} s."
        ) from error
    except OSError as error:
        raise DiagramError(f"Le schéma n'a pas pu être dessiné : Graphviz n'a pas démarré ({error}).") from error
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise DiagramError("Le schéma n'a pas pu être dessiné : Graphviz a échoué (" + "".join(detail) + ").")
    return done.stdout
