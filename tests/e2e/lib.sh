# Shared helpers for the end-to-end shell tests: a tarn server on a free loopback port,
# curl with JSON field extraction, and assertions that say what was expected.
set -euo pipefail

PY=/usr/bin/python3
fail() { echo "FAIL: $*" >&2; exit 1; }

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# json FIELD < body: prints a field (dotted path, list indexes allowed) of a JSON document.
json() {
  $PY -c '
import json, sys
v = json.load(sys.stdin)
for part in sys.argv[1].split("."):
    v = v[int(part)] if isinstance(v, list) else v[part]
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)' "$1"
}

# api METHOD PATH [BODY]: sets STATUS and BODY from a request to $BASE with $TOKEN.
api() {
  local method="$1" path="$2" data="${3:-}" out
  out=$(mktemp)
  local args=(-s -o "$out" -w '%{http_code}' -X "$method" "$BASE$path")
  [ -n "${TOKEN:-}" ] && args+=(-H "Authorization: Bearer $TOKEN")
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  STATUS=$(curl "${args[@]}")
  BODY=$(cat "$out")
  rm -f "$out"
}

expect_status() {
  [ "$STATUS" = "$1" ] || fail "$2: expected HTTP $1, got $STATUS: $BODY"
}

expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }

# start_server LAKE [CATALOG_URL]: starts tarn serve in the background; sets BASE, SERVER_PID.
start_server() {
  local lake="$1" catalog="${2:-}" port
  port=$(free_port)
  BASE="http://127.0.0.1:$port"
  local args=(serve --lake "$lake" --listen "127.0.0.1:$port")
  [ -n "$catalog" ] && args+=(--catalog "$catalog")
  "$TARN" "${args[@]}" >>"$lake.server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -sf "$BASE/health" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$lake.server.log" >&2; fail "tarn serve exited"; }
    sleep 0.1
  done
  fail "tarn serve did not answer /health"
}

stop_server() {
  kill -TERM "$SERVER_PID"
  local rc=0
  wait "$SERVER_PID" || rc=$?
  [ "$rc" = 0 ] || fail "tarn serve exited with $rc after SIGTERM (expected a clean shutdown)"
}
