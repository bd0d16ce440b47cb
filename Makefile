# Two commands do everything on a fresh clone: `make run` and `make test`.
# Each installs what is missing first (a Python 3.10 virtual environment,
# shared by every clone with the same requirements.lock).

SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
.DEFAULT_GOAL := help

BASE_PYTHON ?= python
LOCK_HASH := $(shell sha256sum requirements.lock | cut -c1-12)
VENV ?= $(HOME)/.cache/clinibot/venv-$(LOCK_HASH)
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help install model test test-decision run bench lock clean

MODEL := models/consultation.tar.gz
MODEL_INPUTS := config.yml domain.yml $(wildcard data/*.yml data/nlu/*.yml) $(wildcard freetext/*.py freetext/*.yml policies/*.py)

help:
	@echo "make run    install what is missing, then start the assistant"
	@echo "make test   install what is missing, then run every test"
	@echo "make bench  measure speed and memory against Rasa's starter bot (≈ 5 min)"

$(STAMP): requirements.lock
	@$(BASE_PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 10), "Python 3.10 is required (pyenv reads .python-version); found " + sys.version' \
		|| { echo "Python 3.10 not found: install it (pyenv install 3.10) or set BASE_PYTHON=/path/to/python3.10"; exit 1; }
	$(BASE_PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check pip==24.0
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(STAMP)

# Train when the model is missing or older than what it is trained from.
$(MODEL): $(MODEL_INPUTS) | $(STAMP)
	$(VENV)/bin/rasa train --force --fixed-model-name consultation --out models

model: $(MODEL)

test: install model
	$(PY) -m pytest
	@echo "Couverture du module de décision : $$($(PY) -m coverage report --include='decision/*' --format=total) %"
	$(PY) -m coverage report --include='decision/*' --fail-under=95 --format=total >/dev/null

test-decision: install
	$(PY) -m pytest tests/decision

run: install model
	scripts/serve.sh $(VENV)/bin

# Both benches write bench/results/; the Rasa one trains its own models in a
# temporary folder (models/ is left alone). Options: mk/bench.mk.
bench: install model
	$(PY) -m bench.decision_bench
	$(PY) -m bench.dialogue_bench
	$(PY) -m bench.rasa_bench

# Regenerate requirements.lock from requirements.in in a scratch environment.
lock:
	rm -rf /tmp/clinibot-lock && $(BASE_PYTHON) -m venv /tmp/clinibot-lock
	/tmp/clinibot-lock/bin/pip install --quiet pip==24.0 && /tmp/clinibot-lock/bin/pip install --quiet -r requirements.in
	/tmp/clinibot-lock/bin/pip freeze --exclude pip --exclude setuptools --exclude wheel > requirements.lock

# Each part of the project that needs its own targets (web widget, Matrix
# channel, benchmarks) keeps them in mk/<part>.mk.
-include mk/*.mk

clean:
	rm -rf .pytest_cache .coverage htmlcov models results
