"""`make bench` (bench/rasa_bench.py) still works: smoke mode drives our already
trained bot for a few turns at 1 and 2 concurrent conversations. The baseline
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
    assert report["decision"]["mean_us"] > 0


def test_table_rows_and_ratios_from_a_report():
    level = {"errors": 0, "conversations_without_final_answer": 0, "turns_per_s": 10.0}
    report = {
        "ours": {
            "levels": [{**level, "concurrency": 20, "p50_ms": 300.0, "p95_ms": 600.0}],
            "rss_mb_peak": {"rasa": 1000.0, "actions": 100.0},
            "startup_to_first_answer_s": 30.0,
        },
        "baseline": {
            "levels": [{**level, "concurrency": 20, "p50_ms": 200.0, "p95_ms": 500.0}],
            "rss_mb_peak": {"rasa": 900.0},
            "startup_to_first_answer_s": 20.0,
        },
        "training_s": {"ours": 200.0, "baseline": 100.0},
        "model_mb": {"ours": 10.0, "baseline": 20.0},
    }
    rows = {row["id"]: row for row in rasa_bench.rows(report)}
    p95 = rows["p95_ms@20"]
    assert (p95["ratio"], p95["met"]) == (1.2, True)
    assert rows["training_s"]["met"] is False and rows["training_s"]["ratio"] == 2.0
    assert rows["model_mb"]["ratio"] == 0.5
    assert "entraînement : objectif NON ATTEINT (200,0, objectif < 180 s)" in "\n".join(
        rasa_bench.verdict(rasa_bench.rows(report), report)
    )
    assert "| latence p95, 20 simultanées | ms | 600,0 | 500,0 | 1,2 | rapport ≤ 1,5 | oui |" in rasa_bench.markdown(
        rasa_bench.rows(report)
    )
