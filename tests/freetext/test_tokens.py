"""`words_in`: the words of a package's data, for the privacy screen's list of
the project's own words."""

from freetext.tokens import words_in


def test_words_come_from_strings_keys_and_nested_lists_as_written():
    data = {"fields": {"bone": ["Fémur", "col fémoral"]}, "unknown": "Je ne sais pas", "count": 3}
    expected = {"fields", "bone", "Fémur", "col", "fémoral", "unknown", "Je", "ne", "sais", "pas", "count"}
    assert words_in(data) == expected


def test_digits_underscores_and_punctuation_split_words():
    assert words_in(["6_to_12_months", "l'humérus (1/3)"]) == {"to", "months", "l", "humérus"}
