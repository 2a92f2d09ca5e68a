#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks, on a temp dir and a free loopback
# port.  `pg-tmp.sh start DIR` initializes and starts it and prints its connection URL;
# `pg-tmp.sh stop DIR` stops it and removes DIR. Runs as root (through the postgres user) or
# as an ordinary user.
set -euo pipefail

cmd="${1:?usage: pg-tmp.sh start|stop DIR}"
dir="${2:?usage: pg-tmp.sh start|stop DIR}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$bin/initdb" ] || { echo "pg-tmp: PostgreSQL server binaries not found (run make setup)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -U tarn --auth=trust --locale=C.UTF-8 --encoding=UTF8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3 4 5; do
      port="$(free_port)"
      if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
           -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c fsync=off -c wal_level=logical -c max_connections=200" \
           start >/dev/null; then
        echo "postgresql://tarn@127.0.0.1:$port/postgres" | tee "$dir/url"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2
    exit 1
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: pg-tmp.sh start|stop DIR" >&2; exit 2 ;;
esac
