"""The lexicon's words, as the privacy screen reads them."""

from freetext import lexicon


def test_the_lexicons_words_hold_its_phrasings_and_its_keys():
    words = lexicon.words()
    assert {"diaphyse", "cotyle", "abbreviations", "negation"} <= words
    assert "Swanson" not in words  # an author of the bibliography, a patient's possible name
