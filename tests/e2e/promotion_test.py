"""The quality gate and promotion end to end, as the issue tries it: a raw dataset landed by
`tarn ingest` (two steady weeks of ~1000 events a day), then partitions with nulls over the
threshold, out-of-range amounts, duplicate event ids, a 40% volume drop, and clean ones. The bad
ones must be quarantined with reports (or blocked by the anomaly score), the clean ones promoted
exactly once into a curated Iceberg table partitioned by event date; promoting twice must not
duplicate; `kill -9` in the middle of promotions and a re-run must give the same table as an
uninterrupted run. Also the REST API: PUT/GET the spec, POST promotions, lineage, quality runs.

Usage: promotion_test.py TARN_BINARY"""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

TARN = sys.argv[1]

SPEC = """
target: orders
key: [event_id]
event_time: event_ts
partition_by: [days(event_ts)]
cast: {user_id: long, amount: "decimal(12,2)", event_ts: timestamptz}
clean: {country: "upper(trim(country))"}
quality:
  rules:
    - {rule: not_null, column: user_id, max_null_rate: 0.01, severity: block}
    - {rule: range, column: amount, min: 0, max: 10000, severity: block}
    - {rule: accepted_values, column: country, values: [US, DE, FR, BR, IN], severity: warn}
    - {rule: unique, column: event_id, severity: warn}
    - {rule: row_count, min: 1, severity: block}
    - {rule: sql, expression: "amount IS NULL OR amount >= 0", severity: block}
  anomaly: {window: 14, warn: 3, block: 5}
"""

SCHEMA = {"type": "record", "name": "Order", "fields": [
    {"name": "event_id", "type": "string"},
    {"name": "user_id", "type": ["null", "long"], "default": None},
    {"name": "amount", "type": ["null", "double"], "default": None},
    {"name": "country", "type": ["null", "string"], "default": None},
    {"name": "event_ts", "type": "string"}]}


def check(cond, message):
    if not cond:
        raise SystemExit(f"FAIL: {message}")


def events(day, n, seed, start=0, **overrides):
    rng = random.Random(seed)
    out = []
    for i in range(start, start + n):
        e = {"event_id": f"d{day:02d}-{i:05d}", "user_id": rng.randrange(1, 5000),
             "amount": round(rng.uniform(1, 500), 2), "country": rng.choice([" us", "DE", "fr ", "BR", "IN"]),
             "event_ts": f"2024-03-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"}
        for key, fn in overrides.items():
            e[key] = fn(i, e[key])
        out.append(e)
    return out


