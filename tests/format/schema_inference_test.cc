// InferAvroSchema: types from mixed samples, kText classification, nested records and
// arrays, names that are not Avro names, and that the result takes every sample.
#include "tarn/format/schema_inference.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "format_test_util.h"

namespace tarn::format {
namespace {

using nlohmann::json;

json Field(const std::string& name, json type) {
  return {{"name", name}, {"type", json::array({"null", type})}, {"default", nullptr}};
}

json Record(const std::string& name, json fields) {
  return {{"type", "record"}, {"name", name}, {"fields", fields}};
}

void ExpectAllConvert(const std::string& schema, const std::vector<std::string>& samples,
                      ValueMode mode) {
  for (const std::string& s : samples) {
    std::string out = testing::Convert(schema, s, mode);
    EXPECT_EQ(out.rfind("ERROR", 0), std::string::npos) << s << " -> " << out;
  }
}

TEST(SchemaInferenceTest, TypedSamples) {
  std::vector<std::string> samples = {
      R"({"id":1,"price":2,"name":"a","ok":true,"tags":["x"],"addr":{"zip":"1","geo":{"lat":1.5}},"mixed":1})",
      R"({"id":2,"price":2.5,"name":"b","ok":null,"tags":[],"addr":{"zip":"2","street":"s"},"mixed":"q"})",
      R"({"id":3,"extra":null,"name":"c","tags":null,"mixed":{"a":1},"list":[1,2.5],"objs":[{"k":1}]})",
      R"({"id":4,"ok":false,"flag":[true, 1]})",
  };
  auto schema = InferAvroSchema(samples, ValueMode::kTyped, "events");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  json expected = {
      {"type", "record"},
      {"name", "events"},
      {"namespace", "tarn.inferred"},
      {"fields",
       json::array({
           Field("id", "long"),
           Field("price", "double"),
           Field("name", "string"),
           Field("ok", "boolean"),
           Field("tags", {{"type", "array"}, {"items", json::array({"null", "string"})}}),
           Field("addr",
                 Record("addr",
                        json::array({Field("zip", "string"),
                                     Field("geo", Record("addr_geo",
                                                         json::array({Field("lat", "double")}))),
                                     Field("street", "string")}))),
           Field("mixed", "string"),
           Field("extra", "string"),  // only ever null
           Field("list", {{"type", "array"}, {"items", json::array({"null", "double"})}}),
           Field("objs",
                 {{"type", "array"},
                  {"items",
                   json::array({"null", Record("objs_item", json::array({Field("k", "long")}))})}}),
           Field("flag", {{"type", "array"}, {"items", json::array({"null", "string"})}}),
       })}};
  EXPECT_EQ(json::parse(*schema), expected) << *schema;
  ExpectAllConvert(*schema, samples, ValueMode::kTyped);
}

TEST(SchemaInferenceTest, TextSamples) {
  std::vector<std::string> samples = {
      R"({"a":"1","b":"1.5","c":"t","d":"007","e":"","f":"x","g":"-3","h":"TRUE","i":"1"})",
      R"({"a":"2","b":"2","c":"false","d":"8","e":"","f":"1","g":"","h":"f","i":"t"})",
      R"({"a":"","b":"1e3","c":"F","d":"9","f":"2024-01-15","g":"12","h":"true","i":"0"})",
  };
  auto schema = InferAvroSchema(samples, ValueMode::kText, "rows");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  json fields = json::parse(*schema)["fields"];
  std::map<std::string, json> types;
  for (const json& f : fields) types[f["name"]] = f["type"][1];
  EXPECT_EQ(types["a"], "long");
  EXPECT_EQ(types["b"], "double");
  EXPECT_EQ(types["c"], "boolean");
  EXPECT_EQ(types["d"], "string");  // "007" keeps its zeros
  EXPECT_EQ(types["e"], "string");  // only ever empty
  EXPECT_EQ(types["f"], "string");
  EXPECT_EQ(types["g"], "long");
  EXPECT_EQ(types["h"], "boolean");
  EXPECT_EQ(types["i"], "string");  // numbers and booleans mixed
  ExpectAllConvert(*schema, samples, ValueMode::kText);
  // Typed mode reads the same strings as strings.
  auto typed = InferAvroSchema(samples, ValueMode::kTyped, "rows");
  ASSERT_TRUE(typed.ok());
  const json typed_fields = json::parse(*typed)["fields"];
  for (const json& f : typed_fields) EXPECT_EQ(f["type"][1], "string") << f;
}

TEST(SchemaInferenceTest, KeysThatAreNotAvroNames) {
  std::vector<std::string> samples = {
      R"({"user-id":1,"1st":"a","a b":{"c.d":true},"user_id":"clash","":2,"long":{"x":1}})"};
  auto schema = InferAvroSchema(samples, ValueMode::kTyped, "my-events");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  json s = json::parse(*schema);
  EXPECT_EQ(s["name"], "my_events");
  json f = s["fields"];
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0]["name"], "user_id");
  EXPECT_EQ(f[0]["tarn.json_name"], "user-id");
  EXPECT_EQ(f[1]["name"], "_1st");
  EXPECT_EQ(f[1]["tarn.json_name"], "1st");
  EXPECT_EQ(f[2]["name"], "a_b");
  EXPECT_EQ(f[2]["type"][1]["fields"][0]["name"], "c_d");
  EXPECT_EQ(f[3]["name"], "user_id_2");  // taken by the sanitized "user-id"
  EXPECT_EQ(f[3]["tarn.json_name"], "user_id");
  EXPECT_EQ(f[4]["name"], "_");
  EXPECT_EQ(f[5]["type"][1]["name"], "long_2");  // a record may not be called "long"
  EXPECT_EQ(testing::Convert(*schema, samples[0]),
            R"({"user_id":1,"_1st":"a","a_b":{"c_d":true},"user_id_2":"clash","_":2,)"
            R"("long":{"x":1}})");
}

TEST(SchemaInferenceTest, Errors) {
  EXPECT_EQ(InferAvroSchema({}, ValueMode::kTyped, "r").status().code(),
            ErrorCode::kInvalidArgument);
  auto bad = InferAvroSchema({R"({"a":1})", "{oops"}, ValueMode::kTyped, "r");
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("sample 1: not valid JSON", 0), 0u)
      << bad.status().message();
  EXPECT_EQ(InferAvroSchema({"[1]"}, ValueMode::kTyped, "r").status().message(),
            "sample 0: expected a JSON object, got array");
  // Empty objects make an empty record, which is still a schema.
  auto empty = InferAvroSchema({"{}"}, ValueMode::kTyped, "r");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, R"({"type":"record","name":"r","namespace":"tarn.inferred","fields":[]})");
}

}  // namespace
}  // namespace tarn::format
