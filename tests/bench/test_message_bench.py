"""`make bench`'s long-message measure still runs (bench/message_bench.py, quick
mode: 1 and 10 KB, each step alone, no server; no timing assertion)."""

from bench import message_bench


def test_message_bench_measures_each_step_at_each_size(capsys):
    assert message_bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "Lecteur du français libre :" in out and "ms par message court" in out
    for step in ("privacy.screen", "freetext extract_facts"):
        assert sum(1 for line in out.splitlines() if line.strip().startswith(step)) == len(message_bench.TEXTS)


def test_the_texts_have_the_length_announced():
    for kind in message_bench.TEXTS:
        for size in message_bench.SIZES:
            text = message_bench.text_of(kind, size)
            assert len(text) == size and text == text.strip(), (kind, size)
