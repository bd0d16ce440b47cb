"""`make bench` still works (smoke mode: a sample of cases, no timing assertion)."""

from bench import decision_bench


def test_decision_bench_runs_over_valid_combinations(capsys):
    assert decision_bench.main(["--quick"]) == 0
    assert "recommend():" in capsys.readouterr().out
    assert (
        sum(1 for _ in decision_bench.combinations()) == 3 * 19 * 5 * 2 * 27
    )  # situations × bone-site pairs × prognoses × fitness × Mirels items
