// Catalog-query rewrites, checked by running the rewritten SQL on DuckDB: the rewrite must
// bind, and answer what PostgreSQL would (OIDs, type names, regex semantics, identities).
#include "tarn/pgwire/catalog_compat.h"

#include <gtest/gtest.h>

#include "tarn/engine/duckdb_engine.h"
#include "tarn/pgwire/types.h"

namespace tarn::pgwire {
namespace {

class CatalogCompatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::DuckDb::Open();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ASSERT_TRUE(db_->Exec("CREATE SCHEMA curated").ok());
    ASSERT_TRUE(db_->Exec("CREATE TABLE curated.events (id INTEGER, amount DECIMAL(12,2), "
                          "tags VARCHAR[], ids BIGINT[], payload STRUCT(x INTEGER), "
                          "ts TIMESTAMP WITH TIME ZONE, day DATE, ok BOOLEAN, score DOUBLE, "
                          "raw BLOB, big HUGEINT, nested INTEGER[][], tiny TINYINT, "
                          "u UUID, iv INTERVAL, t TIME, f FLOAT, name VARCHAR)")
                    .ok());
  }

  // Rows of the rewritten query, every column cast to text by the caller's SQL.
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    std::string rewritten = RewriteCatalogQuery(sql, context_);
    std::vector<std::vector<std::string>> rows;
    Status st = db_->Query(rewritten, {}, [&](const engine::Row& r) {
      std::vector<std::string> row;
      for (const auto& v : r) row.push_back(v.value_or("NULL"));
      rows.push_back(row);
      return Status::OK();
    });
    EXPECT_TRUE(st.ok()) << st.ToString() << "\nrewritten: " << rewritten;
    return rows;
  }

  std::string One(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.size() == 1 && rows[0].size() == 1 ? rows[0][0] : "<not one value>";
  }

  CompatContext context_{"analyst", "lake", 4242};
  std::unique_ptr<engine::DuckDb> db_;
};

TEST_F(CatalogCompatTest, OrdinaryQueriesAreUntouched) {
  std::string sql = "SELECT country, count(*) FROM curated.events WHERE name ~ 'x' GROUP BY 1";
  EXPECT_EQ(RewriteCatalogQuery(sql, context_), sql);
  // Inside strings nothing changes, even in catalog queries.
  std::string q = "SELECT 'pg_get_userbyid(1)' AS s FROM pg_catalog.pg_namespace LIMIT 1";
  EXPECT_NE(RewriteCatalogQuery(q, context_).find("'pg_get_userbyid(1)'"), std::string::npos);
}

TEST_F(CatalogCompatTest, RegexOperatorsMatchAnywhereAsInPostgres) {
  EXPECT_EQ(One("SELECT CAST(('pg_catalog' ~ '^pg_') AS VARCHAR) FROM pg_catalog.pg_am"), "true");
  EXPECT_EQ(One("SELECT CAST(('curated' !~ '^pg_') AS VARCHAR) FROM pg_catalog.pg_am"), "true");
  EXPECT_EQ(One("SELECT CAST(('Events' ~* 'vent') AS VARCHAR) FROM pg_catalog.pg_am"), "true");
  EXPECT_EQ(One("SELECT c.relname FROM pg_catalog.pg_class c "
                "WHERE c.relname OPERATOR(pg_catalog.~) '^(events)$' COLLATE pg_catalog.default"),
            "events");
}

