"""Crash safety of the catalog: `tarn serve` is killed with SIGKILL while writers register
partitions (single and batch) and record quality runs. After a restart every acknowledged
write is there, no batch is half-registered, partition statuses agree with their quality
runs, and the database passes its integrity checks. Runs on SQLite and PostgreSQL.

Usage: crash_test.py TARN_BINARY   (uses scripts/pg-tmp.sh for PostgreSQL)"""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

TARN = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "tarn_crash-test-admin"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, lake, catalog):
        self.port = free_port()
        args = [TARN, "serve", "--lake", lake, "--listen", f"127.0.0.1:{self.port}"]
        if catalog:
            args += ["--catalog", catalog]
        env = dict(os.environ, TARN_ADMIN_TOKEN=TOKEN)
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1)
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("FAIL: tarn serve did not start")

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                     headers={"Authorization": f"Bearer {TOKEN}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def check(cond, message):
    if not cond:
        raise SystemExit(f"FAIL: {message}")


def run(backend, lake, catalog):
    srv = Server(lake, catalog)
    status, body = srv.call("POST", "/sources", {"name": "s", "type": "streaming", "owner": "o"})
    check(status == 201, f"create source: {body}")
    status, body = srv.call("POST", "/datasets", {"source_id": body["source_id"], "name": "events",
                                                  "zone": "raw", "owner": "o"})
    ds = body["dataset_id"]

    acked = {}          # partition id -> file path, for every 2xx registration
    acked_runs = set()  # partition ids whose failed quality run was acknowledged
    batches = []        # lists of file paths sent as one batch (acknowledged or not)
    lock = threading.Lock()
    stop = threading.Event()

    def writer(w):
        n = 0
        while not stop.is_set():
            n += 1
            key = f"dt=2024-01-{1 + n % 28:02d}/hour={n % 24:02d}"
            try:
                if n % 3 == 0:
                    files = [f"raw/events/w{w}/b{n}/f{i}.avro" for i in range(50)]
                    with lock:
                        batches.append(files)
                    status, body = srv.call("POST", f"/datasets/{ds}/partitions", {"partitions": [
                        {"partition_key": key, "file_path": f, "format": "avro", "row_count": 1}
                        for f in files]})
                    if status in (200, 201):
                        with lock:
                            for f, p in zip(files, body["partitions"]):
                                acked[p["partition_id"]] = f
                else:
                    f = f"raw/events/w{w}/s{n}.avro"
                    status, body = srv.call("POST", f"/datasets/{ds}/partitions", {
                        "partition_key": key, "file_path": f, "format": "avro", "row_count": 1})
                    if status in (200, 201):
                        pid = body["partition_id"]
                        with lock:
                            acked[pid] = f
                        status, _ = srv.call("POST", f"/partitions/{pid}/quality-runs",
                                             {"status": "failed", "rules_passed": 1, "rules_failed": 1})
                        if status == 201:
                            with lock:
                                acked_runs.add(pid)
            except (OSError, ValueError):
                return  # the server died under us

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    srv.kill()
    stop.set()
    for t in threads:
        t.join()
    check(len(acked) > 50, f"too few writes before the crash ({len(acked)})")

    srv = Server(lake, catalog)
    for pid, f in acked.items():
        status, body = srv.call("GET", f"/partitions/{pid}")
        check(status == 200 and body["file_path"] == f, f"acknowledged partition {pid} lost: {body}")
        if pid in acked_runs:
            check(body["status"] == "quarantined", f"partition {pid} lost its failed run")
    listed = set()
    cursor = None
    while True:
        path = f"/datasets/{ds}/partitions?limit=10000" + (f"&cursor={cursor}" if cursor else "")
        status, body = srv.call("GET", path)
        listed.update(p["file_path"] for p in body["partitions"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    for files in batches:
        present = sum(f in listed for f in files)
        check(present in (0, len(files)), f"a batch is half registered ({present}/{len(files)})")
    srv.kill()

    query = ("SELECT count(*) FROM partitions p WHERE (p.status = 'quarantined') <> "
             "EXISTS (SELECT 1 FROM data_quality_runs r WHERE r.partition_id = p.id)")
    if backend == "sqlite":
        db = sqlite3.connect(os.path.join(lake, "_tarn", "catalog.db"))
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "sqlite integrity_check")
        check(db.execute("PRAGMA foreign_key_check").fetchall() == [], "sqlite foreign_key_check")
        check(db.execute(query).fetchone()[0] == 0, "statuses disagree with quality runs")
    else:
        out = subprocess.run(["psql", catalog, "-tAc", query], capture_output=True, text=True, check=True)
        check(out.stdout.strip() == "0", "statuses disagree with quality runs")
    print(f"crash ({backend}): {len(acked)} acknowledged partitions, {len(acked_runs)} runs, "
          f"{len(batches)} batches: all consistent after SIGKILL")


def main():
    with tempfile.TemporaryDirectory(prefix="tarn-crash-") as work:
        run("sqlite", os.path.join(work, "lake-sqlite"), "")
    pgdir = tempfile.mkdtemp(prefix="tarn-crash-pg-")
    try:
        url = subprocess.run([os.path.join(ROOT, "scripts", "pg-tmp.sh"), "start", pgdir],
                             capture_output=True, text=True, check=True).stdout.strip()
        with tempfile.TemporaryDirectory(prefix="tarn-crash-") as work:
            run("postgres", os.path.join(work, "lake-pg"), url)
    finally:
        subprocess.run([os.path.join(ROOT, "scripts", "pg-tmp.sh"), "stop", pgdir])


if __name__ == "__main__":
    main()
