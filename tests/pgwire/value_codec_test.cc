// Type mapping and value encoding: DuckDB's text to PostgreSQL's text and binary forms, and
// client parameters back to text.
#include "tarn/pgwire/value_codec.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tarn/base/crypto.h"
#include "tarn/pgwire/param_codec.h"
#include "tarn/pgwire/pg_datetime.h"
#include "tarn/pgwire/types.h"

namespace tarn::pgwire {
namespace {

using query::Column;
using query::ColumnType;

Column Col(ColumnType type, std::optional<ColumnType> element = std::nullopt) {
  Column c;
  c.name = "c";
  c.type = type;
  c.element = element;
  return c;
}

std::string Text(ColumnType type, std::string_view v, std::optional<ColumnType> element = {}) {
  auto e = ColumnEncoder::Make(Col(type, element), 0);
  EXPECT_TRUE(e.ok());
  std::string out;
  Status st = e->Append(v, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

std::string BinaryHex(ColumnType type, std::string_view v, std::optional<ColumnType> element = {}) {
  auto e = ColumnEncoder::Make(Col(type, element), 1);
  EXPECT_TRUE(e.ok());
  std::string out;
  Status st = e->Append(v, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return HexEncode(out);
}

TEST(TypesTest, EveryColumnTypeHasAnOid) {
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kBoolean)).oid, 16);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kTinyInt)).oid, 21);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kSmallInt)).oid, 21);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kInteger)).oid, 23);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kBigInt)).oid, 20);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kHugeInt)).oid, 1700);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kUTinyInt)).oid, 21);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kUSmallInt)).oid, 23);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kUInteger)).oid, 20);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kUBigInt)).oid, 1700);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kFloat)).oid, 700);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kDouble)).oid, 701);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kVarchar)).oid, 25);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kBlob)).oid, 17);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kUuid)).oid, 2950);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kDate)).oid, 1082);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kTime)).oid, 1083);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kTimestamp)).oid, 1114);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kTimestampTz)).oid, 1184);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kInterval)).oid, 1186);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kStruct)).oid, 25);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kMap)).oid, 25);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kOther)).oid, 25);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kList, ColumnType::kInteger)).oid, 1007);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kList, ColumnType::kBigInt)).oid, 1016);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kList, ColumnType::kVarchar)).oid, 1009);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kList, ColumnType::kDouble)).oid, 1022);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kList, ColumnType::kTimestampTz)).oid, 1185);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kList)).oid, 25);  // nested: text
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kList, ColumnType::kStruct)).oid, 25);
  Column dec = Col(ColumnType::kDecimal);
  dec.precision = 12;
  dec.scale = 2;
  EXPECT_EQ(PgTypeOf(dec).oid, 1700);
  EXPECT_EQ(PgTypeOf(dec).modifier, (12 << 16 | 2) + 4);
  EXPECT_EQ(PgTypeOf(Col(ColumnType::kBigInt)).size, 8);
  EXPECT_EQ(std::string(PgTypeName(1007)), "_int4");
  EXPECT_EQ(ElementOidOf(1009), 25);
}

