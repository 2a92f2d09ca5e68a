// JsonToAvro in kText mode: scalars arriving as strings (CSV, database text output).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "format_test_util.h"

namespace tarn::format {
namespace {

using testing::Convert;
using testing::OneField;
using testing::T;
using testing::V;

TEST(JsonToAvroTextTest, NumbersAndBooleansParse) {
  EXPECT_EQ(T(R"("long")", "42"), "42");
  EXPECT_EQ(T(R"("long")", "-7"), "-7");
  EXPECT_EQ(T(R"("long")", "+7"), "7");
  EXPECT_EQ(T(R"("long")", " 42 "), "42");
  EXPECT_EQ(T(R"("long")", "007"), "7");
  EXPECT_EQ(T(R"("long")", "4.2"), R"(ERROR: field v: expected long, got string "4.2")");
  EXPECT_EQ(T(R"("long")", "abc"), R"(ERROR: field v: expected long, got string "abc")");
  EXPECT_EQ(T(R"("long")", "99999999999999999999"),
            R"(ERROR: field v: expected long, got string "99999999999999999999")");
  EXPECT_EQ(T(R"("int")", "2147483648"),
            "ERROR: field v: number 2147483648 is out of range for int");
  EXPECT_EQ(T(R"("double")", "3.5"), "3.5");
  EXPECT_EQ(T(R"("double")", "1e3"), "1000");
  EXPECT_EQ(T(R"("double")", "-0.25"), "-0.25");
  EXPECT_EQ(T(R"("double")", "nan"), R"(ERROR: field v: expected double, got string "nan")");
  EXPECT_EQ(T(R"("double")", "inf"), R"(ERROR: field v: expected double, got string "inf")");
  EXPECT_EQ(T(R"("double")", "1e999"), R"(ERROR: field v: expected double, got string "1e999")");
  EXPECT_EQ(T(R"("float")", "0.5"), "0.5");
  for (const char* yes : {"true", "t", "TRUE", "T", "True"})
    EXPECT_EQ(T(R"("boolean")", yes), "true");
  for (const char* no : {"false", "f", "FALSE", "F"}) EXPECT_EQ(T(R"("boolean")", no), "false");
  EXPECT_EQ(T(R"("boolean")", "yes"), R"(ERROR: field v: expected boolean, got string "yes")");
  EXPECT_EQ(T(R"("boolean")", "1"), R"(ERROR: field v: expected boolean, got string "1")");
}

TEST(JsonToAvroTextTest, JsonTypedValuesStillWork) {
  EXPECT_EQ(V(R"("long")", "42", ValueMode::kText), "42");
  EXPECT_EQ(V(R"("double")", "2.5", ValueMode::kText), "2.5");
  EXPECT_EQ(V(R"("boolean")", "false", ValueMode::kText), "false");
  EXPECT_EQ(V(R"(["null","long"])", "null", ValueMode::kText), "null");
}

TEST(JsonToAvroTextTest, EmptyIsNullWhereNullIsAllowed) {
  EXPECT_EQ(T(R"(["null","long"])", ""), "null");
  EXPECT_EQ(T(R"(["null","string"])", ""), "null");
  EXPECT_EQ(T(R"(["long","null"])", ""), "null");
  EXPECT_EQ(T(R"("null")", ""), "null");
  EXPECT_EQ(T(R"("string")", ""), R"("")");
  EXPECT_EQ(T(R"("long")", ""),
            "ERROR: field v: expected long, got an empty value (the field is not nullable)");
  EXPECT_EQ(T(R"("boolean")", ""),
            "ERROR: field v: expected boolean, got an empty value (the field is not nullable)");
  EXPECT_EQ(T(R"({"type":"int","logicalType":"date"})", ""),
            "ERROR: field v: expected date, got an empty value (the field is not nullable)");
  // kTyped keeps "" as a string: no null, and a parse error for numbers.
  EXPECT_EQ(V(R"(["null","string"])", R"("")"), R"("")");
  EXPECT_EQ(V(R"(["null","long"])", R"("")"), R"(ERROR: field v: expected long, got string "")");
}

TEST(JsonToAvroTextTest, StringsStayAsTheyAre) {
  EXPECT_EQ(T(R"("string")", "42"), R"("42")");
  EXPECT_EQ(T(R"("string")", " padded "), R"(" padded ")");
  EXPECT_EQ(T(R"(["null","string","long"])", "42"), R"("42")");  // first branch that takes it
  EXPECT_EQ(T(R"(["null","long","string"])", "42"), "42");
  EXPECT_EQ(T(R"(["null","long","string"])", "x"), R"("x")");
  EXPECT_EQ(T(R"(["null","boolean","double"])", "t"), "true");
  EXPECT_EQ(T(R"(["null","boolean","double"])", "2"), "2");
}

TEST(JsonToAvroTextTest, LogicalTypesFromText) {
  EXPECT_EQ(T(R"({"type":"long","logicalType":"timestamp-millis"})", "1705287600000"),
            "1705287600000");
  EXPECT_EQ(T(R"({"type":"long","logicalType":"timestamp-millis"})", "2024-01-15 03:00:00+00"),
            "1705287600000");
  EXPECT_EQ(T(R"({"type":"int","logicalType":"date"})", "2024-01-15"), "19737");
  EXPECT_EQ(T(R"({"type":"int","logicalType":"date"})", "19737"), "19737");
  EXPECT_EQ(T(R"({"type":"int","logicalType":"time-millis"})", "00:00:01"), "1000");
  EXPECT_EQ(T(R"({"type":"bytes","logicalType":"decimal","precision":5,"scale":1})", "12.5"),
            R"("}")");  // 125 = 0x7d
  EXPECT_EQ(T(R"(["null",{"type":"string","logicalType":"uuid"}])", ""), "null");
}

TEST(JsonToAvroTextTest, DatabaseRow) {
  const std::string schema = R"({"type":"record","name":"Order","fields":[
      {"name":"id","type":"long"},
      {"name":"paid","type":"boolean"},
      {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
      {"name":"note","type":["null","string"]},
      {"name":"shipped","type":["null",{"type":"long","logicalType":"timestamp-micros"}]},
      {"name":"tags","type":{"type":"array","items":"long"},"default":[]}]})";
  EXPECT_EQ(Convert(schema,
                    R"({"id":"42","paid":"t","amount":"19.90","note":"","shipped":"2024-01-15 )"
                    R"(03:00:00.5+00"})",
                    ValueMode::kText),
            R"({"id":42,"paid":true,"amount":"\u0007\u00c6","note":null,)"
            R"("shipped":1705287600500000,"tags":[]})");
  EXPECT_EQ(Convert(schema, R"({"id":"x","paid":"t","amount":"1"})", ValueMode::kText),
            R"(ERROR: field id: expected long, got string "x")");
  EXPECT_EQ(
      Convert(schema, R"({"id":"1","paid":"t","amount":"1","tags":["1","q"]})", ValueMode::kText),
      R"(ERROR: field tags[1]: expected long, got string "q")");
}

