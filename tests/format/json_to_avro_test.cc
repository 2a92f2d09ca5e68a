// JsonToAvro in kTyped mode: every Avro type and logical type accepted and rejected with the
// reason, unions, defaults, nested records, arrays and maps, and schema errors.
#include "tarn/format/json_to_avro.h"

#include <gtest/gtest.h>

#include "format_test_util.h"

namespace tarn::format {
namespace {

using testing::Convert;
using testing::OneField;
using testing::V;

TEST(JsonToAvroTest, Primitives) {
  EXPECT_EQ(V(R"("null")", "null"), "null");
  EXPECT_EQ(V(R"("null")", "0"), "ERROR: field v: expected null, got number 0");
  EXPECT_EQ(V(R"("boolean")", "true"), "true");
  EXPECT_EQ(V(R"("boolean")", R"("true")"),
            R"(ERROR: field v: expected boolean, got string "true")");
  EXPECT_EQ(V(R"("int")", "-2147483648"), "-2147483648");
  EXPECT_EQ(V(R"("int")", "2147483647"), "2147483647");
  EXPECT_EQ(V(R"("int")", "2147483648"),
            "ERROR: field v: number 2147483648 is out of range for int");
  EXPECT_EQ(V(R"("int")", "1.5"), "ERROR: field v: expected int, got number 1.5");
  EXPECT_EQ(V(R"("int")", R"("42")"), R"(ERROR: field v: expected int, got string "42")");
  EXPECT_EQ(V(R"("long")", "9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(V(R"("long")", "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(V(R"("long")", "9223372036854775808"),
            "ERROR: field v: number 9223372036854775808 is out of range for long");
  EXPECT_EQ(V(R"("long")", R"("abc")"), R"(ERROR: field v: expected long, got string "abc")");
  EXPECT_EQ(V(R"("long")", "null"), "ERROR: field v: expected long, got null");
  EXPECT_EQ(V(R"("float")", "1.5"), "1.5");
  EXPECT_EQ(V(R"("float")", "3"), "3");
  EXPECT_EQ(V(R"("float")", "0.1"), "0.1");
  EXPECT_EQ(V(R"("float")", "1e39"), "ERROR: field v: 1e+39 is out of range for float");
  EXPECT_EQ(V(R"("double")", "0.1"), "0.1");
  EXPECT_EQ(V(R"("double")", "-7"), "-7");
  EXPECT_EQ(V(R"("double")", "1e300"), "1e+300");
  EXPECT_EQ(V(R"("double")", "true"), "ERROR: field v: expected double, got boolean true");
  EXPECT_EQ(V(R"("string")", R"("h\u00e9llo \"q\" \n")"), R"("héllo \"q\" \n")");
  EXPECT_EQ(V(R"("string")", R"("")"), R"("")");
  EXPECT_EQ(V(R"("string")", R"("a\u0000b")"), R"("a\u0000b")");
  EXPECT_EQ(V(R"("string")", "null"), "ERROR: field v: expected string, got null");
}

TEST(JsonToAvroTest, StringIsTheCatchAllForOtherJsonValues) {
  EXPECT_EQ(V(R"("string")", "5"), R"("5")");
  EXPECT_EQ(V(R"("string")", "2.5"), R"("2.5")");
  EXPECT_EQ(V(R"("string")", "false"), R"("false")");
  EXPECT_EQ(V(R"("string")", R"({"a": [1, "x"]})"), R"("{\"a\":[1,\"x\"]}")");
}

TEST(JsonToAvroTest, BytesAndFixedUseAvroJsonEncoding) {
  EXPECT_EQ(V(R"("bytes")", R"("\u00ff\u0000a")"), R"("\u00ff\u0000a")");
  EXPECT_EQ(V(R"("bytes")", R"("")"), R"("")");
  EXPECT_EQ(V(R"("bytes")", R"("€")"),
            "ERROR: field v: bytes are written as characters U+0000..U+00FF, got U+20AC");
  EXPECT_EQ(V(R"("bytes")", "1"), "ERROR: field v: expected bytes, got number 1");
  const std::string fixed = R"({"type":"fixed","name":"Two","size":2})";
  EXPECT_EQ(V(fixed, R"("a\u00e9")"), R"("a\u00e9")");
  EXPECT_EQ(V(fixed, R"("abc")"),
            "ERROR: field v: expected 2 bytes for fixed t.Two (2 bytes), got 3");
}

TEST(JsonToAvroTest, Enums) {
  const std::string e = R"({"type":"enum","name":"Color","symbols":["red","green","blue"]})";
  EXPECT_EQ(V(e, R"("green")"), R"("green")");
  EXPECT_EQ(V(e, R"("purple")"),
            "ERROR: field v: 'purple' is not a symbol of enum t.Color (red, green, blue)");
  EXPECT_EQ(V(e, "1"), "ERROR: field v: expected enum t.Color, got number 1");
}

TEST(JsonToAvroTest, ArraysMapsAndNestedRecordsNameThePath) {
  EXPECT_EQ(V(R"({"type":"array","items":"long"})", "[1,2,3]"), "[1,2,3]");
  EXPECT_EQ(V(R"({"type":"array","items":"long"})", "[]"), "[]");
  EXPECT_EQ(V(R"({"type":"array","items":"long"})", R"([1,"x"])"),
            R"(ERROR: field v[1]: expected long, got string "x")");
  EXPECT_EQ(V(R"({"type":"array","items":"long"})", "{}"),
            "ERROR: field v: expected array of long, got object");
  EXPECT_EQ(V(R"({"type":"map","values":"long"})", R"({"a":1,"b":2})"), R"({"a":1,"b":2})");
  EXPECT_EQ(V(R"({"type":"map","values":"long"})", R"({"a":1,"b x":"y"})"),
            R"(ERROR: field v["b x"]: expected long, got string "y")");
  EXPECT_EQ(V(R"({"type":"map","values":"long"})", R"({"a":1,"a":2})"),
            R"(ERROR: field v["a"]: duplicate key)");

  const std::string schema = R"({"type":"record","name":"User","fields":[
      {"name":"user_id","type":"long"},
      {"name":"address","type":{"type":"record","name":"Address","fields":[
          {"name":"zip","type":"string"},
          {"name":"lines","type":{"type":"array","items":"string"}}]}}]})";
  EXPECT_EQ(Convert(schema, R"({"user_id":1,"address":{"zip":"7","lines":["a"]},"x":[{}]})"),
            R"({"user_id":1,"address":{"zip":"7","lines":["a"]}})");
  EXPECT_EQ(Convert(schema, R"({"address":{"lines":[]},"user_id":2})"),
            "ERROR: field address.zip: missing required field");
  EXPECT_EQ(Convert(schema, R"({"user_id":"abc"})"),
            R"(ERROR: field user_id: expected long, got string "abc")");
  EXPECT_EQ(Convert(schema, R"({"user_id":1,"address":{"zip":"7","lines":[1,null]}})"),
            "ERROR: field address.lines[1]: expected string, got null");
  EXPECT_EQ(Convert(schema, R"({"user_id":1,"user_id":2})"), "ERROR: field user_id: duplicate key");
  EXPECT_EQ(Convert(schema, R"({"user_id":1,"address":[]})"),
            "ERROR: field address: expected record Address, got array");
}

TEST(JsonToAvroTest, TopLevelMustBeAValidJsonObject) {
  const std::string schema = OneField(R"("long")");
  EXPECT_EQ(Convert(schema, "[1]"), "ERROR: expected a JSON object, got array");
  EXPECT_EQ(Convert(schema, R"("x")"), R"(ERROR: expected a JSON object, got string "x")");
  EXPECT_EQ(Convert(schema, "{\"v\":1").substr(0, 26), "ERROR: not valid JSON: The");
  EXPECT_EQ(Convert(schema, "").substr(0, 22), "ERROR: not valid JSON:");
  EXPECT_EQ(Convert(schema, "{\"v\":1} {}").substr(0, 22), "ERROR: not valid JSON:");
}

TEST(JsonToAvroTest, Unions) {
  const std::string u = R"(["null","long","string"])";
  EXPECT_EQ(V(u, "null"), "null");
  EXPECT_EQ(V(u, "5"), "5");
  EXPECT_EQ(V(u, R"("x")"), R"("x")");
  EXPECT_EQ(V(u, R"({"string":"5"})"), R"("5")");  // Avro's tagged JSON encoding
  EXPECT_EQ(V(u, R"({"long":5})"), "5");
  EXPECT_EQ(V(u, "1.5"), R"("1.5")");  // no long takes it; string is the catch-all
  const std::string numbers = R"(["null","long","double"])";
  EXPECT_EQ(V(numbers, "2"), "2");
  EXPECT_EQ(V(numbers, "2.5"), "2.5");
  EXPECT_EQ(V(numbers, R"("x")"),
            R"(ERROR: field v: expected one of null|long|double, got string "x")");
  // With one non-null branch the reason is that branch's.
  EXPECT_EQ(V(R"(["null","long"])", R"("x")"), R"(ERROR: field v: expected long, got string "x")");
  EXPECT_EQ(V(R"(["null","long"])", R"({"long":3})"), "3");
  EXPECT_EQ(V(R"("long")", R"({"long":3})"), "ERROR: field v: expected long, got object");
  EXPECT_EQ(V(R"(["long","string"])", "null"),
            "ERROR: field v: expected one of long|string, got null");
  // Records told apart by shape, or by tag.
  const std::string ab = R"([{"type":"record","name":"A","fields":[{"name":"a","type":"int"}]},
                             {"type":"record","name":"B","fields":[{"name":"b","type":"string"}]}])";
  EXPECT_EQ(V(ab, R"({"b":"x"})"), R"({"b":"x"})");
  EXPECT_EQ(V(ab, R"({"a":1})"), R"({"a":1})");
  EXPECT_EQ(V(ab, R"({"t.B":{"b":"y"}})"), R"({"b":"y"})");
  EXPECT_EQ(V(ab, R"({"B":{"b":"z"}})"), R"({"b":"z"})");
  EXPECT_EQ(V(ab, R"({"c":1})"),
            "ERROR: field v: expected one of record t.A|record t.B, got object");
  // A failed attempt leaves nothing behind: an array branch partly filled, then a string.
  EXPECT_EQ(
      V(R"([{"type":"array","items":"long"},{"type":"array","items":"string"}])", R"(["a","b"])"),
      R"(["a","b"])");
  EXPECT_EQ(
      V(R"([{"type":"array","items":"long"},{"type":"array","items":"string"}])", R"([1,"b"])"),
      R"(["1","b"])");
}

TEST(JsonToAvroTest, MissingFieldsTakeDefaultsThenNull) {
  auto one = [](const std::string& type, const std::string& def) {
    return Convert(OneField(type, R"(,"default":)" + def), "{}");
  };
  EXPECT_EQ(one(R"("int")", "7"), R"({"v":7})");
  EXPECT_EQ(one(R"("string")", R"("x")"), R"({"v":"x"})");
  EXPECT_EQ(one(R"(["null","int"])", "null"), R"({"v":null})");
  EXPECT_EQ(one(R"(["string","null"])", R"("s")"), R"({"v":"s"})");
  EXPECT_EQ(one(R"("bytes")", R"("\u00ff")"), R"({"v":"\u00ff"})");
  EXPECT_EQ(one(R"({"type":"array","items":"long"})", "[1,2]"), R"({"v":[1,2]})");
  EXPECT_EQ(one(R"({"type":"map","values":"long"})", R"({"k":1})"), R"({"v":{"k":1}})");
  EXPECT_EQ(one(R"({"type":"enum","name":"E","symbols":["a","b"]})", R"("b")"), R"({"v":"b"})");
  EXPECT_EQ(one(R"({"type":"record","name":"In","fields":[{"name":"z","type":"int"},
                   {"name":"w","type":"long","default":9}]})",
                R"({"z":3})"),
            R"({"v":{"z":3,"w":9}})");
  EXPECT_EQ(one(R"({"type":"long","logicalType":"timestamp-micros"})", "0"), R"({"v":0})");
  // A present value wins over the default; a null is not "missing".
  EXPECT_EQ(Convert(OneField(R"("int")", R"(,"default":7)"), R"({"v":1})"), R"({"v":1})");
  EXPECT_EQ(Convert(OneField(R"("int")", R"(,"default":7)"), R"({"v":null})"),
            "ERROR: field v: expected int, got null");
  // Nullable without a default: null. Neither: an error.
  EXPECT_EQ(Convert(OneField(R"(["null","int"])"), "{}"), R"({"v":null})");
  EXPECT_EQ(Convert(OneField(R"(["int","null"])"), "{}"), R"({"v":null})");
  EXPECT_EQ(Convert(OneField(R"("null")"), "{}"), R"({"v":null})");
  EXPECT_EQ(Convert(OneField(R"("int")"), "{}"), "ERROR: field v: missing required field");
}

