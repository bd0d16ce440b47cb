"""tests/data/phrasings.yml holds every phrasing written in a test module's
tables and end-to-end messages (the privacy screen is measured on them), as
`python -m tools.phrasings` harvests them."""

from harness.phrasings import consultation_phrasings
from tools import phrasings


def test_the_copy_of_the_test_modules_phrasings_is_up_to_date():
    assert phrasings.main(["--check"]) == 0


def test_a_phrasing_added_to_a_test_table_makes_the_copy_stale(monkeypatch, capsys):
    """Negative control: the check can fail."""
    harvested = phrasings.harvest()
    harvested["tests/freetext/test_parser.py"].append("métastase du péroné, douleur mécanique")
    monkeypatch.setattr(phrasings, "harvest", lambda: harvested)
    assert phrasings.main(["--check"]) == 1
    assert "python -m tools.phrasings --write" in capsys.readouterr().err


def test_the_harness_reads_the_test_modules_phrasings_from_the_data():
    sources = {source for source, _ in consultation_phrasings()}
    assert "tests/freetext/test_parser.py" in sources and "tests/e2e/test_rest_consultation.py" in sources
