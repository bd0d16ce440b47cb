#!/usr/bin/env bash
# Start the assistant: the action server on 127.0.0.1:${ACTIONS_PORT:-5055},
# then the Rasa server (REST and socket.io channels, HTTP API) on port
# ${RASA_PORT:-5005}, and the web page with the chat widget on
# http://localhost:${WEB_PORT:-8080}/ (credentials.yml lists the origins the
# widget may be served from: add another port there).
# Usage: scripts/serve.sh VENV_BIN_DIR   (make run calls it)
set -euo pipefail
bin=${1:?virtualenv bin directory}
cd "$(dirname "$0")/.."
rasa_port=${RASA_PORT:-5005}
actions_port=${ACTIONS_PORT:-5055}
web_port=${WEB_PORT:-8080}

mkdir -p var
# endpoints.yml names the action server's port: the one used here replaces it
# (var/endpoints.yml), so that ACTIONS_PORT moves both ends.
sed "s#http://127.0.0.1:5055/webhook#http://127.0.0.1:$actions_port/webhook#" endpoints.yml >var/endpoints.yml
# The HTTP API (trackers, model) needs this token; the chat channels do not.
token_file=var/api-token
if [ -z "${RASA_TOKEN:-}" ]; then
  [ -s "$token_file" ] || { umask 077; "$bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$token_file"; }
  RASA_TOKEN=$(cat "$token_file")
fi

# The action server listens on loopback only (SANIC_HOST). Both servers run
# through `python -m serving`, which screens what they log of identifying data.
SANIC_HOST=127.0.0.1 "$bin/python" -m serving run actions --actions actions --port "$actions_port" \
  >"${TMPDIR:-/tmp}/clinibot-actions.log" 2>&1 &
actions_pid=$!
# The web page with the chat widget (web/public, built by `make`), loopback only.
"$bin/python" -m http.server "$web_port" --bind 127.0.0.1 --directory web/public >"${TMPDIR:-/tmp}/clinibot-web.log" 2>&1 &
web_pid=$!
trap 'kill $actions_pid $web_pid 2>/dev/null || true' EXIT INT TERM
# Matrix/Tchap (docs/matrix.md): the bridge, when credentials.yml declares
# channels.matrix.MatrixInput (`make run` then exports MATRIX_BRIDGE_PYTHON, the
# bridge's own virtualenv). It waits for Rasa and reconnects by itself.
if grep -q '^channels\.matrix\.MatrixInput:' credentials.yml && [ -n "${MATRIX_BRIDGE_PYTHON:-}" ]; then
  "$MATRIX_BRIDGE_PYTHON" -m matrix_bridge --credentials credentials.yml --rasa-url "http://127.0.0.1:$rasa_port" \
    >"${TMPDIR:-/tmp}/clinibot-matrix.log" 2>&1 &
  bridge_pid=$!
  trap 'kill $actions_pid $web_pid $bridge_pid 2>/dev/null || true' EXIT INT TERM
  echo "  Matrix : passerelle démarrée, journal ${TMPDIR:-/tmp}/clinibot-matrix.log"
elif grep -q '^channels\.matrix\.MatrixInput:' credentials.yml; then
  echo "  Matrix : canal déclaré mais passerelle non lancée (make run la lance ; sinon make matrix-bridge)" >&2
fi

# The Rasa server (`python -m serving` is `rasa` plus a French notice when the
# action server is down), in the background: « prêt » is said once it answers.
"$bin/python" -m serving run --model models/consultation.tar.gz --port "$rasa_port" --enable-api \
  --auth-token "$RASA_TOKEN" \
  --cors "http://localhost:$web_port" "http://127.0.0.1:$web_port" --endpoints var/endpoints.yml --credentials credentials.yml &
rasa_pid=$!
trap 'kill $rasa_pid $actions_pid $web_pid ${bridge_pid:-} 2>/dev/null || true' EXIT INT TERM

# Each server answers (the action server /health, Rasa's / which needs no
# token) only once a turn would be served warm: the model, the screening's
# recogniser, the data and texts loaded and one turn's parse, prediction and
# actions run (serving/warm_up.py). So « prêt » means the first message is
# answered as fast as the tenth.
wait_until_up() { # URL PID WHAT
  for _ in $(seq 1 600); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "  $3 : arrêté au démarrage (voir son journal)" >&2; exit 1; }
    sleep 1
  done
  echo "  $3 : ne répond pas après 10 minutes" >&2
  exit 1
}
wait_until_up "http://127.0.0.1:$actions_port/health" "$actions_pid" "serveur d'actions"
wait_until_up "http://127.0.0.1:$rasa_port/" "$rasa_pid" "serveur Rasa"

cat <<MSG

  Assistant prêt :
    REST      : curl -s localhost:$rasa_port/webhooks/rest/webhook -d '{"sender":"moi","message":"bonjour"}'
    terminal  : $bin/rasa shell   (dans un autre terminal)
    page web  : http://localhost:$web_port/  (widget, canal socket.io http://localhost:$rasa_port/socket.io)
  API HTTP  : jeton dans $token_file (ou variable RASA_TOKEN)
  Consultations enregistrées : var/consultations.db (données identifiantes masquées)
  Journal du serveur d'actions : ${TMPDIR:-/tmp}/clinibot-actions.log
  Ctrl-C pour arrêter.

MSG
wait "$rasa_pid"
