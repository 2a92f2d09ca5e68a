"""The PostgreSQL wire protocol end to end with real clients: `tarn serve --pg-listen` over a
lake with a curated and a serving table, driven by psql (SCRAM-SHA-256 and cleartext logins,
\\dt, \\d, \\dn, errors with SQLSTATE), psycopg2 (parameters, types, PREPARE/EXECUTE, errors,
transaction status) and the PostgreSQL JDBC driver (DatabaseMetaData, server-prepared
statements with binary transfer, Statement.cancel(), SQLSTATEs; PgwireJdbc.java). Zone grants:
a curated:read token cannot read the serving zone (42501); a wrong token is refused (28P01).

Usage: pgwire_test.py TARN_BINARY"""
import datetime
import decimal
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import psycopg2

TARN = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
JDBC_JAR = "/usr/share/java/postgresql.jar"
ADMIN = "tarn_e2e_pgwire_admin_token"


def check(cond, message):
    if not cond:
        raise SystemExit(f"FAIL: {message}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def orders():
    rows = []
    for i in range(1, 21):
        rows.append({"order_id": i, "customer": ["ann", "bob", "cy"][i % 3],
                     "amount": f"{i * 1.25:.2f}", "qty": i, "price": i / 4, "paid": i % 2 == 0,
                     "order_day": f"2024-03-{i + 1:02d}", "order_ts": f"2024-03-{i + 1:02d}T10:00:00Z",
                     "tags": ["a", "b c"] if i % 2 else []})
    return rows


ORDERS_SCHEMA = {"type": "struct", "fields": [
    {"id": 1, "name": "order_id", "required": True, "type": "long"},
    {"id": 2, "name": "customer", "required": False, "type": "string"},
    {"id": 3, "name": "amount", "required": False, "type": "decimal(10,2)"},
    {"id": 4, "name": "qty", "required": False, "type": "int"},
    {"id": 5, "name": "price", "required": False, "type": "double"},
    {"id": 6, "name": "paid", "required": False, "type": "boolean"},
    {"id": 7, "name": "order_day", "required": False, "type": "date"},
    {"id": 8, "name": "order_ts", "required": False, "type": "timestamptz"},
    {"id": 9, "name": "tags", "required": False,
     "type": {"type": "list", "element-id": 10, "element": "string", "element-required": False}}]}

REVENUE_SCHEMA = {"type": "struct", "fields": [
    {"id": 1, "name": "customer", "required": False, "type": "string"},
    {"id": 2, "name": "total", "required": False, "type": "double"}]}


class Server:
    """tarn serve with the PostgreSQL listener on a free port."""

    def __init__(self, lake, auth, log):
        self.http, self.pg = free_port(), free_port()
        env = dict(os.environ, TARN_ADMIN_TOKEN=ADMIN, TARN_PG_TRACE="1")
        self.log = log
        self.proc = subprocess.Popen(
            [TARN, "serve", "--lake", lake, "--listen", f"127.0.0.1:{self.http}",
             "--pg-listen", f"127.0.0.1:{self.pg}", "--pg-auth", auth],
            env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.http}/health", timeout=1)
                socket.create_connection(("127.0.0.1", self.pg), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit("FAIL: tarn serve exited:\n" + open(log).read())
                time.sleep(0.1)
        raise SystemExit("FAIL: tarn serve did not start")

    def stop(self):
        self.proc.terminate()
        rc = self.proc.wait(timeout=30)
        check(rc == 0, f"tarn serve exits cleanly on SIGTERM (exit {rc}):\n" +
              open(self.log).read()[-3000:])


def psql(port, password, *args, ok=True):
    env = dict(os.environ, PGPASSWORD=password, PGCONNECT_TIMEOUT="10")
    out = subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", str(port), "-U", "analyst",
                          "-d", "lake", "-v", "VERBOSITY=verbose", *args],
                         env=env, capture_output=True, text=True, timeout=60)
    if ok:
        check(out.returncode == 0, f"psql {args}: {out.stderr}")
    return out


