# Benchmark variants (README, « Performances »; docs/performance.md). The
# Makefile's `make bench` runs them all: the decision module, the messages to
# the first answer, and the comparison with Rasa's starter bot.
#
# bench-rasa: only the Rasa comparison, with options, e.g.
#   make bench-rasa BENCH_ARGS="--config /tmp/variant.yml --keep"
# bench-smoke: our already trained model, a few turns, no baseline
#   (make test runs the same through tests/bench).

.PHONY: bench-rasa bench-smoke

bench-rasa: install ## only the comparison with Rasa's starter bot, with BENCH_ARGS
	$(PY) -m bench.rasa_bench $(BENCH_ARGS)

bench-smoke: install model ## the Rasa benchmark in smoke mode (our bot, a few turns)
	$(PY) -m bench.rasa_bench --smoke
