// ProjectRecord: records written under an older version read with a newer one, by field id.
#include "tarn/schema/projection.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tarn/schema/evolution.h"
#include "tarn/schema/field_ids.h"

namespace tarn::schema {
namespace {

using nlohmann::json;

Schema FromAvro(const std::string& avro) {
  auto s = SchemaFromAvro(avro);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : Schema();
}

std::string Project(const std::string& record, const Schema& written, const Schema& read) {
  auto out = ProjectRecord(record, written, read);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : "";
}

EvolutionOp Op(std::string op, std::string column, std::string arg = "") {
  EvolutionOp e;
  e.op = std::move(op);
  e.column = std::move(column);
  if (e.op == "rename_column") e.new_name = arg;
  if (e.op == "add_column" || e.op == "widen_type") e.type = arg;
  return e;
}

TEST(ProjectRecord, V1RecordReadUnderV3AfterAddRenameWiden) {
  Schema v1 = FromAvro(R"({"type":"record","name":"R","fields":[
      {"name":"id","type":"int","field-id":1},
      {"name":"name","type":"string","field-id":2},
      {"name":"score","type":["null","float"],"default":null,"field-id":3},
      {"name":"legacy","type":"string","field-id":4}]})");
  int highest = 4;
  // v2: add country (default "NL"), rename name -> full_name; v3: widen id and score, drop
  // legacy, add note (null), move country first.
  EvolutionOp country = Op("add_column", "country", "string");
  country.default_json = "\"NL\"";
  auto v2 = ApplyEvolution(v1, {country, Op("rename_column", "name", "full_name")}, &highest);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EvolutionOp first = Op("move_column", "country");
  auto v3 = ApplyEvolution(*v2,
                           {Op("widen_type", "id", "long"), Op("widen_type", "score", "double"),
                            Op("drop_column", "legacy"), Op("add_column", "note", "string"), first},
                           &highest);
  ASSERT_TRUE(v3.ok()) << v3.status().ToString();
  std::string v1_record = R"({"id":7,"name":"Ada","score":2,"legacy":"x"})";
  EXPECT_EQ(Project(v1_record, v1, *v3),
            R"({"country":"NL","id":7,"full_name":"Ada","score":2.0,"note":null})");
  // The same record through the Avro documents the registry stores.
  Schema v1_stored = FromAvro(SchemaToAvro(v1, "R"));
  Schema v3_stored = FromAvro(SchemaToAvro(*v3, "R"));
  EXPECT_EQ(Project(v1_record, v1_stored, v3_stored),
            R"({"country":"NL","id":7,"full_name":"Ada","score":2.0,"note":null})");
  // A v3 record read under v1: dropped columns come back as null, renamed keep their data.
  EXPECT_EQ(
      Project(R"({"country":"BE","id":8,"full_name":"Bob","score":null,"note":"n"})", *v3, v1),
      R"({"id":8,"name":"Bob","score":null,"legacy":null})");
}

TEST(ProjectRecord, NestedStructsListsAndMapsById) {
  const char* v1_avro = R"({"type":"record","name":"R","fields":[
      {"name":"addr","type":{"type":"record","name":"A","fields":[
        {"name":"zip","type":"string"},{"name":"n","type":"int"}]}},
      {"name":"lines","type":{"type":"array","items":{"type":"record","name":"L","fields":[
        {"name":"sku","type":"string"},{"name":"qty","type":"int"},{"name":"gone","type":"int"}]}}},
      {"name":"attrs","type":{"type":"map","values":{"type":"record","name":"V","fields":[
        {"name":"v","type":"int"}]}}}]})";
  auto v1_ids = AssignFieldIds(v1_avro, std::nullopt, 0);
  ASSERT_TRUE(v1_ids.ok());
  Schema v1 = FromAvro(v1_ids->avro_json);
  // v2 renames addr -> address and zip -> postcode, widens n, qty and v, drops gone, adds
  // lines[].price with a default.
  const char* v2_avro = R"({"type":"record","name":"R","fields":[
      {"name":"address","aliases":["addr"],"type":{"type":"record","name":"A","fields":[
        {"name":"postcode","aliases":["zip"],"type":"string"},{"name":"n","type":"long"}]}},
      {"name":"lines","type":{"type":"array","items":{"type":"record","name":"L","fields":[
        {"name":"qty","type":"double"},{"name":"sku","type":"string"},
        {"name":"price","type":"double","default":1.5}]}}},
      {"name":"attrs","type":{"type":"map","values":{"type":"record","name":"V","fields":[
        {"name":"v","type":"long"}]}}}]})";
  auto v2_ids = AssignFieldIds(v2_avro, v1, v1_ids->highest_id);
  ASSERT_TRUE(v2_ids.ok());
  Schema v2 = FromAvro(v2_ids->avro_json);
  std::string record = R"({"addr":{"zip":"1011","n":3},
      "lines":[{"sku":"a","qty":1,"gone":0},{"sku":"b","qty":2,"gone":0}],
      "attrs":{"k":{"v":5},"m":null}})";
  EXPECT_EQ(json::parse(Project(record, v1, v2)), json::parse(R"({
      "address":{"postcode":"1011","n":3},
      "lines":[{"qty":1.0,"sku":"a","price":1.5},{"qty":2.0,"sku":"b","price":1.5}],
      "attrs":{"k":{"v":5},"m":null}})"));
  // Key order follows the read schema.
  EXPECT_EQ(Project(record, v1, v2).substr(0, 35), R"({"address":{"postcode":"1011","n":3)");
}

TEST(ProjectRecord, JsonNamesNoIdsAndErrors) {
  // Inferred schemas read keys from "tarn.json_name"; files without ids match by name.
  Schema written = FromAvro(R"({"type":"record","name":"R","fields":[
      {"name":"user_id","tarn.json_name":"user-id","type":"long"},
      {"name":"n","type":"long"}]})");
  Schema read = FromAvro(R"({"type":"record","name":"R","fields":[
      {"name":"user_id","tarn.json_name":"user-id","type":"long","field-id":1},
      {"name":"n","type":"string","field-id":2},
      {"name":"extra","type":["null","long"],"field-id":3}]})");
  EXPECT_EQ(Project(R"({"user-id":1,"n":2})", written, read),
            R"({"user-id":1,"n":"2","extra":null})");
  EXPECT_EQ(Project(R"({"n":2})", written, read), R"({"user-id":null,"n":"2","extra":null})");
  EXPECT_EQ(ProjectRecord("[1]", written, read).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ProjectRecord("{", written, read).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tarn::schema