def check_psql(port, token, curated_token):
    out = psql(port, token, "-A", "-t", "-c", "SELECT count(*), sum(qty) FROM curated.orders")
    check(out.stdout.strip() == "20|210", f"count over psql: {out.stdout!r}")
    dt = psql(port, token, "-c", "\\dt").stdout
    check("curated | orders" in dt and "serving | revenue" in dt and "table" in dt, f"\\dt:\n{dt}")
    d = psql(port, token, "-c", "\\d curated.orders").stdout
    for column, type_name in [("order_id", "bigint"), ("amount", "numeric(10,2)"),
                              ("order_ts", "timestamp with time zone"), ("tags", "text[]"),
                              ("paid", "boolean"), ("order_day", "date")]:
        check(any(column in line and type_name in line for line in d.splitlines()),
              f"\\d curated.orders shows {column} as {type_name}:\n{d}")
    fetched = psql(port, token, "-v", "FETCH_COUNT=6", "-A", "-t", "-c",
                   "SELECT order_id FROM curated.orders ORDER BY order_id").stdout.split()
    check(fetched == [str(i) for i in range(1, 21)], f"psql FETCH_COUNT (a cursor): {fetched}")
    dn = psql(port, token, "-c", "\\dn").stdout
    check("curated" in dn and "serving" in dn, f"\\dn:\n{dn}")
    dl = psql(port, token, "-c", "\\l").stdout
    check("lake" in dl and "UTF8" in dl, f"\\l:\n{dl}")
    values = psql(port, token, "-A", "-t", "-c",
                  "SELECT paid, tags, amount, order_ts FROM curated.orders WHERE order_id = 1").stdout
    check(values.strip() == 'f|{a,"b c"}|1.25|2024-03-02 10:00:00+00', f"text forms: {values!r}")
    err = psql(port, token, "-c", "SELECT * FROM curated.nope", ok=False)
    check(err.returncode != 0 and "42P01" in err.stderr, f"unknown table: {err.stderr}")
    err = psql(port, curated_token, "-c", "SELECT * FROM serving.revenue", ok=False)
    check(err.returncode != 0 and "42501" in err.stderr, f"curated token on serving: {err.stderr}")
    err = psql(port, "tarn_wrong_token", "-c", "SELECT 1", ok=False)
    check(err.returncode == 2 and "password authentication failed" in err.stderr,
          f"wrong token: {err.stderr}")
    # The sandbox, seen through the wire: files, writes, attaching, settings.
    for sql in ["SELECT * FROM read_csv('/etc/passwd')",
                "COPY (SELECT 1) TO '/tmp/tarn-pgwire-e2e.csv'",
                "ATTACH '/tmp/tarn-pgwire-e2e.db' AS other",
                "SET memory_limit = '100GB'",
                "SET enable_external_access = true",
                "CREATE TABLE curated.x (a INT)"]:
        err = psql(port, token, "-c", sql, ok=False)
        check(err.returncode != 0 and "42501" in err.stderr, f"{sql} is refused (42501): {err.stderr}")
    check(not os.path.exists("/tmp/tarn-pgwire-e2e.csv"), "COPY wrote nothing")
    # Many statements in one message; the first error skips the rest.
    out = psql(port, token, "-A", "-t", "-c",
               "SET application_name = 'e2e'; SHOW application_name; BEGIN; "
               "SELECT count(*) FROM serving.revenue; COMMIT", ok=True)
    check(out.stdout.split() == ["SET", "e2e", "BEGIN", "2", "COMMIT"],
          f"session statements: {out.stdout!r}")


def check_psycopg2(port, token, curated_token):
    conn = psycopg2.connect(host="127.0.0.1", port=port, user="analyst", dbname="lake",
                            password=token, application_name="e2e-psycopg2")
    cur = conn.cursor()
    cur.execute("SELECT order_id, customer, amount, qty, price, paid, order_day, order_ts, tags "
                "FROM curated.orders WHERE customer = %s AND amount > %s ORDER BY order_id",
                ("ann", decimal.Decimal("5")))
    rows = cur.fetchall()
    check([r[0] for r in rows] == [6, 9, 12, 15, 18], f"psycopg2 rows: {rows}")
    first = rows[0]
    check(first[2] == decimal.Decimal("7.50") and first[3] == 6 and first[4] == 1.5 and
          first[5] is True and first[6] == datetime.date(2024, 3, 7) and
          first[7] == datetime.datetime(2024, 3, 7, 10, tzinfo=datetime.timezone.utc) and
          first[8] == [], f"psycopg2 typed values: {first}")
    check([d.type_code for d in cur.description] == [20, 25, 1700, 23, 701, 16, 1082, 1184, 1009],
          f"type OIDs: {[d.type_code for d in cur.description]}")
    cur.execute("PREPARE by_customer (text) AS "
                "SELECT count(*) FROM curated.orders WHERE customer = $1")
    for name, expected in [("ann", 6), ("bob", 7), ("cy", 7)]:
        cur.execute("EXECUTE by_customer (%s)", (name,))
        check(cur.fetchone()[0] == expected, f"EXECUTE by_customer({name})")
    cur.execute("DEALLOCATE by_customer")
    try:
        cur.execute("SELECT * FROM curated.orders WHERE nosuchcol = 1")
        check(False, "unknown column fails")
    except psycopg2.Error as e:
        check(e.pgcode == "42703", f"unknown column is 42703: {e.pgcode} {e}")
    check(conn.get_transaction_status() == 3, "a failed statement aborts psycopg2's transaction")
    conn.rollback()
    cur.execute("SELECT total FROM serving.revenue ORDER BY customer")
    check(cur.fetchall() == [(10.5,), (3.0,)], "serving table over psycopg2")
    conn.rollback()
    # A named (server-side) cursor: DECLARE, then FETCH FORWARD itersize at a time.
    with conn.cursor(name="bulk") as named:
        named.itersize = 7
        named.execute("SELECT order_id FROM curated.orders ORDER BY order_id")
        ids = [r[0] for r in named]
    check(ids == list(range(1, 21)), f"named cursor rows: {ids}")
    conn.close()

    conn = psycopg2.connect(host="127.0.0.1", port=port, user="bi", dbname="lake",
                            password=curated_token)
    cur = conn.cursor()
    try:
        cur.execute("SELECT * FROM serving.revenue")
        check(False, "a curated:read token cannot read serving")
    except psycopg2.Error as e:
        check(e.pgcode == "42501", f"serving with a curated token is 42501: {e.pgcode} {e}")
    conn.close()
    try:
        psycopg2.connect(host="127.0.0.1", port=port, user="x", dbname="lake", password="nope")
        check(False, "a wrong token is refused")
    except psycopg2.OperationalError as e:
        check("password authentication failed" in str(e), f"wrong token: {e}")


