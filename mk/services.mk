# Real PostgreSQL and Redis for the scale-out tests (tests/scale/). The tests
# start throwaway servers themselves (tests/support/services.py: a temporary
# cluster and a password-protected in-memory Redis on free loopback ports, all
# stopped at the end); this only installs the Debian packages when missing.

.PHONY: services-deps test-scale

APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)

services-deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
		|| [ -n "$${PG_BIN:-}" ] || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		command -v apt-get >/dev/null 2>&1 || { echo "Install$$missing (Debian packages) or set PG_BIN; apt-get not found"; exit 1; }; \
		echo "Installing$$missing (scale-out tests)"; \
		$(SUDO) apt-get -o DPkg::Lock::Timeout=600 update -qq && $(SUDO) $(APT_INSTALL) $$missing; \
	fi

test: services-deps

# The scale-out tests alone: 50 simultaneous consultations, two instances.
test-scale: install model services-deps
	$(PY) -m pytest tests/scale --no-cov -s
