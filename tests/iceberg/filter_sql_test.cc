// FilterSql and LiteralSql, evaluated by DuckDB: literals of every primitive type come back as
// the values they stand for, and filters select the rows their predicates describe.
#include "tarn/engine/filter_sql.h"

#include <gtest/gtest.h>

#include "schema/schema_test_util.h"
#include "tarn/engine/duckdb_engine.h"

namespace tarn::engine {
namespace {

using iceberg::Literal;
using iceberg::Op;
using iceberg::Predicate;
using schema::TypeId;
using schema::testing::F;
using schema::testing::Prim;

class FilterSqlTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = std::move(DuckDb::Open().value()); }

  // The first column of the first row of `sql`.
  std::string One(const std::string& sql) {
    std::string out = "<none>";
    Status st = db_->Query(sql, {}, [&](const Row& r) {
      out = r[0].value_or("NULL");
      return Status::OK();
    });
    EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
    return out;
  }

  std::unique_ptr<DuckDb> db_;
};

TEST_F(FilterSqlTest, LiteralsOfEveryPrimitiveType) {
  const std::vector<std::pair<Literal, std::string>> cases = {
      {Literal::Boolean(true), "BOOLEAN true"},
      {Literal::Int(-7), "INTEGER -7"},
      {Literal::Long(int64_t{1} << 40), "BIGINT 1099511627776"},
      {Literal::Float(1.5f), "FLOAT 1.5"},
      {Literal::Double(-0.25), "DOUBLE -0.25"},
      {Literal::Double(std::numeric_limits<double>::infinity()), "DOUBLE inf"},
      {*Literal::Decimal("-12.50", 12, 2), "DECIMAL(12,2) -12.50"},
      {Literal::Date(19737), "DATE 2024-01-15"},
      {Literal::Date(-1), "DATE 1969-12-31"},
      {Literal::Time(3'723'000'001), "TIME 01:02:03.000001"},
      {Literal::Timestamp(1'705'287'845'000'001), "TIMESTAMP 2024-01-15 03:04:05.000001"},
      {Literal::TimestampTz(1'705'287'845'000'000),
       "TIMESTAMP WITH TIME ZONE 2024-01-15 03:04:05+00"},
      {Literal::String("it's \\x"), "VARCHAR it's \\x"},
      {Literal::Binary(std::string("\x01\xff'", 3)), "BLOB \\x01\\xFF\\x27"},
      {Literal::Uuid(
           std::string("\xf7\x9c\x3e\x09\x67\x7c\x4b\xbd\xa4\x79\x3f\x34\x9c\xb7\x85\xe7", 16)),
       "UUID f79c3e09-677c-4bbd-a479-3f349cb785e7"},
      {Literal::Null(iceberg::PrimitiveType{TypeId::kLong}), "BIGINT NULL"},
  };
  for (const auto& [value, expected] : cases) {
    std::string sql = LiteralSql(value);
    EXPECT_EQ(
        One("SELECT typeof(" + sql + ") || ' ' || coalesce(CAST(" + sql + " AS VARCHAR), 'NULL')"),
        expected)
        << sql;
  }
}

TEST_F(FilterSqlTest, FiltersSelectTheRowsTheyDescribe) {
  auto info = std::make_shared<schema::Type>();
  info->id = TypeId::kStruct;
  info->fields = {F(4, "score", false, Prim(TypeId::kInt))};
  schema::Schema schema = schema::Schema::Make({F(1, "id", true, Prim(TypeId::kLong)),
                                                F(2, "na\"me", false, Prim(TypeId::kString)),
                                                F(3, "info", false, info)})
                              .value();
  std::string rows =
      "SELECT i::BIGINT AS id, CASE WHEN i % 4 = 0 THEN NULL ELSE 'n' || i END AS \"na\"\"me\", "
      "{'score': CAST(i * 10 AS INTEGER)} AS info FROM range(20) t(i)";
  auto ids = [&](const iceberg::Filter& filter) {
    auto where = FilterSql(filter, schema);
    EXPECT_TRUE(where.ok()) << where.status().ToString();
    return One("SELECT coalesce(string_agg(CAST(id AS VARCHAR), ',' ORDER BY id), '') FROM (" +
               rows + ") WHERE " + (where.ok() ? *where : "FALSE"));
  };
  // Ints are converted to the column's type, as BindFilter converts them.
  EXPECT_EQ(
      ids({{"id", 0, Op::kGtEq, {Literal::Int(15)}}, {"id", 0, Op::kLt, {Literal::Long(18)}}}),
      "15,16,17");
  EXPECT_EQ(ids({{"na\"me",
                  0,
                  Op::kIn,
                  {Literal::String("n3"), Literal::String("n4"), Literal::String("n5")}}}),
            "3,5");
  EXPECT_EQ(ids({{"na\"me", 0, Op::kIsNull, {}}, {"id", 0, Op::kLtEq, {Literal::Long(8)}}}),
            "0,4,8");
  EXPECT_EQ(ids({{"info.score", 0, Op::kGt, {Literal::Int(170)}}}), "18,19");
  EXPECT_EQ(ids({{"", 4, Op::kEq, {Literal::Int(30)}}}), "3");  // by field id
  EXPECT_EQ(ids({{"na\"me", 0, Op::kNotNull, {}}, {"id", 0, Op::kLt, {Literal::Long(4)}}}),
            "1,2,3");
  EXPECT_EQ(FilterSql({}, schema).value(), "TRUE");
  EXPECT_EQ(FilterSql({{"nope", 0, Op::kEq, {Literal::Long(1)}}}, schema).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(FilterSql({{"id", 0, Op::kEq, {Literal::String("x")}}}, schema).status().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tarn::engine
