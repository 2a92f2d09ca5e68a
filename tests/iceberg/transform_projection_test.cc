// Inclusive projection of predicates through partition transforms: the spec's rules on named
// cases, and a brute-force check that no projection drops a partition holding a matching row.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "tarn/iceberg/transforms.h"

namespace tarn::iceberg {
namespace {

constexpr int32_t kDay20240115 = 19737;
constexpr int64_t kMicrosPerDay = 86'400'000'000;
constexpr int64_t kMicrosPerHour = 3'600'000'000;
constexpr int64_t kTs20240116 = (kDay20240115 + 1) * kMicrosPerDay;

Transform T(std::string_view text) { return *Transform::Parse(text); }

Predicate P(Op op, std::vector<Literal> values) {
  Predicate p;
  p.column = "c";
  p.field_id = 7;
  p.op = op;
  p.values = std::move(values);
  return p;
}

std::string Projected(std::string_view transform, const Predicate& p) {
  std::optional<Predicate> out = ProjectInclusive(T(transform), p);
  if (!out) return "none";
  EXPECT_EQ(out->column, p.column);
  EXPECT_EQ(out->field_id, p.field_id);
  return out->ToString();
}

// Whether `v` satisfies `p` (the evaluator a scan would use on partition values).
bool Holds(const Predicate& p, const Literal& v) {
  if (p.op == Op::kIsNull) return v.is_null;
  if (p.op == Op::kNotNull) return !v.is_null;
  if (v.is_null) return false;
  if (p.op == Op::kIn) {
    return std::any_of(p.values.begin(), p.values.end(),
                       [&](const Literal& x) { return Compare(v, x) == 0; });
  }
  int c = Compare(v, p.values[0]);
  switch (p.op) {
    case Op::kEq:
      return c == 0;
    case Op::kLt:
      return c < 0;
    case Op::kLtEq:
      return c <= 0;
    case Op::kGt:
      return c > 0;
    default:
      return c >= 0;
  }
}

TEST(ProjectionTest, IdentityKeepsThePredicate) {
  EXPECT_EQ(Projected("identity", P(Op::kLt, {Literal::Long(5)})), "c < 5");
  EXPECT_EQ(Projected("identity", P(Op::kIn, {Literal::String("a"), Literal::String("b")})),
            "c IN (a, b)");
}

TEST(ProjectionTest, NullTestsPassThroughExceptVoid) {
  for (const char* t : {"identity", "bucket[4]", "truncate[3]", "day", "hour", "year", "month"}) {
    EXPECT_EQ(Projected(t, P(Op::kIsNull, {})), "c IS NULL") << t;
    EXPECT_EQ(Projected(t, P(Op::kNotNull, {})), "c IS NOT NULL") << t;
  }
  EXPECT_EQ(Projected("void", P(Op::kIsNull, {})), "none");
  EXPECT_EQ(Projected("void", P(Op::kNotNull, {})), "none");
  EXPECT_EQ(Projected("void", P(Op::kEq, {Literal::Long(1)})), "none");
}

TEST(ProjectionTest, BucketProjectsEqualityOnly) {
  // bucket[16] of 34 is 3 (spec Appendix B); of "iceberg" is 9.
  EXPECT_EQ(Projected("bucket[16]", P(Op::kEq, {Literal::Long(34)})), "c = 3");
  const int x = (Murmur3_32("x") & 0x7fffffff) % 16;
  EXPECT_EQ(
      Projected("bucket[16]", P(Op::kIn, {Literal::String("iceberg"), Literal::String("x"),
                                          Literal::String("iceberg")})),
      "c IN (" + std::to_string(std::min(x, 9)) + ", " + std::to_string(std::max(x, 9)) + ")");
  for (Op op : {Op::kLt, Op::kLtEq, Op::kGt, Op::kGtEq}) {
    EXPECT_EQ(Projected("bucket[16]", P(op, {Literal::Long(34)})), "none");
  }
  EXPECT_EQ(Projected("bucket[16]", P(Op::kEq, {Literal::Double(1)})), "none");
}

TEST(ProjectionTest, TruncateNumbers) {
  EXPECT_EQ(Projected("truncate[10]", P(Op::kLt, {Literal::Int(100)})), "c <= 90");
  EXPECT_EQ(Projected("truncate[10]", P(Op::kLt, {Literal::Int(101)})), "c <= 100");
  EXPECT_EQ(Projected("truncate[10]", P(Op::kLtEq, {Literal::Int(100)})), "c <= 100");
  EXPECT_EQ(Projected("truncate[10]", P(Op::kGt, {Literal::Int(99)})), "c >= 100");
  EXPECT_EQ(Projected("truncate[10]", P(Op::kGt, {Literal::Int(100)})), "c >= 100");
  EXPECT_EQ(Projected("truncate[10]", P(Op::kGtEq, {Literal::Long(-5)})), "c >= -10");
  EXPECT_EQ(Projected("truncate[10]", P(Op::kEq, {Literal::Long(95)})), "c = 90");
  EXPECT_EQ(
      Projected("truncate[10]", P(Op::kIn, {Literal::Int(1), Literal::Int(15), Literal::Int(5)})),
      "c IN (0, 10)");
  EXPECT_EQ(Projected("truncate[10]", P(Op::kLt, {*Literal::Decimal("10.00", 9, 2)})), "c <= 9.90");
  EXPECT_EQ(Projected("truncate[10]", P(Op::kGt, {*Literal::Decimal("9.99", 9, 2)})), "c >= 10.00");
  // Nothing is below the smallest int: no bound can be derived, so none is.
  EXPECT_EQ(Projected("truncate[10]", P(Op::kLt, {Literal::Int(INT32_MIN)})), "none");
}

TEST(ProjectionTest, TruncateStringsUsePrefixes) {
  EXPECT_EQ(Projected("truncate[2]", P(Op::kEq, {Literal::String("abcd")})), "c = ab");
  EXPECT_EQ(Projected("truncate[2]", P(Op::kLt, {Literal::String("abcd")})), "c <= ab");
  EXPECT_EQ(Projected("truncate[2]", P(Op::kLtEq, {Literal::String("abcd")})), "c <= ab");
  EXPECT_EQ(Projected("truncate[2]", P(Op::kGt, {Literal::String("abcd")})), "c >= ab");
  EXPECT_EQ(Projected("truncate[2]", P(Op::kGtEq, {Literal::String("abcd")})), "c >= ab");
  EXPECT_EQ(Projected("truncate[2]", P(Op::kIn, {Literal::String("abc"), Literal::String("abd"),
                                                 Literal::String("b")})),
            "c IN (ab, b)");
  EXPECT_EQ(Projected("truncate[1]", P(Op::kLt, {Literal::Binary("\x01\x02")})), "c <= 01");
}

TEST(ProjectionTest, DayOfTimestampMakesStrictBoundsInclusive) {
  const Literal midnight = Literal::TimestampTz(kTs20240116);
  EXPECT_EQ(Projected("day", P(Op::kLt, {midnight})), "c <= 2024-01-15");
  EXPECT_EQ(Projected("day", P(Op::kLtEq, {midnight})), "c <= 2024-01-16");
  EXPECT_EQ(Projected("day", P(Op::kGt, {Literal::TimestampTz(kTs20240116 - 1)})),
            "c >= 2024-01-16");
  EXPECT_EQ(
      Projected("day", P(Op::kGtEq, {Literal::TimestampTz(kTs20240116 - 14 * kMicrosPerHour)})),
      "c >= 2024-01-15");
  EXPECT_EQ(Projected("day", P(Op::kEq, {midnight})), "c = 2024-01-16");
  EXPECT_EQ(Projected("day", P(Op::kIn, {midnight, Literal::TimestampTz(kTs20240116 + 5),
                                         Literal::TimestampTz(kTs20240116 - 1)})),
            "c IN (2024-01-15, 2024-01-16)");
  EXPECT_EQ(Projected("day", P(Op::kLt, {Literal::Date(kDay20240115 + 1)})), "c <= 2024-01-15");
  EXPECT_EQ(Projected("hour", P(Op::kLt, {midnight})),
            "c <= " + std::to_string((kDay20240115 + 1) * 24 - 1));
  EXPECT_EQ(Projected("month", P(Op::kLt, {Literal::Date(kDay20240115 + 17)})),  // 2024-02-01
            "c <= 648");
  EXPECT_EQ(Projected("year", P(Op::kGt, {Literal::Timestamp(kTs20240116)})), "c >= 54");
  EXPECT_EQ(Projected("day", P(Op::kLt, {Literal::Timestamp(INT64_MIN)})), "none");
}

TEST(ProjectionTest, PreEpochBoundsAlsoKeepTruncatingWritersFiles) {
  // Old writers filed period k < 0 under k + 1; the projection keeps those files too.
  EXPECT_EQ(Projected("day", P(Op::kEq, {Literal::Timestamp(-1)})),
            "c IN (1969-12-31, 1970-01-01)");
  EXPECT_EQ(Projected("day", P(Op::kLt, {Literal::Timestamp(0)})), "c <= 1970-01-01");
  EXPECT_EQ(Projected("day", P(Op::kGtEq, {Literal::Timestamp(-1)})), "c >= 1969-12-31");
  EXPECT_EQ(Projected("year", P(Op::kIn, {Literal::Date(-1), Literal::Date(400)})),
            "c IN (-1, 0, 1)");
}

// For every source value x and predicate p, p(x) implies projection(p)(T(x)).
void ExpectSound(std::string_view transform, const std::vector<Literal>& domain) {
  const Transform t = T(transform);
  for (const Literal& bound : domain) {
    for (Op op : {Op::kEq, Op::kLt, Op::kLtEq, Op::kGt, Op::kGtEq, Op::kIn}) {
      Predicate p = P(op, {bound});
      if (op == Op::kIn) p.values.push_back(domain[domain.size() / 2]);
      std::optional<Predicate> proj = ProjectInclusive(t, p);
      if (!proj) continue;
      for (const Literal& x : domain) {
        if (!Holds(p, x)) continue;
        Literal part = *Apply(t, x);
        ASSERT_TRUE(Holds(*proj, part))
            << transform << ": " << p.ToString() << " holds for " << x.ToString() << " but "
            << proj->ToString() << " rejects partition " << part.ToString();
      }
    }
  }
}

TEST(ProjectionTest, ProjectionsNeverDropAMatchingPartition) {
  std::vector<Literal> stamps, dates, ints, strings;
  for (int64_t base : {int64_t{0}, kTs20240116, -kMicrosPerDay * 366}) {
    for (int64_t off : {-kMicrosPerDay - 1, -kMicrosPerHour, -1L, 0L, 1L, kMicrosPerHour - 1,
                        kMicrosPerDay, 40 * kMicrosPerDay}) {
      stamps.push_back(Literal::Timestamp(base + off));
    }
  }
  for (int d = -400; d <= 400; d += 29) dates.push_back(Literal::Date(d));
  for (int v = -25; v <= 25; v += 3) ints.push_back(Literal::Int(v));
  for (const char* s : {"", "a", "ab", "abc", "abd", "b", "\xC3\xA9t\xC3\xA9", "\xC3\xA9"}) {
    strings.push_back(Literal::String(s));
  }
  for (const char* t : {"year", "month", "day", "hour", "bucket[7]", "identity"}) {
    ExpectSound(t, stamps);
  }
  for (const char* t : {"year", "month", "day", "bucket[7]"}) ExpectSound(t, dates);
  for (const char* t : {"truncate[10]", "truncate[1]", "bucket[3]"}) ExpectSound(t, ints);
  for (const char* t : {"truncate[1]", "truncate[2]", "bucket[3]"}) ExpectSound(t, strings);
}

}  // namespace
}  // namespace tarn::iceberg
