#!/usr/bin/env bash
# `make run`: seeds the demo into the lake (idempotent) and serves the REST API in the
# foreground until Ctrl-C.
set -euo pipefail
tarn="$1" lake="$2" listen="$3" pg_listen="${4:-127.0.0.1:5433}"
"$tarn" demo --lake "$lake"
token_hint="\$(cat $lake/_tarn/admin.token)"
[ -n "${TARN_ADMIN_TOKEN:-}" ] && token_hint="\$TARN_ADMIN_TOKEN"

# Streaming demo: a Kafka-protocol broker (librdkafka's mock cluster, built with the tests) for
# as long as tarn serves (it stops when its stdin, held by the server, closes), a topic of click
# events produced with kcat, and raw.clicks streamed by the server into raw, curated and an
# hourly window in serving. Each run uses a fresh topic on the fresh broker.
mock="$(dirname "$tarn")/tests/tarn_mock_kafka"
stream_args=()
stream_help=""
if [ -x "$mock" ] && command -v kcat > /dev/null; then
  mkdir -p "$lake/_tarn"
  kafka_out="$lake/_tarn/demo-kafka.out"
  : > "$kafka_out"
  topic="clicks-$(date +%s)"
  exec 3> >(exec "$mock" --topic "$topic:2" > "$kafka_out")
  for _ in $(seq 100); do grep -q '^bootstrap=' "$kafka_out" && break; sleep 0.1; done
  bootstrap="$(sed -n 's/^bootstrap=//p' "$kafka_out")"
  config="{\"connector\": \"kafka\", \"bootstrap\": \"$bootstrap\", \"topic\": \"$topic\", \"group\": \"tarn-demo\", \"properties\": {\"session.timeout.ms\": \"6000\"}}"
  if "$tarn" dataset show raw.clicks --lake "$lake" > /dev/null 2>&1; then
    "$tarn" source set-config demo-kafka "$config" --lake "$lake" > /dev/null
  else
    "$tarn" source add demo-kafka --type streaming --owner web --config "$config" --lake "$lake" > /dev/null
    "$tarn" dataset create clicks --source demo-kafka --owner web --sla-hours 1 --lake "$lake" > /dev/null
    cat > "$lake/_tarn/demo-clicks.avsc" <<'AVSC'
{"type": "record", "name": "Click", "fields": [
  {"name": "event_id", "type": "string"}, {"name": "user_id", "type": "long"},
  {"name": "country", "type": "string"}, {"name": "amount", "type": "double"},
  {"name": "event_ts", "type": "string"}]}
AVSC
    "$tarn" schema register raw.clicks "$lake/_tarn/demo-clicks.avsc" --lake "$lake" > /dev/null
    cat > "$lake/_tarn/demo-clicks.yaml" <<'SPEC'
target: clicks
key: [event_id]
event_time: event_ts
partition_by: [hours(event_ts)]
cast: {event_ts: timestamptz}
quality:
  rules:
    - {rule: range, column: amount, min: 0, severity: block}
  anomaly: false
watermark: {allowed_lateness: 10m}
windows:
  - {name: clicks_hourly, size: 1h, group_by: [country], measures: {clicks: "count(*)", revenue: "sum(amount)"}}
SPEC
    "$tarn" promotion set raw.clicks "$lake/_tarn/demo-clicks.yaml" --lake "$lake" > /dev/null
  fi
  now=$(date +%s)
  for i in $(seq 0 299); do
    ts=$(date -u -d "@$((now - 10800 + i * 36))" +%Y-%m-%dT%H:%M:%SZ)
    c=$(( i % 3 )); country=US; [ $c -eq 1 ] && country=DE; [ $c -eq 2 ] && country=FR
    echo "{\"event_id\": \"$topic-$i\", \"user_id\": $((i % 40)), \"country\": \"$country\", \"amount\": $((i % 20)).5, \"event_ts\": \"$ts\"}"
  done | kcat -P -b "$bootstrap" -t "$topic" 2> /dev/null
  stream_args=(--stream raw.clicks --stream-flush-interval 2s)
  clicks_id="$("$tarn" --json dataset show raw.clicks --lake "$lake" | sed -n 's/^  "id": "\(.*\)",$/\1/p')"
  late_event="{\"event_id\": \"late-1\", \"user_id\": 1, \"country\": \"US\", \"amount\": 9.5, \"event_ts\": \"$(date -u -d '-2 hour' +%Y-%m-%dT%H:%M:%SZ)\"}"
  stream_help="  streaming (Kafka topic $topic -> raw.clicks -> curated.clicks -> serving.clicks_hourly, exactly once):
             curl -H \"Authorization: Bearer $token_hint\" http://$listen/datasets/$clicks_id/stream
             $tarn watermark raw.clicks --lake $lake
             $tarn sql --lake $lake \"SELECT * FROM serving.clicks_hourly ORDER BY window_start, country\"
             echo '$late_event' | kcat -P -b $bootstrap -t $topic
             (a late event: it lands in a -late file and corrects serving.clicks_hourly; see serving.clicks_hourly_corrections)
"
fi
cat <<MSG

tarn is starting on http://$listen  (Ctrl-C stops it)
  health:    curl http://$listen/health
  datasets:  curl -H "Authorization: Bearer $token_hint" http://$listen/datasets
  partitions (quarantined):
             $tarn partitions raw.user_events --lake $lake --status quarantined
  raw data:  $tarn raw read raw.user_events --lake $lake --limit 5
             ls $lake/raw/user_events/_deadletter/*/*   (rejected events, with reasons)
  ingest:    $tarn ingest raw.user_events --lake $lake --path $lake/landing/demo-clickstream/events-1.jsonl
  quality gate and promotion (raw -> curated):
             $tarn promotion show raw.user_events --lake $lake
             cat $lake/quarantine/user_events/*/*/*/report.json   (why a partition was held back)
             $tarn lineage raw.user_events --lake $lake
  SQL:       $tarn sql --lake $lake "SELECT country, count(*) FROM curated.user_events GROUP BY 1"
             $tarn sql --lake $lake --explain "SELECT count(*) FROM curated.user_events WHERE event_ts >= now() - INTERVAL 1 HOUR"
             $tarn sql --lake $lake          (an interactive shell)
             curl -H "Authorization: Bearer $token_hint" -d '{"sql": "SELECT * FROM serving.daily_active_users"}' http://$listen/query
  BI tools / psql over the PostgreSQL protocol (password = a tarn token):
             PGPASSWORD=$token_hint psql -h ${pg_listen%:*} -p ${pg_listen##*:} -U analyst -d lake -c "SELECT * FROM serving.daily_active_users"
  iceberg:   $tarn table list --lake $lake; $tarn table read serving.daily_active_users --lake $lake
             $tarn table files curated.user_events --lake $lake --where "event_ts >= 2024-01-01"
  REST catalog for Spark/Trino/PyIceberg: uri http://$listen/iceberg, token $token_hint
             curl -H "Authorization: Bearer $token_hint" http://$listen/iceberg/v1/namespaces/curated/tables
${stream_help}  docs:      README.md, docs/api.md, docs/promotion.md, docs/streaming.md, docs/query.md, docs/iceberg.md

MSG
exec "$tarn" serve --lake "$lake" --listen "$listen" --pg-listen "$pg_listen" "${stream_args[@]}"