TEST(ValueCodecTest, TextFollowsPostgresWhereDuckDbDiffers) {
  EXPECT_EQ(Text(ColumnType::kBoolean, "true"), "t");
  EXPECT_EQ(Text(ColumnType::kBoolean, "false"), "f");
  EXPECT_EQ(Text(ColumnType::kBlob, "01ff"), "\\x01ff");
  EXPECT_EQ(Text(ColumnType::kInterval, "1 year 2 months 3 days 04:05:06.5"),
            "1 year 2 mons 3 days 04:05:06.5");
  EXPECT_EQ(Text(ColumnType::kInterval, "1 month"), "1 mon");
  EXPECT_EQ(Text(ColumnType::kInterval, "-1 day"), "-1 days");
  EXPECT_EQ(Text(ColumnType::kInterval, "00:00:00"), "00:00:00");
  EXPECT_EQ(Text(ColumnType::kList, "[1, 2, NULL]", ColumnType::kInteger), "{1,2,NULL}");
  EXPECT_EQ(Text(ColumnType::kList, "[]", ColumnType::kInteger), "{}");
  EXPECT_EQ(Text(ColumnType::kList, "['a,b', c, NULL, 'NULL', '', x y, 'it\\'s', 'q\"']",
                 ColumnType::kVarchar),
            "{\"a,b\",c,NULL,\"NULL\",\"\",\"x y\",it's,\"q\\\"\"}");
  EXPECT_EQ(Text(ColumnType::kList, "[true, false]", ColumnType::kBoolean), "{t,f}");
  EXPECT_EQ(Text(ColumnType::kList, "[1.0, inf]", ColumnType::kDouble), "{1,Infinity}");
  EXPECT_EQ(Text(ColumnType::kList, "['2024-01-01 00:00:00+00']", ColumnType::kTimestampTz),
            "{\"2024-01-01 00:00:00+00\"}");
  // Unchanged: numbers, strings, dates, timestamps, uuids, structs.
  EXPECT_EQ(Text(ColumnType::kDecimal, "-12.50"), "-12.50");
  EXPECT_EQ(Text(ColumnType::kTimestampTz, "2024-01-15 10:00:00+00"), "2024-01-15 10:00:00+00");
  EXPECT_EQ(Text(ColumnType::kStruct, "{'a': 1}"), "{'a': 1}");
  EXPECT_TRUE(ColumnEncoder::Make(Col(ColumnType::kVarchar), 0)->verbatim());
  EXPECT_FALSE(ColumnEncoder::Make(Col(ColumnType::kVarchar), 1)->verbatim());
  EXPECT_FALSE(ColumnEncoder::Make(Col(ColumnType::kVarchar), 2).ok());
}

TEST(ValueCodecTest, FloatsUsePostgresShortestLayout) {
  auto f8 = [](double v) {
    std::string s;
    AppendPgFloat(v, false, &s);
    return s;
  };
  auto f4 = [](float v) {
    std::string s;
    AppendPgFloat(v, true, &s);
    return s;
  };
  EXPECT_EQ(f8(1.0), "1");
  EXPECT_EQ(f8(0.1), "0.1");
  EXPECT_EQ(f8(-2.5), "-2.5");
  EXPECT_EQ(f8(123456789012.0), "123456789012");
  EXPECT_EQ(f8(1e14), "100000000000000");
  EXPECT_EQ(f8(1e15), "1e+15");
  EXPECT_EQ(f8(1e20), "1e+20");
  EXPECT_EQ(f8(1.2345678901234568e+17), "1.2345678901234568e+17");
  EXPECT_EQ(f8(0.0001), "0.0001");
  EXPECT_EQ(f8(0.00001), "1e-05");
  EXPECT_EQ(f8(1e-100), "1e-100");
  EXPECT_EQ(f8(0.0), "0");
  EXPECT_EQ(f8(-0.0), "-0");
  EXPECT_EQ(f8(1.0 / 0.0), "Infinity");
  EXPECT_EQ(f8(-1.0 / 0.0), "-Infinity");
  EXPECT_EQ(f8(std::nan("")), "NaN");
  EXPECT_EQ(f4(0.1f), "0.1");
  EXPECT_EQ(f4(123456.0f), "123456");
  EXPECT_EQ(f4(1234567.0f), "1.234567e+06");
  EXPECT_EQ(f4(1e6f), "1e+06");
  EXPECT_EQ(Text(ColumnType::kFloat, "0.1"), "0.1");
  EXPECT_EQ(Text(ColumnType::kDouble, "nan"), "NaN");
  EXPECT_EQ(Text(ColumnType::kDouble, "-inf"), "-Infinity");
}