TEST(JsonToAvroTest, DefaultsThatDoNotFitAreRejectedAtMake) {
  auto make = [](const std::string& type, const std::string& def) {
    auto r = JsonToAvro::Make(OneField(type, R"(,"default":)" + def));
    return r.ok() ? std::string("OK") : r.status().message();
  };
  EXPECT_EQ(make(R"("int")", R"("x")"),
            R"(field v of record t.R: default "x" does not fit int: expected int, got string "x")");
  EXPECT_EQ(make(R"("int")", "null"),
            "field v of record t.R: default null does not fit int: "
            "expected int, got null");
  EXPECT_EQ(make(R"({"type":"record","name":"In","fields":[{"name":"z","type":"int"}]})", "{}"),
            "field v of record t.R: default {} does not fit record t.In: "
            "field z: missing required field");
  EXPECT_EQ(make(R"(["null","int"])", "null"), "OK");
}

TEST(JsonToAvroTest, LogicalTypes) {
  const std::string ts_ms = R"({"type":"long","logicalType":"timestamp-millis"})";
  const std::string ts_us = R"({"type":"long","logicalType":"timestamp-micros"})";
  EXPECT_EQ(V(ts_ms, "1705287600000"), "1705287600000");
  EXPECT_EQ(V(ts_ms, R"("2024-01-15T03:00:00Z")"), "1705287600000");
  EXPECT_EQ(V(ts_ms, R"("2024-01-15 03:00:00.123+02:00")"), "1705280400123");
  EXPECT_EQ(V(ts_ms, R"("1969-12-31T23:59:59.9995Z")"), "-1");  // floor to the millisecond
  EXPECT_EQ(V(ts_us, R"("2024-01-15T03:00:00.123456Z")"), "1705287600123456");
  EXPECT_EQ(V(ts_us, R"("2024-01-15")"), "1705276800000000");
  EXPECT_EQ(V(ts_us, R"("2024-13-01")").substr(0, 47),
            "ERROR: field v: '2024-13-01' is not a timestamp");
  EXPECT_EQ(V(ts_us, R"("1705287600")").substr(0, 47),
            "ERROR: field v: '1705287600' is not a timestamp");
  EXPECT_EQ(V(ts_us, "1.5"), "ERROR: field v: expected timestamp-micros, got number 1.5");
  const std::string local = R"({"type":"long","logicalType":"local-timestamp-millis"})";
  EXPECT_EQ(V(local, R"("2024-01-15T03:00:00")"), "1705287600000");

  const std::string date = R"({"type":"int","logicalType":"date"})";
  EXPECT_EQ(V(date, "19737"), "19737");
  EXPECT_EQ(V(date, R"("2024-01-15")"), "19737");
  EXPECT_EQ(V(date, R"("1969-12-31")"), "-1");
  EXPECT_EQ(V(date, R"("2024-02-30")"), "ERROR: field v: '2024-02-30' is not a date (YYYY-MM-DD)");
  EXPECT_EQ(V(date, R"("2024-01-15T00:00:00")"),
            "ERROR: field v: '2024-01-15T00:00:00' is not a date (YYYY-MM-DD)");

  const std::string t_ms = R"({"type":"int","logicalType":"time-millis"})";
  const std::string t_us = R"({"type":"long","logicalType":"time-micros"})";
  EXPECT_EQ(V(t_ms, R"("03:00:00.5")"), "10800500");
  EXPECT_EQ(V(t_ms, R"("23:59")"), "86340000");
  EXPECT_EQ(V(t_ms, "86399999"), "86399999");
  EXPECT_EQ(V(t_ms, "86400000"),
            "ERROR: field v: 86400000 is not a time of day in milliseconds (0..86399999)");
  EXPECT_EQ(V(t_ms, R"("24:00:00")"),
            "ERROR: field v: '24:00:00' is not a time of day (HH:MM:SS[.fff])");
  EXPECT_EQ(V(t_us, R"("23:59:59.999999")"), "86399999999");
  EXPECT_EQ(V(t_us, R"("12:00:61")"),
            "ERROR: field v: '12:00:61' is not a time of day (HH:MM:SS[.ffffff])");

  const std::string uuid = R"({"type":"string","logicalType":"uuid"})";
  EXPECT_EQ(V(uuid, R"("123e4567-e89b-12d3-a456-426614174000")"),
            R"("123e4567-e89b-12d3-a456-426614174000")");
  EXPECT_EQ(V(uuid, R"("nope")"), "ERROR: field v: 'nope' is not a UUID");
  EXPECT_EQ(V(uuid, "5"), "ERROR: field v: expected uuid, got number 5");
}

