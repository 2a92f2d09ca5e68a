"""Raw-zone ingestion end to end, driven through the `tarn` CLI as a user would:
JSON lines / CSV / Parquet files with good, malformed and schema-violating records; a real
PostgreSQL table read incrementally in two runs; a local paginated HTTP API that fails before
it answers; SIGKILL during an ingest followed by a re-run. The raw files are read back with an
independent Avro reader (python3-avro) and must hold exactly the valid records; every reject
must be in the dead letters with its reason.

Usage: ingest_test.py TARN_BINARY"""
import glob
import http.server
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import avro.datafile
import avro.io

TARN = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def micros(value):
    """A timestamp-micros value as python3-avro returns it (datetime) in microseconds."""
    return round(value.timestamp() * 1_000_000) if hasattr(value, "timestamp") else value


def check(cond, message):
    if not cond:
        raise SystemExit(f"FAIL: {message}")


class Lake:
    def __init__(self, path):
        self.path = path

    def tarn(self, *args, ok=True, env=None):
        out = subprocess.run([TARN, "--lake", self.path, *args], capture_output=True, text=True,
                             env=dict(os.environ, **(env or {})))
        if ok:
            check(out.returncode == 0, f"tarn {' '.join(args)} failed: {out.stderr}")
        return out

    def json(self, *args, env=None):
        return json.loads(self.tarn("--json", *args, env=env).stdout)

    def source(self, name, config):
        self.tarn("source", "add", name, "--owner", "eng", "--config", json.dumps(config))
        self.tarn("dataset", "create", name, "--source", name, "--zone", "raw", "--owner", "eng")

    def ingest(self, dataset, *args, env=None):
        return self.json("ingest", dataset, *args, env=env)

    def partitions(self, dataset):
        return self.json("partitions", f"raw.{dataset}")

    def records(self, dataset):
        """Every record of every registered raw file, read by python3-avro."""
        out = []
        for p in self.partitions(dataset):
            with open(os.path.join(self.path, p["file_path"]), "rb") as f:
                reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
                rows = list(reader)
                reader.close()
            check(len(rows) == p["row_count"], f"{p['file_path']}: {len(rows)} rows, catalog says {p['row_count']}")
            out.extend(rows)
        return out

    def dead_letters(self, run):
        if not run["deadletter_path"]:
            return []
        with open(os.path.join(self.path, run["deadletter_path"])) as f:
            return [json.loads(line) for line in f]


SCHEMA = {"type": "record", "name": "Event", "fields": [
    {"name": "event_id", "type": "string"},
    {"name": "user_id", "type": "long"},
    {"name": "amount", "type": ["null", "double"], "default": None},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}}]}


