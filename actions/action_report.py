import asyncio
import base64
import logging
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from consultation.texts import message
from records.report import report_chat, report_filename, report_markdown, report_pdf

from .case import current_recommendation

logger = logging.getLogger(__name__)

# Channels that can post a file in the conversation: the report's PDF goes
# with its Markdown, as a custom payload the channel turns into a file
# (`file_message` in matrix_bridge/messages.py).
FILE_CHANNELS = ("matrix",)


async def pdf_base64(markdown: str, picture: Any) -> str:
    """The sheet's PDF in base64, made off the event loop (fpdf2 takes a few
    tenths of a second; other conversations are served meanwhile)."""
    pdf = await asyncio.to_thread(report_pdf, markdown, picture)
    return base64.b64encode(pdf).decode("ascii")


class ActionReport(Action):
    """« Rapport »: the RCP sheet of the last recommendation (records/report.py),
    in the chat as Markdown; in Matrix, also as a PDF file
    (`{"data": {"file": {"filename", "mimetype", "base64"}}}`, which the bridge
    uploads and posts). The web widget's download buttons ask for it as a
    file (`/ask_report{"delivery": "file"}`): it then comes as a custom payload,
    Markdown and PDF, that the widget saves, not as a chat message. In the chat
    the sheet is one message, the proposal first (records.report.report_chat)."""

    def name(self) -> str:
        return "action_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        recommendation = current_recommendation(tracker)
        if not recommendation:
            dispatcher.utter_message(text=message("report_none"))
            return []
        markdown = report_markdown(recommendation, tracker.sender_id)
        now = datetime.now(timezone.utc)
        if "file" in tracker.get_latest_entity_values("delivery"):
            # The widget saves the sheet as Markdown or as PDF, whichever button was pressed.
            report = {
                "filename": report_filename(now),
                "markdown": markdown,
                "pdf_filename": report_filename(now, "pdf"),
                "pdf_base64": await pdf_base64(markdown, path_picture(recommendation)),
            }
            dispatcher.utter_message(json_message={"data": {"rcp_report": report}})
            return []
        # One message, the proposal first; the consultation id at the end.
        dispatcher.utter_message(text=report_chat(recommendation, tracker.sender_id, markdown))
        if tracker.get_latest_input_channel() in FILE_CHANNELS:
            pdf = {
                "filename": report_filename(now, "pdf"),
                "mimetype": "application/pdf",
                "base64": await pdf_base64(markdown, path_picture(recommendation)),
            }
            dispatcher.utter_message(json_message={"data": {"file": pdf}})
        return []


def path_picture(recommendation: dict[str, Any]) -> Any:
    """The case's decision path for the PDF (diagram.draw); None, and the
    sheet without it, if it cannot be drawn (logged)."""
    import diagram  # Graphviz: loaded when a PDF is first made

    try:
        return diagram.draw(recommendation["case"])
    except Exception:  # a drawing failure never costs the sheet
        logger.exception("the decision path could not be drawn for the PDF")
        return None