class Lake:
    def __init__(self, root, work):
        self.root, self.work, self.n = root, work, 0

    def tarn(self, *args, ok=True):
        out = subprocess.run([TARN, "--lake", self.root, *args], capture_output=True, text=True)
        if ok:
            check(out.returncode == 0, f"tarn {' '.join(args)}: {out.stderr}{out.stdout}")
        return out

    def setup(self):
        landing = os.path.join(self.work, "landing.jsonl")
        self.tarn("source", "add", "shop", "--owner", "payments", "--config",
                  json.dumps({"connector": "file", "path": landing, "format": "jsonl"}))
        self.tarn("dataset", "create", "orders_raw", "--source", "shop", "--zone", "raw", "--owner", "payments")
        schema = os.path.join(self.work, "orders.avsc")
        with open(schema, "w") as f:
            json.dump(SCHEMA, f)
        self.tarn("schema", "register", "raw.orders_raw", schema)
        spec = os.path.join(self.work, "spec.yaml")
        with open(spec, "w") as f:
            f.write(SPEC)
        self.tarn("promotion", "set", "raw.orders_raw", spec)

    def land(self, rows):
        """One ingest of `rows`: one new raw partition."""
        self.n += 1
        path = os.path.join(self.work, f"batch-{self.n:03d}.jsonl")
        with open(path, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
        out = json.loads(self.tarn("--json", "ingest", "raw.orders_raw", "--path", path).stdout)
        check(out["records_rejected"] == 0, f"ingest rejected records: {out}")

    def promote(self, *args):
        return json.loads(self.tarn("--json", "promote", "raw.orders_raw", *args).stdout)

    def sql(self, query):
        return [json.loads(l) for l in self.tarn("sql", query, "--format", "json").stdout.splitlines()]

    def table_rows(self):
        return self.sql("SELECT event_id, user_id, CAST(amount AS VARCHAR) AS amount, country, "
                        "CAST(event_ts AS VARCHAR) AS ts FROM curated.orders ORDER BY event_id")


def check_rest(lake, trial):
    """The same through the REST API of `tarn serve`."""
    import urllib.error
    import urllib.request
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    token = "promotion-test-admin-token"
    server = subprocess.Popen([TARN, "--lake", lake.root, "serve", "--listen", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ, TARN_ADMIN_TOKEN=token))

    def call(method, path, body=None):
        data = body.encode() if isinstance(body, str) else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        status, ds = call("GET", "/datasets?zone=raw")
        raw_id = next(d["id"] for d in ds["datasets"] if d["name"] == "orders_raw")
        status, spec = call("GET", f"/datasets/{raw_id}/promotion")
        check(status == 200 and spec["version"] == 1 and spec["spec"]["target"] == "orders", f"GET spec: {spec}")
        status, same = call("PUT", f"/datasets/{raw_id}/promotion", SPEC)
        check(status == 200 and same["version"] == 1, f"the same spec again keeps its version: {same}")
        status, bad = call("PUT", f"/datasets/{raw_id}/promotion", SPEC.replace("user_id, max", "nope, max"))
        check(status == 422 and "nope" in bad["error"]["message"], f"unknown column refused: {bad}")
        status, none = call("POST", f"/datasets/{raw_id}/promotions", {})
        check(status == 200 and none["partitions"] == [], f"nothing left to promote: {none}")
        status, lineage = call("GET", f"/datasets/{raw_id}/lineage")
        check(status == 200 and len(lineage["lineage"]) == 17, f"lineage: {len(lineage['lineage'])}")
        status, runs = call("GET", f"/partitions/{trial[0]['partition_id']}/quality-runs")
        details = runs["quality_runs"][-1]["details"]
        failing = [r for r in details["rules"] if not r["passed"]]
        check(runs["quality_runs"][-1]["status"] == "failed" and failing[0]["rule"] == "not_null(user_id)"
              and "above max_null_rate" in failing[0]["detail"], f"quality run details: {details}")
        status, curated = call("GET", "/datasets?zone=curated")
        check(any(d["name"] == "orders" for d in curated["datasets"]), "the curated dataset is registered")
    finally:
        server.terminate()
        server.wait()


def main():
    with tempfile.TemporaryDirectory() as work:
        lake = Lake(os.path.join(work, "lake"), work)
        lake.setup()
        history = []
        for day in range(1, 15):
            rows = events(day, 1000 + (day % 3) * 20, seed=day)
            history += rows
            lake.land(rows)
        first = lake.promote()
        check([p["outcome"] for p in first["partitions"]] == ["promoted"] * 14, f"history promoted: {first}")
        check(first["snapshot_id"] is not None and first["rows_written"] == len(history), f"rows: {first}")

        # The trial: nulls over threshold, out of range, duplicate ids (a warning), a 40% drop, clean.
        nulls = events(15, 1000, seed=15, user_id=lambda i, v: None if i % 20 == 0 else v)
        out_of_range = events(16, 1000, seed=16, amount=lambda i, v: 20000.0 if i == 7 else v)
        dups = events(17, 1000, seed=17)
        dups += [dict(dups[i], amount=1.0) for i in range(10)]  # ten ids again, later in the file
        drop = events(18, 600, seed=18)
        clean = events(19, 1010, seed=19)
        for rows in (nulls, out_of_range, dups, drop, clean):
            lake.land(rows)
        trial = lake.promote()
        outcomes = [p["outcome"] for p in trial["partitions"]]
        check(outcomes == ["quarantined", "quarantined", "promoted", "blocked_by_anomaly", "promoted"],
              f"outcomes: {outcomes}\n{json.dumps(trial, indent=1)}")
        by = trial["partitions"]
        check("blocking rule" in by[0]["reason"] and by[0]["report"].endswith("report.json"), f"nulls: {by[0]}")
        check(by[3]["anomaly_score"] > 5 and "row_count" in by[3]["reason"], f"the drop: {by[3]}")
        check(any("unique(event_id)" in w for w in by[2]["warnings"]) and by[2]["rows_out"] == 1000,
              f"duplicates are a warning and deduplicated: {by[2]}")
        report = json.load(open(os.path.join(lake.root, by[0]["report"])))
        failed = {r["rule"]: r for r in report["failed_rules"]}
        check("not_null(user_id)" in failed and failed["not_null(user_id)"]["violations"] == 50
              and len(failed["not_null(user_id)"]["samples"]) == 5, f"report: {report}")
        report = json.load(open(os.path.join(lake.root, by[1]["report"])))
        check([r["rule"] for r in report["failed_rules"]] == ["range(amount)"]
              and report["failed_rules"][0]["samples"][0]["amount"] == 20000, f"range report: {report}")
        drop_report = json.load(open(os.path.join(lake.root, by[3]["report"])))
        check(drop_report["verdict"] == "blocked_by_anomaly" and drop_report["failed_rules"] == [],
              f"the drop passes every static rule: {drop_report}")

        # Curated holds every promoted event exactly once, cleaned and typed, by event date.
        rows = lake.table_rows()
        promoted_ids = {e["event_id"] for e in history + dups + clean}
        check(len(rows) == len(promoted_ids) and {r["event_id"] for r in rows} == promoted_ids,
              f"curated has {len(rows)} rows, expected {len(promoted_ids)}")
        check({r["country"] for r in rows} == {"US", "DE", "FR", "BR", "IN"}, "country cleaned")
        dup_row = next(r for r in rows if r["event_id"] == dups[0]["event_id"])
        check(dup_row["amount"] == "1.00", f"the later duplicate wins: {dup_row}")
        files = lake.tarn("table", "files", "curated.orders").stdout
        check("event_ts_day=2024-03-01" in files and "event_ts_day=2024-03-19" in files
              and "event_ts_day=2024-03-15" not in files, f"partitioned by event date:\n{files}")

        # Promoting twice: nothing left to do, and re-promoting explicitly replaces, never duplicates.
        again = lake.promote()
        check(again["partitions"] == [] and again["snapshot_id"] is None, f"second promotion: {again}")
        re = lake.promote("--partition", by[4]["partition_id"])
        check(re["partitions"][0]["outcome"] == "promoted" and re["rows_replaced"] == 1010, f"re-promote: {re}")
        check(lake.table_rows() == rows, "re-promotion changed the table")

        # After a fix (a lenient rule), `quality rerun` releases the out-of-range partition.
        lineage = json.loads(lake.tarn("--json", "lineage", "raw.orders_raw").stdout)
        check(len(lineage) == 14 + 2 + 1, f"lineage rows: {len(lineage)}")

        check_rest(lake, by)

        # kill -9 during promotions, then a re-run: the same table as without the kills.
        reference = Lake(os.path.join(work, "ref"), work)
        victim = Lake(os.path.join(work, "victim"), work)
        for l in (reference, victim):
            l.setup()
            for day in range(1, 9):
                l.land(events(day, 5000, seed=100 + day))
        started = time.monotonic()
        reference.promote()
        took = time.monotonic() - started
        expected = reference.table_rows()
        kills = 0
        for fraction in (0.2, 0.35, 0.5, 0.65, 0.8, 0.95):
            delay = took * fraction
            proc = subprocess.Popen([TARN, "--lake", victim.root, "promote", "raw.orders_raw"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
        victim.promote()
        check(victim.table_rows() == expected, "kill -9 and re-run gave another table")
        check(kills > 0, "no promotion was interrupted")
        print(f"promotion e2e: ok ({kills} promotions killed)")


if __name__ == "__main__":
    main()
