#!/usr/bin/env bash
# The seed's API walk-through with curl against a real `tarn serve`, on SQLite and on
# PostgreSQL: source -> dataset -> schema -> partitions -> a failed quality run blocking
# promotion -> the partition listing filtered by dates and status. Also: graceful SIGTERM,
# the generated admin token file (0600), and that no token ever reaches the log.
TARN="$1"
ROOT="$2"
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d /tmp/tarn-walk-XXXXXX)
pgdir=$(mktemp -d /tmp/tarn-walk-pg-XXXXXX)
cleanup() {
  local rc=$?
  [ -z "${SERVER_PID:-}" ] || kill -9 "$SERVER_PID" 2>/dev/null || true
  "$ROOT/scripts/pg-tmp.sh" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

walkthrough() {
  local lake="$1" catalog="${2:-}"
  start_server "$lake" "$catalog"
  [ -f "$lake/_tarn/admin.token" ] || fail "no generated admin token file"
  [ "$(stat -c %a "$lake/_tarn/admin.token")" = 600 ] || fail "admin token file is not mode 0600"
  TOKEN=$(cat "$lake/_tarn/admin.token")

  api POST /sources '{"name": "postgres-events-prod", "type": "batch",
    "connection_config": {"host": "db.internal", "port": 5432}, "owner": "data-eng-team"}'
  expect_status 201 "POST /sources"
  local source_id; source_id=$(echo "$BODY" | json source_id)
  echo "$BODY" | json created_at >/dev/null

  api POST /datasets "{\"source_id\": \"$source_id\", \"name\": \"user_events_raw\",
    \"zone\": \"raw\", \"owner\": \"data-eng-team\", \"sla_hours\": 4}"
  expect_status 201 "POST /datasets"
  local ds; ds=$(echo "$BODY" | json dataset_id)

  api POST "/datasets/$ds/schemas" '{"schema_json": {"type": "record", "name": "UserEvent",
    "fields": [{"name": "event_id", "type": "string"}]}, "set_current": true}'
  expect_status 201 "POST /datasets/{id}/schemas"
  expect_eq "$(echo "$BODY" | json version)" 1 "first schema version"
  api POST "/datasets/$ds/schemas" '{"schema_json": {"type": "record", "name": "UserEvent",
    "fields": [{"name": "event_id", "type": "string"}, {"name": "country", "type": ["null", "string"], "default": null}]},
    "set_current": true}'
  expect_eq "$(echo "$BODY" | json version)" 2 "second schema version"

  local ids=()
  for key in dt=2024-01-14/hour=23 dt=2024-01-15/hour=00 dt=2024-01-15/hour=03 dt=2024-01-16/hour=00; do
    api POST "/datasets/$ds/partitions" "{\"partition_key\": \"$key\",
      \"file_path\": \"$lake/raw/user_events/$key/part-0001.parquet\", \"format\": \"parquet\",
      \"row_count\": 482910, \"size_bytes\": 94371840}"
    expect_status 201 "POST /datasets/{id}/partitions $key"
    ids+=("$(echo "$BODY" | json partition_id)")
  done
  # The same file again: same id, no second row.
  api POST "/datasets/$ds/partitions" "{\"partition_key\": \"dt=2024-01-15/hour=03\",
    \"file_path\": \"raw/user_events/dt=2024-01-15/hour=03/part-0001.parquet\", \"format\": \"parquet\",
    \"row_count\": 482910, \"size_bytes\": 94371840}"
  expect_status 200 "re-registering a partition"
  expect_eq "$(echo "$BODY" | json partition_id)" "${ids[2]}" "re-registration id"

  api POST "/partitions/${ids[2]}/quality-runs" '{"rules_passed": 12, "rules_failed": 1,
    "anomaly_score": 0.73, "status": "failed"}'
  expect_status 201 "POST /partitions/{id}/quality-runs"
  expect_eq "$(echo "$BODY" | json promotion_blocked)" true "failed run blocks promotion"
  api POST "/partitions/${ids[1]}/quality-runs" '{"rules_passed": 13, "rules_failed": 0,
    "anomaly_score": 0.05, "status": "passed"}'
  expect_eq "$(echo "$BODY" | json promotion_blocked)" false "passed run allows promotion"

  api GET "/datasets/$ds/partitions?from=2024-01-15&to=2024-01-16"
  expect_status 200 "GET partitions by date"
  expect_eq "$(echo "$BODY" | json partitions | $PY -c 'import json,sys; print([p["partition_key"] for p in json.load(sys.stdin)])')" \
    "['dt=2024-01-15/hour=00', 'dt=2024-01-15/hour=03']" "partitions of 2024-01-15"
  api GET "/datasets/$ds/partitions?from=2024-01-15&to=2024-01-16&status=passed"
  expect_eq "$(echo "$BODY" | json partitions.0.partition_key)" dt=2024-01-15/hour=00 "passed filter"
  api GET "/datasets/$ds/partitions?status=quarantined"
  expect_eq "$(echo "$BODY" | json partitions.0.id)" "${ids[2]}" "quarantined filter"
  expect_eq "$(echo "$BODY" | json partitions.0.row_count)" 482910 "row_count in listing"

  api GET "/datasets/$ds/partitions?from=2024-01-32"
  expect_status 422 "unparseable date"
  TOKEN="" api GET "/datasets"
  expect_status 401 "no token"

  stop_server
  # The same lake opens again with everything in place.
  start_server "$lake" "$catalog"
  api GET "/datasets/$ds/partitions"
  expect_eq "$(echo "$BODY" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["partitions"]))')" 4 "partitions after restart"
  stop_server
  if grep -q "$TOKEN" "$lake.server.log"; then fail "the admin token appeared in the server log"; fi
}

walkthrough "$work/lake-sqlite"
url=$("$ROOT/scripts/pg-tmp.sh" start "$pgdir")
walkthrough "$work/lake-pg" "$url"
echo "walkthrough: ok (sqlite, postgresql)"
