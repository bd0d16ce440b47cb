"""What the servers print goes through the screen of identifying data
(serving/log_screen.py): the logging handlers, the warnings, print."""

from __future__ import annotations

import io
import subprocess
import sys

from harness.processes import ROOT
from serving.log_screen import MAX_LINE, ScreenedStream, screen_line

WARNING = (
    "2026-12-01 00:02:05 WARNING  rasa.shared.utils.io  - Failed to parse arguments in line "
    '\'/inform{"nom": "Dupont", "date_of_birth": "1950-03-12", "bone": "ulna"}\'. '
    "Expected entities from ['bone', 'site'] but found {'date_of_birth', 'nom'}."
)


def test_a_log_line_is_screened_and_keeps_its_time():
    line = screen_line(WARNING)
    assert line.startswith("2026-12-01 00:02:05 WARNING  rasa.shared.utils.io")
    assert "Dupont" not in line and "1950" not in line and '"bone": "ulna"' in line


def test_lines_written_in_pieces_are_screened_whole():
    out = io.StringIO()
    stream = ScreenedStream(out)
    stream.write("Patient M. Jean ")
    stream.write("Dupont, tél 06 12 34 ")
    assert out.getvalue() == ""  # nothing before the end of the line
    stream.write("56 78\nsecond line: Mme Lucie Martin")
    stream.flush()
    assert out.getvalue() == "Patient M. [NOM], tél [TÉLÉPHONE]\nsecond line: Mme [NOM]"


def test_a_long_line_is_cut():
    line = screen_line("fémur " * 20_000)
    assert len(line) < MAX_LINE + 100 and line.endswith(f"[{6 * 20_000 - MAX_LINE} caractères coupés]")


def test_python_m_serving_screens_logging_warnings_and_print():
    program = (
        "import logging, sys, warnings\n"
        "from serving import log_screen\n"
        "log_screen.install()\n"
        "logging.basicConfig(format='%(asctime)s %(levelname)s %(message)s')\n"
        "logging.getLogger('x').warning('message of M. Dupont, né le 12/03/1950')\n"
        'warnings.warn(\'Failed to parse line /inform{"nom": "Dupont"}\')\n'
        "print('joindre au 06 12 34 56 78')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=True)
    printed = done.stdout + done.stderr
    assert "Dupont" not in printed and "12/03/1950" not in printed and "06 12 34" not in printed
    assert "message of M. [NOM], né le [DATE]" in printed and "[TÉLÉPHONE]" in printed
