"""Change data capture end to end, as the issue tries it: curated must end identical to the source.

(a) PostgreSQL: a throwaway server (wal_level=logical), tables (REPLICA IDENTITY FULL, and DEFAULT)
    with rows before streaming starts (the snapshot). `tarn stream` runs in the background while inserts,
    updates (several of one row in one transaction), deletes, a key deleted and inserted again,
    primary-key changes, COPY (changes sharing one LSN) and interleaved transactions happen; the
    stream is killed with SIGKILL mid-way and restarted (three times through pgoutput, twice
    through wal2json). Then the curated table must equal the source table, raw must hold every
    change exactly once, and the slot must be consumed.
(b) Kafka: Debezium envelopes (and the tombstones after deletes) produced with `kcat -P` to a
    tarn_mock_kafka topic of two partitions, keyed by id; the stream is killed as its first batch
    lands. Then curated must equal the state the events describe.

Usage: cdc_test.py TARN_BINARY SOURCE_DIR MOCK_KAFKA_BINARY"""
import glob
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

import avro.datafile
import avro.io
import psycopg2

TARN, SOURCE_DIR, MOCK_KAFKA = sys.argv[1], sys.argv[2], sys.argv[3]

SPEC = """
target: {target}
key: [id]
event_time: updated_at
cdc: {{format: debezium}}
quality:
  rules:
    - {{rule: not_null, column: customer}}
"""


def check(cond, message):
    if not cond:
        raise SystemExit(f"FAIL: {message}")


class Lake:
    def __init__(self, root, env):
        self.root, self.env = root, env

    def tarn(self, *args, ok=True):
        out = subprocess.run([TARN, "--lake", self.root, *args], capture_output=True, text=True, env=self.env)
        if ok:
            check(out.returncode == 0, f"tarn {' '.join(args)}: {out.stderr}{out.stdout}")
        return out

    def sql(self, query):
        out = self.tarn("sql", query, "--format", "json", ok=False)
        if out.returncode != 0:
            return None  # e.g. the table does not exist yet
        return [json.loads(line) for line in out.stdout.splitlines()]

    def set_spec(self, dataset, target, work):
        path = os.path.join(work, f"{target}.yaml")
        with open(path, "w") as f:
            f.write(SPEC.format(target=target))
        self.tarn("promotion", "set", f"raw.{dataset}", path)


class Stream:
    """`tarn stream` in the background, restartable, killable."""

    def __init__(self, lake, dataset, work):
        self.lake, self.dataset, self.work, self.proc, self.runs = lake, dataset, work, None, 0

    def start(self):
        self.runs += 1
        log = open(os.path.join(self.work, f"{self.dataset}-stream-{self.runs}.log"), "w")
        self.proc = subprocess.Popen([TARN, "--lake", self.lake.root, "stream", f"raw.{self.dataset}",
                                      "--flush-interval", "1s", "--status-file",
                                      os.path.join(self.work, f"{self.dataset}-status.json")],
                                     stdout=log, stderr=log, env=self.lake.env)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        check(self.proc.wait(timeout=60) == 0, f"tarn stream exited with {self.proc.returncode}")

    def log(self):
        return "".join(open(p).read() for p in sorted(glob.glob(os.path.join(self.work, f"{self.dataset}-stream-*.log"))))


def wait_equal(lake, query, expected, what, stream, timeout=120):
    deadline = time.time() + timeout
    rows = None
    while time.time() < deadline:
        rows = lake.sql(query)
        if rows == expected:
            return
        time.sleep(0.5)
    missing = [r for r in expected if r not in (rows or [])][:5]
    extra = [r for r in (rows or []) if r not in expected][:5]
    raise SystemExit(f"FAIL: {what}: curated has {len(rows or [])} rows, the source {len(expected)}; "
                     f"missing {missing}, extra {extra}\n{stream.log()[-4000:]}")


def raw_events(lake, dataset):
    """The records of the dataset's registered raw partitions (a file a crash left unregistered
    is not landed), and whether every partition was promoted."""
    events, promoted = [], True
    for p in json.loads(lake.tarn("--json", "partitions", f"raw.{dataset}").stdout):
        promoted = promoted and p["status"] == "promoted"
        with avro.datafile.DataFileReader(open(p["location"], "rb"), avro.io.DatumReader()) as reader:
            events.extend(reader)
    return events, promoted