TEST_F(CatalogCompatTest, AttributesCarryPostgresOidsAndFormatType) {
  auto rows = Rows(
      "SELECT a.attname, CAST(a.atttypid AS VARCHAR), CAST(a.atttypmod AS VARCHAR), "
      "pg_catalog.format_type(a.atttypid, a.atttypmod), t.typname "
      "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON a.attrelid = c.oid "
      "LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
      "WHERE c.relname = 'events' ORDER BY a.attnum");
  std::map<std::string, std::vector<std::string>> by_name;
  for (auto& r : rows) by_name[r[0]] = {r[1], r[2], r[3], r[4]};
  EXPECT_EQ(by_name["id"], (std::vector<std::string>{"23", "-1", "integer", "int4"}));
  EXPECT_EQ(by_name["amount"], (std::vector<std::string>{"1700", std::to_string((12 << 16 | 2) + 4),
                                                         "numeric(12,2)", "numeric"}));
  EXPECT_EQ(by_name["tags"], (std::vector<std::string>{"1009", "-1", "text[]", "_text"}));
  EXPECT_EQ(by_name["ids"], (std::vector<std::string>{"1016", "-1", "bigint[]", "_int8"}));
  EXPECT_EQ(by_name["payload"][0], "25");
  EXPECT_EQ(by_name["nested"][0], "25");
  EXPECT_EQ(by_name["ts"],
            (std::vector<std::string>{"1184", "-1", "timestamp with time zone", "timestamptz"}));
  EXPECT_EQ(by_name["big"][0], "1700");
  EXPECT_EQ(by_name["tiny"][0], "21");

  // The same OIDs as result columns of those types get on the wire.
  auto shape = db_->Describe("SELECT * FROM curated.events");
  ASSERT_TRUE(shape.ok());
  for (const query::Column& c : shape->columns) {
    EXPECT_EQ(std::to_string(PgTypeOf(c).oid), by_name[c.name][0]) << c.name;
  }
}

TEST_F(CatalogCompatTest, MissingFunctionsCastsAndRelations) {
  EXPECT_EQ(One("SELECT pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class c "
                "WHERE c.relname = 'events'"),
            "analyst");
  EXPECT_EQ(One("SELECT CAST(current_user AS VARCHAR) || '@' || current_database() "
                "FROM pg_catalog.pg_am"),
            "analyst@lake");
  EXPECT_EQ(One("SELECT CAST('pg_class'::regclass AS VARCHAR) FROM pg_catalog.pg_am"), "1259");
  EXPECT_EQ(One("SELECT d.datname || ' ' || pg_catalog.pg_encoding_to_char(d.encoding) || ' ' || "
                "coalesce(pg_catalog.array_to_string(d.datacl, E'\\n'), '') FROM "
                "pg_catalog.pg_database d"),
            "lake UTF8 ");
  EXPECT_EQ(One("SELECT r.rolname FROM pg_catalog.pg_roles r"), "analyst");
  EXPECT_EQ(One("SELECT CAST(count(*) AS VARCHAR) FROM pg_catalog.pg_inherits i, "
                "pg_catalog.pg_policy p, pg_catalog.pg_trigger t"),
            "0");
  EXPECT_EQ(One("SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = 11"), "pg_catalog");
  EXPECT_EQ(One("SELECT CAST(sum(s) AS VARCHAR) FROM pg_catalog.generate_series(1, "
                "pg_catalog.array_upper(ARRAY[1,2,3], 1)) s"),
            "6");
  EXPECT_EQ(One("SELECT CAST((c.oid::pg_catalog.regclass::pg_catalog.text IS NOT NULL) AS VARCHAR) "
                "FROM pg_catalog.pg_class c WHERE c.relname = 'events'"),
            "true");
  EXPECT_EQ(One("SELECT t.typname FROM pg_catalog.pg_type t WHERE "
                "t.typinput = 'pg_catalog.array_in'::regproc AND t.oid = 1007"),
            "_int4");
  EXPECT_NE(One("SELECT version()").find("PostgreSQL 15.0"), std::string::npos);
  EXPECT_EQ(One("SELECT current_setting('server_version_num')"), "150000");
  EXPECT_EQ(One("SELECT setting FROM pg_catalog.pg_settings WHERE name = 'max_index_keys'"), "32");
  EXPECT_EQ(One("SELECT CAST(sum((k).n) AS VARCHAR) FROM (SELECT "
                "information_schema._pg_expandarray(i.a) AS k FROM (SELECT ARRAY[4, 5] AS a) i) t"),
            "3");
}

}  // namespace
}  // namespace tarn::pgwire