TEST(JsonToAvroTest, Decimals) {
  const std::string dec = R"({"type":"bytes","logicalType":"decimal","precision":10,"scale":2})";
  EXPECT_EQ(V(dec, R"("12.34")"), R"("\u0004\u00d2")");  // 1234
  EXPECT_EQ(V(dec, "12.34"), R"("\u0004\u00d2")");
  EXPECT_EQ(V(dec, "-1"), R"("\u009c")");  // -100
  EXPECT_EQ(V(dec, "0"), R"("\u0000")");
  EXPECT_EQ(V(dec, R"("1.50")"), R"("\u0000\u0096")");   // 150: needs a sign byte
  EXPECT_EQ(V(dec, R"("1.2e1")"), R"("\u0004\u00b0")");  // 1200
  EXPECT_EQ(V(dec, R"("99999999.99")"), R"("\u0002T\u000b\u00e3\u00ff")");
  EXPECT_EQ(V(dec, R"("1.234")"),
            "ERROR: field v: '1.234' has more than 2 digits after the decimal point");
  EXPECT_EQ(V(dec, R"("1.230")"), R"("{")");  // trailing zeros are fine: 123 = 0x7b
  EXPECT_EQ(V(dec, R"("123456789.1")"), "ERROR: field v: '123456789.1' does not fit decimal(10,2)");
  EXPECT_EQ(V(dec, R"("abc")"), "ERROR: field v: 'abc' is not a decimal number");
  EXPECT_EQ(V(dec, "0.30000000000000004"),
            "ERROR: field v: number 0.30000000000000004 has more digits than a JSON number "
            "carries exactly; send it as a string");
  EXPECT_EQ(V(dec, "true"), "ERROR: field v: expected decimal(10,2), got boolean true");
  const std::string fixed =
      R"({"type":"fixed","name":"D","size":4,"logicalType":"decimal","precision":9,"scale":2})";
  EXPECT_EQ(V(fixed, R"("1")"), R"("\u0000\u0000\u0000d")");
  EXPECT_EQ(V(fixed, R"("-0.01")"), R"("\u00ff\u00ff\u00ff\u00ff")");
  const std::string wide = R"({"type":"bytes","logicalType":"decimal","precision":38,"scale":0})";
  EXPECT_EQ(V(wide, R"("-99999999999999999999999999999999999999")"),
            R"("\u00b4\u00c4\u00b3W\u00a5y;\u0085\u00f6u\u00dd\u00c0\u0000\u0000\u0000\u0001")");
  EXPECT_EQ(V(wide, R"("999999999999999999999999999999999999999")"),
            "ERROR: field v: '999999999999999999999999999999999999999' does not fit decimal(38,0)");
}

TEST(JsonToAvroTest, SchemaErrors) {
  auto err = [](const std::string& schema) {
    auto r = JsonToAvro::Make(schema);
    if (r.ok()) return std::string("OK");
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    return r.status().message();
  };
  EXPECT_EQ(err("{not json"), "schema is not valid JSON");
  EXPECT_EQ(err(R"({"type":"record","name":"r","fields":[{"name":"a","type":"strin"}]})"),
            R"(invalid Avro schema: Unknown Avro "type": strin)");
  EXPECT_EQ(err(R"("long")"), "the schema must be a record at the top, not long");
  EXPECT_EQ(err(OneField(R"({"type":"bytes","logicalType":"decimal","precision":39})")),
            "field v: decimal precision 39 exceeds 38 (the largest supported)");
  EXPECT_EQ(err(OneField(R"({"type":"bytes","logicalType":"decimal","precision":4,"scale":5})")),
            "field v: decimal scale must be an integer in [0, precision]");
  EXPECT_EQ(err(OneField(
                R"({"type":"fixed","name":"F","size":2,"logicalType":"decimal","precision":5})")),
            "field v: decimal precision 5 exceeds 4 (what the fixed size holds)");
  EXPECT_EQ(err(OneField(R"({"type":"string","logicalType":"timestamp-millis"})")),
            "field v: logicalType timestamp-millis needs type long, not string");
  // Unknown logical types are ignored, as the spec says.
  EXPECT_EQ(err(OneField(R"({"type":"string","logicalType":"x-custom"})")), "OK");
}

TEST(JsonToAvroTest, SchemaFeatures) {
  // Recursive types, references by short and full name, namespaces.
  const std::string list = R"({"type":"record","name":"Node","namespace":"n","fields":[
      {"name":"v","type":"long"},{"name":"next","type":["null","Node"]},
      {"name":"other","type":["null","n.Node"],"default":null}]})";
  EXPECT_EQ(Convert(list, R"({"v":1,"next":{"v":2,"next":{"v":3}}})"),
            R"({"v":1,"next":{"v":2,"next":{"v":3,"next":null,"other":null},"other":null},)"
            R"("other":null})");
  // "tarn.json_name" maps a JSON key that is not an Avro name.
  const std::string mapped = R"({"type":"record","name":"R","fields":[
      {"name":"user_id","type":"long","tarn.json_name":"user-id"}]})";
  EXPECT_EQ(Convert(mapped, R"({"user-id":5})"), R"({"user_id":5})");
  EXPECT_EQ(Convert(mapped, R"({"user_id":5})"), "ERROR: field user-id: missing required field");
  // schema_json is compact and keeps every attribute.
  auto conv = JsonToAvro::Make(R"({ "type" : "record", "name" : "R", "doc" : "d", "fields" : [
      {"name":"t","type":{"type":"long","logicalType":"timestamp-millis"},"default":0}]})");
  ASSERT_TRUE(conv.ok());
  EXPECT_EQ((*conv)->schema_json(),
            R"({"type":"record","name":"R","doc":"d","fields":[{"name":"t","type":)"
            R"({"type":"long","logicalType":"timestamp-millis"},"default":0}]})");
}

