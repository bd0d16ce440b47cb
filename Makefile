# Two commands do everything on a fresh clone: `make run` and `make test`.
# Each installs what is missing first. Everything either may install is listed
# here, in its prerequisites; the recipes of each part are in mk/*.mk.
#
# What may be installed, and where:
# - Python virtual environments under ~/.cache/clinibot/, each built once per
#   version of its pinned requirements files (docs/dependencies.md): the
#   assistant's (Rasa, about 3 GB: requirements.lock, and the tests' and
#   linters' requirements-dev.lock), the Matrix bridge's, Synapse's (tests
#   only) and mutmut's (`make mutation` only);
# - the web widget's JavaScript dependencies (web/node_modules, `npm ci`);
# - Debian packages, with `sudo -n` unless run as root, only when missing:
#   chromium (the browser tests drive it, `make test`), postgresql and
#   redis-server (the scale-out tests start throwaway servers, `make test`),
#   graphviz (`dot` draws the decision-path pictures, `make run` and `make test`).

SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
.DEFAULT_GOAL := help

BASE_PYTHON ?= python
# One environment for running and testing, named after both locks.
LOCKS := requirements.lock requirements-dev.lock
LOCK_HASH := $(shell cat $(LOCKS) | sha256sum | cut -c1-12)
VENV ?= $(HOME)/.cache/clinibot/venv-$(LOCK_HASH)
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MATRIX_ENABLED := $(shell grep -qs '^channels\.matrix\.MatrixInput:' credentials.yml && echo yes)
MODEL := models/consultation.tar.gz
MODEL_INPUTS := config.yml domain.yml $(wildcard data/*.yml data/nlu/*.yml) \
	$(wildcard freetext/*.py freetext/*.yml nlu/*.py policies/*.py)
# Python code checked by `make lint`; typed code checked by `make typecheck`.
LINTED := paths.py decision diagram freetext consultation privacy records actions channels matrix_bridge nlu policies serving harness bench tools scripts tests
TYPED := paths.py decision diagram freetext consultation privacy records actions channels matrix_bridge nlu policies serving harness bench tools scripts
# `make check`: the tests that start no server and read no trained model
# (pytest markers e2e and model, pytest.ini), with fewer hypothesis examples.
CHECK_TESTS := -m "not e2e and not model" --no-cov

.PHONY: help install model run test check test-decision lint typecheck format bench lock clean

help: ## list the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/\1\t\2/' \
		| awk -F'\t' '{printf "make %-18s %s\n", $$1, $$2}'

# -------------------------------------------------------------- the two commands

run: install model graphviz-deps web-build $(if $(MATRIX_ENABLED),matrix-bridge-venv) ## install what is missing, train if needed, start the assistant
	scripts/serve.sh $(VENV)/bin

test: install model graphviz-deps web-deps services-deps synapse-venv matrix-bridge-venv lint typecheck ## install what is missing, then lint, types and every test
	$(PY) -m pytest
	@echo "Couverture du module de décision : $$($(PY) -m coverage report --include='decision/*' --format=total) %"
	$(PY) -m coverage report --include='decision/*' --fail-under=95 --format=total >/dev/null

# ------------------------------------------------------------------ the parts

# $(call python_venv,DIR,REQUIREMENTS,PYTHON): a fresh virtual environment of
# PYTHON (3.10: Rasa 3.6 needs it), stamped only once everything is installed
# (an interrupted build starts over).
define python_venv
	@$(3) -c 'import sys; assert sys.version_info[:2] == (3, 10), sys.version' \
		|| { echo "Python 3.10 is needed for $(1) (pyenv reads .python-version; or set BASE_PYTHON=/path/to/python3.10)"; exit 1; }
	rm -rf $(1)
	$(3) -m venv $(1)
	$(1)/bin/pip install --quiet --disable-pip-version-check pip==24.0
	$(1)/bin/pip install --quiet --disable-pip-version-check -r $(2)
	touch $(1)/.installed
endef

# $(call apt_install,PACKAGES,WHY): Debian packages, installed only by the
# targets that need them, with sudo -n unless run as root.
APT := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
define apt_install
	@command -v apt-get >/dev/null 2>&1 || { echo "Install the Debian packages $(1) ($(2)): apt-get not found"; exit 1; }
	@echo "Installing $(1) ($(2))"
	$(SUDO) $(APT) update -qq
	$(SUDO) $(APT) install -y -qq --no-install-recommends $(1)
endef

# The environment's directory is named after the lock file's hash: a changed
# lock gets a new environment, so the lock is only an order-only prerequisite
# (a fresh clone's newer file times must not rebuild a 3 GB environment).
$(STAMP): | $(LOCKS)
	$(call python_venv,$(VENV),requirements-dev.lock,$(BASE_PYTHON))

install: $(STAMP) ## the assistant's Python environment (Rasa, spaCy… and the test tools), once per pair of locks

# Train when the model is missing or older than what it is trained from.
$(MODEL): $(MODEL_INPUTS) | $(STAMP)
	$(VENV)/bin/rasa train --force --fixed-model-name consultation --out models

model: $(MODEL) ## train the Rasa model if it is missing or out of date

lint: install ## ruff: lint and format of the Python code (pinned in requirements-dev.lock)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)

format: install ## ruff format the Python code (what `make lint` checks)
	$(VENV)/bin/ruff format $(LINTED)

typecheck: install ## mypy on every package (pinned in requirements-dev.lock)
	$(VENV)/bin/mypy $(TYPED)

# The edit-test loop: no server, no trained model, no browser, under three
# minutes on 2 cores (docs/dependencies.md says what each part costs).
check: install lint typecheck ## lint, types and the tests that start no server and need no trained model (quick)
	HYPOTHESIS_PROFILE=check $(PY) -m pytest $(CHECK_TESTS)

test-decision: install ## only the decision module's tests (quick)
	$(PY) -m pytest tests/decision

bench: install model services-deps ## measure speed as users live it, memory, long messages (1, 10, 100 KB), typed consultations (misread, invented facts), messages to the answer, against Rasa's starter bot, and turns/s per Rasa server added (about 14 min on a calm machine)
	$(PY) -m bench.decision_bench
	$(PY) -m bench.privacy_bench
	$(PY) -m bench.dialogue_bench
	$(PY) -m bench.typed_bench
	$(PY) -m bench.message_bench
	$(PY) -m bench.rasa_bench
	$(PY) -m bench.scale_bench

# requirements.lock: the tree of requirements.in alone; requirements-dev.lock:
# what requirements-dev.in adds on top of it (pip freeze of both, less the first).
LOCK_VENV := /tmp/clinibot-lock
lock: ## regenerate requirements.lock and requirements-dev.lock from the .in files in a scratch environment
	rm -rf $(LOCK_VENV) && $(BASE_PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet pip==24.0 && $(LOCK_VENV)/bin/pip install --quiet -r requirements.in
	$(LOCK_VENV)/bin/pip freeze --exclude pip --exclude setuptools --exclude wheel > requirements.lock
	$(LOCK_VENV)/bin/pip install --quiet -r requirements-dev.in -c requirements.lock
	{ echo "-r requirements.lock"; $(LOCK_VENV)/bin/pip freeze --exclude pip --exclude setuptools --exclude wheel \
		| grep -vxFf requirements.lock; } > requirements-dev.lock

clean: ## remove test, coverage, model and mutation outputs
	rm -rf .pytest_cache .coverage htmlcov models results mutants

# The recipes of each part: the web widget, the scale-out services, the Matrix
# channel, the benchmarks and mutation testing.
include mk/web.mk mk/services.mk mk/matrix.mk mk/bench.mk mk/mutation.mk mk/diagram.mk
