"""`make bench`'s screening measure still runs (smoke mode: a sample, no timing assertion)."""

from bench import privacy_bench


def test_privacy_bench_runs_on_a_sample(capsys):
    assert privacy_bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "identifying-data set" in out and "events of a turn" in out and "message of  10 KB" in out
