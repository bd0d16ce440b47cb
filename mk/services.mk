# Real PostgreSQL and Redis for the scale-out and store tests: the tests start
# throwaway servers themselves (harness: a temporary cluster and a
# password-protected in-memory Redis on free loopback ports, all stopped at
# the end); this only installs the Debian packages when missing.

.PHONY: services-deps test-scale soak

# `make soak`: consultations per fault phase (at most 36; `make test` runs 10)
# and rounds of the four faults (`make test`: one).
SOAK_CONSULTATIONS ?= 36
SOAK_ROUNDS ?= 3

SERVICES_MISSING = $(strip \
	$(if $(shell command -v redis-server 2>/dev/null || ls /usr/bin/redis-server 2>/dev/null),,redis-server) \
	$(if $(or $(PG_BIN),$(shell ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null),$(shell command -v initdb 2>/dev/null)),,postgresql))

services-deps: ## Debian's PostgreSQL and Redis for the tests, when missing
	$(if $(SERVICES_MISSING),$(call apt_install,$(SERVICES_MISSING),the scale-out and store tests),@true)

test-scale: install model services-deps ## only the scale-out tests (50 consultations, two servers)
	$(PY) -m pytest tests/scale --no-cov -s

soak: install model services-deps ## the fault-injection test, long: $(SOAK_ROUNDS) rounds of the four faults, $(SOAK_CONSULTATIONS) consultations each (docs/scale.md)
	mkdir -p var
	FAULT_CONSULTATIONS=$(SOAK_CONSULTATIONS) FAULT_ROUNDS=$(SOAK_ROUNDS) FAULT_PHASE_DEADLINE_S=1800 FAULT_REPORT=var/soak.json \
		$(PY) -m pytest tests/scale/test_faults.py --no-cov -s
