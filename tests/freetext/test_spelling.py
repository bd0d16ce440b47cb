"""freetext.spelling: abbreviations and the nearest-word search (rapidfuzz), on a small vocabulary."""

from __future__ import annotations

import pytest
import yaml

from freetext.lexicon import LEXICON_PATH, Lexicon, load_lexicon
from freetext.spelling import Speller


def speller(targets: list[str], protected: tuple[str, ...] = ()) -> Speller:
    return Speller(frozenset(targets), targets, frozenset(protected), 5, 0.85, {"fx": "fracture"})


def test_a_misspelt_word_becomes_the_one_closest_target() -> None:
    s = speller(["fracture", "humerus"])
    assert s.key("fractrue") == "fracture"
    assert s.key("humersu") == "humerus"


def test_a_word_far_from_every_target_is_left_as_typed() -> None:
    assert speller(["fracture"]).key("fxmxrxl") == "fxmxrxl"


def test_two_equally_close_targets_leave_the_word_as_typed() -> None:
    """« cotyl » is as close to « cotyle » as to « cotylo »: no guess."""
    s = speller(["cotyle", "cotylo"])
    assert s.nearest("cotyl") is None


def test_short_protected_and_number_words_are_never_corrected() -> None:
    s = speller(["fracture", "trente"], protected=("facture",))
    assert s.key("fractre") == "fracture"
    assert s.key("frctr") == "frctr"  # too far
    assert s.key("fract") == "fract"  # five letters, but not close enough
    assert s.key("frac") == "frac"  # under five letters
    assert s.key("facture") == "facture"  # a French word
    assert s.key("trentes") == "trente"  # plural only
    assert s.key("quarante") == "quarante"  # a number word stays a number


def test_an_abbreviation_reads_as_its_full_word() -> None:
    assert speller(["fracture"]).key("fx") == "fracture"


def test_the_tuning_block_must_name_every_number() -> None:
    raw = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    del raw["tuning"]["doubt_window"]
    with pytest.raises(ValueError, match="doubt_window"):
        Lexicon(raw)


def test_the_lexicon_corrects_typos_of_its_own_words_only() -> None:
    lex = load_lexicon()
    assert lex.speller.key("diaphise") == "diaphyse"
    assert lex.speller.key("couleur") == "couleur"  # protected: never « douleur »
    assert lex.speller.key("fortuitement") == "fortuitement"  # « découverte fortuitement », not « fortement »
