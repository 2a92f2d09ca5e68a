#include "tarn/ingest/postgres_source.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <nlohmann/json.hpp>
#include <set>

#include "support/temp_postgres.h"

namespace tarn::ingest {
namespace {

using format::SourceRecord;

// A database of its own per test, with a session for setting it up.
class PostgresSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::TempPostgres::Shared().NewDatabaseUrl();
    conn_ = PQconnectdb(url_.c_str());
    ASSERT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
    // The source must read timestamps in UTC whatever the database's own setting.
    std::string db = url_.substr(url_.rfind('/') + 1);
    Sql("ALTER DATABASE " + db + " SET timezone = 'America/New_York'");
  }
  void TearDown() override { PQfinish(conn_); }

  void Sql(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    ExecStatusType st = PQresultStatus(res);
    EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        << sql << ": " << PQresultErrorMessage(res);
    PQclear(res);
  }

  PostgresSourceOptions Options() {
    PostgresSourceOptions o;
    o.dsn = url_;
    o.source_name = "orders";
    return o;
  }

  static std::vector<SourceRecord> ReadAll(PostgresSource& source, size_t max_records = 100) {
    std::vector<SourceRecord> out;
    for (int calls = 0; calls < 100000; ++calls) {
      auto more = source.Next(&out, max_records);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
    }
    return out;
  }

  std::string url_;
  PGconn* conn_ = nullptr;
};

TEST_F(PostgresSourceTest, ReadsManyTypesAsJson) {
  Sql(R"sql(
    CREATE TABLE things (
      id int4 PRIMARY KEY, small int2, big int8, flag bool, ratio float8, r4 float4,
      price numeric(20,6), huge numeric, name text, note varchar(20), doc jsonb, raw json,
      created timestamptz, local_ts timestamp, day date, uid uuid, tags text[], blob bytea,
      nothing text, weird float8, "Mixed Case" text);
    INSERT INTO things VALUES (
      1, 2, 9007199254740993, true, 0.1, 1.5, 12345678901234.123456,
      123456789012345678901234567890.5, E'a "quoted"\nline\\', 'x',
      '{"b": {"c": "d e"}, "a": [1, 2]}', E'{ "x" :\n 1 }', '2024-01-15 03:00:00.123+00',
      '2024-01-15 03:00:00', '2024-01-15', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{a,b}',
      '\xdeadbeef', NULL, 'NaN', 'é');
    INSERT INTO things (id, flag) VALUES (2, false);
  )sql");
  PostgresSourceOptions o = Options();
  o.table = "public.things";
  auto source = PostgresSource::Open(o);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->value_mode(), format::ValueMode::kTyped);
  EXPECT_EQ((*source)->EndCursor(), std::nullopt);
  EXPECT_EQ((*source)->WindowDescription(), "public.things: all rows");
  std::vector<SourceRecord> rows = ReadAll(**source);
  ASSERT_EQ(rows.size(), 2u);
  std::set<std::string> got;
  for (const SourceRecord& r : rows) got.insert(r.json);
  const std::string first =
      R"({"id":1,"small":2,"big":9007199254740993,"flag":true,"ratio":0.1,"r4":1.5,)"
      R"("price":12345678901234.123456,"huge":123456789012345678901234567890.5,)"
      R"("name":"a \"quoted\"\nline\\","note":"x","doc":{"a":[1,2],"b":{"c":"d e"}},)"
      R"("raw":{"x":1},"created":"2024-01-15T03:00:00.123+00","local_ts":"2024-01-15T03:00:00",)"
      R"("day":"2024-01-15","uid":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","tags":"{a,b}",)"
      R"("blob":"\\xdeadbeef","nothing":null,"weird":"NaN","Mixed Case":"é"})";
  EXPECT_EQ(got.count(first), 1u) << rows[0].json << "\n" << rows[1].json;
  for (const SourceRecord& r : rows) {
    EXPECT_EQ(r.payload, r.json);
    EXPECT_FALSE(nlohmann::json::parse(r.json, nullptr, false).is_discarded()) << r.json;
    EXPECT_TRUE(r.position == "public.things row 1" || r.position == "public.things row 2")
        << r.position;
  }
  EXPECT_GT((*source)->bytes_read(), 100);
  EXPECT_EQ((*source)->columns().back(), "Mixed Case");
}

