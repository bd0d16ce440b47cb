"""Records that survive a crash, masking of identifying data, the RCP report,
the API token, and the action server going down and coming back — against
real servers and a real SQLite tracker store."""

import sqlite3
import subprocess
import sys

import pytest

from consultation.texts import message
from harness.bots import restartable_bot
from harness.processes import ROOT
from tests.support.api import api, check_the_token

pytestmark = pytest.mark.e2e
TOKEN = "jeton-de-test"


def texts(replies):
    return "\n".join(message.get("text", "") for message in replies)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Action server and Rasa server (API behind a token), started once for the
    module: each test has its own conversations (sender ids)."""
    with restartable_bot(tmp_path_factory.mktemp("records"), ["--auth-token", TOKEN], token=TOKEN) as started:
        yield started


@pytest.fixture
def stack(servers):
    """The module's servers, both running when a test starts (one that a test
    stopped and did not restart, because it failed, is started again); a test
    may stop and restart them."""
    if servers.processes["actions"].poll() is not None:
        servers.start_actions()
    if servers.processes["rasa"].poll() is not None:
        servers.start_rasa()
    return servers


def slots(bot, sender):
    return {name: value for name, value in bot.tracker(sender)["slots"].items() if value is not None}


def test_consultation_survives_kill_9_of_the_rasa_server(stack):
    bot = stack.bot
    bot.send("crash", "fracture pathologique du fémur")
    bot.send("crash", "diaphyse")
    assert slots(bot, "crash")["requested_slot"] == "life_expectancy"
    stack.kill("rasa")
    stack.start_rasa()
    replies = bot.send("crash", "environ 3 mois")
    current = slots(bot, "crash")
    assert current["situation"] == "pathological_fracture" and current["site"] == "diaphysis"
    assert current["life_expectancy"] == "6_weeks_to_6_months"
    assert "Question" in texts(replies) and current["requested_slot"] == "fit_for_surgery"


def test_the_http_api_needs_the_token(stack):
    check_the_token(stack.bot, TOKEN)


def test_events_posted_to_a_new_conversation_open_it_like_a_first_message(stack):
    """POST /conversations/<id>/tracker/events on a conversation that does not
    exist yet: its session starts (with the disclaimer) and the events are kept,
    where Rasa 3.6 alone answered 500 and lost them."""
    bone = [{"event": "slot", "name": "bone", "value": "femur"}]
    assert api(stack.bot, "POST", "/conversations/ouverte-par-api/tracker/events", TOKEN, bone) == 200
    events = stack.bot.tracker("ouverte-par-api")["events"]
    assert events[0]["event"] == "action" and events[0]["name"] == "action_session_start"
    assert [event["text"] for event in events if event["event"] == "bot"] == [message("disclaimer")]
    assert slots(stack.bot, "ouverte-par-api")["bone"] == "femur"
    stack.bot.send("ouverte-par-api", "fracture pathologique")  # the bone given by the API is not asked again
    assert slots(stack.bot, "ouverte-par-api")["requested_slot"] == "site"


def test_user_is_told_in_french_when_the_action_server_is_down_and_the_consultation_resumes(stack):
    bot = stack.bot
    bot.send("fault", "fracture pathologique")
    stack.stop("actions")
    replies = bot.send("fault", "le fémur")
    assert "momentanément indisponible" in texts(replies)
    stack.start_actions()
    replies = bot.send("fault", "le fémur")
    current = slots(bot, "fault")
    assert current["situation"] == "pathological_fracture" and current["bone"] == "femur"
    assert current["requested_slot"] == "site" and "Question" in texts(replies)


def test_identifying_data_is_masked_in_the_store_and_the_user_is_told_why(stack):
    bot = stack.bot
    replies = bot.send(
        "pii",
        "Patient M. Dupont né le 12/03/1950, NIR 1 50 03 75 123 456 78, tel 06 12 34 56 78, "
        "IPP 4589231 : fracture du col fémoral",
    )
    assert "données identifiantes" in texts(replies)
    assert slots(bot, "pii")["site"] == "neck"
    with sqlite3.connect(stack.database) as connection:
        stored = " ".join(row[0] for row in connection.execute("SELECT data FROM events"))
    for secret in ("Dupont", "1950", "123 456", "06 12 34", "4589231"):
        assert secret not in stored, secret
    assert "[NOM]" in stored and "[DATE]" in stored


def test_report_in_the_chat_and_from_the_command_line(stack, tmp_path):
    bot = stack.bot
    for text in ("fracture pathologique du col fémoral, espérance de vie 8 mois, opérable", "non", "non", "non"):
        bot.send("rcp", text)
    assert slots(bot, "rcp")["recommendation"]["record"]["project_version"] == (ROOT / "VERSION").read_text().strip()
    replies = bot.send("rcp", "rapport")
    # One message, the proposal first, every section of the sheet in it.
    [sheet] = [reply["text"] for reply in replies if reply.get("text")]
    assert sheet.startswith("**Chirurgie indiquée") and "**Références**" in sheet and "**Technique(s)**" in sheet
    assert "python -m records" not in texts(replies)  # no shell command for a clinician
    endpoints = tmp_path / "records-endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  dialect: sqlite\n  db: {stack.database}\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "records",
            "--endpoints",
            str(endpoints),
            "report",
            "rcp",
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    markdown = (tmp_path / "out" / "rapport-rcp-rcp.md").read_text(encoding="utf-8")
    assert "Arthroplastie de hanche cimentée" in markdown and "\n77. " not in markdown and "137. Swanson KC" in markdown
    assert (tmp_path / "out" / "rapport-rcp-rcp.pdf").read_bytes().startswith(b"%PDF")
    assert done.stdout.strip().endswith(".pdf")
