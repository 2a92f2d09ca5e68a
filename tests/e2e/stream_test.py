"""Streaming ingestion end to end, as the issue tries it: a Kafka-protocol broker (librdkafka's
mock cluster, in its own process) and events produced with kcat, including duplicates,
out-of-order and malformed ones; `tarn stream` is killed with SIGKILL again and again mid-batch
and restarted. Checks: every message lands in raw exactly once (row counts + dead letters =
messages, positions = log end offsets), curated holds every event once, late events land in
late files and are promoted, published windows get correction records and equal a recount of
curated, the late-data alert fires, two processes of one group share the partitions, a fresh
event is queryable in curated within the 60 s target, and the REST endpoints answer.

Usage: stream_test.py TARN_BINARY MOCK_KAFKA_BINARY"""
import http.server
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

TARN, MOCK_KAFKA = sys.argv[1], sys.argv[2]
PARTITIONS = 4

SCHEMA = {"type": "record", "name": "Click", "fields": [
    {"name": "event_id", "type": "string"},
    {"name": "user_id", "type": "long"},
    {"name": "country", "type": "string"},
    {"name": "amount", "type": "double"},
    {"name": "event_ts", "type": "string"}]}

SPEC = """
target: clicks
key: [event_id]
event_time: event_ts
partition_by: [hours(event_ts)]
cast: {event_ts: timestamptz}
quality:
  rules:
    - {rule: range, column: amount, min: 0, severity: block}
  anomaly: false
watermark: {allowed_lateness: 30m, late_alert_rate: 0.2}
windows:
  - {name: clicks_hourly, size: 1h, group_by: [country], measures: {events: "count(*)", revenue: "sum(amount)"}}
alerts:
  - {url: "http://127.0.0.1:%d/hook", format: slack, min_severity: warn}
"""


def check(cond, message):
    if not cond:
        raise SystemExit(f"FAIL: {message}")


def wait_for(what, fn, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.5)
    raise SystemExit(f"FAIL: timed out waiting for {what}")


class Receiver(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        Receiver.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class Lake:
    def __init__(self, root, work, bootstrap):
        self.root, self.work, self.bootstrap = root, work, bootstrap
        self.produced = []  # (key, value) of every message produced
        self.streams = []

    def tarn(self, *args, ok=True):
        out = subprocess.run([TARN, "--lake", self.root, *args], capture_output=True, text=True)
        if ok:
            check(out.returncode == 0, f"tarn {' '.join(args)}: {out.stderr}{out.stdout}")
        return out

    def sql(self, query):
        return [json.loads(l) for l in self.tarn("sql", query, "--format", "json").stdout.splitlines()]

    def produce(self, events, malformed=()):
        lines = [(e["event_id"], json.dumps(e)) for e in events] + [(f"bad{i}", m) for i, m in enumerate(malformed)]
        path = os.path.join(self.work, "batch.txt")
        with open(path, "w") as f:
            for key, value in lines:
                f.write(f"{key}|{value}\n")
        out = subprocess.run(["kcat", "-P", "-b", self.bootstrap, "-t", "clicks", "-K", "|", "-l", path],
                             capture_output=True, text=True, timeout=60)
        check(out.returncode == 0, f"kcat: {out.stderr}")
        self.produced += lines

    def start_stream(self, status):
        p = subprocess.Popen([TARN, "--lake", self.root, "stream", "raw.clicks", "--flush-interval", "1s",
                              "--status-file", status],
                             stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.work, "stream.log"), "a"))
        self.streams.append(p)
        return p

    def raw_partitions(self):
        return json.loads(self.tarn("--json", "partitions", "raw.clicks", "--limit", "100000").stdout)

    def landed_messages(self):
        """Rows in raw files + dead-lettered records."""
        rows = sum(p["row_count"] for p in self.raw_partitions())
        db = sqlite3.connect(os.path.join(self.root, "_tarn", "catalog.db"))
        rejected = db.execute("SELECT coalesce(sum(records_rejected), 0) FROM ingest_runs").fetchone()[0]
        db.close()
        return rows, rejected

    def settled(self):
        rows, rejected = self.landed_messages()
        parts = self.raw_partitions()
        return (rows + rejected == len(self.produced) and
                all(p["status"] in ("promoted", "quarantined") for p in parts))


def event(i, ts, **kw):
    e = {"event_id": f"e{i:06d}", "user_id": i % 97, "country": ["US", "DE", "FR", "BR"][i % 4],
         "amount": float(i % 50), "event_ts": ts}
    e.update(kw)
    return e


