"""One reading per message: the action server uses what the
Rasa server's NLU read of the message (`nlu.case_fact_extractor`, carried in the parse
data) and does not read it again; without it, it reads the message itself,
with the same result."""

import pytest

pytest.importorskip("rasa")

from rasa.shared.nlu.training_data.message import Message  # noqa: E402

import freetext.analysis  # noqa: E402
import freetext.scope  # noqa: E402
from actions.action_ask_field import AskForSite  # noqa: E402
from actions.action_validate_slot_mappings import ExtractCaseFacts  # noqa: E402
from freetext import reading  # noqa: E402
from nlu.case_fact_extractor import CaseFactExtractor  # noqa: E402

from .conftest import make_tracker  # noqa: E402

FORM = "consultation_form"
FEMUR = {"situation": "pathological_fracture", "bone": "femur", "site": "diaphysis"}

# (message, intent, slots of the case, question pending)
MESSAGES = [
    # Openings that describe the whole case.
    (
        "Patiente de 58 ans, adénocarcinome bronchique, fracture pathologique de la diaphyse humérale, "
        "survie estimée à 9 mois par l'oncologue, OMS 1, opérable, pas de doute diagnostique.",
        "inform",
        {},
        None,
    ),
    ("lésion lytique du col du fémur douloureuse, non fracturée, espérance de vie environ 6 mois", "inform", {}, None),
    ("fracture du tibia proximal, on m'annonce 3 semaines à vivre", "inform", {}, None),
    # Corrections, with a question pending or not.
    ("ah non c'est l'humérus", "deny", FEMUR, "life_expectancy"),
    ("pardon je me suis trompé, c'est le radius", "inform", FEMUR, None),
    # Answers to the question pending, typed.
    ("non", "deny", FEMUR, "prior_radiotherapy"),
    ("je n'en sais rien", "dont_know", FEMUR, "prior_radiotherapy"),
    ("à peu près 6 mois", "inform", FEMUR, "life_expectancy"),
    ("un an", "inform", FEMUR, "life_expectancy"),
    # Questions.
    ("pourquoi pas une prothèse plutôt ?", "ask_about_case", FEMUR, "life_expectancy"),
    ("non ?", "deny", FEMUR, "diagnostic_uncertainty"),
    # Removals.
    ("enlève la perte osseuse", "inform", {**FEMUR, "major_bone_loss": True}, None),
    # Outside the chapter.
    ("métastase de L4 avec compression médullaire, on opère ?", "inform", {}, None),
    ("quelle posologie de dénosumab après la chirurgie ?", "ask_about_case", FEMUR, None),
]


def parsed(text, intent):
    """The message's parse data as the Rasa server's NLU gives it."""
    message = CaseFactExtractor().process([Message(data={"text": text})])[0]
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95},
        "entities": message.get("entities"),
        reading.KEY: message.get(reading.KEY),
    }


def tracker(parse_data, slots, pending):
    slots = {**slots, "requested_slot": pending} if pending else slots
    tracker = make_tracker(
        slots=slots,
        text=parse_data["text"],
        intent=parse_data["intent"]["name"],
        entities=parse_data["entities"],
        active_loop=FORM if pending else None,
        message_id="m1",
    )
    if reading.KEY in parse_data:
        tracker.latest_message[reading.KEY] = parse_data[reading.KEY]
    return tracker


def forget():
    """The action server as just started: nothing read yet."""
    freetext.analysis.ANALYSES.clear()
    freetext.scope.SCOPES.clear()


@pytest.fixture
def readings(monkeypatch):
    """Every reading of a message the parser makes (`analyze`, the real one, observed):
    (text, the question it is read as the answer to)."""
    calls = []
    real = freetext.analysis.analyze

    def observed(lex, text, answer_field=None, generic=True):
        calls.append((text, answer_field))
        return real(lex, text, answer_field, generic)

    monkeypatch.setattr(freetext.analysis, "analyze", observed)
    return calls


@pytest.mark.parametrize(("text", "intent", "slots", "pending"), MESSAGES)
def test_the_action_server_does_not_read_again_what_the_nlu_read(
    run_action, readings, text, intent, slots, pending
) -> None:
    data = parsed(text, intent)
    assert data[reading.KEY] is not None
    forget()
    readings.clear()
    carried = run_action(ExtractCaseFacts(), tracker(data, slots, pending))
    # Only the reading as the answer to the question pending (which the NLU cannot
    # know) is made here; the message itself is not read again.
    assert all(answer_field is not None for _, answer_field in readings)
    if pending is None:
        assert readings == []

    forget()
    readings.clear()
    bare = {key: value for key, value in data.items() if key != reading.KEY}
    read_here = run_action(ExtractCaseFacts(), tracker(bare, slots, pending))
    assert (text, None) in readings  # without the NLU's reading, the action reads the message
    assert read_here == carried


def test_the_question_is_not_asked_on_a_message_outside_the_chapter_without_reading_it_again(
    run_action, readings
) -> None:
    text = "tassement de T9, est-ce chirurgical ?"
    data = parsed(text, "inform")
    forget()
    readings.clear()
    messages, events = run_action(AskForSite(), tracker(data, {}, None))
    assert (messages, events) == ([], [])
    assert readings == []


def test_a_reading_of_another_text_is_not_used(run_action, readings) -> None:
    # The same length, another text (a name masked since, a message edited): the
    # reading carried is not that of this text, which is read.
    data = parsed("fracture du fémur", "inform")
    other = {**data, "text": "fracture du tibia"}
    forget()
    readings.clear()
    messages, events = run_action(ExtractCaseFacts(), tracker(other, {}, None))
    assert ("fracture du tibia", None) in readings
    assert not any(event.get("name") == "bone" and event.get("value") == "tibia" for event in events)
