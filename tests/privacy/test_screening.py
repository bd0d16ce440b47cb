"""Identifying data is masked before anything is stored; clinical data is kept."""

import pytest

from privacy import screen

MASKED = [
    ("Patient M. Dupont, fracture du fémur", "Patient M. [NOM], fracture du fémur", ("name",)),
    ("Mme Marie-Claire Martin 67 ans", "Mme [NOM] 67 ans", ("name",)),
    ("nom : Durand, col fémoral", "nom : [NOM], col fémoral", ("name",)),
    ("patiente Jeanne Leroy opérable", "patiente [NOM] opérable", ("name",)),
    ("né le 12/03/1950", "né le [DATE]", ("date",)),
    ("DDN 3 mars 1948", "DDN [DATE]", ("date",)),
    ("NIR 1 50 03 75 123 456 78", "NIR [NIR]", ("nir",)),
    ("sécu 250037512345678", "sécu [NIR]", ("nir",)),
    ("joindre au 06 12 34 56 78", "joindre au [TÉLÉPHONE]", ("phone",)),
    ("tel +33 6 12 34 56 78", "tel [TÉLÉPHONE]", ("phone",)),
    ("écrire à jean.dupont@chu-lyon.fr", "écrire à [EMAIL]", ("email",)),
    ("IPP 4589231 humérus", "[N° DOSSIER] humérus", ("record",)),
    ("dossier n° A-123456", "[N° DOSSIER]", ("record",)),
    ("réf interne 12345678", "réf interne [NUMÉRO]", ("number",)),
]

KEPT = [
    "fracture du col fémoral, espérance de vie 4 mois",
    "patient de 67 ans, CBNPC, lésion lytique de plus des deux tiers",
    "patiente avec un adénocarcinome pulmonaire",
    "Mirels 10, référence 144",
    "lésion de moins d'1/3 du diamètre",
    "irradié il y a 6 mois, PS 1",
]


@pytest.mark.parametrize("text, expected, kinds", MASKED)
def test_identifying_data_is_masked(text, expected, kinds):
    screened = screen(text)
    assert screened.text == expected
    assert screened.kinds == kinds


@pytest.mark.parametrize("text", KEPT)
def test_clinical_text_is_kept_as_it_is(text):
    assert screen(text).text == text and screen(text).kinds == ()


def test_labels_are_french_and_every_kind_is_listed_once():
    screened = screen("M. Dupont né le 01/02/1950, M. Durand")
    assert screened.kinds == ("date", "name")
    assert screened.labels == ["date", "nom"]


def test_empty_and_huge_inputs():
    assert screen("").text == ""
    assert screen("x" * 100_000).text == "x" * 100_000
