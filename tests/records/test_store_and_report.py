"""The tracker store writes masked messages; the report and purge commands read it."""

import asyncio
import json
import sqlite3
import time

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import paths
from decision import recommend
from records.__main__ import main as records_main
from records.report import report_markdown
from records.store import ScreenedSQLTrackerStore
from tests.cases import FEMORAL_NECK, LONG_SURVIVOR, recorded

CASE = FEMORAL_NECK


def recommendation():
    return recorded(CASE)


def store_conversation(db, sender="c1", when=None):
    store = ScreenedSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(db), retention_days=30)
    tracker = DialogueStateTracker.from_events(
        sender,
        [
            UserUttered("Patient M. Dupont né le 12/03/1950, fracture du col fémoral", timestamp=when),
            BotUttered("Je n'ai pas retenu « M. Dupont »", timestamp=when),
            SlotSet("recommendation", recommendation(), timestamp=when),
        ],
    )
    asyncio.run(store.save(tracker))
    return store


def stored_data(db):
    with sqlite3.connect(db) as connection:
        return [json.loads(row[0]) for row in connection.execute("SELECT data FROM events")]


def test_messages_are_masked_before_they_are_written(tmp_path):
    db = tmp_path / "c.db"
    store_conversation(db)
    raw = json.dumps(stored_data(db), ensure_ascii=False)
    assert "Dupont" not in raw and "1950" not in raw
    user = next(event for event in stored_data(db) if event["event"] == "user")
    assert user["text"] == "Patient M. [NOM] né le [DATE], fracture du col fémoral"
    assert user["parse_data"]["text"] == user["text"]


def test_saving_again_does_not_duplicate_events(tmp_path):
    db = tmp_path / "c.db"
    store = store_conversation(db)
    tracker = asyncio.run(store.retrieve("c1"))
    tracker.update(UserUttered("rapport"))
    asyncio.run(store.save(tracker))
    assert [event["event"] for event in stored_data(db)].count("user") == 2


def test_report_has_case_recommendation_rationale_and_references():
    markdown = report_markdown(recommendation(), "c1")
    assert markdown.startswith("# Fiche d'aide à la décision pour la RCP")
    assert "Chapitre « Chirurgie des métastases osseuses des membres »" in markdown
    assert "- Localisation sur l'os : Col fémoral" in markdown
    assert "**Chirurgie indiquée** (à visée symptomatique). Une fracture sur lésion pathologique" in markdown
    assert "- **Arthroplastie de hanche cimentée** — en première intention. La tête et le col" in markdown
    assert "137. Swanson KC, Pritchard DJ, Sim FH." in markdown
    # The support of the items, then the chapter's general reading, once and apart.
    references = markdown.split("## Références\n", 1)[1]
    assert references.startswith("\n**À l'appui des éléments de la recommandation**\n\n84. Townsend PW")
    assert markdown.count("**Lectures générales du chapitre (137–142)**") == 1
    assert references.index("150. Confavreux") < references.index("**Lectures générales") < references.index("137. ")
    # For the clinician: no fingerprint or shell command (the fingerprint stays in the audit record).
    assert "SHA-256" not in markdown and "python -m" not in markdown
    assert "Aide à la décision pour la RCP, qui reste seule à décider." in markdown


def test_report_shows_a_single_bone_lesion_and_the_resection_it_puts_first():
    """Contract 0.4.0: the RCP sheet records the answer on a single bone lesion and
    the options in the order it gives (resection-reconstruction first, the nail as
    the alternative, the warning that a nail would compromise a later resection)."""
    case = {**LONG_SURVIVOR, "solitary_bone_metastasis": True}
    markdown = report_markdown(recommend(case).to_dict(), "c1")
    assert "- Lésion osseuse unique ou maladie oligométastatique contrôlée : Oui" in markdown
    assert "- **Résection-reconstruction** — en première intention." in markdown
    assert "- **Enclouage centromédullaire verrouillé** — en alternative." in markdown
    assert "compromettrait une résection carcinologique ultérieure" in markdown


def test_report_command_writes_markdown_and_pdf(tmp_path, capsys):
    db = tmp_path / "c.db"
    store_conversation(db)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: records.store.ScreenedSQLTrackerStore\n"
        f"  dialect: sqlite\n  db: {db}\n  retention_days: 30\n"
    )
    assert records_main(["--endpoints", str(endpoints), "report", "c1", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "rapport-rcp-c1.md").read_text(encoding="utf-8").startswith("# Fiche")
    assert (tmp_path / "out" / "rapport-rcp-c1.pdf").read_bytes().startswith(b"%PDF")
    assert records_main(["--endpoints", str(endpoints), "report", "inconnu"]) == 1
    assert "Aucune recommandation" in capsys.readouterr().err


def test_purge_deletes_only_old_conversations(tmp_path, capsys):
    db = tmp_path / "c.db"
    store_conversation(db, "old", when=time.time() - 40 * 86400)
    store_conversation(db, "recent")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  dialect: sqlite\n  db: {db}\n  retention_days: 30\n")
    assert records_main(["--endpoints", str(endpoints), "purge"]) == 0
    assert "1 consultation(s) de plus de 30 jours effacée(s)." in capsys.readouterr().out
    with sqlite3.connect(db) as connection:
        assert {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")} == {"recent"}
    assert records_main(["--endpoints", str(endpoints), "purge", "--older-than-days", "0"]) == 0
    assert "1 consultation(s) de plus de 0 jours effacée(s)." in capsys.readouterr().out
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT COUNT(*) FROM events").fetchone() == (0,)


def test_report_shows_the_software_version_and_the_edition_as_the_source_gives_it():
    """Clinical review 2: the software version of `VERSION`, the changelog and the
    RCP report agree; the guideline's edition is shown as the source gives it
    (the text names none: it says so, in plain words)."""
    version = paths.version()
    markdown = report_markdown(recommendation(), "c1")
    assert f"(assistant, version {version})" in markdown
    assert "Référentiel : édition non indiquée dans le texte source." in markdown
    assert "sans date d'édition" not in markdown


def test_report_of_an_open_decision_says_what_each_answer_leads_to():
    """The sheet of a case whose life expectancy is unknown shows, as the chat does,
    what each estimate would lead to (« ce que chaque estimation entraînerait »)."""
    markdown = report_markdown(recorded({**CASE, "life_expectancy": "unknown"}), "c1")
    assert "## Selon la réponse" in markdown
    assert "- si espérance de vie = 6 à 12 mois : chirurgie indiquée (arthroplastie cimentée)" in markdown
    assert markdown.index("## Selon la réponse") < markdown.index("## Bilan avant la décision")
