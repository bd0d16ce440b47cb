"""The clinical-shorthand dev set: slot-fill accuracy of the reader as the consultation uses it.

tests/freetext/shorthand_dev.yml holds 289 messages written by a clinician-minded
writer who never saw the parser (abbreviations, fractions, percentages, typos,
hedges, negations, corrections, button labels typed in full). A message counts
as read right when the facts recorded from it (tests/freetext/shorthand.py, the
combination of consultation/facts.py) are exactly the expected ones: nothing
missing, nothing extra, nothing for a field the writer marked ambiguous.
The accuracy is printed at the end of the test session (conftest.py).
"""

from __future__ import annotations

import pytest

from tests.freetext.shorthand import SUMMARY_KEY, Score, load, score

# Reached honestly on the dev set (the target is 95 %); a third of the same set is
# held out and measured elsewhere. The misses are listed by `python -m tests.freetext.shorthand`.
FLOOR = 0.95


@pytest.fixture(scope="module")
def dev_score() -> Score:
    return score(load())


def test_dev_set_is_the_one_described() -> None:
    items = load()
    assert len(items) == 289
    for item in items:
        assert set(item) <= {"text", "asked", "expect", "context", "ambiguous", "category"}, item
        assert not set(item.get("ambiguous") or []) & set(item.get("expect") or {}), item


def test_slot_fill_accuracy_on_the_dev_set(dev_score: Score, pytestconfig: pytest.Config) -> None:
    pytestconfig.stash[SUMMARY_KEY] = dev_score.summary()
    misses = "\n".join(o.describe() for o in dev_score.outcomes if not o.right)
    assert dev_score.accuracy >= FLOOR, f"{dev_score.summary()}\n{misses}"
