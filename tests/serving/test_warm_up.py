"""Ready means ready: what a turn needs is loaded and run once before a
server answers its health check (serving/warm_up.py), and the warm-up
writes nothing."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap

import pytest
import yaml

from harness.bots import running_bot
from harness.processes import ROOT
from serving import warm_up

# In a fresh process: warm up, then forbid loading any spaCy pipeline; the
# screening must still find names, cue or not, in any case.
AFTER_WARM_UP = textwrap.dedent(
    """
    import spacy
    from privacy import screen
    from privacy.screening import warm_up

    warm_up()

    def no_more_loading(*args, **kwargs):
        raise AssertionError("a spaCy pipeline was loaded after the warm-up")

    spacy.load = no_more_loading
    for text in ["Je vois Gaspard Lemoine pour son fémur", "vu avec gaspard lemoine ce matin", "Mme Berthelot, col"]:
        print(screen(text).text)
    """
)


def test_after_the_screening_s_warm_up_the_first_message_loads_nothing():
    done = subprocess.run(
        [sys.executable, "-c", AFTER_WARM_UP], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    screened = done.stdout.splitlines()[-3:]
    assert len(screened) == 3 and all("[NOM]" in line for line in screened), screened
    assert not any(name in done.stdout.lower() for name in ("lemoine", "berthelot"))


def test_every_action_of_the_domain_runs_in_the_action_server_s_warm_up():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    custom = {name for name in domain["actions"] if name.startswith(("action_", "validate_"))}
    count, failed = asyncio.run(warm_up.warm_actions("actions"))
    assert failed == []
    assert count == len(custom)


@pytest.mark.e2e
def test_both_servers_answer_only_once_warm_and_the_warm_up_writes_nothing(tmp_path):
    with running_bot(tmp_path) as bot:
        # Read as soon as both servers answer: the warm-up is already done.
        actions_log = (tmp_path / "actions.log").read_text(errors="replace")
        rasa_log = (tmp_path / "rasa.log").read_text(errors="replace")
        with sqlite3.connect(tmp_path / "consultations.db") as connection:
            stored = connection.execute("SELECT count(*) FROM events").fetchone()[0]
        answer = bot.send("premier", "Je vois Ysolde Quénard, fracture pathologique du col fémoral droit")
    assert "Warm-up: screening loaded in" in actions_log and "actions run in" in actions_log, actions_log[-3000:]
    assert "Warm-up: screening loaded in" in rasa_log, rasa_log[-3000:]
    assert "Warm-up: parse and prediction in" in rasa_log, rasa_log[-3000:]
    assert "did not run" not in actions_log + rasa_log
    assert stored == 0  # nothing of the warm-up in the tracker store
    assert answer