TEST(ValueCodecTest, BinaryFormsMatchPostgres) {
  EXPECT_EQ(BinaryHex(ColumnType::kBoolean, "true"), "01");
  EXPECT_EQ(BinaryHex(ColumnType::kSmallInt, "-2"), "fffe");
  EXPECT_EQ(BinaryHex(ColumnType::kTinyInt, "7"), "0007");
  EXPECT_EQ(BinaryHex(ColumnType::kInteger, "42"), "0000002a");
  EXPECT_EQ(BinaryHex(ColumnType::kBigInt, "-1"), "ffffffffffffffff");
  EXPECT_EQ(BinaryHex(ColumnType::kUInteger, "4294967295"), "00000000ffffffff");
  EXPECT_EQ(BinaryHex(ColumnType::kFloat, "1.5"), "3fc00000");
  EXPECT_EQ(BinaryHex(ColumnType::kDouble, "0.1"), "3fb999999999999a");
  EXPECT_EQ(BinaryHex(ColumnType::kDouble, "inf"), "7ff0000000000000");
  EXPECT_EQ(BinaryHex(ColumnType::kVarchar, "h\xc3\xa9"), "68c3a9");
  EXPECT_EQ(BinaryHex(ColumnType::kBlob, "01ff"), "01ff");
  EXPECT_EQ(BinaryHex(ColumnType::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            "a0eebc999c0b4ef8bb6d6bb9bd380a11");
  // 2024-01-15 is day 8780 after 2000-01-01.
  EXPECT_EQ(BinaryHex(ColumnType::kDate, "2024-01-15"), "0000224c");
  EXPECT_EQ(BinaryHex(ColumnType::kDate, "1999-12-31"), "ffffffff");
  EXPECT_EQ(BinaryHex(ColumnType::kTime, "00:00:01.5"), "000000000016e360");
  // 2000-01-01 00:00:01 UTC is 1,000,000 microseconds after PostgreSQL's epoch.
  EXPECT_EQ(BinaryHex(ColumnType::kTimestamp, "2000-01-01 00:00:01"), "00000000000f4240");
  EXPECT_EQ(BinaryHex(ColumnType::kTimestampTz, "2000-01-01 01:00:01+01"), "00000000000f4240");
  EXPECT_EQ(BinaryHex(ColumnType::kInterval, "1 year 2 months 3 days 00:00:01"),
            "00000000000f4240"
            "00000003"
            "0000000e");
  // numeric: ndigits, weight, sign, dscale, base-10000 digits.
  EXPECT_EQ(BinaryHex(ColumnType::kDecimal, "-12.50"),
            "0002"
            "0000"
            "4000"
            "0002"
            "000c"
            "1388");
  EXPECT_EQ(BinaryHex(ColumnType::kDecimal, "0.00"),
            "0000"
            "0000"
            "0000"
            "0002");
  EXPECT_EQ(BinaryHex(ColumnType::kHugeInt, "100000000"),
            "0001"
            "0002"
            "0000"
            "0000"
            "0001");
  EXPECT_EQ(BinaryHex(ColumnType::kDecimal, "0.0001"),
            "0001"
            "ffff"
            "0000"
            "0004"
            "0001");
  // int4[]: ndim 1, has null, element oid 23, length 3, lower bound 1, elements.
  EXPECT_EQ(BinaryHex(ColumnType::kList, "[1, NULL, 3]", ColumnType::kInteger),
            "00000001"
            "00000001"
            "00000017"
            "00000003"
            "00000001"
            "00000004"
            "00000001"
            "ffffffff"
            "00000004"
            "00000003");
  EXPECT_EQ(BinaryHex(ColumnType::kList, "[]", ColumnType::kInteger),
            "00000000"
            "00000000"
            "00000017");
  auto e = ColumnEncoder::Make(Col(ColumnType::kInteger), 1);
  std::string out;
  EXPECT_EQ(e->Append("x", &out).code(), ErrorCode::kInvalidArgument);
}

TEST(ValueCodecTest, DuckListsSplitWithQuotesAndNesting) {
  std::vector<std::optional<std::string>> e;
  ASSERT_TRUE(SplitDuckList("[[1, 2], [3]]", &e));
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(*e[0], "[1, 2]");
  ASSERT_TRUE(SplitDuckList("['a\\'b', NULL]", &e));
  EXPECT_EQ(*e[0], "a'b");
  EXPECT_FALSE(e[1].has_value());
  EXPECT_FALSE(SplitDuckList("1, 2", &e));
}

TEST(ParamCodecTest, BinaryParametersBecomeText) {
  auto bin = [](int32_t oid, const std::string& hex) {
    auto r = ParamToText(oid, 1, *HexDecode(hex));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::string();
  };
  EXPECT_EQ(bin(oid::kBool, "01"), "true");
  EXPECT_EQ(bin(oid::kInt2, "fffe"), "-2");
  EXPECT_EQ(bin(oid::kInt4, "0000002a"), "42");
  EXPECT_EQ(bin(oid::kInt8, "ffffffffffffffff"), "-1");
  EXPECT_EQ(bin(oid::kFloat8, "3fb999999999999a"), "0.1");
  EXPECT_EQ(bin(oid::kFloat4, "3fc00000"), "1.5");
  EXPECT_EQ(bin(oid::kText, "68c3a9"), "h\xc3\xa9");
  EXPECT_EQ(bin(oid::kBytea, "41ff2c"), "A\\xFF\\x2C");
  EXPECT_EQ(bin(oid::kUuid, "a0eebc999c0b4ef8bb6d6bb9bd380a11"),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_EQ(bin(oid::kDate, "0000224c"), "2024-01-15");
  EXPECT_EQ(bin(oid::kTimestamp, "00000000000f4240"), "2000-01-01 00:00:01");
  EXPECT_EQ(bin(oid::kTimestampTz, "00000000000f4241"), "2000-01-01 00:00:01.000001+00");
  EXPECT_EQ(bin(oid::kTime, "000000000016e360"), "00:00:01.5");
  EXPECT_EQ(bin(oid::kNumeric, "0002000040000002000c1388"), "-12.50");
  EXPECT_EQ(bin(oid::kNumeric, "00010002000000000001"), "100000000");
  EXPECT_EQ(bin(oid::kNumeric, "0001ffff000000040001"), "0.0001");
  EXPECT_EQ(bin(oid::kInterval, "00000000000f42400000000300000001"),
            "1 months 3 days 1000000 microseconds");
  EXPECT_EQ(bin(1007,
                "00000001"
                "00000001"
                "00000017"
                "00000003"
                "00000001"
                "00000004"
                "00000001"
                "ffffffff"
                "00000004"
                "00000003"),
            "['1', NULL, '3']");
  EXPECT_EQ(ParamToText(oid::kInt4, 1, "abc").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParamToText(600, 1, "abc").status().code(), ErrorCode::kUnimplemented);
}

TEST(ParamCodecTest, TextParametersPassThroughExceptByteaAndArrays) {
  EXPECT_EQ(*ParamToText(oid::kInt4, 0, "42"), "42");
  EXPECT_EQ(*ParamToText(0, 0, "\\x01"), "\\x01");
  EXPECT_EQ(*ParamToText(oid::kBytea, 0, "\\x01ff"), "\\x01\\xFF");
  EXPECT_EQ(*ParamToText(1009, 0, "{a,\"b c\",NULL}"), "['a', 'b c', NULL]");
  EXPECT_EQ(*ParamToText(1007, 0, "{}"), "[]");
}

TEST(DatetimeTest, FormatsAndParsesRoundTrip) {
  EXPECT_EQ(FormatPgDate(0), "2000-01-01");
  EXPECT_EQ(FormatPgDate(-730119), "0001-01-01");
  EXPECT_EQ(*ParsePgDate("0001-01-01"), -730119);
  EXPECT_EQ(FormatPgTimestamp(-1, false), "1999-12-31 23:59:59.999999");
  EXPECT_EQ(*ParsePgTimestamp("1999-12-31 23:59:59.999999"), -1);
  EXPECT_EQ(*ParsePgTimestamp("infinity"), INT64_MAX);
  auto iv = ParseDuckInterval("-1 year -2 days -01:00:00");
  ASSERT_TRUE(iv.ok());
  EXPECT_EQ(iv->months, -12);
  EXPECT_EQ(iv->days, -2);
  EXPECT_EQ(iv->micros, -3600000000);
  EXPECT_FALSE(ParseDuckInterval("3 fortnights").ok());
}

}  // namespace
}  // namespace tarn::pgwire
