"""Schema evolution end to end through the CLI: register v1, ingest, register v2 that adds a
column and renames another (declared by an alias), ingest again, then read all raw data under
the latest schema: v1 records show the renamed column with its data and the new column as
null; nothing is lost. A breaking v3 is refused with its reasons and changes nothing.

Usage: schema_test.py TARN_BINARY"""
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
    with tempfile.TemporaryDirectory(prefix="tarn-schema-") as work:
        lake = os.path.join(work, "lake")

        def tarn(*args, ok=True):
            out = subprocess.run([TARN, "--lake", lake, *args], capture_output=True, text=True)
            if ok:
                check(out.returncode == 0, f"tarn {' '.join(args)}: {out.stderr}")
            return out

        def write(name, content):
            path = os.path.join(work, name)
            with open(path, "w") as f:
                f.write(content if isinstance(content, str) else json.dumps(content))
            return path

        v1 = {"type": "record", "name": "Order", "fields": [
            {"name": "order_id", "type": "string"},
            {"name": "user_id", "type": "long"},
            {"name": "total", "type": "int"}]}
        v2 = {"type": "record", "name": "Order", "fields": [
            {"name": "order_id", "type": "string"},
            {"name": "account_id", "type": "long", "aliases": ["user_id"]},
            {"name": "total", "type": "long"},
            {"name": "channel", "type": ["null", "string"], "default": None}]}
        v3 = {"type": "record", "name": "Order", "fields": [
            {"name": "order_id", "type": "long"},
            {"name": "account_id", "type": "long"},
            {"name": "total", "type": "long"},
            {"name": "channel", "type": ["null", "string"], "default": None},
            {"name": "region", "type": "string"}]}

        tarn("source", "add", "shop", "--owner", "eng", "--config",
             json.dumps({"connector": "file", "path": write("a.jsonl", ""), "format": "jsonl"}))
        tarn("dataset", "create", "orders", "--source", "shop", "--owner", "eng")
        check("version 1" in tarn("schema", "register", "orders", write("v1.avsc", v1)).stdout, "v1")
        first = write("first.jsonl", "".join(json.dumps({"order_id": f"o{i}", "user_id": i, "total": i * 10}) + "\n"
                                             for i in range(1, 4)))
        tarn("ingest", "orders", "--path", first)

        check("compatible" in tarn("schema", "check", "orders", write("v2.avsc", v2)).stdout, "v2 check")
        check("version 2" in tarn("schema", "register", "orders", write("v2b.avsc", v2)).stdout, "v2 register")
        second = write("second.jsonl", "".join(json.dumps({"order_id": f"o{i}", "account_id": i, "total": 2**40,
                                                           "channel": "web"}) + "\n" for i in range(4, 6)))
        tarn("ingest", "orders", "--path", second)

        rows = [json.loads(line) for line in tarn("raw", "read", "orders").stdout.splitlines()]
        check(len(rows) == 5, f"{len(rows)} rows read back, expected 5")
        check(rows[0] == {"order_id": "o1", "account_id": 1, "total": 10, "channel": None}, f"v1 row under v2: {rows[0]}")
        check(rows[4] == {"order_id": "o5", "account_id": 5, "total": 2**40, "channel": "web"}, f"v2 row: {rows[4]}")
        old = [json.loads(line) for line in tarn("raw", "read", "orders", "--version", "1", "--limit", "1").stdout.splitlines()]
        check(old == [{"order_id": "o1", "user_id": 1, "total": 10}], f"v1 row under v1: {old}")

        diff = json.loads(tarn("schema", "diff", "orders", "1", "2").stdout)
        check([r["to"] for r in diff["renamed"]] == ["account_id"], f"diff renamed: {diff}")
        check([a["name"] for a in diff["added"]] == ["channel"], f"diff added: {diff}")
        check([p["name"] for p in diff["promoted"]] == ["total"], f"diff promoted: {diff}")

        refused = tarn("schema", "register", "orders", write("v3.avsc", v3), ok=False)
        check(refused.returncode == 4, f"breaking v3 exit code {refused.returncode}")
        check("order_id" in refused.stdout and "region" in refused.stdout, f"reasons: {refused.stdout}")
        history = tarn("--json", "schema", "history", "orders").stdout
        check(len(json.loads(history)) == 2, "v3 must not be registered")
        check(tarn("schema", "compatibility", "orders").stdout.strip() == "BACKWARD", "default mode")
    print("schema: ok")


if __name__ == "__main__":
    main()
