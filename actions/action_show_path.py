import base64
import logging
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import field_name, texts
from decision import CaseError, recommend
from freetext.scope import out_of_scope

from .case import case_from_tracker, current_recommendation

logger = logging.getLogger(__name__)

# The web widget shows the SVG inline, with its text alternative; the other
# channels get the PNG as a file (the Matrix bridge posts it as an m.image,
# matrix_bridge/messages.py) and the path in words.
WIDGET_CHANNELS = ("socketio",)


class ActionShowPath(Action):
    """« Schéma »: this case's path through the chapter as a picture
    (diagram.draw), for every answer given so far. The web widget gets
    `{"data": {"path": {"svg", "text", "filename"}}}`; the other channels the
    PNG as a file (`{"data": {"file": {"filename", "mimetype", "base64"}}}`,
    as action_report sends the PDF) and the path in words. Before the answer,
    what is still missing."""

    def name(self) -> str:
        return "action_show_path"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        words = texts()["path"]
        if out_of_scope((tracker.latest_message or {}).get("text") or "") is not None:
            # « un schéma de radiothérapie » is a dose regimen, not this
            # picture: the reading of the message already said it is outside the chapter.
            return []
        recommendation = current_recommendation(tracker)
        if not recommendation:
            dispatcher.utter_message(text=not_yet(case_from_tracker(tracker)))
            return []
        import diagram  # Graphviz: loaded when a picture is first asked for

        try:
            picture = diagram.draw(recommendation["case"])
        except Exception:  # a drawing failure (Graphviz missing, a bug) never ends the turn
            logger.exception("the decision path could not be drawn")
            dispatcher.utter_message(text=words["failed"])
            return []
        when = f"{datetime.now(timezone.utc):%Y-%m-%d-%Hh%M}"
        if tracker.get_latest_input_channel() in WIDGET_CHANNELS:
            filename = words["filename"].format(when=when, extension="svg")
            path = {"svg": picture.svg, "text": picture.text, "filename": filename}
            dispatcher.utter_message(json_message={"data": {"path": path}})
            return []
        image = {
            "filename": words["filename"].format(when=when, extension="png"),
            "mimetype": "image/png",
            "base64": base64.b64encode(picture.png).decode("ascii"),
        }
        dispatcher.utter_message(json_message={"data": {"file": image}})
        dispatcher.utter_message(text=f"**{words['text_title']}**\n\n{picture.text}")
        return []


def not_yet(case: dict[str, Any]) -> str:
    """Before the answer: the facts still needed, or « décrivez d'abord le cas »."""
    words = texts()["path"]
    if not case:
        return str(words["none"])
    try:
        missing = recommend(case).to_dict().get("missing") or []
    except CaseError:  # never reached with checked slots
        missing = []
    if not missing:
        return str(words["none"])
    return str(words["missing"].format(names=", ".join(field_name(name) for name in missing)))
