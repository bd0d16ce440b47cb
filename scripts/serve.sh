#!/usr/bin/env bash
# Start the assistant: the action server on 127.0.0.1:5055, then the Rasa
# server (REST and socket.io channels, HTTP API) on port ${RASA_PORT:-5005}.
# Usage: scripts/serve.sh VENV_BIN_DIR   (make run calls it)
set -euo pipefail
bin=${1:?virtualenv bin directory}
cd "$(dirname "$0")/.."
rasa_port=${RASA_PORT:-5005}
actions_port=${ACTIONS_PORT:-5055}

"$bin/rasa" run actions --actions actions --port "$actions_port" >"${TMPDIR:-/tmp}/clinibot-actions.log" 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$actions_port/health" >/dev/null 2>&1 && break
  sleep 1
done

cat <<MSG

  Assistant prêt dans quelques secondes :
    REST      : curl -s localhost:$rasa_port/webhooks/rest/webhook -d '{"sender":"moi","message":"bonjour"}'
    terminal  : $bin/rasa shell   (dans un autre terminal)
    socket.io : http://localhost:$rasa_port/socket.io (widget web)
  Journal du serveur d'actions : ${TMPDIR:-/tmp}/clinibot-actions.log
  Ctrl-C pour arrêter.

MSG
"$bin/rasa" run --model models/consultation.tar.gz --port "$rasa_port" --enable-api \
  --cors "http://localhost:8080" --endpoints endpoints.yml --credentials credentials.yml