def kill_after_next_landing(stream, raw_dir):
    """SIGKILLs the stream as soon as a new raw file appears: between publishing the file and the
    catalog commit, or between the commit and the slot's advance, or during the promotion."""
    def files():
        return set(glob.glob(os.path.join(raw_dir, "dt=*", "hour=*", "*.avro")))
    before = files()
    deadline = time.time() + 20
    while files() == before and time.time() < deadline:
        time.sleep(0.002)
    stream.kill()


# ---------------------------------------------------------------------------------------------
# (a) PostgreSQL logical replication

class Workload:
    """Random changes to one table; every statement in its own transaction unless noted."""

    def __init__(self, dsn, table, seed):
        self.rng = random.Random(seed)
        self.table = table
        self.conn = psycopg2.connect(dsn)
        self.other = psycopg2.connect(dsn)
        self.next_id = 1000

    def sql(self, cur, statement, args=()):
        cur.execute(statement.replace("{t}", self.table), args)

    def ids(self):
        with self.conn.cursor() as c:
            self.sql(c, "SELECT id FROM {t}")
            ids = [r[0] for r in c.fetchall()]
        self.conn.commit()
        return ids

    def run(self, cur, op):
        rng = self.rng
        ids = self.ids()
        pick = rng.choice(ids) if ids else None
        if op == "insert" or pick is None:
            self.next_id += 1
            self.sql(cur, "INSERT INTO {t} (id, customer, amount, status) VALUES (%s, %s, %s, 'new')",
                     (self.next_id, f"c{self.next_id}", round(rng.uniform(1, 999), 2)))
        elif op == "update":
            self.sql(cur, "UPDATE {t} SET status = %s, amount = amount + 1, updated_at = now() WHERE id = %s",
                     (rng.choice(["paid", "shipped", "returned"]), pick))
        elif op == "delete":
            self.sql(cur, "DELETE FROM {t} WHERE id = %s", (pick,))
        elif op == "updates_in_one_tx":
            for status in ("a", "b", "final"):
                self.sql(cur, "UPDATE {t} SET status = %s, updated_at = now() WHERE id = %s", (status, pick))
        elif op == "delete_reinsert":
            self.sql(cur, "DELETE FROM {t} WHERE id = %s", (pick,))
            self.conn.commit()
            self.sql(cur, "INSERT INTO {t} (id, customer, amount, status) VALUES (%s, 'again', 1.25, 'new')",
                     (pick,))
        elif op == "delete_reinsert_one_tx":
            self.sql(cur, "DELETE FROM {t} WHERE id = %s", (pick,))
            self.sql(cur, "INSERT INTO {t} (id, customer, amount, status) VALUES (%s, 'same tx', 2.50, 'new')",
                     (pick,))
        elif op == "key_change":
            self.next_id += 1
            self.sql(cur, "UPDATE {t} SET id = %s WHERE id = %s", (self.next_id, pick))
        elif op == "copy":  # one multi-insert WAL record: several changes share its LSN
            rows = []
            for _ in range(5):
                self.next_id += 1
                rows.append(f"{self.next_id}\tcopy{self.next_id}\t3.75\tcopied\n")
            cur.copy_from(io.StringIO("".join(rows)), self.table, columns=("id", "customer", "amount", "status"))
        elif op == "interleaved":  # change LSNs out of commit order
            ids = rng.sample(ids, 2) if len(ids) >= 2 else [pick, pick]
            with self.other.cursor() as oc:
                self.sql(cur, "UPDATE {t} SET status = 'first-started' WHERE id = %s", (ids[0],))
                if ids[1] != ids[0]:
                    self.sql(oc, "UPDATE {t} SET status = 'second-started' WHERE id = %s", (ids[1],))
                self.other.commit()
        elif op == "bulk":
            self.sql(cur, "INSERT INTO {t} (id, customer, amount, status) "
                          "SELECT g, 'bulk' || g, g / 100.0, 'bulk' FROM generate_series(%s, %s) g",
                     (self.next_id + 1, self.next_id + 300))
            self.next_id += 300
        self.conn.commit()

    def burst(self, n, pause):
        ops = ["insert"] * 4 + ["update"] * 4 + ["delete"] * 2 + ["updates_in_one_tx", "delete_reinsert",
               "delete_reinsert_one_tx", "key_change", "copy", "interleaved"]
        with self.conn.cursor() as cur:
            for i in range(n):
                self.run(cur, "bulk" if i == n // 2 else self.rng.choice(ops))
                time.sleep(pause)

    def rows(self):
        with self.conn.cursor() as c:
            self.sql(c, "SELECT id, customer, amount::text, status, "
                        "(extract(epoch from updated_at) * 1000000)::bigint FROM {t} ORDER BY id")
            out = [{"id": r[0], "customer": r[1], "amount": r[2], "status": r[3], "updated_us": r[4]}
                   for r in c.fetchall()]
        self.conn.commit()
        return out


def start_postgres(tables):
    """A throwaway server with `tables` ({name: replica identity}), each with 200 rows."""
    pg_dir = tempfile.mkdtemp(prefix="tarn-cdc-pg-")  # of its own: the postgres user must reach it
    url = subprocess.run([os.path.join(SOURCE_DIR, "scripts", "pg-tmp.sh"), "start", pg_dir],
                         capture_output=True, text=True)
    check(url.returncode == 0, f"starting PostgreSQL: {url.stderr}")
    dsn = url.stdout.strip()
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as c:
        # PostgreSQL builds that restrict logical decoding plugins must allow wal2json.
        c.execute("SELECT 1 FROM pg_settings WHERE name = 'output_plugin_libraries'")
        if c.fetchone():
            c.execute("ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json")
            c.execute("SELECT pg_reload_conf()")
            time.sleep(0.5)
        for t, identity in tables.items():
            c.execute(f"""CREATE TABLE {t} (id int PRIMARY KEY, customer text NOT NULL, amount numeric(12,2),
                                            status text, updated_at timestamptz NOT NULL DEFAULT now())""")
            c.execute(f"ALTER TABLE {t} REPLICA IDENTITY {identity}")
            c.execute(f"INSERT INTO {t} (id, customer, amount, status) "
                      "SELECT g, 'seed' || g, g * 1.5, 'new' FROM generate_series(1, 200) g")
    conn.close()
    return pg_dir, dsn


def unread_changes(dsn, slot, plugin, table):
    """The table's changes the slot still holds."""
    conn = psycopg2.connect(dsn)
    with conn.cursor() as c:
        if plugin == "pgoutput":
            c.execute("SELECT count(*) FROM pg_logical_slot_peek_binary_changes(%s, NULL, NULL, 'proto_version', "
                      "'1', 'publication_names', %s) WHERE get_byte(data, 0) IN (73, 85, 68)", (slot, slot))
        else:
            c.execute("SELECT count(*) FROM pg_logical_slot_peek_changes(%s, NULL, NULL, 'format-version', '2', "
                      "'add-tables', %s, 'include-transaction', '0')", (slot, f"public.{table}"))
        n = c.fetchone()[0]
    conn.close()
    return n


def mirror_postgres(lake, dsn, work, table, plugin, kills):
    """Streams `table` through `plugin`, killing the stream `kills` times; checks the mirror."""
    dataset, slot = f"{table}_cdc", f"tarn_{table}"
    lake.tarn("source", "add", f"{table}_db", "--type", "cdc", "--owner", "eng", "--config", json.dumps(
        {"connector": "postgres_cdc", "dsn": "env:PG_DSN", "slot": slot, "tables": [f"public.{table}"],
         "plugin": plugin, "poll_interval": "200ms"}))
    lake.tarn("dataset", "create", dataset, "--source", f"{table}_db", "--zone", "raw", "--owner", "eng")
    out = lake.tarn("stream", f"raw.{dataset}", "--register-schema").stdout
    check("change-event schema version 1" in out, f"--register-schema: {out}")
    lake.set_spec(dataset, table, work)

    load = Workload(dsn, table, seed=7)
    stream = Stream(lake, dataset, work)
    stream.start()
    # The snapshot of the rows already there lands first (a kill before it would only make the
    # next start snapshot again).
    deadline = time.time() + 30
    while not json.loads(lake.tarn("--json", "partitions", f"raw.{dataset}").stdout):
        check(time.time() < deadline, f"the snapshot did not land\n{stream.log()}")
        time.sleep(0.1)
    raw_dir = os.path.join(lake.root, "raw", dataset)
    for kill in range(kills):
        # Changes while the stream runs, a SIGKILL among them (at a random moment, or right
        # after a batch lands), more changes while it is down, then a restart.
        if kill % 2 == 1:
            killer = threading.Thread(target=kill_after_next_landing, args=(stream, raw_dir))
        else:
            killer = threading.Timer(load.rng.uniform(0.5, 3.0), stream.kill)
        killer.start()
        load.burst(60, 0.04)
        killer.join()
        load.burst(10, 0)
        stream.start()
    load.burst(30, 0.02)
    curated = (f"SELECT id, customer, CAST(amount AS VARCHAR) AS amount, status, "
               f"epoch_us(updated_at) AS updated_us FROM curated.{table} ORDER BY id")
    wait_equal(lake, curated, load.rows(), f"PostgreSQL CDC through {plugin}", stream)
    stream.stop()

    # Exactly once in raw: no change landed twice (a change is its LSN, op and key).
    events, promoted = raw_events(lake, dataset)
    check(promoted, "every landed partition was promoted")
    seen = set()
    for e in events:
        key = (e["source"]["lsn"], e["op"], (e["before"] or {}).get("id"), (e["after"] or {}).get("id"))
        check(key not in seen, f"a change landed twice: {e}")
        seen.add(key)
    check(sum(e["op"] == "r" for e in events) == 200, "the snapshot: the 200 rows there before the stream")
    check({e["op"] for e in events} == {"r", "c", "u", "d"}, f"ops: {set(e['op'] for e in events)}")
    check(unread_changes(dsn, slot, plugin, table) == 0, "the slot was advanced past every landed change")
    status = json.load(open(os.path.join(work, f"{dataset}-status.json")))
    check(status["last_error"] == "" and status["partitions_quarantined"] == 0, f"status: {status}")
    print(f"postgres ({plugin}): {len(load.rows())} rows mirrored, {len(events)} change events, {kills} kills")


def test_postgres(work):
    # Deletes carry the whole old row under FULL, the key alone under DEFAULT.
    pg_dir, dsn = start_postgres({"orders": "FULL", "invoices": "DEFAULT"})
    try:
        lake = Lake(os.path.join(work, "lake"), dict(os.environ, PG_DSN=dsn))
        mirror_postgres(lake, dsn, work, "orders", "pgoutput", kills=3)
        mirror_postgres(lake, dsn, work, "invoices", "wal2json", kills=2)
    finally:
        subprocess.run([os.path.join(SOURCE_DIR, "scripts", "pg-tmp.sh"), "stop", pg_dir], capture_output=True)


# ---------------------------------------------------------------------------------------------
# (b) Debezium events from Kafka

DEBEZIUM_SCHEMA = {"type": "record", "name": "Envelope", "namespace": "dbserver.public.orders", "fields": [
    {"name": "op", "type": "string"},
    {"name": "before", "type": ["null", {"type": "record", "name": "Value", "fields": [
        {"name": "id", "type": "int"},
        {"name": "customer", "type": ["null", "string"], "default": None},
        {"name": "amount", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 12,
                                             "scale": 2}], "default": None},
        {"name": "status", "type": ["null", "string"], "default": None},
        {"name": "updated_at", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}],
         "default": None}]}], "default": None},
    {"name": "after", "type": ["null", "Value"], "default": None},
    {"name": "source", "type": {"type": "record", "name": "Source", "fields": [
        {"name": "lsn", "type": ["null", "long"], "default": None},
        {"name": "ts_ms", "type": "long"},
        {"name": "table", "type": "string"}]}},
    {"name": "ts_ms", "type": ["null", "long"], "default": None}]}

