# Benchmark variants (docs/performance.md). The
# Makefile's `make bench` runs them all: the decision module, the messages to
# the first answer, the typed consultations, and the comparison with Rasa's
# starter bot.
#
# bench-rasa: only the Rasa comparison, with options, e.g.
#   make bench-rasa BENCH_ARGS="--config /tmp/variant.yml --keep"
# bench-smoke: our already trained model, a few turns, no baseline
#   (make test runs the same through tests/bench).

.PHONY: bench-rasa bench-smoke bench-typed

bench-rasa: install ## only the comparison with Rasa's starter bot, with BENCH_ARGS
	$(PY) -m bench.rasa_bench $(BENCH_ARGS)

bench-smoke: install model ## the Rasa benchmark in smoke mode (our bot, a few turns)
	$(PY) -m bench.rasa_bench --smoke

# bench-typed: only the typed consultations (bench/data/consultations.yml), with
# every misread message and why, e.g. make bench-typed BENCH_ARGS="--only c03 c19"
bench-typed: install model ## only the typed consultations: messages to the answer, misread, invented facts
	$(PY) -m bench.typed_bench --details $(BENCH_ARGS)
