"""« Schéma »: action_show_path on trackers built with `Tracker.from_dict`.
The picture is that of the case as it stands (every answer given so far),
inline SVG for the web widget, a PNG file and the path in words elsewhere;
before the answer, what is still missing."""

import base64
import xml.etree.ElementTree as ET

import pytest

import diagram
from actions.action_show_path import ActionShowPath
from consultation.progress import recommendation_for
from tests.cases import FEMORAL_NECK

from .conftest import make_tracker

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_ROOT = "{http://www.w3.org/2000/svg}svg"


def asked(slots, channel, text="montre-moi le schéma"):
    return make_tracker(slots=slots, text=text, intent="ask_path", input_channel=channel)


def answered(case=FEMORAL_NECK):
    return {**case, "recommendation": recommendation_for(case)}


def test_in_the_widget_the_path_comes_as_a_safe_svg_with_its_text_version(run_action):
    [message] = run_action(ActionShowPath(), asked(answered(), "socketio"))[0]
    path = message["custom"]["data"]["path"]
    assert not message.get("text")  # the widget shows the picture and its text, nothing more
    assert ET.fromstring(path["svg"]).tag == SVG_ROOT
    assert "<script" not in path["svg"].lower()
    assert path["text"].strip() == diagram.draw(recommendation_for(FEMORAL_NECK)["case"]).text.strip()
    assert path["filename"].startswith("schema-decision-") and path["filename"].endswith(".svg")


@pytest.mark.parametrize("channel", ["matrix", "rest", "telegram", "slack", None])
def test_elsewhere_the_path_comes_as_a_png_file_then_in_words(run_action, channel):
    image, words = run_action(ActionShowPath(), asked(answered(), channel))[0]
    attached = image["custom"]["data"]["file"]
    assert attached["mimetype"] == "image/png"
    assert attached["filename"].startswith("schema-decision-") and attached["filename"].endswith(".png")
    png = base64.b64decode(attached["base64"], validate=True)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 100
    drawn = diagram.draw(recommendation_for(FEMORAL_NECK)["case"])
    assert drawn.text.strip() in words["text"]
    assert words["text"].startswith("**Chemin de décision de ce cas, en mots**")


def test_the_picture_is_that_of_the_case_as_it_stands_not_of_the_answer_first_given(run_action, monkeypatch):
    """The site corrected after the answer (the recommendation slot still holds
    the femoral neck's): the path drawn is the diaphysis's."""
    drawn = []
    real = diagram.draw
    monkeypatch.setattr(diagram, "draw", lambda case: drawn.append(dict(case)) or real(case))
    slots = {**answered(), "site": "diaphysis"}
    run_action(ActionShowPath(), asked(slots, "socketio"))
    assert [case["site"] for case in drawn] == ["diaphysis"]
    assert drawn[0]["bone"] == "femur" and drawn[0]["life_expectancy"] == "6_to_12_months"


def test_before_the_answer_it_says_what_is_still_missing(run_action):
    partial = {"situation": "pathological_fracture", "bone": "femur"}
    [message] = run_action(ActionShowPath(), asked(partial, "socketio", text="schéma"))[0]
    text = message["text"]
    assert "une fois la recommandation donnée" in text
    # A fracture of the femur: the site, the prognosis and the fitness decide (§ 1, § 2.2).
    for name in ("localisation sur l'os", "espérance de vie", "intervention et anesthésie possibles"):
        assert name in text, name
    assert not message["custom"]
    [nothing] = run_action(ActionShowPath(), asked({}, "matrix", text="schéma"))[0]
    assert "décrivez d'abord le cas" in nothing["text"] and not nothing["custom"]


def test_a_drawing_failure_is_said_in_french_and_ends_nothing(run_action, monkeypatch):
    def broken(case):
        raise RuntimeError("dot: not found")

    monkeypatch.setattr(diagram, "draw", broken)
    [message] = run_action(ActionShowPath(), asked(answered(), "socketio"))[0]
    assert "n'a pas pu être dessiné" in message["text"] and not message["custom"]


def test_a_radiotherapy_regimen_is_not_this_picture(run_action):
    """« schéma » also names a radiotherapy regimen, outside the chapter: the
    reading of the message says so (consultation/facts.py); no picture."""
    for text in ("quel schéma de radiothérapie après l'ostéosynthèse ?", "schéma en 5 séances de 4 Gy ?"):
        assert run_action(ActionShowPath(), asked(answered(), "socketio", text=text))[0] == [], text