CURATED_DBZ = ("SELECT id, customer, CAST(amount AS VARCHAR) AS amount, status, epoch_us(updated_at) AS updated_us "
               "FROM curated.dbz_orders ORDER BY id")


def debezium_events(seed, n):
    """Change events of a simulated table, and the table they leave."""
    rng = random.Random(seed)
    table, lsn, out = {}, 5000, []
    for i in range(n):
        lsn += rng.randrange(40, 400)
        ts = 1709251200000 + i * 1000
        key = rng.randrange(1, 60)
        row = {"id": key, "customer": f"cust{key}", "amount": f"{rng.randrange(100, 99999) / 100:.2f}",
               "status": rng.choice(["new", "paid", "shipped"]), "updated_at": ts * 1000}
        source = {"version": "2.5.0.Final", "connector": "postgresql", "name": "dbserver", "ts_ms": ts,
                  "db": "shop", "schema": "public", "table": "orders", "lsn": lsn, "txId": 700 + i}
        if key in table and rng.random() < 0.3:
            out.append((key, {"before": table.pop(key), "after": None, "source": source, "op": "d",
                              "ts_ms": ts + 5, "transaction": None}))
            out.append((key, None))  # the tombstone Debezium sends after a delete
        elif key in table:
            out.append((key, {"before": table[key], "after": row, "source": source, "op": "u", "ts_ms": ts + 5}))
            table[key] = row
        else:
            op = "r" if i < 20 else "c"
            out.append((key, {"before": None, "after": row, "source": source, "op": op, "ts_ms": ts + 5}))
            table[key] = row
    expected = [{"id": r["id"], "customer": r["customer"], "amount": r["amount"], "status": r["status"],
                 "updated_us": r["updated_at"]} for _, r in sorted(table.items())]
    return out, expected