TEST_F(PostgresSourceTest, IncrementalWindows) {
  Sql("CREATE TABLE events (id serial PRIMARY KEY, updated_at timestamptz, v text)");
  Sql("INSERT INTO events (updated_at, v) SELECT '2024-01-01 00:00:00+00'::timestamptz + "
      "(i || ' days')::interval, 'v' || i FROM generate_series(0, 4) AS i");
  Sql("INSERT INTO events (updated_at, v) VALUES (NULL, 'no cursor')");
  PostgresSourceOptions o = Options();
  o.table = "events";
  o.cursor_column = "updated_at";

  auto first = PostgresSource::Open(o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // Rows committed after the window is fixed belong to the next run.
  Sql("INSERT INTO events (updated_at, v) VALUES ('2024-01-06 00:00:00+00', 'late')");
  std::vector<SourceRecord> rows = ReadAll(**first, 2);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].position, "events updated_at=2024-01-01 00:00:00+00");
  EXPECT_EQ(rows[4].position, "events updated_at=2024-01-05 00:00:00+00");
  EXPECT_NE(rows[4].json.find(R"("updated_at":"2024-01-05T00:00:00+00")"), std::string::npos);
  ASSERT_TRUE((*first)->EndCursor().has_value());
  EXPECT_EQ(*(*first)->EndCursor(), "2024-01-05 00:00:00+00");
  EXPECT_EQ((*first)->WindowDescription(), "events: updated_at in (start, 2024-01-05 00:00:00+00]");

  Sql("INSERT INTO events (updated_at, v) VALUES ('2024-01-07 00:00:00+00', 'a'), "
      "('2024-01-08 12:30:00+00', 'b')");
  o.after_cursor = (*first)->EndCursor();
  auto second = PostgresSource::Open(o);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  rows = ReadAll(**second);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[0].json.find(R"("v":"late")"), std::string::npos);
  EXPECT_NE(rows[2].json.find(R"("v":"b")"), std::string::npos);
  EXPECT_EQ(*(*second)->EndCursor(), "2024-01-08 12:30:00+00");
  EXPECT_EQ((*second)->WindowDescription(),
            "events: updated_at in (2024-01-05 00:00:00+00, 2024-01-08 12:30:00+00]");
  EXPECT_NE((*first)->WindowKey(), (*second)->WindowKey());
  EXPECT_TRUE((*second)->WindowKey().starts_with("orders-"));
  EXPECT_EQ((*second)->WindowKey().size(), std::string("orders-").size() + 12);

  // The same window again: the same key, the same rows.
  auto again = PostgresSource::Open(o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->WindowKey(), (*second)->WindowKey());
  EXPECT_EQ(ReadAll(**again).size(), 3u);

  // Nothing new: an empty window without an end cursor.
  o.after_cursor = (*second)->EndCursor();
  auto empty = PostgresSource::Open(o);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(ReadAll(**empty).empty());
  EXPECT_EQ((*empty)->EndCursor(), std::nullopt);

  // A cursor value PostgreSQL cannot read as the column's type.
  o.after_cursor = "not a time";
  auto bad = PostgresSource::Open(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument) << bad.status().ToString();
}

