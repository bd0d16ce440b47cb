"""The screening's recall on the French identifying-data set, and its false
masks over every consultation phrasing of the project's data and tests.

Both figures are printed in the terminal summary (tests/privacy/conftest.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from harness.phrasings import consultation_phrasings
from privacy import screen
from privacy.vocabulary import fold

from .conftest import MEASURES

SET = Path(__file__).with_name("identifying.yml")
ITEMS = yaml.safe_load(SET.read_text(encoding="utf-8"))["messages"]
RECALL_TARGET = 0.98
# Words of an identifier that need not disappear: particles, street types,
# months and numbers in words (« né le douze mars 1950 » is masked whole).
NOT_NAME_WORDS = {
    fold(word)
    for word in re.findall(
        r"\S+",
        """
        de du des la le les van den der von da dos di ben el al bis ter rue avenue boulevard chemin place allée
        impasse quai cours route lieu dit janvier février mars avril mai juin juillet août septembre octobre
        novembre décembre janv un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze
        seize vingt trente quarante cinquante soixante cent mil mille premier et
        """,
    )
}


def occurrences(word: str, text: str) -> int:
    return len(re.findall(rf"(?<!\w){re.escape(fold(word))}(?!\w)", fold(text)))


def survives(identifier: str, original: str, screened: str) -> bool:
    """The identifier, or one of its name words (3 letters or more), is still
    there: more often than the rest of the message has it (« mail de la
    famille : famille.roux@… » keeps its first « famille »)."""
    if identifier.casefold() in screened.casefold():
        return True
    rest = original.replace(identifier, " ")
    words = [w for w in re.findall(r"[^\W\d_]+", identifier) if len(w) >= 3 and fold(w) not in NOT_NAME_WORDS]
    return any(occurrences(word, screened) > occurrences(word, rest) for word in words)


def test_the_set_has_200_messages_and_every_identifier_is_in_its_message():
    assert len(ITEMS) >= 200
    for item in ITEMS:
        assert item["identifiers"], item["text"]
        for piece in item["identifiers"] + item.get("keep", []):
            assert piece in item["text"], (piece, item["text"])


def test_recall_on_the_identifying_set():
    missed = []
    total = 0
    for item in ITEMS:
        screened = screen(item["text"]).text
        for identifier in item["identifiers"]:
            total += 1
            if survives(identifier, item["text"], screened):
                missed.append((identifier, screened))
    recall = 1 - len(missed) / total
    MEASURES.append(
        f"identifying data masked: {total - len(missed)} of {total} identifiers in {len(ITEMS)} messages "
        f"({recall:.1%}, target {RECALL_TARGET:.0%})"
    )
    assert recall >= RECALL_TARGET, missed


def test_the_clinical_words_of_the_set_are_kept():
    lost = [(word, screen(item["text"]).text) for item in ITEMS for word in item.get("keep", [])]
    lost = [(word, text) for word, text in lost if word not in text]
    assert not lost


def test_no_clinical_word_masked_in_any_consultation_phrasing():
    """Every word of every phrasing survives the screen (a long bare number
    may be masked: it could be a record number)."""
    phrasings = consultation_phrasings()
    assert len(phrasings) > 1500 and {source.split("/")[0] for source, _ in phrasings} == {"tests", "data", "harness"}
    masked = []
    for source, text in phrasings:
        screened = screen(text).text
        lost = [
            word for word in re.findall(r"[^\W\d_]{2,}", text) if occurrences(word, screened) < occurrences(word, text)
        ]
        if lost:
            masked.append((source, text, screened))
    MEASURES.append(f"clinical words masked: {len(masked)} of {len(phrasings)} consultation phrasings")
    assert not masked


@pytest.mark.parametrize(
    "text",
    [
        "Vu avec le Dr en RCP : col du fémur, tête fémorale respectée, Mirels 9",
        "PTH cimentée discutée en RCP, Gamma long proposé par l'équipe",
        "sous Xgeva et osimertinib, fracture du col",
        "Fémur gauche, diaphyse, lésion lytique, OMS 1",
        "fractrue du col",  # a typo of a clinical word
    ],
)
def test_words_the_recogniser_takes_for_names_are_kept(text):
    assert screen(text).text == text