def produce(bootstrap, topic, events):
    lines = "".join(f"{key}\t{json.dumps(value) if value else ''}\n" for key, value in events)
    out = subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", topic, "-K", "\t", "-Z"], input=lines,
                         capture_output=True, text=True)
    check(out.returncode == 0, f"kcat: {out.stderr}")


def test_kafka(work):
    broker = subprocess.Popen([MOCK_KAFKA, "--topic", "dbz:2"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        bootstrap = broker.stdout.readline().strip().split("=", 1)[1]
        lake = Lake(os.path.join(work, "lake-kafka"), dict(os.environ))
        lake.tarn("source", "add", "dbz", "--type", "cdc", "--owner", "eng", "--config", json.dumps(
            {"connector": "kafka", "bootstrap": bootstrap, "topic": "dbz", "group": "tarn-dbz",
             "properties": {"session.timeout.ms": "6000"}}))
        lake.tarn("dataset", "create", "dbz_raw", "--source", "dbz", "--zone", "raw", "--owner", "eng")
        schema = os.path.join(work, "debezium.avsc")
        with open(schema, "w") as f:
            json.dump(DEBEZIUM_SCHEMA, f)
        lake.tarn("schema", "register", "raw.dbz_raw", schema)
        lake.set_spec("dbz_raw", "dbz_orders", work)

        events, expected = debezium_events(seed=11, n=600)
        produce(bootstrap, "dbz", events[:300])
        stream = Stream(lake, "dbz_raw", work)
        stream.start()
        kill_after_next_landing(stream, os.path.join(lake.root, "raw", "dbz_raw"))
        produce(bootstrap, "dbz", events[300:])
        stream.start()
        wait_equal(lake, CURATED_DBZ, expected, "Debezium from Kafka", stream)
        stream.stop()
        status = json.load(open(os.path.join(work, "dbz_raw-status.json")))
        check(status["rejected"] == 0 and status["last_error"] == "", f"status: {status}")
        print(f"kafka: {len(expected)} rows from {len(events)} Debezium messages, 1 kill")
    finally:
        broker.stdin.close()
        broker.wait(timeout=30)


def main():
    with tempfile.TemporaryDirectory() as work:
        test_postgres(work)
        test_kafka(work)
    print("cdc e2e: ok")


if __name__ == "__main__":
    main()
