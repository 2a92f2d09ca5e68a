"""Iceberg tables end to end through the CLI and the REST catalog, checked by independent
readers: create a day-partitioned table, load JSON lines twice (the second time as an
idempotent partition overwrite), prune by event time, delete rows (position deletes), upsert by
key, time travel by snapshot and tag, expire snapshots and remove orphans. Every metadata file
is validated against a JSON schema of the v2 table spec (python3-jsonschema), every manifest
list and manifest is read with python3-avro (field ids, header metadata, counts), and the REST
catalog serves the same metadata.

Usage: iceberg_test.py TARN_BINARY"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings

import avro.datafile
import avro.io
import jsonschema

warnings.filterwarnings("ignore")  # python3-avro warns about Iceberg's logicalType "map"

TARN = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
SPEC_SCHEMA = os.path.join(HERE, "..", "iceberg", "spec", "table_metadata_v2.schema.json")
DAY1, DAY2 = "2024-03-01", "2024-03-02"


def check(cond, message):
    if not cond:
        raise SystemExit(f"FAIL: {message}")


def events(ids, country_of=lambda i: ["US", "DE", "FR"][i % 3], amount_of=lambda i: i * 1.5):
    rows = []
    for i in ids:
        day = DAY1 if i % 2 else DAY2
        rows.append({"event_id": i, "event_ts": f"{day}T{i % 24:02d}:00:00Z",
                     "country": country_of(i), "amount": amount_of(i)})
    return rows


def read_avro(path):
    with open(path, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        meta = {k: v.decode() for k, v in reader.meta.items() if not k.startswith("avro.")}
        schema = json.loads(reader.meta["avro.schema"].decode())
        records = list(reader)
    return schema, meta, records


def field_ids(schema, out=None):
    """Every (name, field-id) pair in an Avro schema, recursively."""
    out = {} if out is None else out
    if isinstance(schema, list):
        for s in schema:
            field_ids(s, out)
    elif isinstance(schema, dict):
        for f in schema.get("fields", []):
            if "field-id" in f:
                out[f["name"]] = f["field-id"]
            field_ids(f["type"], out)
        for key in ("items", "values"):
            if key in schema:
                field_ids(schema[key], out)
    return out


def check_metadata_files(table_dir, validator):
    files = sorted(os.listdir(os.path.join(table_dir, "metadata")))
    jsons = [f for f in files if f.endswith(".metadata.json")]
    check(jsons, "no metadata files")
    for name in jsons:
        with open(os.path.join(table_dir, "metadata", name)) as f:
            md = json.load(f)
        errors = sorted(validator.iter_errors(md), key=str)
        check(not errors, f"{name} breaks the v2 table spec: {errors[:3]}")
    return md  # the newest (names count commits)


def check_snapshot_files(md):
    """Reads the current snapshot's manifest list and manifests with python3-avro."""
    snap = next(s for s in md["snapshots"] if s["snapshot-id"] == md["current-snapshot-id"])
    schema, meta, manifests = read_avro(snap["manifest-list"])
    ids = field_ids(schema)
    for name, fid in [("manifest_path", 500), ("manifest_length", 501), ("partition_spec_id", 502),
                      ("content", 517), ("sequence_number", 515), ("added_snapshot_id", 503),
                      ("partitions", 507)]:
        check(ids.get(name) == fid, f"manifest list field {name} has id {ids.get(name)}")
    check(meta["snapshot-id"] == str(snap["snapshot-id"]), "list header snapshot-id")
    check(meta["format-version"] == "2", "list header format-version")
    live_rows, data_files, delete_files = 0, 0, 0
    for m in manifests:
        check(os.path.getsize(m["manifest_path"]) == m["manifest_length"], "manifest_length")
        mschema, mmeta, entries = read_avro(m["manifest_path"])
        for key in ("schema", "partition-spec", "partition-spec-id", "format-version", "content"):
            check(key in mmeta, f"manifest header lacks {key}")
        mids = field_ids(mschema)
        for name, fid in [("status", 0), ("snapshot_id", 1), ("data_file", 2), ("file_path", 100),
                          ("record_count", 103), ("partition", 102), ("lower_bounds", 125)]:
            check(mids.get(name) == fid, f"manifest field {name} has id {mids.get(name)}")
        check(mids.get("event_ts_day") == 1000, "partition field event_ts_day has id 1000")
        for e in entries:
            if e["status"] == 2:
                continue
            df = e["data_file"]
            check(os.path.exists(df["file_path"]), f"live file missing: {df['file_path']}")
            if df["content"] == 0:
                data_files += 1
                live_rows += df["record_count"]
                check(df["lower_bounds"], "data files carry lower bounds")
            else:
                delete_files += 1
    summary = snap["summary"]
    check(str(data_files) == summary["total-data-files"], f"{data_files} data files vs summary")
    check(str(delete_files) == summary["total-delete-files"], "delete files vs summary")
    return live_rows


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    with open(SPEC_SCHEMA) as f:
        validator = jsonschema.Draft202012Validator(json.load(f))
    with tempfile.TemporaryDirectory(prefix="tarn-iceberg-") as work:
        lake = os.path.join(work, "lake")
        table_dir = os.path.join(lake, "curated", "events")

        def tarn(*args, ok=True):
            out = subprocess.run([TARN, "--lake", lake, *args], capture_output=True, text=True)
            if ok:
                check(out.returncode == 0, f"tarn {' '.join(args)}: {out.stderr}")
            return out

        def write(name, rows):
            path = os.path.join(work, name)
            with open(path, "w") as f:
                f.write(rows if isinstance(rows, str) else "".join(json.dumps(r) + "\n" for r in rows))
            return path

        def rows(*extra):
            out = tarn("table", "read", "curated.events", *extra).stdout
            return {r["event_id"]: r for r in map(json.loads, out.splitlines())}

        schema = {"type": "struct", "fields": [
            {"id": 1, "name": "event_id", "required": True, "type": "long"},
            {"id": 2, "name": "event_ts", "required": True, "type": "timestamptz"},
            {"id": 3, "name": "country", "required": False, "type": "string"},
            {"id": 4, "name": "amount", "required": False, "type": "double"}]}
        tarn("table", "create", "curated.events", "--schema", write("schema.json", json.dumps(schema)),
             "--partition-by", "day(event_ts)")
        check(tarn("table", "read", "curated.events").stdout == "", "a new table is empty")

        batch = write("batch.jsonl", events(range(1, 101)))
        tarn("table", "load", "curated.events", batch)
        check(len(rows()) == 100, "100 rows after the first load")
        tarn("table", "load", "curated.events", batch, "--overwrite-partitions")
        check(len(rows()) == 100, "re-loading with --overwrite-partitions replaces, not duplicates")

        files = tarn("table", "files", "curated.events", "--where", f"event_ts >= {DAY2}T00:00:00Z").stdout
        check(f"event_ts_day={DAY1}" not in files and f"event_ts_day={DAY2}" in files,
              f"pruning by event time reads day 2 only:\n{files}")

        fr = rows("--where", "country = FR", "--where", f"event_ts < {DAY2}T00:00:00Z")
        check(set(fr) == {i for i in range(1, 101) if i % 3 == 2 and i % 2 == 1},
              "read --where filters rows")

        snaps = tarn("table", "snapshots", "curated.events").stdout.splitlines()[1:]
        before_delete = snaps[-1].split()[0]
        tarn("table", "tag", "curated.events", "before-delete")
        out = tarn("table", "delete", "curated.events", "--where", "country = DE").stdout
        now = rows()
        check(all(r["country"] != "DE" for r in now.values()), "deleted rows are gone")
        check(len(now) == 100 - len([i for i in range(1, 101) if i % 3 == 1]), f"delete count: {out}")
        check(len(rows("--snapshot", before_delete)) == 100, "time travel by snapshot sees them")
        check(len(rows("--tag", "before-delete")) == 100, "time travel by tag sees them")

        changes = events([2, 3, 500], amount_of=lambda i: -1.0)
        tarn("table", "upsert", "curated.events", write("upsert.jsonl", changes), "--key", "event_id")
        now = rows()
        check(now[2]["amount"] == -1.0 and now[3]["amount"] == -1.0, "upsert replaced rows")
        check(now[500]["amount"] == -1.0, "upsert inserted a new row")
        check(len(now) == 66 + 1, f"upsert kept the other rows ({len(now)})")

        out = tarn("table", "compact", "curated.events").stdout
        check("files rewritten" in out, f"compaction rewrote the small files: {out}")
        check(rows() == now, "compaction keeps exactly the same rows")
        files = tarn("table", "files", "curated.events").stdout
        check(files.count(".parquet") == 2, f"one file per day after compaction:\n{files}")

        md = check_metadata_files(table_dir, validator)
        check(check_snapshot_files(md) == len(now), "manifests count every live row")

        # The REST catalog serves the same table.
        port, token = free_port(), "tarn_e2e_iceberg_token"
        env = dict(os.environ, TARN_ADMIN_TOKEN=token)
        server = subprocess.Popen([TARN, "--lake", lake, "serve", "--listen", f"127.0.0.1:{port}"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/iceberg/v1/namespaces/curated/tables/events"
            for _ in range(100):
                try:
                    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
                    loaded = json.load(urllib.request.urlopen(req, timeout=5))
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                raise SystemExit("FAIL: tarn serve did not answer")
            shown = json.loads(tarn("--json", "table", "show", "curated.events").stdout)
            check(loaded["metadata"]["current-snapshot-id"] == shown["current-snapshot-id"],
                  "REST load shows the current snapshot")
            check(os.path.exists(loaded["metadata-location"]), "REST metadata-location exists")
        finally:
            server.terminate()
            server.wait(timeout=10)

        # Expiry keeps tagged snapshots and the data they need; orphans go, live files stay.
        tarn("table", "expire", "curated.events", "--older-than", "0s", "--retain-last", "1")
        check(len(rows("--tag", "before-delete")) == 100, "a tagged snapshot survives expiry")
        check(len(rows()) == 67, "the current snapshot survives expiry")
        stray = os.path.join(table_dir, "data", "stray.parquet")
        with open(stray, "w") as f:
            f.write("not referenced")
        os.utime(stray, (time.time() - 7200, time.time() - 7200))
        out = tarn("table", "remove-orphans", "curated.events", "--older-than", "1h").stdout
        check(not os.path.exists(stray), f"orphan removed: {out}")
        check(len(rows()) == 67, "live files survive orphan removal")
        md = check_metadata_files(table_dir, validator)
        check_snapshot_files(md)
    print("ok")


if __name__ == "__main__":
    main()
