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
  docs:      README.md, docs/api.md

MSG
exec "$tarn" serve --lake "$lake" --listen "$listen"