TEST(JsonToAvroTest, ReusesOneValueAcrossRecords) {
  const std::string schema = R"({"type":"record","name":"R","fields":[
      {"name":"a","type":{"type":"array","items":"string"}},
      {"name":"m","type":{"type":"map","values":"long"}},
      {"name":"u","type":["null","string",{"type":"array","items":"long"}]}]})";
  auto conv = JsonToAvro::Make(schema);
  ASSERT_TRUE(conv.ok());
  avro_value_t value;
  ASSERT_TRUE((*conv)->NewValue(&value).ok());
  ASSERT_TRUE(
      (*conv)->Convert(R"({"a":["x","y"],"m":{"k":1},"u":[1,2]})", ValueMode::kTyped, &value).ok());
  EXPECT_EQ(AvroValueToJson(value), R"({"a":["x","y"],"m":{"k":1},"u":[1,2]})");
  EXPECT_FALSE((*conv)->Convert(R"({"a":["z"],"m":{"q":"bad"}})", ValueMode::kTyped, &value).ok());
  ASSERT_TRUE((*conv)->Convert(R"({"a":[],"m":{},"u":"s"})", ValueMode::kTyped, &value).ok());
  EXPECT_EQ(AvroValueToJson(value), R"({"a":[],"m":{},"u":"s"})");
  ASSERT_TRUE(
      (*conv)->Convert(R"({"a":["w"],"m":{"j":2},"u":[3]})", ValueMode::kTyped, &value).ok());
  EXPECT_EQ(AvroValueToJson(value), R"({"a":["w"],"m":{"j":2},"u":[3]})");
  avro_value_decref(&value);
}

}  // namespace
}  // namespace tarn::format
