"""« Rapport » in the chat: the RCP sheet in one message (Rasa's REST and
socket.io channels cut a message at each blank line), the proposal first,
without the sheet's header and with the consultation id at the end."""

from __future__ import annotations

from consultation.progress import recommendation_for
from records.report import report_chat, report_markdown

CONVERSATION = "5f0e4c1a9b7d4e2f8a6c3b1d0e9f7a25"
DIAPHYSIS = {
    "situation": "impending_fracture",
    "bone": "femur",
    "site": "diaphysis",
    "life_expectancy": "gt_12_months",
    "fit_for_surgery": True,
    "pain": "functional",
    "lesion_type": "lytic",
    "lesion_size": "gt_two_thirds",
    "diagnostic_uncertainty": True,
}


def test_the_chat_sheet_is_one_message_opening_on_the_proposal():
    rec = recommendation_for(DIAPHYSIS)
    text = report_chat(rec, CONVERSATION)
    assert "\n\n" not in text.strip()
    first = text.splitlines()[0]
    assert not first.startswith("#") and "Fiche d'aide" not in first
    # With a doubt, the diagnosis before any implant is the sheet's first line too.
    assert first.startswith("**Doute diagnostique : diagnostic avant tout implant**")
    assert CONVERSATION not in "\n".join(text.splitlines()[:10])
    assert CONVERSATION in text.splitlines()[-2]  # kept, in the small print at the end
    assert text.count("*Cas : ") == 1
    # Everything of the sheet is there: each section, each reference.
    sheet = report_markdown(rec, CONVERSATION)
    for title in ("Technique(s)", "Bilan avant la décision", "Après l'intervention", "Références"):
        assert f"## {title}" in sheet and f"**{title}**" in text
    for line in sheet.splitlines():
        if line[:4].rstrip(".").isdigit():
            assert line in text
