# Matrix / Tchap channel (docs/matrix.md): recipes; the Makefile says which
# command needs which target.
#
# Two virtual environments besides Rasa's, each built once per version of its
# pinned requirements file, only when missing:
# - the bridge (matrix-nio with its own aiohttp): `make run` builds it when
#   credentials.yml enables the Matrix channel, `make test` always;
# - Synapse, the homeserver of the end-to-end test (tests/matrix): `make test`.

BRIDGE_REQUIREMENTS := matrix_bridge/requirements.txt
SYNAPSE_REQUIREMENTS := matrix_bridge/synapse-requirements.txt
BRIDGE_VENV ?= $(HOME)/.cache/clinibot/matrix-bridge-$(shell sha256sum $(BRIDGE_REQUIREMENTS) | cut -c1-12)
SYNAPSE_VENV ?= $(HOME)/.cache/clinibot/synapse-$(shell sha256sum $(SYNAPSE_REQUIREMENTS) | cut -c1-12)

.PHONY: matrix-bridge-venv synapse-venv matrix-bridge test-matrix

$(BRIDGE_VENV)/.installed: | $(BRIDGE_REQUIREMENTS)
	$(call python_venv,$(BRIDGE_VENV),$(BRIDGE_REQUIREMENTS),$(BASE_PYTHON))

$(SYNAPSE_VENV)/.installed: | $(SYNAPSE_REQUIREMENTS)
	$(call python_venv,$(SYNAPSE_VENV),$(SYNAPSE_REQUIREMENTS),$(BASE_PYTHON))

matrix-bridge-venv: $(BRIDGE_VENV)/.installed ## the Matrix bridge's environment (matrix-nio with vodozemac)
synapse-venv: $(SYNAPSE_VENV)/.installed ## Synapse's environment, for the Matrix tests

# The test suite finds both environments through these variables.
test test-matrix: export CLINIBOT_SYNAPSE_PYTHON := $(SYNAPSE_VENV)/bin/python
test test-matrix: export CLINIBOT_MATRIX_BRIDGE_PYTHON := $(BRIDGE_VENV)/bin/python

# `make run` starts the bridge too (scripts/serve.sh) when credentials.yml
# declares channels.matrix.MatrixInput.
ifeq ($(MATRIX_ENABLED),yes)
run: export MATRIX_BRIDGE_PYTHON := $(BRIDGE_VENV)/bin/python
endif

# The bridge alone, against a Rasa server already running (RASA_PORT, default 5005).
# Once, by hand (docs/matrix.md): make matrix-bridge ARGS=--new-device after a
# lost crypto store, ARGS=--reset-cross-signing to replace the account's keys.
matrix-bridge: matrix-bridge-venv ## the Matrix bridge alone (ARGS=--new-device or --reset-cross-signing, once)
	$(BRIDGE_VENV)/bin/python -m matrix_bridge --credentials credentials.yml $(ARGS)

# Only the Matrix tests: channel and bridge units, then the end-to-end test with Synapse.
test-matrix: install model synapse-venv matrix-bridge-venv ## only the channel and Matrix tests (real Synapse)
	$(PY) -m pytest --no-cov tests/channels tests/matrix_bridge tests/matrix
