"""`make bench` (bench/rasa_bench.py) still works: smoke mode starts our already
trained bot once, times its first message, and drives it for a few turns at 1
and 2 concurrent conversations (the table itself: test_rasa_table.py). The baseline
is skipped (it would have to be trained); nothing is timed against a target."""

import json

import pytest

from bench import rasa_bench

pytestmark = pytest.mark.e2e


def test_rasa_bench_smoke_drives_our_bot_and_prints_the_table(tmp_path, capsys):
    out = tmp_path / "rasa.json"
    assert rasa_bench.main(["--smoke", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| mesure | unité | nous | référence | nous / référence | objectif | atteint |" in printed
    assert "référence non mesurée" in printed
    report = json.loads(out.read_text(encoding="utf-8"))
    assert "baseline" not in report
    levels = report["ours"]["levels"]
    assert [level["concurrency"] for level in levels] == [1, 2]
    for level in levels:
        assert level["errors"] == 0 and level["conversations_without_final_answer"] == 0
        assert level["turns"] > 0 and level["p95_ms"] > 0
    assert report["ours"]["rss_mb_peak"]["rasa"] > 0
    assert report["ours"]["startup_to_first_answer_s"] > 0
    assert len(report["ours"]["first_turn_ms"]) == 1 and report["ours"]["first_turn_median_ms"] > 0
    assert report["decision"]["mean_us"] > 0
