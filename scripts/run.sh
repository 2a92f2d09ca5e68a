#!/usr/bin/env bash
# `make run`: seeds the demo into the lake (idempotent) and serves the REST API in the
# foreground until Ctrl-C.
set -euo pipefail
tarn="$1" lake="$2" listen="$3" pg_listen="${4:-127.0.0.1:5433}"
"$tarn" demo --lake "$lake"
token_hint="\$(cat $lake/_tarn/admin.token)"
[ -n "${TARN_ADMIN_TOKEN:-}" ] && token_hint="\$TARN_ADMIN_TOKEN"
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
  docs:      README.md, docs/api.md, docs/promotion.md, docs/query.md, docs/iceberg.md

MSG
exec "$tarn" serve --lake "$lake" --listen "$listen" --pg-listen "$pg_listen"