TEST(JsonToAvroTextTest, Throughput) {
  // Not a benchmark: a sanity check that Convert stays fast. Prints, never asserts on time.
  const std::string schema = R"({"type":"record","name":"Event","fields":[
      {"name":"event_id","type":{"type":"string","logicalType":"uuid"}},
      {"name":"user_id","type":"long"},
      {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
      {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["click","view","buy"]}},
      {"name":"price","type":["null","double"]},
      {"name":"page","type":"string"},
      {"name":"referrer","type":["null","string"]},
      {"name":"tags","type":{"type":"array","items":"string"}},
      {"name":"attrs","type":{"type":"map","values":"string"}},
      {"name":"device","type":{"type":"record","name":"Device","fields":[
          {"name":"os","type":"string"},{"name":"version","type":"string"},
          {"name":"mobile","type":"boolean"}]}}]})";
  auto conv = JsonToAvro::Make(schema);
  ASSERT_TRUE(conv.ok()) << conv.status().ToString();
  std::vector<std::string> lines;
  size_t bytes = 0;
  for (int i = 0; i < 1000; ++i) {
    char buf[640];
    std::snprintf(buf, sizeof buf,
                  R"({"event_id":"123e4567-e89b-12d3-a456-%012d","user_id":%d,)"
                  R"("ts":"2024-01-15T03:%02d:%02d.123456Z","kind":"view","price":%d.25,)"
                  R"("page":"/products/category/item-%d?utm_source=newsletter&utm_medium=email",)"
                  R"("referrer":"https://www.example.com/search?q=item+%d","tags":["a","b","c"],)"
                  R"("attrs":{"campaign":"winter-sale","variant":"B","session":"s-%d"},)"
                  R"("device":{"os":"Android","version":"14.1.%d","mobile":true}})",
                  i, 1000 + i, i % 60, i % 60, i, i, i, i, i % 10);
    lines.emplace_back(buf);
    bytes += lines.back().size();
  }
  avro_value_t value;
  ASSERT_TRUE((*conv)->NewValue(&value).ok());
  const int kRecords = 100000;
  auto start = std::chrono::steady_clock::now();
  size_t total = 0;
  for (int i = 0; i < kRecords; ++i) {
    const std::string& line = lines[i % lines.size()];
    ASSERT_TRUE((*conv)->Convert(line, ValueMode::kTyped, &value).ok());
    total += line.size();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("Convert: %d records (%zu bytes avg) in %.3f s: %.0f records/s, %.0f MB/s\n",
              kRecords, bytes / lines.size(), secs, kRecords / secs, total / secs / 1e6);
  avro_value_decref(&value);
}

}  // namespace
}  // namespace tarn::format