def register_schema(lake, dataset, schema=SCHEMA):
    """Registers `schema` through the REST API (the CLI has no schema command yet)."""
    port_probe = subprocess.run([TARN, "--lake", lake.path, "--json", "dataset", "show", f"raw.{dataset}"],
                                capture_output=True, text=True, check=True)
    ds = json.loads(port_probe.stdout)["id"]
    token = "tarn_ingest-test-admin"
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    server = subprocess.Popen([TARN, "serve", "--lake", lake.path, "--listen", f"127.0.0.1:{port}"],
                              env=dict(os.environ, TARN_ADMIN_TOKEN=token),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import urllib.request
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        req = urllib.request.Request(f"http://127.0.0.1:{port}/datasets/{ds}/schemas",
                                     data=json.dumps({"schema_json": schema}).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req) as r:
            check(r.status == 201, "schema registration")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()


def test_files(work):
    lake = Lake(os.path.join(work, "lake"))
    src = os.path.join(work, "in")
    os.makedirs(src)
    lines = [
        {"event_id": "e1", "user_id": 1, "amount": 9.5, "ts": "2024-01-15T03:00:00Z"},
        "{not json",
        {"event_id": "e2", "user_id": "two", "ts": 1},
        {"event_id": "e3", "user_id": 3, "ts": 1705287600000000},
        {"user_id": 4, "ts": 1},
        {"event_id": "e5", "user_id": 5, "amount": None, "ts": "2024-01-15 04:00:00"},
    ]
    with open(os.path.join(src, "events.jsonl"), "w") as f:
        for line in lines:
            f.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    lake.source("events", {"connector": "file", "path": os.path.join(src, "events.jsonl"), "format": "jsonl"})
    register_schema(lake, "events")
    run = lake.ingest("events")
    check(run["status"] == "succeeded", f"run: {run}")
    check((run["records_accepted"], run["records_rejected"]) == (3, 3), f"counts: {run}")
    rows = lake.records("events")
    check([r["event_id"] for r in rows] == ["e1", "e3", "e5"], f"raw rows: {rows}")
    check(micros(rows[0]["ts"]) == 1705287600000000 and rows[0]["amount"] == 9.5, f"values: {rows[0]}")
    check(micros(rows[2]["ts"]) == 1705291200000000 and rows[2]["amount"] is None, f"values: {rows[2]}")
    dead = lake.dead_letters(run)
    check([d["position"] for d in dead] == ["events.jsonl:2", "events.jsonl:3", "events.jsonl:5"], f"dead: {dead}")
    check("user_id" in dead[1]["reason"] and "event_id" in dead[2]["reason"], f"reasons: {dead}")
    check(dead[0]["payload"] == "{not json", "dead letter keeps the original payload")
    # The same window again adds nothing.
    again = lake.ingest("events")
    check(again["id"] == run["id"] and len(lake.partitions("events")) == 1, "re-run added data")

    # CSV with a header and quoting, inferred schema; then Parquet.
    with open(os.path.join(src, "people.csv"), "w") as f:
        f.write('id,name,city\n1,"Doe, Jane",Paris\n2,Bob\n3,Ann,"New\nYork"\n')
    lake.source("people", {"connector": "file", "path": os.path.join(src, "people.csv"), "format": "csv"})
    run = lake.ingest("people")
    check((run["records_accepted"], run["records_rejected"]) == (2, 1), f"csv counts: {run}")
    rows = lake.records("people")
    check(rows[0]["name"] == "Doe, Jane" and rows[1]["city"] == "New\nYork" and rows[0]["id"] == 1, f"csv rows: {rows}")
    check("expected 3 fields" in lake.dead_letters(run)[0]["reason"], "csv reject reason")

    return lake


def test_postgres(work):
    pgdir = tempfile.mkdtemp(prefix="tarn-ingest-pg-")
    try:
        url = subprocess.run([os.path.join(ROOT, "scripts", "pg-tmp.sh"), "start", pgdir],
                             capture_output=True, text=True, check=True).stdout.strip()
        psql = lambda sql: subprocess.run(["psql", url, "-qAtc", sql], check=True, capture_output=True, text=True)
        psql("CREATE TABLE orders (id int PRIMARY KEY, customer text, total numeric(10,2), "
             "updated_at timestamptz NOT NULL)")
        psql("INSERT INTO orders SELECT i, 'c' || i, i * 1.5, '2024-01-01'::timestamptz + i * interval '1 hour' "
             "FROM generate_series(1, 500) i")
        lake = Lake(os.path.join(work, "lake-pg"))
        lake.source("orders", {"connector": "postgres", "dsn": "env:ORDERS_DSN", "table": "orders",
                               "cursor_column": "updated_at"})
        env = {"ORDERS_DSN": url}
        first = lake.ingest("orders", env=env)
        check(first["records_accepted"] == 500 and first["end_cursor"], f"first pg run: {first}")
        psql("INSERT INTO orders SELECT i, 'c' || i, i, '2024-03-01'::timestamptz + i * interval '1 minute' "
             "FROM generate_series(501, 620) i")
        psql("UPDATE orders SET total = 0, updated_at = '2024-06-01' WHERE id = 7")
        second = lake.ingest("orders", env=env)
        check(second["records_accepted"] == 121, f"second pg run read {second['records_accepted']} rows, expected 121")
        rows = lake.records("orders")
        check(len(rows) == 621, f"{len(rows)} raw rows")
        check(sorted({r["id"] for r in rows}) == list(range(1, 621)), "every order landed")
        third = lake.ingest("orders", env=env)
        check(third["records_accepted"] == 0 and len(lake.partitions("orders")) == 2, f"third run: {third}")
        missing = lake.tarn("ingest", "orders", ok=False)
        check(missing.returncode != 0 and "ORDERS_DSN" in missing.stderr, "missing DSN reference is explained")
    finally:
        subprocess.run([os.path.join(ROOT, "scripts", "pg-tmp.sh"), "stop", pgdir])


class Pages(http.server.BaseHTTPRequestHandler):
    calls = 0

    def do_GET(self):
        Pages.calls += 1
        if Pages.calls == 1:
            self.send_response(503)
            self.end_headers()
            return
        check(self.headers.get("Authorization") == "Bearer s3cret", "auth header sent")
        page = int(self.path.split("page=")[1]) if "page=" in self.path else 1
        items = [{"id": page * 10 + i, "name": f"item{i}"} for i in range(3)] if page <= 3 else []
        if page == 2:
            items.append({"id": "not-a-number", "name": "bad"})
        body = json.dumps({"data": items}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_http(work):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        lake = Lake(os.path.join(work, "lake-http"))
        secret = os.path.join(work, "api-token")
        with open(secret, "w") as f:
            f.write("Bearer s3cret\n")
        lake.source("items", {"connector": "http", "url": f"http://127.0.0.1:{server.server_port}/items",
                              "pagination": {"type": "page", "items_path": "data"},
                              "auth_header": f"file:{secret}"})
        register_schema(lake, "items", {"type": "record", "name": "Item", "fields": [
            {"name": "id", "type": "long"}, {"name": "name", "type": "string"}]})
        Pages.calls = 0  # the schema registration did not call the API; the first call fails
        run = lake.ingest("items")
        check((run["records_accepted"], run["records_rejected"]) == (9, 1), f"http counts: {run}")
        check(lake.dead_letters(run)[0]["position"].startswith("page 2"), "http reject position")
        check(len(lake.records("items")) == 9, "http raw rows")
    finally:
        server.shutdown()


def test_kill_and_rerun(work):
    lake = Lake(os.path.join(work, "lake-kill"))
    path = os.path.join(work, "big.jsonl")
    n = 150000
    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps({"event_id": f"e{i}", "user_id": i, "ts": i, "pad": "x" * 200}) + "\n")
    lake.source("big", {"connector": "file", "path": path, "format": "jsonl"})
    register_schema(lake, "big")
    # Kill the ingest once some of its raw files are published, before it registers them.
    proc = subprocess.Popen([TARN, "--lake", lake.path, "ingest", "big", "--file-size-mb", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pattern = os.path.join(lake.path, "raw", "big", "**", "*.avro")
    deadline = time.time() + 60
    while proc.poll() is None and len(glob.glob(pattern, recursive=True)) < 3 and time.time() < deadline:
        time.sleep(0.005)
    check(proc.poll() is None, "the ingest finished before it could be interrupted")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    published = len(glob.glob(pattern, recursive=True))
    check(len(lake.partitions("big")) == 0, "an interrupted run registered files")
    check(not glob.glob(os.path.join(lake.path, "raw", "big", "**", "*.tmp"), recursive=True), "temp files visible")
    run = lake.ingest("big", "--file-size-mb", "1")
    check(run["status"] == "succeeded", f"re-run: {run}")
    check(run["files_written"] > published, f"re-run wrote {run['files_written']} files, {published} existed")
    ids = [r["event_id"] for r in lake.records("big")]
    check(len(ids) == n and len(set(ids)) == n, f"{len(ids)} records, {len(set(ids))} distinct, expected {n} once each")


def main():
    with tempfile.TemporaryDirectory(prefix="tarn-ingest-") as work:
        test_files(work)
        test_postgres(work)
        test_http(work)
        test_kill_and_rerun(work)
    print("ingest: ok")


if __name__ == "__main__":
    main()
