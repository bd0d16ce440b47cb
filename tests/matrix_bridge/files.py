"""A reply of Rasa that carries a file, as action_report sends the RCP
sheet's PDF."""

import base64

PDF = b"%PDF-1.4 une fiche\n%%EOF\n"


def file_reply(data=PDF, filename="recapitulatif-rcp-2026-11-30-16h05.pdf"):
    encoded = base64.b64encode(data).decode("ascii") if isinstance(data, bytes) else data
    return {"custom": {"data": {"file": {"filename": filename, "mimetype": "application/pdf", "base64": encoded}}}}
