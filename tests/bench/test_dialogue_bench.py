"""`make bench`'s count of messages to the first answer (bench/dialogue_bench.py)
on the session's real bot: every scripted consultation reaches an answer, and
a case given whole in its first message is answered sooner than question by
question (no timing: counts of messages)."""

import pytest

from bench import dialogue_bench

pytestmark = pytest.mark.e2e


def test_every_scripted_consultation_reaches_an_answer_and_the_whole_case_goes_faster(bot):
    results = dialogue_bench.measure(bot)
    whole, stepwise = results["whole_case_first"], results["answer_by_answer"]
    assert whole["consultations"] == stepwise["consultations"] == len(dialogue_bench.CONSULTATIONS)
    assert all(count >= 1 for count in whole["each"] + stepwise["each"])
    assert whole["mean"] < stepwise["mean"]
    assert "| cas entier d'abord, puis boutons |" in dialogue_bench.table(results)
