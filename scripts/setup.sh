#!/usr/bin/env bash
# Installs everything tarn needs to build, run and test on Debian 12. Idempotent; runs as root
# or through sudo. DuckDB (not packaged by Debian) comes from the npm registry: libduckdb.so
# from @duckdb/node-bindings-linux-x64 and duckdb.h from the duckdb source package, both pinned
# and checksum-verified, into the git-ignored third_party/duckdb.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"

APT_PACKAGES=(
  build-essential cmake pkg-config ccache curl ca-certificates
  libsqlite3-dev libpq-dev libssl-dev
  libcpp-httplib-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libavro-dev libsimdjson-dev zlib1g-dev libedit-dev libyaml-cpp-dev
  postgresql postgresql-client python3 python3-psycopg2 python3-avro python3-snappy
  python3-jsonschema default-jdk-headless libpostgresql-jdbc-java
  librdkafka-dev kcat postgresql-15-wal2json
)

DUCKDB_LIB_URL="https://registry.npmjs.org/@duckdb/node-bindings-linux-x64/-/node-bindings-linux-x64-1.5.6-r.1.tgz"
DUCKDB_LIB_SHA256="1b9f82478539bb9a1d1df44bd103121a12ae52142c07158dc52b97d2ec1d69ff"
DUCKDB_HDR_URL="https://registry.npmjs.org/duckdb/-/duckdb-1.4.4.tgz"
DUCKDB_HDR_SHA256="5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_apt_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then return; fi
  echo "setup: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# fetch URL SHA256 DEST: downloads unless DEST already has the checksum; fails on mismatch.
fetch() {
  local url="$1" sum="$2" dest="$3"
  if [ -f "$dest" ] && echo "$sum  $dest" | sha256sum -c --status; then return; fi
  echo "setup: downloading $url"
  curl -fsSL --retry 3 -o "$dest.part" "$url"
  if ! echo "$sum  $dest.part" | sha256sum -c --status; then
    rm -f "$dest.part"
    echo "setup: checksum mismatch for $url" >&2
    exit 1
  fi
  mv "$dest.part" "$dest"
}

install_duckdb() {
  local dir="$root/third_party/duckdb"
  local stamp="$dir/.installed-$DUCKDB_LIB_SHA256-$DUCKDB_HDR_SHA256"
  if [ -f "$stamp" ] && [ -f "$dir/lib/libduckdb.so" ] && [ -f "$dir/include/duckdb.h" ]; then return; fi
  mkdir -p "$dir/download" "$dir/lib" "$dir/include"
  fetch "$DUCKDB_LIB_URL" "$DUCKDB_LIB_SHA256" "$dir/download/node-bindings.tgz"
  fetch "$DUCKDB_HDR_URL" "$DUCKDB_HDR_SHA256" "$dir/download/duckdb-src.tgz"
  tar -xzf "$dir/download/node-bindings.tgz" -C "$dir/lib" --strip-components=1 package/libduckdb.so
  tar -xzf "$dir/download/duckdb-src.tgz" -C "$dir/include" --strip-components=5 \
    package/src/duckdb/src/include/duckdb.h
  rm -f "$dir"/.installed-*
  touch "$stamp"
}

install_apt_packages
install_duckdb
echo "setup: ok"
