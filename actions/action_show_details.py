from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.render import details
from consultation.texts import message, texts, words_named

from .case import current_recommendation

EVERYTHING = ("workup", "postoperative", "warnings", "references")


class ActionShowDetails(Action):
    """« Détails », « bilan », « suites », « points d'attention », « références »:
    the parts of the last recommendation the short answer leaves out."""

    def name(self) -> str:
        return "action_show_details"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        recommendation = current_recommendation(tracker)
        if not recommendation:
            dispatcher.utter_message(text=message("details_none"))
            return []
        asked = words_named((tracker.latest_message or {}).get("text") or "", texts()["detail_words"])
        wanted = EVERYTHING if not asked or "all" in asked else [kind for kind in EVERYTHING if kind in asked]
        for text in details(recommendation, wanted) or details(recommendation):
            dispatcher.utter_message(text=text)
        return []
