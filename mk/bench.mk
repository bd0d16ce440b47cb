# Benchmark variants (docs/performance.md). The
# Makefile's `make bench` runs them all: the decision module, the messages to
# the first answer, the typed consultations, the comparison with Rasa's
# starter bot as users live it (bench-serve, with training) and the scale
# path (bench-scale).
#
# bench-rasa: only the Rasa comparison, with options, e.g.
#   make bench-rasa BENCH_ARGS="--config /tmp/variant.yml --keep"
# bench-smoke: our already trained model, a few turns, no baseline
#   (make test runs the same through tests/bench).

.PHONY: bench-rasa bench-serve bench-scale bench-profile bench-smoke bench-typed

# bench-serve: only what users live (docs/performance.md): our
# trained model (models/, not retrained) and Rasa's starter bot, each started
# 4 times: the first turn after a start (median of 3), the load of 20
# simultaneous typed consultations right after a start, then warm at 1 and 20.
bench-serve: install model ## only the speed as users live it: first turn after start, p50/p95, turns/s at 1 and 20, against Rasa's starter bot (about 7 min on a calm machine)
	$(PY) -m bench.rasa_bench --model models/consultation.tar.gz $(BENCH_ARGS)

# bench-scale: several Rasa servers on a throwaway PostgreSQL (tracker store)
# and Redis (lock store), docs/scale.md: turns per second per server added.
bench-scale: install model services-deps ## turns per second per Rasa server added (PostgreSQL + Redis, 1 then 2 servers; SCALE_ARGS="--servers 3")
	$(PY) -m bench.scale_bench $(SCALE_ARGS)

bench-rasa: install ## only the comparison with Rasa's starter bot, with BENCH_ARGS
	$(PY) -m bench.rasa_bench $(BENCH_ARGS)

# bench-profile: where the milliseconds of a turn go (docs/performance.md),
# sampled by py-spy, installed in a scratch virtualenv (not requirements.lock).
PY_SPY_VENV := var/py-spy
bench-profile: install model ## where the milliseconds of a turn go: py-spy on our two servers under 20 typed consultations
	@test -x $(PY_SPY_VENV)/bin/py-spy || { $(BASE_PYTHON) -m venv $(PY_SPY_VENV) && $(PY_SPY_VENV)/bin/pip install --quiet py-spy; }
	$(PY) -m bench.profile_turn --py-spy $(PY_SPY_VENV)/bin/py-spy $(BENCH_ARGS)

bench-smoke: install model ## the Rasa benchmark in smoke mode (our bot, a few turns)
	$(PY) -m bench.rasa_bench --smoke

# bench-typed: only the typed consultations (bench/data/consultations.yml), with
# every misread message and why, e.g. make bench-typed BENCH_ARGS="--only c03 c19"
bench-typed: install model ## only the typed consultations: messages to the answer, misread, invented facts
	$(PY) -m bench.typed_bench --details $(BENCH_ARGS)
