# Matrix / Tchap channel (docs/matrix.md). Included by the Makefile.
#
# Two virtual environments besides Rasa's, each built once per version of its
# pinned requirements file, only when missing:
# - the bridge (matrix-nio with its own aiohttp): `make run` builds it when
#   credentials.yml enables the Matrix channel, `make test` always;
# - Synapse, the homeserver of the end-to-end test (tests/matrix): `make test`.

MATRIX_PYTHON ?= $(BASE_PYTHON)
BRIDGE_REQUIREMENTS := channels/matrix/requirements.txt
SYNAPSE_REQUIREMENTS := channels/matrix/synapse-requirements.txt
BRIDGE_VENV ?= $(HOME)/.cache/clinibot/matrix-bridge-$(shell sha256sum $(BRIDGE_REQUIREMENTS) | cut -c1-12)
SYNAPSE_VENV ?= $(HOME)/.cache/clinibot/synapse-$(shell sha256sum $(SYNAPSE_REQUIREMENTS) | cut -c1-12)
MATRIX_ENABLED := $(shell grep -qs '^channels\.matrix\.MatrixInput:' credentials.yml && echo yes)

.PHONY: matrix-bridge-venv synapse-venv matrix-bridge test-matrix

# $(call matrix_venv,DIR,REQUIREMENTS): a fresh virtual environment, stamped
# only once everything is installed (an interrupted build starts over).
define matrix_venv
	@$(MATRIX_PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 10), sys.version' \
		|| { echo "Python >= 3.10 needed for $(1) (set MATRIX_PYTHON=/path/to/python3.10)"; exit 1; }
	rm -rf $(1)
	$(MATRIX_PYTHON) -m venv $(1)
	$(1)/bin/pip install --quiet --disable-pip-version-check pip==24.0
	$(1)/bin/pip install --quiet --disable-pip-version-check -r $(2)
	touch $(1)/.installed
endef

$(BRIDGE_VENV)/.installed: $(BRIDGE_REQUIREMENTS)
	$(call matrix_venv,$(BRIDGE_VENV),$(BRIDGE_REQUIREMENTS))

$(SYNAPSE_VENV)/.installed: $(SYNAPSE_REQUIREMENTS)
	$(call matrix_venv,$(SYNAPSE_VENV),$(SYNAPSE_REQUIREMENTS))

matrix-bridge-venv: $(BRIDGE_VENV)/.installed
synapse-venv: $(SYNAPSE_VENV)/.installed

# The test suite finds both environments through these variables.
test: synapse-venv matrix-bridge-venv
test test-matrix: export CLINIBOT_SYNAPSE_PYTHON := $(SYNAPSE_VENV)/bin/python
test test-matrix: export CLINIBOT_MATRIX_BRIDGE_PYTHON := $(BRIDGE_VENV)/bin/python

# `make run` starts the bridge too (scripts/serve.sh) when credentials.yml
# declares channels.matrix.MatrixInput.
ifeq ($(MATRIX_ENABLED),yes)
run: matrix-bridge-venv
run: export MATRIX_BRIDGE_PYTHON := $(BRIDGE_VENV)/bin/python
endif

# The bridge alone, against a Rasa server already running (RASA_PORT, default 5005).
# Once, by hand (docs/matrix.md): make matrix-bridge ARGS=--new-device after a
# lost crypto store, ARGS=--reset-cross-signing to replace the account's keys.
matrix-bridge: matrix-bridge-venv
	$(BRIDGE_VENV)/bin/python -m channels.matrix --credentials credentials.yml $(ARGS)

# Only the Matrix tests: channel units, then the end-to-end test with Synapse.
test-matrix: install model synapse-venv matrix-bridge-venv
	$(PY) -m pytest --no-cov tests/channels tests/matrix
