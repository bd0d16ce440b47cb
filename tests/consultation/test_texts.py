"""What the assistant says, as the privacy screen reads it: the words of texts.yml."""

from consultation import texts


def test_the_texts_words_hold_what_the_assistant_writes_with_its_accents():
    words = texts.words()
    assert {"caractères", "Inconnu", "recommandation"} <= words
    assert {"booleans", "surgery"} <= words  # the keys, which name fields and codes
