// AssignFieldIds: first assignment, ids kept by path and by declared renames, new ids above
// every id ever used (never reused after a drop), nested types, and the untouched rest.
#include "tarn/schema/field_ids.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tarn::schema {
namespace {

using nlohmann::json;

std::string Rec(const std::string& fields) {
  return R"({"type":"record","name":"R","fields":[)" + fields + "]}";
}

struct Version {
  Schema schema;
  int highest = 0;
  std::string avro;
};

// Registers `avro` after `prev` (if any), as the registry does.
Version Register(const std::string& avro, const Version* prev, int highest_ever) {
  std::optional<Schema> previous;
  if (prev) previous = prev->schema;
  auto assigned = AssignFieldIds(avro, previous, highest_ever);
  EXPECT_TRUE(assigned.ok()) << assigned.status().ToString();
  if (!assigned.ok()) return {};
  auto schema = SchemaFromAvro(assigned->avro_json);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return {*schema, assigned->highest_id, assigned->avro_json};
}

int IdOf(const Version& v, const std::string& path) {
  const NestedField* f = v.schema.FindByName(path);
  return f ? f->id : -1;
}

TEST(AssignFieldIds, FirstVersionNumbersEveryFieldDepthFirst) {
  Version v1 = Register(Rec(R"({"name":"a","type":"long"},
      {"name":"b","type":{"type":"record","name":"B","fields":[{"name":"x","type":"int"}]}},
      {"name":"c","type":{"type":"array","items":"string"}},
      {"name":"d","type":["null",{"type":"map","values":"long"}],"default":null})"),
                        nullptr, 0);
  EXPECT_EQ(IdOf(v1, "a"), 1);
  EXPECT_EQ(IdOf(v1, "b"), 2);
  EXPECT_EQ(IdOf(v1, "b.x"), 3);
  EXPECT_EQ(IdOf(v1, "c"), 4);
  EXPECT_EQ(IdOf(v1, "c.element"), 5);
  EXPECT_EQ(IdOf(v1, "d"), 6);
  EXPECT_EQ(IdOf(v1, "d.key"), 7);
  EXPECT_EQ(IdOf(v1, "d.value"), 8);
  EXPECT_EQ(v1.highest, 8);
}

TEST(AssignFieldIds, AddedFieldsGetNewIdsExistingOnesKeepTheirs) {
  Version v1 =
      Register(Rec(R"({"name":"a","type":"long"},{"name":"b","type":"string"})"), nullptr, 0);
  Version v2 = Register(Rec(R"({"name":"new_first","type":"int","default":0},
      {"name":"b","type":"string"},{"name":"a","type":"long"})"),
                        &v1, v1.highest);
  EXPECT_EQ(IdOf(v2, "a"), 1);
  EXPECT_EQ(IdOf(v2, "b"), 2);
  EXPECT_EQ(IdOf(v2, "new_first"), 3);
  EXPECT_EQ(v2.highest, 3);
}

TEST(AssignFieldIds, RenameByAliasKeepsTheIdWithoutAliasDoesNot) {
  Version v1 =
      Register(Rec(R"({"name":"a","type":"long"},{"name":"b","type":"string"})"), nullptr, 0);
  Version v2 = Register(Rec(R"({"name":"alpha","type":"long","aliases":["a"]},
      {"name":"beta","type":"string"})"),
                        &v1, v1.highest);
  EXPECT_EQ(IdOf(v2, "alpha"), 1);
  EXPECT_EQ(IdOf(v2, "beta"), 3);
}

TEST(AssignFieldIds, ANameMatchWinsOverAnAliasAndIdsAreNotShared) {
  Version v1 = Register(Rec(R"({"name":"a","type":"long"})"), nullptr, 0);
  Version v2 = Register(Rec(R"({"name":"b","type":"long","aliases":["a"]},
      {"name":"a","type":"long"})"),
                        &v1, v1.highest);
  EXPECT_EQ(IdOf(v2, "a"), 1);
  EXPECT_EQ(IdOf(v2, "b"), 2);
}

TEST(AssignFieldIds, DroppedThenReAddedFieldGetsANewId) {
  Version v1 =
      Register(Rec(R"({"name":"a","type":"long"},{"name":"b","type":"string"})"), nullptr, 0);
  Version v2 = Register(Rec(R"({"name":"a","type":"long"})"), &v1, v1.highest);
  EXPECT_EQ(v2.highest, 2);  // b's id stays retired
  Version v3 = Register(Rec(R"({"name":"a","type":"long"},{"name":"b","type":"string"})"), &v2,
                        std::max(v1.highest, v2.highest));
  EXPECT_EQ(IdOf(v3, "a"), 1);
  EXPECT_EQ(IdOf(v3, "b"), 3);
  EXPECT_EQ(v3.highest, 3);
}

TEST(AssignFieldIds, NestedFieldsFollowTheirParents) {
  Version v1 = Register(Rec(R"({"name":"addr","type":{"type":"record","name":"A","fields":[
      {"name":"zip","type":"string"}]}},
      {"name":"lines","type":{"type":"array","items":{"type":"record","name":"L","fields":[
      {"name":"sku","type":"string"}]}}},
      {"name":"attrs","type":{"type":"map","values":"long"}})"),
                        nullptr, 0);
  ASSERT_EQ(v1.highest, 8);
  // addr renamed (alias), a field added inside it, lines' item gains qty, attrs untouched.
  Version v2 = Register(Rec(R"({"name":"address","aliases":["addr"],"type":{"type":"record",
      "name":"A","fields":[{"name":"zip","type":"string"},{"name":"city","type":"string",
      "default":""}]}},
      {"name":"lines","type":{"type":"array","items":{"type":"record","name":"L","fields":[
      {"name":"sku","type":"string"},{"name":"qty","type":"int","default":1}]}}},
      {"name":"attrs","type":{"type":"map","values":"long"}})"),
                        &v1, v1.highest);
  EXPECT_EQ(IdOf(v2, "address"), IdOf(v1, "addr"));
  EXPECT_EQ(IdOf(v2, "address.zip"), IdOf(v1, "addr.zip"));
  EXPECT_EQ(IdOf(v2, "lines.element"), IdOf(v1, "lines.element"));
  EXPECT_EQ(IdOf(v2, "lines.sku"), IdOf(v1, "lines.sku"));
  EXPECT_EQ(IdOf(v2, "attrs.key"), IdOf(v1, "attrs.key"));
  EXPECT_EQ(IdOf(v2, "attrs.value"), IdOf(v1, "attrs.value"));
  EXPECT_EQ(IdOf(v2, "address.city"), 9);
  EXPECT_EQ(IdOf(v2, "lines.qty"), 10);
  // A field whose type changed kind keeps its id; its new children are new.
  Version v3 = Register(Rec(R"({"name":"address","type":"string","default":""},
      {"name":"lines","type":{"type":"map","values":"string"}},
      {"name":"attrs","type":{"type":"map","values":"long"}})"),
                        &v2, v2.highest);
  EXPECT_EQ(IdOf(v3, "address"), IdOf(v2, "address"));
  EXPECT_EQ(IdOf(v3, "lines"), IdOf(v2, "lines"));
  EXPECT_EQ(IdOf(v3, "lines.key"), 11);
  EXPECT_EQ(IdOf(v3, "lines.value"), 12);
}

