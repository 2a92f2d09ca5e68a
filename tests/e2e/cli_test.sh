#!/usr/bin/env bash
# The CLI as a person or a script uses it: every command works directly on a lake, alongside
# a running server on the same lake; --json output parses; errors exit non-zero with a message.
TARN="$1"
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d /tmp/tarn-cli-XXXXXX)
cleanup() {
  local rc=$?
  [ -z "${SERVER_PID:-}" ] || kill -9 "$SERVER_PID" 2>/dev/null || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
lake="$work/lake"
t() { "$TARN" --lake "$lake" "$@"; }

# expect_exit CODE MESSAGE-FRAGMENT -- command...: runs a command that must fail.
expect_exit() {
  local code="$1" fragment="$2"; shift 3
  local rc=0 err
  err=$("$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" = "$code" ] || fail "'$*' exited $rc, expected $code ($err)"
  [[ "$err" == *"$fragment"* ]] || fail "'$*' said '$err', expected it to mention '$fragment'"
}

t version | grep -q "DuckDB v1" || fail "tarn version should name the DuckDB version"

# A server runs on the lake while the CLI writes to it.
export TARN_ADMIN_TOKEN="tarn_cli-test-admin-token"
start_server "$lake"
TOKEN="$TARN_ADMIN_TOKEN"

t source add orders-db --type cdc --owner payments --config '{"host":"db","password":"env:PG_PASSWORD"}' \
  | grep -q "source orders-db registered" || fail "source add"
t dataset create orders --source orders-db --zone raw --owner payments --sla-hours 2 >/dev/null
t dataset create orders --source orders-db --zone curated --owner payments >/dev/null
expect_eq "$(t --json dataset list | json 0.zone)" curated "dataset list --json sorts by zone"
t dataset list --zone raw | grep -q "raw.orders" || fail "dataset list --zone raw"
t source list | grep -q "orders-db *cdc *payments" || fail "source list table"

# What the CLI wrote, the server serves at once (one catalog).
api GET /datasets?zone=raw
ds=$(echo "$BODY" | json datasets.0.id)
expect_eq "$(echo "$BODY" | json datasets.0.sla_hours)" 2 "server sees the CLI's dataset"

api POST "/datasets/$ds/partitions" '{"partitions": [
  {"partition_key": "dt=2024-03-01/hour=00", "file_path": "raw/orders/dt=2024-03-01/hour=00/a.avro", "format": "avro", "row_count": 10, "size_bytes": 100},
  {"partition_key": "dt=2024-03-01/hour=01", "file_path": "raw/orders/dt=2024-03-01/hour=01/a.avro", "format": "avro", "row_count": 20, "size_bytes": 200},
  {"partition_key": "dt=2024-03-02/hour=00", "file_path": "raw/orders/dt=2024-03-02/hour=00/a.avro", "format": "avro", "row_count": 30, "size_bytes": 300}]}'
expect_status 201 "batch registration"
pid=$(echo "$BODY" | json partitions.1.partition_id)
api POST "/partitions/$pid/quality-runs" '{"rules_passed": 3, "rules_failed": 2, "status": "failed"}'

# ...and what the server wrote, the CLI lists.
expect_eq "$(t partitions raw.orders --from 2024-03-01 --to 2024-03-02 --json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2 "CLI date filter"
t partitions raw.orders --status quarantined | grep -q "dt=2024-03-01/hour=01 *quarantined *20" || fail "CLI status filter"
expect_eq "$(t partitions "$ds" --limit 1 --json | json 0.partition_key)" dt=2024-03-01/hour=00 "CLI --limit"
t dataset show raw.orders | grep -q "sla_hours   2" || fail "dataset show"

# Alert deliveries of the quality gate: none yet, on the CLI and over the API alike.
t alerts raw.orders | grep -q "^CREATED *KIND *SEVERITY *FORMAT *STATUS" || fail "alerts table"
expect_eq "$(t alerts raw.orders --json | json alerts)" "[]" "alerts --json"
expect_eq "$(t alerts raw.orders --json | json next_cursor)" null "alerts --json cursor"
api GET "/datasets/$ds/alerts?limit=5"
expect_status 200 "alerts listing"
expect_eq "$(echo "$BODY" | json alerts)" "[]" "alerts over the API"
expect_exit 5 "limit: must be between 1 and 1000" -- t alerts raw.orders --limit 0

# Errors: a clear message and a distinct exit code.
expect_exit 4 "already exists" -- t source add orders-db --owner x
expect_exit 5 "zone: 'bronze'" -- t dataset create x --source orders-db --zone bronze --owner x
expect_exit 3 "no source named 'nope'" -- t dataset create x --source nope --owner x
expect_exit 5 "several zones" -- t partitions orders
expect_exit 5 "from: '2024-02-30'" -- t partitions raw.orders --from 2024-02-30
expect_exit 5 "credentials must be references" -- t source add leaky --owner x --config '{"password":"hunter2"}'
expect_exit 2 "" -- t partitions
expect_exit 7 "cannot connect" -- "$TARN" --lake "$lake" --catalog postgresql://tarn@127.0.0.1:1/none source list

# Tokens from the CLI work against the server; revocation is immediate.
secret=$(t token create "bi-tool" --grants curated:read,serving:read)
TOKEN="$secret" api GET /datasets
expect_eq "$(echo "$BODY" | json datasets | $PY -c 'import json,sys; print([d["zone"] for d in json.load(sys.stdin)])')" "['curated']" "zone-filtered listing"
TOKEN="$secret" api GET "/datasets/$ds/partitions"
expect_status 403 "curated reader on raw"
tid=$(t --json token list | $PY -c 'import json,sys; print([t["id"] for t in json.load(sys.stdin) if t["name"]=="bi-tool"][0])')
t token revoke "$tid" >/dev/null
TOKEN="$secret" api GET /datasets
expect_status 401 "revoked token"
t token list | grep -q "bi-tool *curated:read,serving:read *revoked" || fail "token list shows revocation"

stop_server
echo "cli: ok"