def check_jdbc(port, token, curated_token, log):
    expected = sum(1 for r in orders()
                   if r["order_ts"] >= "2024-03-05" and decimal.Decimal(r["amount"]) > 5 and
                   r["paid"] and r["order_day"] <= "2024-03-20" and r["price"] < 4.5 and
                   r["order_id"] != 10)
    out = subprocess.run(["java", "-cp", JDBC_JAR, os.path.join(HERE, "pgwire", "PgwireJdbc.java"),
                          str(port), token, curated_token, str(expected)],
                         capture_output=True, text=True, timeout=240)
    check(out.returncode == 0, f"JDBC checks:\n{out.stdout}\n{out.stderr}")
    trace = open(log).read()
    check("bind [S_1]: binary formats" in trace and " result column(s)" in trace,
          "JDBC switched to a server-prepared statement with binary results")


def main():
    with tempfile.TemporaryDirectory(prefix="tarn-pgwire-") as work:
        lake = os.path.join(work, "lake")
        env = dict(os.environ, TARN_ADMIN_TOKEN=ADMIN)

        def tarn(*args):
            out = subprocess.run([TARN, "--lake", lake, *args], capture_output=True, text=True,
                                 env=env, timeout=120)
            check(out.returncode == 0, f"tarn {' '.join(args)}: {out.stderr}")
            return out.stdout

        def write(name, text):
            path = os.path.join(work, name)
            with open(path, "w") as f:
                f.write(text)
            return path

        tarn("table", "create", "curated.orders", "--schema",
             write("orders.json", json.dumps(ORDERS_SCHEMA)), "--partition-by", "day(order_ts)")
        tarn("table", "load", "curated.orders",
             write("orders.jsonl", "".join(json.dumps(r) + "\n" for r in orders())))
        tarn("table", "create", "serving.revenue", "--schema",
             write("revenue.json", json.dumps(REVENUE_SCHEMA)))
        tarn("table", "load", "serving.revenue",
             write("revenue.jsonl", '{"customer":"ann","total":10.5}\n{"customer":"bob","total":3}\n'))
        curated_token = tarn("token", "create", "bi", "--grants", "curated:read").strip().splitlines()[-1]

        scram = Server(lake, "scram", os.path.join(work, "scram.log"))
        try:
            check_psql(scram.pg, ADMIN, curated_token)
            check_psycopg2(scram.pg, ADMIN, curated_token)
            check_jdbc(scram.pg, ADMIN, curated_token, scram.log)
        finally:
            scram.stop()

        cleartext = Server(lake, "password", os.path.join(work, "password.log"))
        try:
            out = psql(cleartext.pg, curated_token, "-A", "-t", "-c", "SELECT count(*) FROM curated.orders")
            check(out.stdout.strip() == "20", "cleartext login with a curated token")
            err = psql(cleartext.pg, "tarn_wrong_token", "-c", "SELECT 1", ok=False)
            check("password authentication failed" in err.stderr, f"cleartext wrong token: {err.stderr}")
        finally:
            cleartext.stop()
    print("pgwire e2e: ok")


if __name__ == "__main__":
    main()