TEST_F(PostgresSourceTest, QuerySource) {
  Sql("CREATE SCHEMA shop; CREATE TABLE shop.orders (id int8 PRIMARY KEY, amount numeric)");
  Sql("INSERT INTO shop.orders SELECT i, i * 1.25 FROM generate_series(1, 10) AS i");
  PostgresSourceOptions o = Options();
  o.query = "SELECT id, amount, id % 2 = 0 AS even FROM shop.orders WHERE id > 3;\n";
  o.cursor_column = "id";
  o.after_cursor = "5";
  auto source = PostgresSource::Open(o);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  std::vector<SourceRecord> rows = ReadAll(**source);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].json, R"({"id":6,"amount":7.50,"even":true})");
  EXPECT_EQ(rows[0].position, "query id=6");
  EXPECT_EQ(*(*source)->EndCursor(), "10");
  EXPECT_EQ((*source)->WindowDescription(), "query: id in (5, 10]");

  o.query = "SELECT nope FROM shop.orders";
  auto bad = PostgresSource::Open(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument) << bad.status().ToString();

  // The read is READ ONLY.
  Sql("CREATE SEQUENCE seq");
  o.query = "SELECT nextval('seq') AS n";
  o.cursor_column.clear();
  o.after_cursor.reset();
  auto writes = PostgresSource::Open(o);
  ASSERT_TRUE(writes.ok()) << writes.status().ToString();
  std::vector<SourceRecord> batch;
  auto read = (*writes)->Next(&batch, 10);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(read.status().message().find("read-only"), std::string::npos)
      << read.status().ToString();
  EXPECT_EQ((*writes)->Next(&batch, 10).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(PostgresSourceTest, ReadsInBatches) {
  Sql("CREATE TABLE big (id int8, payload text)");
  Sql("INSERT INTO big SELECT i, md5(i::text) FROM generate_series(1, 25500) AS i "
      "ORDER BY random()");
  PostgresSourceOptions o = Options();
  o.table = "big";
  o.cursor_column = "id";
  o.batch_rows = 1000;
  auto source = PostgresSource::Open(o);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  std::vector<SourceRecord> rows = ReadAll(**source, 700);
  ASSERT_EQ(rows.size(), 25500u);
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].position, "big id=" + std::to_string(i + 1));
  }
  EXPECT_EQ(*(*source)->EndCursor(), "25500");
  EXPECT_GT((*source)->bytes_read(), 25500 * 32);
  std::vector<SourceRecord> more;
  auto after = (*source)->Next(&more, 10);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(*after);
  EXPECT_TRUE(more.empty());
}

TEST_F(PostgresSourceTest, RejectsBadConfiguration) {
  Sql("CREATE TABLE t (id int)");
  auto code_of = [](const PostgresSourceOptions& o) {
    auto s = PostgresSource::Open(o);
    return s.ok() ? ErrorCode::kOk : s.status().code();
  };
  PostgresSourceOptions o = Options();
  o.table = "missing_table";
  EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument);
  o.table = "nope.t";
  EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument);
  o.table = "a.b.c";
  EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument);
  o.table = "t\"; DROP TABLE t; --";
  EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument);
  o.table = "t\n";
  EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument);
  o.table = "t";
  o.cursor_column = "missing_column";
  EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument);
  o.cursor_column = "id";
  o.query = "SELECT 1";
  EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument);  // both table and query
  o.table.clear();
  o.query.clear();
  EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument);  // neither
  o.query = "SELECT 1 AS a, 2 AS a";
  o.cursor_column.clear();
  EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument);  // duplicate column names
  o.query.clear();
  o.table = "t";
  EXPECT_EQ(code_of(o), ErrorCode::kOk);
  Sql("SELECT 1 FROM t");  // still there
}

TEST_F(PostgresSourceTest, UnreachableServerHidesPassword) {
  PostgresSourceOptions o = Options();
  o.table = "t";
  o.dsn = "postgresql://tarn:s3cretpw@127.0.0.1:1/postgres?connect_timeout=3";
  auto source = PostgresSource::Open(o);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(source.status().message().find("s3cretpw"), std::string::npos)
      << source.status().message();

  o.dsn = "host=127.0.0.1 port=1 password=s3cretpw garbage";
  source = PostgresSource::Open(o);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(source.status().message().find("s3cretpw"), std::string::npos)
      << source.status().message();
}

}  // namespace
}  // namespace tarn::ingest
