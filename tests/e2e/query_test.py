"""`tarn sql` end to end on a real lake: a day-partitioned table loaded through the CLI, queried
in every output format, pruned (checked through --explain), time-travelled, exported to
Parquet, and refused what the sandbox forbids with the permission exit code. Statements can
also come on stdin (a script), as the interactive shell takes them.

Usage: query_test.py TARN_BINARY"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

TARN = sys.argv[1]


def check(cond, message):
    if not cond:
        raise SystemExit(f"FAIL: {message}")


def main():
    with tempfile.TemporaryDirectory() as work:
        lake = os.path.join(work, "lake")

        def tarn(*args, ok=True, stdin=None):
            out = subprocess.run([TARN, "--lake", lake, *args], capture_output=True, text=True,
                                 input=stdin)
            if ok:
                check(out.returncode == 0, f"tarn {' '.join(args)}: {out.stderr}")
            return out

        schema = {"type": "struct", "fields": [
            {"id": 1, "name": "event_id", "required": True, "type": "long"},
            {"id": 2, "name": "event_ts", "required": True, "type": "timestamptz"},
            {"id": 3, "name": "country", "required": False, "type": "string"}]}
        schema_path = os.path.join(work, "schema.json")
        with open(schema_path, "w") as f:
            json.dump(schema, f)
        tarn("table", "create", "curated.events", "--schema", schema_path, "--partition-by", "day(event_ts)")
        # Five days, one load each: five snapshots, five files.
        for day in range(1, 6):
            path = os.path.join(work, f"day{day}.jsonl")
            with open(path, "w") as f:
                for i in range(10):
                    f.write(json.dumps({"event_id": day * 100 + i, "country": ["US", "DE"][i % 2],
                                        "event_ts": f"2024-03-0{day}T{i:02d}:00:00Z"}) + "\n")
            tarn("table", "load", "curated.events", path)

        q = "SELECT country, count(*) AS n FROM curated.events GROUP BY 1 ORDER BY 1"
        rows = list(csv.reader(io.StringIO(tarn("sql", q).stdout)))
        check(rows == [["country", "n"], ["DE", "25"], ["US", "25"]], f"CSV result: {rows}")
        lines = [json.loads(l) for l in tarn("sql", q, "--format", "json").stdout.splitlines()]
        check(lines == [{"country": "DE", "n": 25}, {"country": "US", "n": 25}], f"JSON lines: {lines}")
        table = tarn("sql", q, "--format", "table").stdout
        check(" DE      | 25" in table and "(2 rows)" in table, f"table output:\n{table}")

        one_day = "SELECT count(*) FROM curated.events WHERE event_ts >= '2024-03-03' AND event_ts < '2024-03-04'"
        check(tarn("sql", one_day).stdout.splitlines()[1] == "10", "one day holds ten events")
        plan = tarn("sql", "--explain", one_day, "--format", "csv").stdout
        check("files considered" in plan and "scanned 1," in plan, f"one day scans one file:\n{plan}")

        first = tarn("table", "snapshots", "curated.events").stdout.splitlines()[1].split()[0]
        old = tarn("sql", f"SELECT count(*) FROM curated.events FOR SYSTEM_VERSION AS OF {first}").stdout
        check(old.splitlines()[1] == "10", f"the first snapshot holds one day: {old}")

        out = os.path.join(work, "export", "us.parquet")
        os.makedirs(os.path.dirname(out))
        tarn("sql", "SELECT * FROM curated.events WHERE country = 'US'", "--out", out)
        with open(out, "rb") as f:
            data = f.read()
        check(data[:4] == b"PAR1" and data[-4:] == b"PAR1", "--out writes a Parquet file")

        script = "SELECT 1 AS a;\nSELECT count(*) AS n FROM curated.events;\n"
        check(tarn("sql", stdin=script).stdout == "a\n1\nn\n50\n", "statements from stdin")

        for sql in ["SELECT * FROM read_csv('/etc/passwd')", "COPY (SELECT 1) TO '/tmp/x.csv'",
                    "ATTACH 'x.db'", "SET memory_limit = '100GB'", "INSTALL httpfs",
                    f"SELECT * FROM read_text('{lake}/_tarn/admin.token')"]:
            r = tarn("sql", sql, ok=False)
            check(r.returncode == 6 and r.stderr.strip(), f"refused with exit 6: {sql}: {r.returncode} {r.stderr}")
        r = tarn("sql", "SELECT * FROM curated.nope", ok=False)
        check(r.returncode == 3 and "does not exist" in r.stderr, f"unknown table: {r.stderr}")
        print("query e2e: ok")


if __name__ == "__main__":
    main()
