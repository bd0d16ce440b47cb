from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import message
from records.report import report_filename, report_markdown

from .case import last_recommendation


class ActionReport(Action):
    """« Rapport »: the RCP sheet of the last recommendation (records/report.py),
    in the chat as Markdown. The web widget's download button asks for it as a
    file (`/ask_report{"delivery": "file"}`): it then comes as a custom payload
    the widget saves, not as a chat message."""

    def name(self) -> str:
        return "action_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        recommendation = last_recommendation(tracker)
        if not recommendation:
            dispatcher.utter_message(text=message("report_none"))
            return []
        markdown = report_markdown(recommendation, tracker.sender_id)
        if "file" in tracker.get_latest_entity_values("delivery"):
            filename = report_filename(datetime.now(timezone.utc))
            dispatcher.utter_message(
                json_message={"data": {"rcp_report": {"filename": filename, "markdown": markdown}}}
            )
            return []
        dispatcher.utter_message(text=message("report_intro", conversation_id=tracker.sender_id))
        dispatcher.utter_message(text=markdown)
        return []
