"""The arithmetic of `make bench-profile` (bench/profile_turn.py) on stacks
written by hand: each sample in the most specific category, the event loop's
wait apart, milliseconds per turn = samples × 10 ms / turns."""

from collections import Counter

from bench.profile_turn import IDLE, categorize, per_turn, read_raw


def test_a_sample_goes_to_the_most_specific_category_and_the_wait_apart():
    handler = "handle (rasa_sdk/executor.py:10);run (actions/forms.py:20)"
    assert categorize(handler + ";analyze (freetext/analysis.py:30)") == "lecture du français libre (freetext)"
    assert categorize(handler) == "actions du projet (actions/, hors ce qui précède)"
    assert categorize("main (x.py:1);serve (sanic/server/runners.py:155)") == IDLE
    assert categorize("save (records/store.py:5);screen (records/privacy.py:9)") == "écran des données identifiantes"


def test_milliseconds_per_turn_and_shares(tmp_path):
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "main (m.py:1);analyze (freetext/analysis.py:3) 30\n"
        "main (m.py:1);recommend (decision/engine.py:4) 10\n"
        "main (m.py:1);serve (sanic/server/runners.py:155) 60\n",
        encoding="utf-8",
    )
    counts = read_raw(raw)
    assert counts == Counter(
        {"lecture du français libre (freetext)": 30, "module de décision (dont consultation/progress)": 10, IDLE: 60}
    )
    # 10 turns: 30 samples × 10 ms / 10 = 30 ms, 30 of the 40 busy samples = 75 %; idle: 60 of 100 samples
    assert per_turn(counts, 10) == [
        ("lecture du français libre (freetext)", 30.0, 75.0),
        ("module de décision (dont consultation/progress)", 10.0, 25.0),
        (IDLE, 60.0, 60.0),
    ]