def main():
    work = tempfile.mkdtemp(prefix="tarn-stream-test-")
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    broker = subprocess.Popen([MOCK_KAFKA, "--topic", f"clicks:{PARTITIONS}"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    bootstrap = broker.stdout.readline().strip().split("=", 1)[1]
    lake = Lake(os.path.join(work, "lake"), work, bootstrap)
    try:
        run(lake, receiver.server_address[1])
    finally:
        for p in lake.streams:
            if p.poll() is None:
                p.kill()
        broker.stdin.close()
        broker.wait(timeout=10)
    print("stream_test: OK")


def run(lake, receiver_port):
    lake.tarn("source", "add", "clickstream", "--type", "streaming", "--owner", "web", "--config",
              json.dumps({"connector": "kafka", "bootstrap": lake.bootstrap, "topic": "clicks", "group": "tarn-clicks",
                          "properties": {"session.timeout.ms": "6000", "heartbeat.interval.ms": "500"}}))
    lake.tarn("dataset", "create", "clicks", "--source", "clickstream", "--owner", "web", "--sla-hours", "1")
    schema = os.path.join(lake.work, "clicks.avsc")
    with open(schema, "w") as f:
        json.dump(SCHEMA, f)
    lake.tarn("schema", "register", "raw.clicks", schema)
    spec = os.path.join(lake.work, "spec.yaml")
    with open(spec, "w") as f:
        f.write(SPEC % receiver_port)
    lake.tarn("promotion", "set", "raw.clicks", spec)

    # Phase 1: six hours of events, shuffled (out of order), 5% produced twice, some malformed;
    # the consumer is killed with SIGKILL repeatedly while it works.
    rng = random.Random(7)
    events = [event(i, f"2024-05-01T{i * 6 // 3000:02d}:{i % 60:02d}:{i % 37:02d}Z") for i in range(3000)]
    rng.shuffle(events)
    status = os.path.join(lake.work, "status.json")
    stream = lake.start_stream(status)
    kills = 0
    for chunk in range(6):
        part = events[chunk * 500:(chunk + 1) * 500]
        dups = rng.sample(part, 25)
        lake.produce(part + dups, malformed=["{not json", '{"event_id": "x"}'] if chunk % 2 == 0 else [])
        time.sleep(rng.uniform(0.5, 2.5))
        stream.send_signal(signal.SIGKILL)
        stream.wait()
        kills += 1
        stream = lake.start_stream(status)
    wait_for("phase 1 landed and promoted", lake.settled, timeout=180)

    rows, rejected = lake.landed_messages()
    check(rejected == 6, f"6 malformed messages dead-lettered, got {rejected}")
    check(rows == 3000 + 150, f"every message landed exactly once: {rows} rows for 3150 good messages")
    ids = [r["event_id"] for r in lake.sql("SELECT event_id FROM curated.clicks ORDER BY event_id")]
    check(ids == sorted(e["event_id"] for e in events), f"curated holds every event once ({len(ids)} rows)")
    wm = json.loads(lake.tarn("watermark", "raw.clicks").stdout)
    check(wm["watermark"].startswith("2024-05-01T05:29:"), f"watermark = max event time - 30m: {wm['watermark']}")
    check(any(p["partition"] == "dt=2024-05-01/hour=04" and p["complete"] for p in wm["partitions"]) and
          any(p["partition"] == "dt=2024-05-01/hour=05" and not p["complete"] for p in wm["partitions"]),
          f"partition completeness follows the watermark: {wm['partitions'][:3]}")
    hourly = lake.sql("SELECT CAST(window_start AS VARCHAR) AS w, country, events FROM serving.clicks_hourly "
                      "ORDER BY 1, 2")
    check(len(hourly) == 5 * 4 and hourly[0]["w"].startswith("2024-05-01 00:00"),
          f"windows of hours 00-04 published (05 is open): {len(hourly)} rows")

    # Phase 2: late events for hour 01, behind the watermark: landed in late files, promoted,
    # and the published window corrected.
    late = [event(10000 + i, f"2024-05-01T01:{i % 60:02d}:00Z", amount=1000.0) for i in range(40)]
    lake.produce(late)
    wait_for("late events promoted", lake.settled)
    late_files = [p for p in lake.raw_partitions() if p["file_path"].endswith("-late.avro")]
    check(sum(p["row_count"] for p in late_files) == 40, f"the 40 late events are in late files: {late_files}")
    wait_for("corrections", lambda: lake.sql("SELECT count(*) AS n FROM serving.clicks_hourly_corrections")[0]["n"] > 0)
    recount = lake.sql("SELECT CAST(time_bucket(INTERVAL 1 HOUR, event_ts) AS VARCHAR) AS w, country, count(*) AS events "
                       "FROM curated.clicks WHERE event_ts < TIMESTAMPTZ '2024-05-01 05:00:00+00' GROUP BY ALL ORDER BY 1, 2")
    hourly = lake.sql("SELECT CAST(window_start AS VARCHAR) AS w, country, events FROM serving.clicks_hourly ORDER BY 1, 2")
    check(hourly == recount, f"published windows equal a recount of curated after corrections:\n{hourly}\n{recount}")
    corrected = lake.sql("SELECT DISTINCT CAST(window_start AS VARCHAR) AS w FROM serving.clicks_hourly_corrections")
    check([r["w"] for r in corrected] == ["2024-05-01 01:00:00+00"], f"only hour 01 was corrected: {corrected}")
    db = sqlite3.connect(os.path.join(lake.root, "_tarn", "catalog.db"))
    audits = db.execute("SELECT count(*) FROM backfill_audit_log WHERE triggered_by = 'late_data'").fetchone()[0]
    db.close()
    check(audits >= 1, "the reconciliation is audited")
    check(any("behind the watermark" in json.dumps(a) for a in Receiver.received),
          f"late-data alert delivered: {Receiver.received}")

    # Two members of the group share the partitions.
    second_status = os.path.join(lake.work, "status2.json")
    second = lake.start_stream(second_status)

    def shared():
        try:
            a = {p["partition"] for p in json.load(open(status))["partitions"]}
            b = {p["partition"] for p in json.load(open(second_status))["partitions"]}
        except (OSError, ValueError, KeyError):
            return False
        return a and b and not (a & b) and len(a | b) == PARTITIONS
    wait_for("two group members sharing the partitions", shared, timeout=60)
    more = [event(20000 + i, f"2024-05-01T06:{i % 60:02d}:00Z") for i in range(400)]
    lake.produce(more)
    wait_for("both members landed", lake.settled)
    check(lake.landed_messages()[0] == 3000 + 150 + 40 + 400, "exactly once with two members")

    # Freshness: an event stamped now is queryable in curated well within 60 s.
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    start = time.time()
    lake.produce([event(99999, now)])
    wait_for("a fresh event in curated", lambda: lake.sql(
        "SELECT count(*) AS n FROM curated.clicks WHERE event_id = 'e099999'")[0]["n"] == 1, timeout=60)
    latency = time.time() - start
    check(latency < 60, f"freshness {latency:.1f}s")
    print(f"stream_test: fresh event queryable in {latency:.1f}s; {kills} kills")

    # REST: the watermark and the metrics of a stream running inside `tarn serve`.
    for p in (stream, second):
        p.send_signal(signal.SIGTERM)
        check(p.wait(timeout=60) == 0, "tarn stream exits cleanly on SIGTERM")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    token = "stream-test-token"
    server = subprocess.Popen([TARN, "--lake", lake.root, "serve", "--listen", f"127.0.0.1:{port}",
                               "--stream", "raw.clicks", "--stream-flush-interval", "1s"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ, TARN_ADMIN_TOKEN=token))
    lake.streams.append(server)
    ds = json.loads(lake.tarn("--json", "dataset", "show", "raw.clicks").stdout)["id"]

    def get(path):
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.load(r)
        except OSError:
            return None
    lake.produce([event(30000 + i, f"2024-05-01T07:{i:02d}:00Z") for i in range(10)])
    metrics = wait_for("the served stream's metrics", lambda: (lambda m: m if m and m["events"] >= 10 else None)(
        get(f"/datasets/{ds}/stream")), timeout=60)
    check(len(metrics["partitions"]) == PARTITIONS and all(p["lag"] == 0 for p in metrics["partitions"]),
          f"lag per partition: {metrics}")
    watermark = get(f"/datasets/{ds}/watermark")
    check(watermark["watermark"].startswith("2024-05-01T06:39") or watermark["watermark"] > "2024-05-01T06",
          f"GET watermark: {watermark['watermark']}")
    server.send_signal(signal.SIGTERM)
    check(server.wait(timeout=60) == 0, "tarn serve exits cleanly")


if __name__ == "__main__":
    main()
