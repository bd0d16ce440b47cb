"""What identifying data looks like in a text, found without the recogniser.

The kinds of identifying data and their tags (`KINDS`), the patterns (e-mail
addresses, French social-security numbers, phone numbers, record numbers,
dates in digits and in words, postal addresses and postcodes, long numbers),
the names after a cue (a civility, a title, « nom », « prénom »,
« s'appelle », « patient(e) », « née »…) and « NOM Prénom » written in
capitals: each gives the spans to mask in a text with their kind, which
`privacy.screening` merges with the recogniser's (`privacy.recogniser`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .vocabulary import fold, is_known

# kind -> (French label, tag), in the order `Screened.kinds` lists them.
KINDS: dict[str, tuple[str, str]] = {
    "email": ("adresse électronique", "[EMAIL]"),
    "nir": ("numéro de sécurité sociale", "[NIR]"),
    "phone": ("numéro de téléphone", "[TÉLÉPHONE]"),
    "record": ("numéro de dossier", "[N° DOSSIER]"),
    "date": ("date", "[DATE]"),
    "address": ("adresse", "[ADRESSE]"),
    "name": ("nom", "[NOM]"),
    "place": ("lieu", "[LIEU]"),
    "number": ("numéro", "[NUMÉRO]"),
}
TAGS = {kind: tag for kind, (_, tag) in KINDS.items()}

# ---------------------------------------------------------------- patterns

L = r"[^\W\d_]"  # a letter
UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
UNITS = "un|deux|trois|quatre|cinq|six|sept|huit|neuf"
DAY_WORDS = (
    "premier|dix-sept|dix-huit|dix-neuf|dix|onze|douze|treize|quatorze|quinze|seize"
    rf"|vingt(?:[- ]et[- ]un|-(?:deux|trois|quatre|cinq|six|sept|huit|neuf))?|trente(?:[- ]et[- ]un)?|{UNITS}"
)
DAY = rf"(?:1er|[0-3]?\d|{DAY_WORDS})"
MONTH = (
    r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
    r"|janv\.?|f[ée]vr?\.?|avr\.?|juil\.?|sept\.|oct\.?|nov\.?|d[ée]c\.?)"
)
NUMBER_WORDS = (
    rf"{UNITS}|dix|onze|douze|treize|quatorze|quinze|seize|vingts?|trente|quarante|cinquante|soixante|cents?|et"
)
YEAR_WORDS = rf"(?:mil|mille)(?:[ -](?:{NUMBER_WORDS}))+"
YEAR = rf"(?:(?:19|20)\d{{2}}|\d{{2}}(?!\s*(?:ans?|mois|semaines?|jours?|%|gy)\b)|{YEAR_WORDS})"
STREET = (
    r"(?:rue|avenue|av\.|boulevard|bd|chemin|place|all[ée]e|impasse|quai|cours|route|square|passage|faubourg"
    r"|rond-point|voie|sentier|lotissement|r[ée]sidence|cit[ée]|hameau|lieu-dit|mont[ée]e|esplanade|promenade"
    r"|chauss[ée]e|domaine|parc)"
)
POSTCODE = r"(?:0[1-9]|[1-8]\d|9[0-8]|2[AB])\d{3}"
CITY = rf"[{UP}]{L}*(?:['’-]{L}+)*(?:[ -](?:sur|en|lès|les|le|la|de|du|d['’]|aux?|[{UP}]{L}*)(?:['’-]{L}+)*)*"
PARTICLE = r"(?:de|du|des|d['’]|la|le|les|l['’]|en|sur|aux?|et|saint|sainte)"
STREET_NAME = rf"(?:{PARTICLE}\s*)*(?:[{UP}0-9]{L}*\.?(?:['’-]{L}+)*)(?:\s+(?:{PARTICLE}\s*)*[{UP}]{L}*(?:['’-]{L}+)*)*"
RECORD_CUE = (
    r"(?:\b(?:IPP|NIP|NDA|IEP)|\bn[°o]\s*(?:de\s+)?(?:dossier|s[ée]jour|patient)|\bnum[ée]ro\s+(?:de\s+|d['’])?"
    r"(?:dossier|s[ée]jour|patient|hospitalisation)|\bdossier(?:\s+m[ée]dical)?(?:\s+n[°o])?|\bidentifiant(?:\s+patient)?"
    r"|\br[ée]f\.?\s+dossier|\bs[ée]jour)"
)
RECORD_ID = r"(?=[A-Z0-9/ -]*\d{3})[A-Z0-9](?:[A-Z0-9/-]|\s(?=\d))*"

# (kind, pattern): the part to mask is the group "value" when there is one.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (
        "nir",
        re.compile(
            r"(?<![\w.-])[12][ .-]?\d{2}[ .-]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .-]?(?:\d{2}|2A|2B)[ .-]?\d{3}[ .-]?\d{3}"
            r"(?:[ .-]?\d{2})?(?![\w-])",
            re.I,
        ),
    ),
    (
        "phone",
        re.compile(r"(?<![\w+])(?:(?:\+|00)33[ .-]?(?:\(0\)[ .-]?)?|0)[1-9](?:[ .-]?\d{2}){4}(?!\w)"),
    ),
    (
        "record",
        re.compile(rf"{RECORD_CUE}\s*(?:n[°o]|:|#|est(?: le)?)?\s*{RECORD_ID}|\b(?:IPP|NIP|NDA|IEP)\d{{4,}}", re.I),
    ),
    (
        "date",
        re.compile(
            r"(?<![\w/.-])\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})(?![\w/-]|\.\d)"
            r"|(?<![\w/.-])(?:19|20)\d{2}([/.-])\d{1,2}\2\d{1,2}(?!\w|[/.-]\d)"
            r"|(?<![\w.])\d{1,2} \d{1,2} (?:19|20)\d{2}(?!\w)"
            rf"|(?<!\w){DAY}\s+{MONTH}(?:\s+{YEAR})?(?![\w-])"
            rf"|(?<!\w){MONTH}\s+(?:19|20)\d{{2}}(?!\w)",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            rf"\bnée?s?\s+(?:en|le)\s+(?P<value>(?:{MONTH}\s+)?(?:(?:19|20)?\d{{2}}|\d{{1,2}}[/.]\d{{1,2}}))(?!\w)",
            re.I,
        ),
    ),
    (
        "address",
        re.compile(
            rf"(?<![\w,.])\d{{1,4}}(?:\s?(?:bis|ter|[ab])\b)?,?\s+{STREET}\s+{STREET_NAME}"
            rf"(?:,?\s+{POSTCODE}(?![\w-]))?",
            re.I,
        ),
    ),
    ("address", re.compile(rf"\b{STREET}\s+(?=(?:{PARTICLE}\s*)*[{UP}])(?P<value>{STREET_NAME})")),
    ("address", re.compile(rf"(?<![\w-]){POSTCODE}(?![\w-])(?=,?\s+[{UP}])(?:,?\s+{CITY})?")),
    ("address", re.compile(rf"\b(?:code postal|CP)\s*:?\s*(?P<value>{POSTCODE}(?:,?\s+{CITY})?)(?![\w-])", re.I)),
    ("number", re.compile(r"(?<![\w,.])\d{7,}(?![\w,])")),
]

# ---------------------------------------------------------------- names after a cue

CIVILITY = r"(?:M\.|MM\.|Mr\.?|Mrs\.?|Mme\.?|Mmes\.?|Mlle\.?|Melle\.?|monsieur|madame|mademoiselle)"
TITLE = r"(?:Dr\.?|Dre\.?|Pr\.?|docteure?|professeure?)"
IDENTITY = (
    r"(?:nom(?:\s+(?:de\s+naissance|d['’]usage|du\s+patient|de\s+la\s+patiente|de\s+famille|de\s+jeune\s+fille"
    r"|marital|usuel|de))?|pr[ée]noms?|s['’]appelle|identit[ée]|concerne|[ée]pouse|veuve)"
)
# (pattern of the cue, what may follow): "any" takes a first word in lower case
# too, "capital" only capitalised words.
CUES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"(?<![\w.]){CIVILITY}(?!\w)", re.I), "any"),
    (re.compile(rf"(?<![\w.]){TITLE}(?!\w)", re.I), "capital"),
    (re.compile(rf"(?<![\w.]){IDENTITY}(?!\w)\"?\s*(?:[:=]|est)?", re.I), "any"),
    (re.compile(r"(?<![\w.])(?:patiente?|née?)\s*:?(?!\w)", re.I), "capital"),
]
CIVILITY_WORDS = {
    fold(word)
    for word in re.findall(
        r"\S+",
        "m mr mrs mme mmes mlle melle mm monsieur madame mademoiselle messieurs dr dre pr docteur docteure "
        "professeur professeure",
    )
}
# Words that end a name after a cue (besides the project's words).
NOT_NAME = {fold(word) for word in re.findall(r"\S+", "né née nés nées épouse veuve dit dite alias et ou")}
NAME_PARTICLES = {"de", "du", "des", "d", "la", "le", "van", "den", "der", "von", "da", "dos", "di", "ben", "el", "al"}
NAME_TOKEN = re.compile(rf"[\s\"«“]*({L}+(?:['’-]{L}+)*)")
MAX_NAME_WORDS = 5

# « NOM Prénom »: words in capitals, then a capitalised word.
CAPITALS_NAME = re.compile(
    rf"(?<![\w'’-])(?P<caps>[{UP}]{{2,}}(?:['’-][{UP}]+)*(?:\s+[{UP}]{{2,}}(?:['’-][{UP}]+)*)*)"
    rf"\s+(?P<first>[{UP}][a-zàâäçéèêëîïôöùûüÿ]+(?:-[{UP}][a-zàâäçéèêëîïôöùûüÿ]+)?)(?![\w'’-])"
)


def pattern_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """The spans of the patterns (their group "value" when there is one), and
    of any token of six digits or more with at most four letters."""
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            if "value" in pattern.groupindex and match.group("value") is not None:
                yield match.start("value"), match.end("value"), kind
            else:
                yield match.start(), match.end(), kind
    for match in re.finditer(r"(?<![\w/-])[A-Za-z0-9/-]*\d[A-Za-z0-9/-]*(?![\w/-])", text):
        token = match.group()
        if sum(char.isdigit() for char in token) >= 6 and sum(char.isalpha() for char in token) <= 4:
            yield match.start(), match.end(), "number"


def cue_name_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """The names that follow a cue."""
    for pattern, mode in CUES:
        for match in pattern.finditer(text):
            span = _name_after(text, match.end(), mode)
            if span:
                yield span[0], span[1], "name"


def _name_after(text: str, position: int, mode: str) -> tuple[int, int] | None:
    """The name that follows a cue at `position`, if any."""
    start = end = None
    words = 0
    while words < MAX_NAME_WORDS:
        match = NAME_TOKEN.match(text, position)
        if not match or (words and "\n" in text[position : match.start(1)]):
            break
        word = match.group(1)
        folded = fold(word)
        capital = word[0].isupper()
        if folded in CIVILITY_WORDS:
            break
        if words and folded in NAME_PARTICLES and not capital:
            position = match.end()
            continue
        if folded in NOT_NAME:
            break
        if capital:
            if mode == "capital" and (is_known(word) or (word.isupper() and len(word) <= 4)):
                break
        elif mode == "capital" or is_known(word) or (not words and len(word) < 2):
            break
        if start is None:
            start = match.start(1)
        end, position, words = match.end(1), match.end(), words + 1
    return (start, end) if start is not None and end is not None else None


def capitals_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """« NOM Prénom » whose words in capitals are not all the project's words."""
    for match in CAPITALS_NAME.finditer(text):
        caps = re.findall(rf"[{UP}]+", match.group("caps"))
        if any(not is_known(word) for word in caps):
            yield match.start(), match.end(), "name"
