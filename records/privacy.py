"""Identifying data screened out of every stored message.

The assistant asks for none, but a clinician may type it anyway. `screen`
replaces names (after a civility, a "nom/prénom" cue or "patient(e)"), dates,
French social-security numbers (NIR), phone numbers, e-mail addresses and
record numbers (IPP, NIP, dossier) by a bracketed tag, and says which kinds it
found. Ages and durations ("67 ans", "4 mois") are clinical data and kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
NAME_WORD = rf"[{UPPER}][{UPPER}a-zàâäçéèêëîïôöùûüÿ'’-]+"
NAME = rf"{NAME_WORD}(?:[ -]{NAME_WORD}){{0,3}}"
MONTHS = "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"

# (kind, French label, pattern); order matters: the most specific first.
PATTERNS: list[tuple[str, str, re.Pattern[str]]] = [
    ("email", "adresse électronique", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)),
    (
        "nir",
        "numéro de sécurité sociale",
        re.compile(
            r"\b[12][ .]?\d{2}[ .]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .]?(?:\d{2}|2A|2B)[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?\b",
            re.I,
        ),
    ),
    ("phone", "numéro de téléphone", re.compile(r"(?<!\d)(?:\+33[ .]?|0033[ .]?|0)[1-9](?:[ .-]?\d{2}){4}(?!\d)")),
    (
        "record",
        "numéro de dossier",
        re.compile(
            r"\b(?:IPP|NIP|NDA|n°\s*(?:de\s+)?dossier|num[ée]ro\s+de\s+dossier|dossier(?:\s+n°)?)\s*[:#]?\s*[A-Z0-9-]{3,}",
            re.I,
        ),
    ),
    (
        "date",
        "date",
        re.compile(
            rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})\b|\b\d{{1,2}}(?:er)?\s+(?:{MONTHS})\s+\d{{4}}\b|\b(?:{MONTHS})\s+\d{{4}}\b|\b(?:19|20)\d{{2}}[/-]\d{{1,2}}[/-]\d{{1,2}}\b",
            re.I,
        ),
    ),
    (
        "name",
        "nom",
        re.compile(
            rf"(?:\b(?:M\.|Mr\.?|Mme\.?|Mlle\.?|Monsieur|Madame|Mademoiselle)\s+|\b(?:nom|prénom|prenom|s'appelle|s’appelle|patiente?|née?)\s*(?:[:=]|est)?\s+)(?P<value>{NAME})"
        ),
    ),
    ("number", "numéro", re.compile(r"(?<![\d,.])\d{7,}(?![\d,.])")),
]
TAGS = {
    "email": "[EMAIL]",
    "nir": "[NIR]",
    "phone": "[TÉLÉPHONE]",
    "record": "[N° DOSSIER]",
    "date": "[DATE]",
    "name": "[NOM]",
    "number": "[NUMÉRO]",
}
# Words after "patient(e)" that are clinical, not a name.
NOT_NAMES = {
    "De",
    "Du",
    "Des",
    "La",
    "Le",
    "Les",
    "Avec",
    "Sans",
    "Atteint",
    "Atteinte",
    "Présentant",
    "Presentant",
    "Opérable",
    "Inopérable",
    "Fragile",
    "Âgé",
    "Agé",
    "Âgée",
    "Agée",
    "Cbnpc",
    "Adk",
}


@dataclass(frozen=True)
class Screened:
    text: str
    kinds: tuple[str, ...]  # the kinds found, in PATTERNS order, each once

    @property
    def labels(self) -> list[str]:
        names = {kind: label for kind, label, _ in PATTERNS}
        return [names[kind] for kind in self.kinds]


def screen(text: str) -> Screened:
    """The text with identifying data replaced by tags, and the kinds found."""
    if not text:
        return Screened(text or "", ())
    found = []
    for kind, _, pattern in PATTERNS:

        def replace(match: re.Match[str], kind: str = kind) -> str:
            if kind == "name":
                value = match.group("value")
                if value.split()[0].capitalize() in NOT_NAMES:
                    return match.group(0)
                found.append(kind)
                return match.group(0)[: match.start("value") - match.start()] + TAGS[kind]
            found.append(kind)
            return TAGS[kind]

        text = pattern.sub(replace, text)
    return Screened(text, tuple(dict.fromkeys(found)))
