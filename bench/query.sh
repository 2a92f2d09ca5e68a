#!/usr/bin/env bash
# `make bench-query`: runs the query benchmark built in BUILD_DIR (first argument) from the repo
# root, so the generated lake is cached under bench/out/query-<scale>/, with BUILD_DIR/tarn for
# the wire-protocol part. Extra arguments go to query_bench, e.g.
#   ./bench/query.sh build --days 30 --rows-per-hour 1000 --window-days 7   # a quick run
#   ./bench/query.sh build --no-wire --repeat 10
set -euo pipefail

build_dir="${1:?usage: bench/query.sh BUILD_DIR [query_bench flags]}"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac
bin="$build_dir/query_bench"
[ -x "$bin" ] || { echo "bench-query: $bin not built (run make bench-query)" >&2; exit 1; }

cd "$root"
mkdir -p bench/out
echo "bench-query: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(df -h --output=avail bench/out | tail -1 | tr -d ' ') free on bench/out, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec "$bin" --tarn "$build_dir/tarn" "$@"
