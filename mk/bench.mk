# Benchmark variants (README, « Performances »; docs/performance.md). Included
# by the Makefile, whose `make bench` runs the decision bench and the full
# comparison with Rasa's starter bot.
#
# bench-rasa: only the Rasa comparison, with options, e.g.
#   make bench-rasa BENCH_ARGS="--config /tmp/variant.yml --keep"
# bench-smoke: our already trained model, a few turns, no baseline
#   (make test runs the same through tests/bench).

.PHONY: bench-rasa bench-smoke

bench-rasa: install
	$(PY) -m bench.rasa_bench $(BENCH_ARGS)

bench-smoke: install model
	$(PY) -m bench.rasa_bench --smoke