TEST(AssignFieldIds, ReplacesGivenIdsAndKeepsTheRestOfTheDocument) {
  std::string avro = R"({"type":"record","name":"R","namespace":"ns","doc":"d","fields":[
      {"name":"a","type":"long","field-id":99,"tarn.json_name":"A-1","order":"descending"}]})";
  auto assigned = AssignFieldIds(avro, std::nullopt, 5);
  ASSERT_TRUE(assigned.ok());
  json j = json::parse(assigned->avro_json);
  EXPECT_EQ(j["fields"][0]["field-id"], 6);
  EXPECT_EQ(j["fields"][0]["tarn.json_name"], "A-1");
  EXPECT_EQ(j["fields"][0]["order"], "descending");
  EXPECT_EQ(j["namespace"], "ns");
  EXPECT_EQ(j["doc"], "d");
  EXPECT_EQ(assigned->highest_id, 6);
}

TEST(AssignFieldIds, HighestEverBelowThePreviousSchemaStillAvoidsCollisions) {
  Version v1 =
      Register(Rec(R"({"name":"a","type":"long"},{"name":"b","type":"long"})"), nullptr, 0);
  Version v2 = Register(Rec(R"({"name":"a","type":"long"},{"name":"c","type":"long"})"), &v1, 0);
  EXPECT_EQ(IdOf(v2, "c"), 3);
}

TEST(AssignFieldIds, RejectsWhatTheModelCannotHold) {
  auto bad = AssignFieldIds(Rec(R"({"name":"a","type":["int","string"]})"), std::nullopt, 0);
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(AssignFieldIds("{", std::nullopt, 0).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tarn::schema
