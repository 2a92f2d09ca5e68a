#include "tarn/iceberg/scan_filter.h"

#include <gtest/gtest.h>

#include <cmath>

#include "schema/schema_test_util.h"

namespace tarn::iceberg {
namespace {

using schema::TypeId;
using schema::testing::F;
using schema::testing::Prim;

schema::Schema TestSchema() {
  auto dec = std::make_shared<schema::Type>();
  dec->id = TypeId::kDecimal;
  dec->precision = 10;
  dec->scale = 2;
  auto address = std::make_shared<schema::Type>();
  address->id = TypeId::kStruct;
  address->fields = {F(7, "zip", false, Prim(TypeId::kString))};
  auto tags = std::make_shared<schema::Type>();
  tags->id = TypeId::kList;
  tags->element = F(9, "element", false, Prim(TypeId::kString));
  return schema::Schema::Make(
             {F(1, "id", true, Prim(TypeId::kLong)), F(2, "n", false, Prim(TypeId::kInt)),
              F(3, "ts", false, Prim(TypeId::kTimestampTz)), F(4, "price", false, dec),
              F(5, "x", false, Prim(TypeId::kDouble)), F(6, "address", false, address),
              F(8, "tags", false, tags), F(10, "name", false, Prim(TypeId::kString))})
      .value();
}

Predicate P(std::string col, Op op, std::vector<Literal> values = {}) {
  return Predicate{std::move(col), 0, op, std::move(values)};
}

TEST(BindFilterTest, ResolvesNamesToIdsAndWidensLiterals) {
  auto bound = BindFilter(
      {P("id", Op::kEq, {Literal::Int(7)}), P("n", Op::kIn, {Literal::Long(1), Literal::Long(2)}),
       P("ts", Op::kGtEq, {Literal::Date(1)}), P("price", Op::kLt, {Literal::Int(12)}),
       P("x", Op::kGt, {Literal::Float(1.5f)}), P("address.zip", Op::kIsNull)},
      TestSchema());
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  ASSERT_EQ(bound->size(), 6u);
  EXPECT_EQ((*bound)[0].pred.field_id, 1);
  EXPECT_EQ((*bound)[0].pred.values[0], Literal::Long(7));
  EXPECT_EQ((*bound)[1].pred.values[1], Literal::Int(2));
  EXPECT_EQ((*bound)[2].pred.values[0], Literal::TimestampTz(86'400'000'000LL));
  EXPECT_EQ((*bound)[3].pred.values[0], Literal::Decimal("12.00", 10, 2).value());
  EXPECT_EQ((*bound)[4].pred.values[0], Literal::Double(1.5));
  EXPECT_EQ((*bound)[5].pred.field_id, 7);
  EXPECT_EQ((*bound)[5].type.id, TypeId::kString);
}

TEST(BindFilterTest, BindsByFieldIdWhenNameIsEmpty) {
  Predicate p{"", 10, Op::kEq, {Literal::String("a")}};
  auto bound = BindFilter({p}, TestSchema());
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  EXPECT_EQ((*bound)[0].pred.column, "name");
}

TEST(BindFilterTest, RejectsUnknownColumnsWrongTypesAndArity) {
  struct Case {
    Predicate p;
    std::string needle;
  };
  std::vector<Case> cases = {
      {P("nope", Op::kEq, {Literal::Long(1)}), "nope"},
      {P("id", Op::kEq, {Literal::String("1")}), "id"},
      {P("n", Op::kEq, {Literal::Long(1LL << 40)}), "n"},
      {P("x", Op::kEq, {Literal::Long((1LL << 60) + 1)}), "x"},
      {P("ts", Op::kEq, {Literal::Timestamp(0)}), "ts"},
      {P("id", Op::kEq, {Literal::Null(PrimitiveType{TypeId::kLong})}), "IS NULL"},
      {P("id", Op::kEq, {}), "id"},
      {P("id", Op::kIsNull, {Literal::Long(1)}), "id"},
      {P("address", Op::kIsNull), "address"},
      {P("tags.element", Op::kEq, {Literal::String("a")}), "tags.element"},
      {P("price", Op::kEq, {Literal::Decimal("1.234", 10, 3).value()}), "price"},
  };
  for (const Case& c : cases) {
    auto bound = BindFilter({c.p}, TestSchema());
    ASSERT_FALSE(bound.ok()) << c.p.ToString();
    EXPECT_EQ(bound.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(bound.status().message().find(c.needle), std::string::npos)
        << bound.status().message();
  }
}

struct Range {
  std::optional<Literal> lo, hi;
  bool nulls = false, values = true;
  ValueSummary Summary() const {
    ValueSummary s;
    s.lower = lo ? &*lo : nullptr;
    s.upper = hi ? &*hi : nullptr;
    s.may_have_nulls = nulls;
    s.may_have_values = values;
    return s;
  }
};

bool Match(Op op, std::vector<Literal> values, const Range& r) {
  return MightMatch(Predicate{"c", 1, op, std::move(values)}, r.Summary());
}

TEST(MightMatchTest, ComparisonsAgainstInclusiveBounds) {
  Range r{Literal::Long(10), Literal::Long(20)};
  auto L = [](int64_t v) { return std::vector<Literal>{Literal::Long(v)}; };
  EXPECT_FALSE(Match(Op::kEq, L(9), r));
  EXPECT_TRUE(Match(Op::kEq, L(10), r));
  EXPECT_TRUE(Match(Op::kEq, L(20), r));
  EXPECT_FALSE(Match(Op::kEq, L(21), r));
  EXPECT_FALSE(Match(Op::kLt, L(10), r));
  EXPECT_TRUE(Match(Op::kLt, L(11), r));
  EXPECT_FALSE(Match(Op::kLtEq, L(9), r));
  EXPECT_TRUE(Match(Op::kLtEq, L(10), r));
  EXPECT_FALSE(Match(Op::kGt, L(20), r));
  EXPECT_TRUE(Match(Op::kGt, L(19), r));
  EXPECT_FALSE(Match(Op::kGtEq, L(21), r));
  EXPECT_TRUE(Match(Op::kGtEq, L(20), r));
  EXPECT_FALSE(Match(Op::kIn, {Literal::Long(1), Literal::Long(30)}, r));
  EXPECT_TRUE(Match(Op::kIn, {Literal::Long(1), Literal::Long(15)}, r));
  // Unknown bounds never prune.
  EXPECT_TRUE(Match(Op::kEq, L(99), Range{}));
  EXPECT_TRUE(Match(Op::kGt, L(99), Range{Literal::Long(0), std::nullopt}));
}

TEST(MightMatchTest, NullTests) {
  EXPECT_FALSE(Match(Op::kIsNull, {}, Range{std::nullopt, std::nullopt, false, true}));
  EXPECT_TRUE(Match(Op::kIsNull, {}, Range{std::nullopt, std::nullopt, true, true}));
  Range all_null{std::nullopt, std::nullopt, true, false};
  EXPECT_FALSE(Match(Op::kNotNull, {}, all_null));
  EXPECT_FALSE(Match(Op::kEq, {Literal::Long(1)}, all_null));
  EXPECT_TRUE(Match(Op::kNotNull, {}, Range{}));
}

TEST(MightMatchTest, ComparesDaysAcrossIntAndDateAndFloatsNumerically) {
  Range days{Literal::Int(100), Literal::Int(100)};
  EXPECT_TRUE(Match(Op::kEq, {Literal::Date(100)}, days));
  EXPECT_FALSE(Match(Op::kEq, {Literal::Date(101)}, days));
  // -0.0 = 0.0 in SQL, though -0.0 sorts first in Iceberg's order.
  Range zero{Literal::Double(-0.0), Literal::Double(-0.0)};
  EXPECT_TRUE(Match(Op::kEq, {Literal::Double(0.0)}, zero));
  // NaN literals cannot prune.
  EXPECT_TRUE(Match(Op::kGt, {Literal::Double(std::nan(""))}, zero));
}

TEST(MightMatchTest, TruncatedStringBoundsStillBound) {
  Range r{Literal::String("abc"), Literal::String("abd")};
  EXPECT_TRUE(Match(Op::kEq, {Literal::String("abcxyz")}, r));
  EXPECT_FALSE(Match(Op::kEq, {Literal::String("abe")}, r));
  EXPECT_FALSE(Match(Op::kLt, {Literal::String("ab")}, r));
}

TEST(DecodeBoundTest, WidensBoundsWrittenBeforeATypePromotion) {
  PrimitiveType long_type{TypeId::kLong};
  EXPECT_EQ(DecodeBound(long_type, ToBinary(Literal::Long(5))), Literal::Long(5));
  EXPECT_EQ(DecodeBound(long_type, ToBinary(Literal::Int(-5))), Literal::Long(-5));
  EXPECT_EQ(DecodeBound(PrimitiveType{TypeId::kDouble}, ToBinary(Literal::Float(1.5f))),
            Literal::Double(1.5));
  EXPECT_EQ(DecodeBound(long_type, "abc"), std::nullopt);
}

}  // namespace
}  // namespace tarn::iceberg
