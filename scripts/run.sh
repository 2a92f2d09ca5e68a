#!/usr/bin/env bash
# `make run`: seeds the demo into the lake (idempotent) and serves the REST API in the
# foreground until Ctrl-C.
set -euo pipefail
tarn="$1" lake="$2" listen="$3"
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
  iceberg:   $tarn table list --lake $lake; $tarn table read serving.daily_active_users --lake $lake
             $tarn table files curated.user_events --lake $lake --where "event_ts >= 2024-01-01"
  REST catalog for Spark/Trino/PyIceberg: uri http://$listen/iceberg, token $token_hint
             curl -H "Authorization: Bearer $token_hint" http://$listen/iceberg/v1/namespaces/curated/tables
  docs:      README.md, docs/api.md, docs/iceberg.md

MSG
exec "$tarn" serve --lake "$lake" --listen "$listen"
