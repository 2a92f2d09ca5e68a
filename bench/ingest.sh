#!/usr/bin/env bash
# `make bench-ingest`: runs the ingestion benchmark built in BUILD_DIR (first argument) from the
# repo root, so inputs, lakes and the throwaway PostgreSQL server live under bench/out/ingest/
# (removed at the end unless --keep). Extra arguments go to ingest_bench, e.g.
#   ./bench/ingest.sh build --jsonl-mb 200 --pg-rows 1000000     # a quick run
#   ./bench/ingest.sh build --workload jsonl --no-breakdown
set -euo pipefail

build_dir="${1:?usage: bench/ingest.sh BUILD_DIR [ingest_bench flags]}"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac
bin="$build_dir/ingest_bench"
[ -x "$bin" ] || { echo "bench-ingest: $bin not built (run make bench-ingest)" >&2; exit 1; }

cd "$root"
mkdir -p bench/out/ingest
echo "bench-ingest: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(df -h --output=avail bench/out/ingest | tail -1 | tr -d ' ') free on bench/out/ingest, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec "$bin" "$@"
