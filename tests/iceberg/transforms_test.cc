// Partition transforms: parsing, the spec's hashing (Appendix B), results on boundary values,
// partition path text, and inclusive projection of predicates.
#include "tarn/iceberg/transforms.h"

#include <gtest/gtest.h>

#include <limits>
#include <ostream>

namespace tarn::iceberg {

// gtest prints literals as their type and text (internal linkage: one per test file).
static void PrintTo(const Literal& v, std::ostream* os) {
  *os << v.type.ToString() << " " << v.ToString();
}

namespace {

using schema::TypeId;

Transform T(std::string_view text) {
  Result<Transform> t = Transform::Parse(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.ok() ? *t : Transform{};
}

PrimitiveType Type(TypeId id) {
  PrimitiveType t;
  t.id = id;
  return t;
}

Literal Dec(std::string_view text, int precision, int scale) {
  return *Literal::Decimal(text, precision, scale);
}

Literal ApplyOk(std::string_view transform, const Literal& v) {
  Result<Literal> r = Apply(T(transform), v);
  EXPECT_TRUE(r.ok()) << transform << " " << v.ToString() << ": " << r.status().ToString();
  return r.ok() ? *r : Literal{};
}

// Days and micros for the examples.
constexpr int32_t kDay20240115 = 19737;
constexpr int64_t kMicrosPerDay = 86'400'000'000;
constexpr int64_t kMicrosPerHour = 3'600'000'000;
constexpr int64_t kTs20240115 = kDay20240115 * kMicrosPerDay;
const std::string kUuid = "\xf7\x9c\x3e\x09\x67\x7c\x4b\xbd\xa4\x79\x3f\x34\x9c\xb7\x85\xe7";

TEST(TransformTest, ParseAndToString) {
  for (const char* text :
       {"identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void"}) {
    EXPECT_EQ(T(text).ToString(), text);
  }
  EXPECT_EQ(T("days"), T("day"));
  EXPECT_EQ(T("hours"), T("hour"));
  EXPECT_EQ(T("months"), T("month"));
  EXPECT_EQ(T("years"), T("year"));
  EXPECT_EQ(T("Bucket[16]"), (Transform{Transform::kBucket, 16}));
  EXPECT_EQ(T("truncate[10]"), (Transform{Transform::kTruncate, 10}));
  for (const char* bad : {"", "bucket", "bucket[]", "bucket[0]", "bucket[-1]", "bucket[x]",
                          "bucket16", "truncate[2147483648]", "week", "bucket[16] "}) {
    EXPECT_EQ(Transform::Parse(bad).status().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(TransformTest, Murmur3OfSpecValues) {
  EXPECT_EQ(Murmur3_32(""), 0);
  EXPECT_EQ(Murmur3_32("iceberg"), 1210000089);
  EXPECT_EQ(Murmur3_32(std::string("\x00\x01\x02\x03", 4)), -188683207);
}

// Iceberg spec Appendix B, "32-bit Hash Requirements".
TEST(TransformTest, BucketHashOfSpecValues) {
  EXPECT_EQ(BucketHash(Literal::Int(34)), 2017239379);
  EXPECT_EQ(BucketHash(Literal::Long(34)), 2017239379);
  EXPECT_EQ(BucketHash(Dec("14.20", 4, 2)), -500754589);
  EXPECT_EQ(BucketHash(Dec("14.20", 9, 2)), -500754589);
  EXPECT_EQ(BucketHash(Literal::Date(17486)), -653330422);
  EXPECT_EQ(BucketHash(Literal::Time(81068000000)), -662762989);
  EXPECT_EQ(BucketHash(Literal::Timestamp(1510871468000000)), -2047944441);
  EXPECT_EQ(BucketHash(Literal::Timestamp(1510871468000001)), -1207196810);
  EXPECT_EQ(BucketHash(Literal::TimestampTz(1510871468000000)), -2047944441);
  EXPECT_EQ(BucketHash(Literal::String("iceberg")), 1210000089);
  EXPECT_EQ(BucketHash(Literal::Uuid(kUuid)), 1488055340);
  EXPECT_EQ(BucketHash(Literal::Fixed(std::string("\x00\x01\x02\x03", 4))), -188683207);
  EXPECT_EQ(BucketHash(Literal::Binary(std::string("\x00\x01\x02\x03", 4))), -188683207);
  // Defined by the spec though not bucket sources.
  EXPECT_EQ(BucketHash(Literal::Boolean(true)), 1392991556);
  EXPECT_EQ(BucketHash(Literal::Double(1.0)), -142385009);
  EXPECT_EQ(BucketHash(Literal::Float(1.0f)), -142385009);
  EXPECT_EQ(BucketHash(Literal::Double(0.0)), 1669671676);
  EXPECT_EQ(BucketHash(Literal::Double(-0.0)), 1669671676);
}

TEST(TransformTest, BucketValues) {
  struct Case {
    Literal v;
    int b16, b100, b1000;
  } cases[] = {
      {Literal::Int(34), 3, 79, 379},
      {Dec("14.20", 4, 2), 3, 59, 59},
      {Literal::Date(17486), 10, 26, 226},
      {Literal::Time(81068000000), 3, 59, 659},
      {Literal::Timestamp(1510871468000000), 7, 7, 207},
      {Literal::Timestamp(1510871468000001), 6, 38, 838},
      {Literal::String("iceberg"), 9, 89, 89},
      {Literal::Uuid(kUuid), 12, 40, 340},
      {Literal::Binary(std::string("\x00\x01\x02\x03", 4)), 9, 41, 441},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ApplyOk("bucket[16]", c.v), Literal::Int(c.b16)) << c.v.ToString();
    EXPECT_EQ(ApplyOk("bucket[100]", c.v), Literal::Int(c.b100)) << c.v.ToString();
    EXPECT_EQ(ApplyOk("bucket[1000]", c.v), Literal::Int(c.b1000)) << c.v.ToString();
  }
}

TEST(TransformTest, ResultTypes) {
  EXPECT_EQ(*ResultType(T("bucket[8]"), Type(TypeId::kString)), Type(TypeId::kInt));
  EXPECT_EQ(*ResultType(T("identity"), Type(TypeId::kDouble)), Type(TypeId::kDouble));
  EXPECT_EQ(*ResultType(T("truncate[3]"), Type(TypeId::kString)), Type(TypeId::kString));
  EXPECT_EQ(*ResultType(T("day"), Type(TypeId::kTimestampTz)), Type(TypeId::kDate));
  EXPECT_EQ(*ResultType(T("day"), Type(TypeId::kDate)), Type(TypeId::kDate));
  EXPECT_EQ(*ResultType(T("year"), Type(TypeId::kDate)), Type(TypeId::kInt));
  EXPECT_EQ(*ResultType(T("month"), Type(TypeId::kTimestamp)), Type(TypeId::kInt));
  EXPECT_EQ(*ResultType(T("hour"), Type(TypeId::kTimestamp)), Type(TypeId::kInt));
  EXPECT_EQ(*ResultType(T("void"), Type(TypeId::kUuid)), Type(TypeId::kUuid));
  struct Bad {
    const char* transform;
    TypeId source;
  } bad[] = {{"bucket[4]", TypeId::kFloat},    {"bucket[4]", TypeId::kDouble},
             {"bucket[4]", TypeId::kBoolean},  {"day", TypeId::kString},
             {"hour", TypeId::kDate},          {"year", TypeId::kTime},
             {"truncate[4]", TypeId::kUuid},   {"truncate[4]", TypeId::kFixed},
             {"truncate[4]", TypeId::kDouble}, {"identity", TypeId::kStruct}};
  for (const Bad& b : bad) {
    EXPECT_EQ(ResultType(T(b.transform), Type(b.source)).status().code(),
              ErrorCode::kInvalidArgument)
        << b.transform;
  }
  EXPECT_FALSE(ResultType(Transform{Transform::kBucket, 0}, Type(TypeId::kInt)).ok());
  EXPECT_FALSE(Apply(T("day"), Literal::String("2024-01-15")).ok());
}

TEST(TransformTest, TruncateNumbers) {
  EXPECT_EQ(ApplyOk("truncate[10]", Literal::Int(1)), Literal::Int(0));
  EXPECT_EQ(ApplyOk("truncate[10]", Literal::Int(-1)), Literal::Int(-10));
  EXPECT_EQ(ApplyOk("truncate[10]", Literal::Int(0)), Literal::Int(0));
  EXPECT_EQ(ApplyOk("truncate[10]", Literal::Int(-10)), Literal::Int(-10));
  EXPECT_EQ(ApplyOk("truncate[10]", Literal::Int(-11)), Literal::Int(-20));
  EXPECT_EQ(ApplyOk("truncate[10]", Literal::Long(19)), Literal::Long(10));
  EXPECT_EQ(ApplyOk("truncate[10]", Literal::Long(-1)), Literal::Long(-10));
  EXPECT_EQ(ApplyOk("truncate[1]", Literal::Long(-7)), Literal::Long(-7));
  // At the ends of the range the arithmetic wraps as Java's int and long arithmetic does.
  EXPECT_EQ(ApplyOk("truncate[10]", Literal::Int(INT32_MIN)), Literal::Int(INT32_MAX - 1));
  EXPECT_EQ(ApplyOk("truncate[10]", Literal::Long(INT64_MIN)), Literal::Long(INT64_MAX - 1));
  EXPECT_EQ(ApplyOk("truncate[10]", Literal::Long(INT64_MAX)), Literal::Long(INT64_MAX - 7));
  EXPECT_EQ(ApplyOk("truncate[50]", Dec("10.65", 9, 2)), Dec("10.50", 9, 2));
  EXPECT_EQ(ApplyOk("truncate[10]", Dec("-0.05", 9, 2)), Dec("-0.10", 9, 2));
  EXPECT_EQ(ApplyOk("truncate[10]", Dec("12.30", 9, 2)), Dec("12.30", 9, 2));
}

TEST(TransformTest, TruncateStringsByCodePointsAndBinaryByBytes) {
  EXPECT_EQ(ApplyOk("truncate[3]", Literal::String("iceberg")), Literal::String("ice"));
  EXPECT_EQ(ApplyOk("truncate[3]", Literal::String("ic")), Literal::String("ic"));
  EXPECT_EQ(ApplyOk("truncate[2]", Literal::String("\xC3\xA9"
                                                   "clair")),
            Literal::String("\xC3\xA9"
                            "c"));
  EXPECT_EQ(ApplyOk("truncate[1]", Literal::String("\xF0\x9F\x98\x80!")),
            Literal::String("\xF0\x9F\x98\x80"));
  EXPECT_EQ(ApplyOk("truncate[2]", Literal::Binary("\xC3\xA9"
                                                   "c")),
            Literal::Binary("\xC3\xA9"));
  EXPECT_EQ(ApplyOk("truncate[9]", Literal::Binary("ab")), Literal::Binary("ab"));
}

TEST(TransformTest, TimeUnitsCountFromEpochAndFloorBeforeIt) {
  const Literal ts = Literal::TimestampTz(kTs20240115 + 3 * kMicrosPerHour + 5);
  EXPECT_EQ(ApplyOk("year", ts), Literal::Int(54));
  EXPECT_EQ(ApplyOk("month", ts), Literal::Int(54 * 12));
  EXPECT_EQ(ApplyOk("day", ts), Literal::Date(kDay20240115));
  EXPECT_EQ(ApplyOk("hour", ts), Literal::Int(kDay20240115 * 24 + 3));
  EXPECT_EQ(ApplyOk("month", Literal::Date(kDay20240115 + 31)), Literal::Int(54 * 12 + 1));
  EXPECT_EQ(ApplyOk("day", Literal::Date(kDay20240115)), Literal::Date(kDay20240115));
  // One microsecond before the epoch is 1969-12-31T23:59:59.999999.
  const Literal before = Literal::Timestamp(-1);
  EXPECT_EQ(ApplyOk("year", before), Literal::Int(-1));
  EXPECT_EQ(ApplyOk("month", before), Literal::Int(-1));
  EXPECT_EQ(ApplyOk("day", before), Literal::Date(-1));
  EXPECT_EQ(ApplyOk("hour", before), Literal::Int(-1));
  EXPECT_EQ(ApplyOk("day", Literal::Timestamp(-kMicrosPerDay)), Literal::Date(-1));
  EXPECT_EQ(ApplyOk("day", Literal::Timestamp(-kMicrosPerDay - 1)), Literal::Date(-2));
  EXPECT_EQ(ApplyOk("hour", Literal::Timestamp(0)), Literal::Int(0));
  EXPECT_EQ(ApplyOk("year", Literal::Date(-365)), Literal::Int(-1));  // 1969-01-01
  EXPECT_EQ(ApplyOk("month", Literal::Date(-365)), Literal::Int(-12));
  EXPECT_EQ(ApplyOk("year", Literal::Date(-366)), Literal::Int(-2));  // 1968-12-31
  EXPECT_EQ(ApplyOk("day", Literal::Timestamp(INT64_MIN)), Literal::Date(-106751992));
  EXPECT_EQ(ApplyOk("year", Literal::Timestamp(INT64_MIN)), Literal::Int(-290308 - 1970));
  EXPECT_EQ(ApplyOk("year", Literal::Date(INT32_MAX)), Literal::Int(5881580 - 1970));
}

TEST(TransformTest, NullAndVoid) {
  EXPECT_EQ(ApplyOk("day", Literal::Null(Type(TypeId::kTimestamp))),
            Literal::Null(Type(TypeId::kDate)));
  EXPECT_EQ(ApplyOk("bucket[4]", Literal::Null(Type(TypeId::kString))),
            Literal::Null(Type(TypeId::kInt)));
  EXPECT_EQ(ApplyOk("void", Literal::Long(3)), Literal::Null(Type(TypeId::kLong)));
  EXPECT_EQ(ApplyOk("identity", Literal::Long(3)), Literal::Long(3));
}

TEST(TransformTest, HumanStrings) {
  EXPECT_EQ(HumanString(T("year"), Literal::Int(54)), "2024");
  EXPECT_EQ(HumanString(T("year"), Literal::Int(-1)), "1969");
  EXPECT_EQ(HumanString(T("month"), Literal::Int(648)), "2024-01");
  EXPECT_EQ(HumanString(T("month"), Literal::Int(-1)), "1969-12");
  EXPECT_EQ(HumanString(T("day"), Literal::Date(kDay20240115)), "2024-01-15");
  EXPECT_EQ(HumanString(T("day"), Literal::Int(kDay20240115)), "2024-01-15");
  EXPECT_EQ(HumanString(T("hour"), Literal::Int(kDay20240115 * 24 + 3)), "2024-01-15-03");
  EXPECT_EQ(HumanString(T("hour"), Literal::Int(-1)), "1969-12-31-23");
  EXPECT_EQ(HumanString(T("bucket[16]"), Literal::Int(3)), "3");
  EXPECT_EQ(HumanString(T("truncate[3]"), Literal::String("ice")), "ice");
  EXPECT_EQ(HumanString(T("identity"), Literal::String("a b/c")), "a b/c");
  EXPECT_EQ(HumanString(T("identity"), Literal::Date(kDay20240115)), "2024-01-15");
  EXPECT_EQ(HumanString(T("identity"), Dec("-1.50", 4, 2)), "-1.50");
  EXPECT_EQ(HumanString(T("day"), Literal::Null(Type(TypeId::kDate))), "null");
}

}  // namespace
}  // namespace tarn::iceberg
