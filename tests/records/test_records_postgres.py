"""`python -m records report` and `purge` against PostgreSQL, configured as
docs/security.md says for production (endpoints.yml with ${DB_HOST}, ${DB_USER},
${DB_PASSWORD} read from the environment), on a real throwaway server; the
consultations written by the project's tracker store."""

import asyncio
import contextlib
import io
import os
import subprocess
import sys
import time

import pytest
from pypdf import PdfReader
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from harness.processes import ROOT
from records.store import ScreenedSQLTrackerStore
from tests.cases import FEMORAL_NECK, recorded
from tests.support.services import postgres_server

pytestmark = pytest.mark.e2e

CASE = FEMORAL_NECK
# The production section of docs/security.md, the port and database of the test server.
ENDPOINTS = """\
tracker_store:
  type: records.store.ScreenedSQLTrackerStore
  dialect: postgresql
  url: ${{DB_HOST}}
  port: {port}
  db: {database}
  username: ${{DB_USER}}
  password: ${{DB_PASSWORD}}
  retention_days: 30
"""


@pytest.fixture(scope="module")
def pg():
    with postgres_server(database="consultations") as server:
        yield server


def store_conversation(pg, sender, when, last=None):
    """A consultation begun at `when`, its recommendation at `last` (default: `when`)."""
    store = ScreenedSQLTrackerStore(
        domain=Domain.empty(),
        dialect="postgresql",
        host=pg.host,
        port=pg.port,
        db=pg.database,
        username=pg.user,
        password=pg.password,
    )
    rec = recorded(CASE)
    tracker = DialogueStateTracker.from_events(
        sender,
        [
            UserUttered("fracture du col fémoral, espérance de vie 8 mois, opérable", timestamp=when),
            SlotSet("recommendation", rec, timestamp=last or when),
        ],
    )
    asyncio.run(store.save(tracker))


def senders(pg):
    with contextlib.closing(pg.connect()) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT sender_id FROM events")
        return {row[0] for row in cursor.fetchall()}


def records(pg, tmp_path, *args):
    """`python -m records --endpoints … ARGS` with the secrets in the environment only."""
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(ENDPOINTS.format(port=pg.port, database=pg.database))
    assert pg.password not in endpoints.read_text()
    env = {**os.environ, "DB_HOST": pg.host, "DB_USER": pg.user, "DB_PASSWORD": pg.password}
    return subprocess.run(
        [sys.executable, "-m", "records", "--endpoints", str(endpoints), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_report_reads_the_recommendation_from_postgresql(pg, tmp_path):
    store_conversation(pg, "rcp-pg", time.time())
    done = records(pg, tmp_path, "report", "rcp-pg", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        str(tmp_path / "out" / "rapport-rcp-rcp-pg.md"),
        str(tmp_path / "out" / "rapport-rcp-rcp-pg.pdf"),
    ]
    markdown = (tmp_path / "out" / "rapport-rcp-rcp-pg.md").read_text(encoding="utf-8")
    assert "Consultation : rcp-pg." in markdown and "- Localisation sur l'os : Col fémoral" in markdown
    assert "- **Arthroplastie de hanche cimentée** — en première intention." in markdown
    [page] = PdfReader(io.BytesIO((tmp_path / "out" / "rapport-rcp-rcp-pg.pdf").read_bytes())).pages
    assert "Arthroplastie de hanche cimentée" in page.extract_text()

    missing = records(pg, tmp_path, "report", "inconnue")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "Aucune recommandation enregistrée pour la consultation « inconnue »."


def test_purge_deletes_only_old_consultations_from_postgresql(pg, tmp_path):
    store_conversation(pg, "old-pg", time.time() - 40 * 86400)
    store_conversation(pg, "recent-pg", time.time())
    store_conversation(pg, "ongoing-pg", time.time() - 40 * 86400, last=time.time() - 86400)  # old, still used
    before = senders(pg)
    assert {"old-pg", "recent-pg", "ongoing-pg"} <= before

    done = records(pg, tmp_path, "purge")  # retention_days: 30 from endpoints.yml
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 consultation(s) de plus de 30 jours effacée(s)."
    assert senders(pg) == before - {"old-pg"}

    done = records(pg, tmp_path, "purge", "--older-than-days", "0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{len(before) - 1} consultation(s) de plus de 0 jours effacée(s)."
    assert senders(pg) == set()
