#!/usr/bin/env bash
# `make bench`: runs the catalog benchmark built in BUILD_DIR (first argument) from the repo
# root, so cached catalogs land in bench/out/. Extra arguments go to catalog_bench, e.g.
#   ./bench/run.sh build --backend sqlite --datasets 100
set -euo pipefail

build_dir="${1:?usage: bench/run.sh BUILD_DIR [catalog_bench flags]}"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac
bin="$build_dir/catalog_bench"
[ -x "$bin" ] || { echo "bench: $bin not built (run make bench)" >&2; exit 1; }

cd "$root"
mkdir -p bench/out
echo "bench: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(df -h --output=avail bench/out | tail -1 | tr -d ' ') free on bench/out" >&2
exec "$bin" "$@"
