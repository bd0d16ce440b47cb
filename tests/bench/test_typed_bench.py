"""`make bench`'s typed consultations (bench/typed_bench.py) on the session's
real bot: a few consultations of the corpus are played and counted, and the
instrument itself is checked: a deliberately wrong annotation of a plain
sentence is counted as an invented fact and a misread message, the right one
is not. No count of the corpus is asserted (it measures the bot)."""

import pytest

from bench import typed_bench
from bench.typed_scoring import Consultation, Entry, Expect, corpus, summarize, table

pytestmark = pytest.mark.e2e

OPENING = "fracture pathologique du col du fémur, espérance de vie 8 mois, opérable"
STATED = {
    "situation": "pathological_fracture",
    "bone": "femur",
    "site": "neck",
    "life_expectancy": "6_to_12_months",
    "fit_for_surgery": True,
}


def _one_message(ident: str, states: dict) -> Consultation:
    return Consultation(ident, "", STATED, (Entry(OPENING, Expect("opening", states)),), expects_answer=False)


def test_a_wrong_annotation_is_counted_as_invented_and_misread_the_right_one_is_not(bot):
    _, phrasings = corpus()
    right = typed_bench.play(bot, _one_message("right", STATED), phrasings, prefix="test-typed")
    assert [message.verdict.reasons for message in right.messages] == [[]]

    # The annotation says humerus and an irradiated site: the femur the bot
    # rightly wrote becomes an invented fact, the irradiation a fact not read.
    wrong_states = {**STATED, "bone": "humerus", "prior_radiotherapy": True}
    wrong = typed_bench.play(bot, _one_message("wrong", wrong_states), phrasings, prefix="test-typed")
    verdict = wrong.messages[0].verdict
    assert verdict.invented == [("bone", "femur")]
    assert any(reason.startswith("fait non lu : prior_radiotherapy") for reason in verdict.reasons)
    summary = summarize([right, wrong])
    assert (summary["messages"], summary["misread"], summary["invented"]) == (2, 1, 1)


def test_corpus_consultations_are_played_to_their_answer_and_counted(bot):
    results = typed_bench.measure(bot, only=["c01", "c05", "c08"], prefix="test-typed-corpus")
    by_id = {result.id: result for result in results}
    assert set(by_id) == {"c01", "c05", "c08"}
    # c01 and c08 are driven to the first recommendation; c05 is out of scope only
    assert by_id["c01"].to_first_answer and by_id["c08"].to_first_answer
    assert by_id["c05"].to_first_answer is None and len(by_id["c05"].messages) == 6
    assert by_id["c08"].names_kept == []
    summary = summarize(results)
    assert summary["messages"] == sum(len(result.messages) for result in results)
    assert summary["unanswered"] == []
    assert "| (a) messages jusqu'à la première réponse" in table(summary)
