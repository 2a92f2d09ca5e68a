// Literal: text, ordering, and the binary and JSON single-value forms of Iceberg spec
// Appendix D (examples from /work/shared/fixtures/iceberg/README.md section 7).
#include "tarn/iceberg/literal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <ostream>

namespace tarn::iceberg {

// gtest prints literals as their type and text (internal linkage: one per test file).
static void PrintTo(const Literal& v, std::ostream* os) {
  *os << v.type.ToString() << " " << v.ToString();
}

namespace {

using schema::TypeId;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out += static_cast<char>(b);
  return out;
}

PrimitiveType Type(TypeId id, int precision = 0, int scale = 0, int length = 0) {
  PrimitiveType t;
  t.id = id;
  t.precision = precision;
  t.scale = scale;
  t.length = length;
  return t;
}

Literal Dec(std::string_view text, int precision, int scale) {
  Result<Literal> r = Literal::Decimal(text, precision, scale);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : Literal{};
}

const std::string kUuidBytes = Bytes({0xf7, 0x9c, 0x3e, 0x09, 0x67, 0x7c, 0x4b, 0xbd, 0xa4, 0x79,
                                      0x3f, 0x34, 0x9c, 0xb7, 0x85, 0xe7});
constexpr int32_t kDay20171116 = 17486;
constexpr int64_t kTime223108 = 81068000000;
constexpr int64_t kTs20171116T223108 = 1510871468000000;

// One value of every primitive type, for round trips.
std::vector<Literal> Samples() {
  return {Literal::Boolean(true),
          Literal::Boolean(false),
          Literal::Int(34),
          Literal::Int(std::numeric_limits<int32_t>::min()),
          Literal::Long(-1),
          Literal::Long(std::numeric_limits<int64_t>::max()),
          Literal::Float(1.5f),
          Literal::Float(-0.0f),
          Literal::Double(0.1),
          Literal::Double(-1e300),
          Literal::Date(kDay20171116),
          Literal::Date(-719162),
          Literal::Time(kTime223108 + 123456),
          Literal::Timestamp(kTs20171116T223108 + 1),
          Literal::Timestamp(-1),
          Literal::TimestampTz(kTs20171116T223108),
          Literal::String("iceberg"),
          Literal::String("h\xC3\xA9 \"q\"\n"),
          Literal::String(""),
          Literal::Uuid(kUuidBytes),
          Literal::Binary(Bytes({0, 1, 2, 0xff})),
          Literal::Fixed("xyz"),
          Dec("14.20", 4, 2),
          Dec("-14.20", 9, 2),
          Dec("0", 1, 0),
          Dec("-99999999999999999999999999999999999999", 38, 0),
          Dec("1.2345678901234567890123456789012345678", 38, 37)};
}

TEST(PrimitiveTypeTest, FromSchemaTypeAndToString) {
  schema::Type dec;
  dec.id = TypeId::kDecimal;
  dec.precision = 12;
  dec.scale = 2;
  EXPECT_EQ(PrimitiveType::From(dec)->ToString(), "decimal(12,2)");
  schema::Type fixed;
  fixed.id = TypeId::kFixed;
  fixed.length = 16;
  EXPECT_EQ(PrimitiveType::From(fixed)->ToString(), "fixed[16]");
  schema::Type uuid;  // a fixed-backed Avro uuid: the length is not part of the Iceberg type
  uuid.id = TypeId::kUuid;
  uuid.length = 16;
  EXPECT_EQ(*PrimitiveType::From(uuid), Type(TypeId::kUuid));
  EXPECT_EQ(Type(TypeId::kTimestampTz).ToString(), "timestamptz");
  schema::Type list;
  list.id = TypeId::kList;
  EXPECT_EQ(PrimitiveType::From(list).status().code(), ErrorCode::kInvalidArgument);
}

TEST(LiteralTest, ToStringIsHumanText) {
  EXPECT_EQ(Literal::Int(42).ToString(), "42");
  EXPECT_EQ(Literal::Boolean(true).ToString(), "true");
  EXPECT_EQ(Literal::Double(3.5).ToString(), "3.5");
  EXPECT_EQ(Literal::Double(1).ToString(), "1.0");
  EXPECT_EQ(Literal::Float(0.1f).ToString(), "0.1");
  EXPECT_EQ(Literal::Double(std::nan("")).ToString(), "NaN");
  EXPECT_EQ(Literal::Double(-INFINITY).ToString(), "-Infinity");
  EXPECT_EQ(Literal::Date(19737).ToString(), "2024-01-15");
  EXPECT_EQ(Literal::Date(-1).ToString(), "1969-12-31");
  EXPECT_EQ(Literal::Time(kTime223108).ToString(), "22:31:08");
  EXPECT_EQ(Literal::Timestamp(1705287845000001).ToString(), "2024-01-15T03:04:05.000001");
  EXPECT_EQ(Literal::TimestampTz(1705287845000000).ToString(), "2024-01-15T03:04:05+00:00");
  EXPECT_EQ(Literal::Timestamp(-1).ToString(), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(Dec("12.5", 4, 2).ToString(), "12.50");
  EXPECT_EQ(Dec("-0.05", 4, 2).ToString(), "-0.05");
  EXPECT_EQ(Dec("7", 4, 0).ToString(), "7");
  EXPECT_EQ(Literal::Binary(Bytes({0x78, 0x79, 0x7a, 0x0f})).ToString(), "78797A0F");
  EXPECT_EQ(Literal::Uuid(kUuidBytes).ToString(), "f79c3e09-677c-4bbd-a479-3f349cb785e7");
  EXPECT_EQ(Literal::String("a/b").ToString(), "a/b");
  EXPECT_EQ(Literal::Null(Type(TypeId::kLong)).ToString(), "null");
}

TEST(LiteralTest, DecimalParsing) {
  Literal d = Dec("-12.50", 4, 2);
  EXPECT_EQ(DecimalUnscaled(d), -1250);
  EXPECT_EQ(d.type, Type(TypeId::kDecimal, 4, 2));
  EXPECT_EQ(DecimalUnscaled(Dec("+.5", 3, 2)), 50);
  EXPECT_EQ(DecimalUnscaled(Dec("000123.4", 5, 1)), 1234);
  EXPECT_EQ(Literal::DecimalFromUnscaled(1420, 4, 2), Dec("14.20", 4, 2));
  for (const char* bad : {"", "-", ".", "abc", "1.2.3", "1e5", "12.345", "123.45", "1,5"}) {
    EXPECT_EQ(Literal::Decimal(bad, 4, 2).status().code(), ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(Literal::Decimal(std::string(39, '9'), 38, 0).ok());
  EXPECT_FALSE(Literal::Decimal("1", 39, 0).ok());
  EXPECT_FALSE(Literal::Decimal("1", 4, 5).ok());
}

TEST(LiteralTest, BinaryExamplesFromSpec) {
  EXPECT_EQ(ToBinary(Literal::Boolean(true)), Bytes({1}));
  EXPECT_EQ(ToBinary(Literal::Boolean(false)), Bytes({0}));
  EXPECT_EQ(ToBinary(Literal::Int(34)), Bytes({0x22, 0, 0, 0}));
  EXPECT_EQ(ToBinary(Literal::Int(-1)), Bytes({0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(ToBinary(Literal::Long(34)), Bytes({0x22, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(ToBinary(Literal::Float(1)), Bytes({0, 0, 0x80, 0x3f}));
  EXPECT_EQ(ToBinary(Literal::Double(1)), Bytes({0, 0, 0, 0, 0, 0, 0xf0, 0x3f}));
  EXPECT_EQ(ToBinary(Literal::Date(kDay20171116)), Bytes({0x4e, 0x44, 0, 0}));
  EXPECT_EQ(ToBinary(Literal::Time(kTime223108)), Bytes({0, 0x83, 0x07, 0xe0, 0x12, 0, 0, 0}));
  EXPECT_EQ(ToBinary(Literal::Timestamp(kTs20171116T223108)),
            Bytes({0, 0xc3, 0x26, 0x2d, 0x21, 0x5e, 0x05, 0}));
  EXPECT_EQ(ToBinary(Literal::TimestampTz(kTs20171116T223108)),
            ToBinary(Literal::Timestamp(kTs20171116T223108)));
  EXPECT_EQ(ToBinary(Literal::String("iceberg")), "iceberg");
  EXPECT_EQ(ToBinary(Literal::Uuid(kUuidBytes)), kUuidBytes);
  EXPECT_EQ(ToBinary(Literal::Fixed(Bytes({0, 1, 2, 3}))), Bytes({0, 1, 2, 3}));
  EXPECT_EQ(ToBinary(Dec("14.20", 4, 2)), Bytes({0x05, 0x8c}));
  EXPECT_EQ(ToBinary(Dec("-14.20", 4, 2)), Bytes({0xfa, 0x74}));
  EXPECT_EQ(ToBinary(Dec("1.28", 3, 2)), Bytes({0x00, 0x80}));
  EXPECT_EQ(ToBinary(Dec("-1.28", 3, 2)), Bytes({0x80}));
  EXPECT_EQ(ToBinary(Dec("0.00", 3, 2)), Bytes({0x00}));
  EXPECT_EQ(ToBinary(Literal::Null(Type(TypeId::kInt))), "");
}

TEST(LiteralTest, BinaryRoundTripsEveryType) {
  for (const Literal& v : Samples()) {
    Result<Literal> back = FromBinary(v.type, ToBinary(v));
    ASSERT_TRUE(back.ok()) << v.ToString() << ": " << back.status().ToString();
    EXPECT_EQ(*back, v) << v.type.ToString() << " " << v.ToString();
  }
}

TEST(LiteralTest, BinaryReadsFixtureBounds) {
  // tables/gperov_test: long bounds 0 and 1023.
  EXPECT_EQ(*FromBinary(Type(TypeId::kLong), Bytes({0xff, 0x03, 0, 0, 0, 0, 0, 0})),
            Literal::Long(1023));
  // A -0.0 double lower bound, as Trino writes it.
  Literal neg_zero = *FromBinary(Type(TypeId::kDouble), Bytes({0, 0, 0, 0, 0, 0, 0, 0x80}));
  EXPECT_TRUE(std::signbit(neg_zero.d));
  EXPECT_LT(Compare(neg_zero, Literal::Double(0)), 0);
  // Any non-zero byte is true.
  EXPECT_EQ(*FromBinary(Type(TypeId::kBoolean), Bytes({7})), Literal::Boolean(true));
}

TEST(LiteralTest, BinaryWidensPromotedTypes) {
  // int -> long and float -> double promotions leave 4-byte bounds in old files.
  EXPECT_EQ(*FromBinary(Type(TypeId::kLong), Bytes({0xfe, 0xff, 0xff, 0xff})), Literal::Long(-2));
  EXPECT_EQ(*FromBinary(Type(TypeId::kDouble), Bytes({0, 0, 0xc0, 0x3f})), Literal::Double(1.5));
}

TEST(LiteralTest, BinaryNormalizesPaddedDecimals) {
  EXPECT_EQ(*FromBinary(Type(TypeId::kDecimal, 9, 2), Bytes({0, 0, 0x05, 0x8c})),
            Dec("14.20", 9, 2));
  EXPECT_EQ(*FromBinary(Type(TypeId::kDecimal, 9, 2), Bytes({0xff, 0xff, 0xfa, 0x74})),
            Dec("-14.20", 9, 2));
  std::string padded(17, '\xff');  // -1 in 17 bytes still fits
  EXPECT_EQ(DecimalUnscaled(*FromBinary(Type(TypeId::kDecimal, 38, 0), padded)), -1);
}

TEST(LiteralTest, BinaryWrongLengthIsCorruption) {
  struct Case {
    PrimitiveType type;
    std::string bytes;
  } cases[] = {
      {Type(TypeId::kInt), "abc"},
      {Type(TypeId::kInt), "abcdefgh"},
      {Type(TypeId::kLong), "abcdefg"},
      {Type(TypeId::kFloat), "ab"},
      {Type(TypeId::kDouble), "abcdef"},
      {Type(TypeId::kDate), "abcdefgh"},
      {Type(TypeId::kTime), "abcd"},
      {Type(TypeId::kTimestamp), "abcd"},
      {Type(TypeId::kTimestampTz), ""},
      {Type(TypeId::kBoolean), ""},
      {Type(TypeId::kBoolean), "ab"},
      {Type(TypeId::kUuid), std::string(15, 'x')},
      {Type(TypeId::kFixed, 0, 0, 4), "abc"},
      {Type(TypeId::kDecimal, 9, 2), ""},
      {Type(TypeId::kDecimal, 38, 0), "\x01" + std::string(16, '\0')},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FromBinary(c.type, c.bytes).status().code(), ErrorCode::kCorruption)
        << c.type.ToString() << " " << c.bytes.size();
  }
}

TEST(LiteralTest, JsonExamplesFromSpec) {
  EXPECT_EQ(ToJson(Literal::Boolean(true)), "true");
  EXPECT_EQ(ToJson(Literal::Int(34)), "34");
  EXPECT_EQ(ToJson(Literal::Long(-34)), "-34");
  EXPECT_EQ(ToJson(Literal::Double(1.5)), "1.5");
  EXPECT_EQ(ToJson(Literal::Double(std::nan(""))), "\"NaN\"");
  EXPECT_EQ(ToJson(Dec("14.20", 4, 2)), "\"14.20\"");
  EXPECT_EQ(ToJson(Literal::Date(kDay20171116)), "\"2017-11-16\"");
  EXPECT_EQ(ToJson(Literal::Time(kTime223108 + 123456)), "\"22:31:08.123456\"");
  EXPECT_EQ(ToJson(Literal::Timestamp(kTs20171116T223108 + 1)), "\"2017-11-16T22:31:08.000001\"");
  EXPECT_EQ(ToJson(Literal::TimestampTz(kTs20171116T223108 + 1)),
            "\"2017-11-16T22:31:08.000001+00:00\"");
  EXPECT_EQ(ToJson(Literal::String("iceberg")), "\"iceberg\"");
  EXPECT_EQ(ToJson(Literal::Uuid(kUuidBytes)), "\"f79c3e09-677c-4bbd-a479-3f349cb785e7\"");
  EXPECT_EQ(ToJson(Literal::Binary("xyz")), "\"78797A\"");
  EXPECT_EQ(ToJson(Literal::Null(Type(TypeId::kString))), "null");
}

TEST(LiteralTest, JsonRoundTripsEveryType) {
  for (const Literal& v : Samples()) {
    Result<Literal> back = FromJson(v.type, ToJson(v));
    ASSERT_TRUE(back.ok()) << ToJson(v) << ": " << back.status().ToString();
    EXPECT_EQ(*back, v) << v.type.ToString() << " " << ToJson(v);
  }
  Literal nan = *FromJson(Type(TypeId::kFloat), ToJson(Literal::Float(NAN)));
  EXPECT_TRUE(std::isnan(nan.d));
  EXPECT_EQ(*FromJson(Type(TypeId::kInt), "null"), Literal::Null(Type(TypeId::kInt)));
}

TEST(LiteralTest, JsonAcceptsEquivalentForms) {
  EXPECT_EQ(*FromJson(Type(TypeId::kBinary), "\"000102ff\""),
            Literal::Binary(Bytes({0, 1, 2, 255})));
  EXPECT_EQ(*FromJson(Type(TypeId::kUuid), "\"F79C3E09-677C-4BBD-A479-3F349CB785E7\""),
            Literal::Uuid(kUuidBytes));
  EXPECT_EQ(*FromJson(Type(TypeId::kTimestampTz), "\"2017-11-16T14:31:08-08:00\""),
            Literal::TimestampTz(kTs20171116T223108));
  EXPECT_EQ(*FromJson(Type(TypeId::kTimestampTz), "\"2017-11-16T22:31:08Z\""),
            Literal::TimestampTz(kTs20171116T223108));
  EXPECT_EQ(*FromJson(Type(TypeId::kTimestamp), "\"2017-11-16T22:31:08.000001001\""),
            Literal::Timestamp(kTs20171116T223108 + 1));
  EXPECT_EQ(*FromJson(Type(TypeId::kTime), "\"22:31\""), Literal::Time(kTime223108 - 8000000));
  EXPECT_EQ(*FromJson(Type(TypeId::kDouble), "2"), Literal::Double(2));
  EXPECT_EQ(*FromJson(Type(TypeId::kLong), "9223372036854775807"),
            Literal::Long(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(*FromJson(Type(TypeId::kDecimal, 4, 2), "\"14.2\""), Dec("14.20", 4, 2));
}

TEST(LiteralTest, JsonRejectsWrongValues) {
  struct Case {
    PrimitiveType type;
    const char* json;
  } cases[] = {
      {Type(TypeId::kInt), "2147483648"},
      {Type(TypeId::kInt), "1.5"},
      {Type(TypeId::kInt), "\"1\""},
      {Type(TypeId::kLong), "9223372036854775808"},
      {Type(TypeId::kBoolean), "1"},
      {Type(TypeId::kString), "1"},
      {Type(TypeId::kDouble), "\"x\""},
      {Type(TypeId::kDate), "\"2017-13-01\""},
      {Type(TypeId::kDate), "17486"},
      {Type(TypeId::kTime), "\"24:00:00\""},
      {Type(TypeId::kTimestamp), "\"2017-11-16T22:31:08+00:00\""},
      {Type(TypeId::kTimestampTz), "\"2017-11-16T22:31:08\""},
      {Type(TypeId::kDecimal, 4, 2), "\"14.201\""},
      {Type(TypeId::kDecimal, 4, 2), "14.2"},
      {Type(TypeId::kUuid), "\"f79c3e09677c4bbda4793f349cb785e7\""},
      {Type(TypeId::kBinary), "\"abc\""},
      {Type(TypeId::kFixed, 0, 0, 2), "\"000102\""},
      {Type(TypeId::kInt), "{"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FromJson(c.type, c.json).status().code(), ErrorCode::kInvalidArgument)
        << c.type.ToString() << " " << c.json;
  }
}

TEST(LiteralTest, CompareFollowsSpecOrder) {
  const double kNan = std::numeric_limits<double>::quiet_NaN();
  const double kInf = std::numeric_limits<double>::infinity();
  std::vector<Literal> ascending = {Literal::Null(Type(TypeId::kDouble)),
                                    Literal::Double(-kNan),
                                    Literal::Double(-kInf),
                                    Literal::Double(-1),
                                    Literal::Double(-0.0),
                                    Literal::Double(0.0),
                                    Literal::Double(1e-300),
                                    Literal::Double(kInf),
                                    Literal::Double(kNan)};
  for (size_t a = 0; a < ascending.size(); ++a) {
    for (size_t b = 0; b < ascending.size(); ++b) {
      int want = a < b ? -1 : a > b ? 1 : 0;
      EXPECT_EQ(Compare(ascending[a], ascending[b]), want) << a << " vs " << b;
    }
  }
  EXPECT_LT(Compare(Literal::String("a"), Literal::String("\xC3\xA9")), 0);  // unsigned bytes
  EXPECT_LT(Compare(Literal::String("ab"), Literal::String("abc")), 0);
  EXPECT_EQ(Compare(Literal::String("ab"), Literal::String("ab")), 0);
  EXPECT_GT(Compare(Literal::Binary("\xff"), Literal::Binary("\x01\x02")), 0);
  EXPECT_LT(Compare(Dec("-1.50", 9, 2), Dec("-0.50", 9, 2)), 0);
  EXPECT_LT(Compare(Dec("-0.50", 9, 2), Dec("0.00", 9, 2)), 0);
  EXPECT_LT(Compare(Dec("-1.28", 9, 2), Dec("1.27", 9, 2)), 0);
  EXPECT_GT(Compare(Dec("300.00", 9, 2), Dec("2.56", 9, 2)), 0);
  EXPECT_LT(Compare(Literal::Long(-5), Literal::Long(3)), 0);
  EXPECT_LT(Compare(Literal::Null(Type(TypeId::kLong)), Literal::Long(-5)), 0);
  EXPECT_EQ(Compare(Literal::Null(Type(TypeId::kLong)), Literal::Null(Type(TypeId::kLong))), 0);
  EXPECT_LT(Compare(Literal::Timestamp(-1), Literal::Timestamp(0)), 0);
}

}  // namespace
}  // namespace tarn::iceberg
