// The typed model: Avro and Iceberg JSON conversions (round trips keep ids), type mapping,
// lookups, and rejected inputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tarn/schema/compatibility.h"
#include "tarn/schema/schema.h"

#include "schema/schema_test_util.h"

namespace tarn::schema {
namespace {

using nlohmann::json;

using testing::F;
using testing::Prim;

const char* kOrders = R"({
  "type": "record", "name": "Order", "namespace": "shop",
  "fields": [
    {"name": "id", "type": "long", "field-id": 1, "doc": "order id"},
    {"name": "customer", "type": ["null", "string"], "default": null, "field-id": 2,
     "tarn.json_name": "customer-name"},
    {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12,
     "scale": 2}, "field-id": 3},
    {"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-micros"},
     "field-id": 4},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID",
     "UNKNOWN"], "default": "UNKNOWN"}, "default": "NEW", "field-id": 5},
    {"name": "address", "type": ["null", {"type": "record", "name": "Address", "fields": [
      {"name": "zip", "type": "string", "field-id": 7},
      {"name": "city", "type": ["string", "null"], "default": "?", "field-id": 8}]}],
     "default": null, "field-id": 6},
    {"name": "lines", "type": {"type": "array", "element-id": 10, "items": {"type": "record",
     "name": "Line", "fields": [{"name": "sku", "type": "string", "field-id": 11},
     {"name": "qty", "type": "int", "field-id": 12}]}}, "field-id": 9},
    {"name": "attrs", "type": {"type": "map", "key-id": 14, "value-id": 15,
     "values": ["null", "long"]}, "field-id": 13},
    {"name": "hash", "type": {"type": "fixed", "name": "Md5", "size": 16}, "field-id": 16,
     "aliases": ["digest"]},
    {"name": "billing", "type": ["null", "Address"], "default": null, "field-id": 17}
  ]})";

Schema Parse(const std::string& avro) {
  auto s = SchemaFromAvro(avro);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : Schema();
}

TEST(SchemaFromAvro, MapsTypesAndIds) {
  Schema s = Parse(kOrders);
  EXPECT_EQ(s.highest_field_id(), 17);
  ASSERT_EQ(s.fields().size(), 10u);
  EXPECT_TRUE(s.fields()[0].required);
  EXPECT_EQ(s.fields()[0].doc, "order id");
  EXPECT_FALSE(s.fields()[1].required);
  EXPECT_EQ(s.fields()[1].default_json, "null");
  EXPECT_EQ(s.fields()[1].extra_props.at("tarn.json_name"), "\"customer-name\"");
  EXPECT_EQ(TypeToString(*s.fields()[2].type), "decimal(12,2)");
  EXPECT_EQ(s.fields()[3].type->id, TypeId::kTimestampTz);
  const Type& status = *s.fields()[4].type;
  EXPECT_EQ(status.id, TypeId::kString);
  EXPECT_EQ(status.enum_symbols.size(), 3u);
  EXPECT_EQ(status.enum_default, "UNKNOWN");
  EXPECT_EQ(status.avro_name, "shop.Status");
  ASSERT_NE(s.FindById(8), nullptr);
  EXPECT_EQ(s.FindById(8)->name, "city");
  EXPECT_FALSE(s.FindById(8)->required);
  EXPECT_EQ(s.FindByName("address.zip")->id, 7);
  EXPECT_EQ(s.FindByName("lines.element")->id, 10);
  EXPECT_EQ(s.FindByName("lines.element.qty")->id, 12);
  EXPECT_EQ(s.FindByName("lines.sku")->id, 11);  // walked through the list
  EXPECT_EQ(s.FindByName("attrs.key")->id, 14);
  EXPECT_FALSE(s.FindByName("attrs.value")->required);
  EXPECT_EQ(s.FindByName("nope"), nullptr);
  EXPECT_EQ(s.PathOf(12), "lines.element.qty");
  EXPECT_EQ(TypeToString(*s.fields()[8].type), "fixed[16]");
  EXPECT_EQ(s.fields()[8].aliases, std::vector<std::string>{"digest"});
  // The named type used again by reference shares its definition's ids.
  EXPECT_EQ(s.FindByName("billing.zip")->id, 7);
}

TEST(SchemaFromAvro, LogicalTypes) {
  Schema s = Parse(R"({"type":"record","name":"T","fields":[
    {"name":"d","type":{"type":"int","logicalType":"date"}},
    {"name":"tm","type":{"type":"int","logicalType":"time-millis"}},
    {"name":"tu","type":{"type":"long","logicalType":"time-micros"}},
    {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
    {"name":"lts","type":{"type":"long","logicalType":"local-timestamp-micros"}},
    {"name":"iceberg_ts","type":{"type":"long","logicalType":"timestamp-micros",
                                 "adjust-to-utc":false}},
    {"name":"u","type":{"type":"string","logicalType":"uuid"}},
    {"name":"uf","type":{"type":"fixed","name":"U16","size":16,"logicalType":"uuid"}},
    {"name":"df","type":{"type":"fixed","name":"D","size":8,"logicalType":"decimal",
                         "precision":18,"scale":4}},
    {"name":"other","type":{"type":"string","logicalType":"something-else"}}]})");
  std::vector<std::string> types;
  for (const auto& f : s.fields()) types.push_back(TypeToString(*f.type));
  EXPECT_EQ(types,
            (std::vector<std::string>{"date", "time", "time", "timestamptz", "timestamp",
                                      "timestamp", "uuid", "uuid", "decimal(18,4)", "string"}));
  EXPECT_TRUE(s.fields()[1].type->avro_millis);
  EXPECT_EQ(s.fields()[8].type->length, 8);
  // Physical types survive the round trip (time-millis stays an int, fixed stays fixed).
  json avro = json::parse(SchemaToAvro(s, "T"));
  EXPECT_EQ(avro["fields"][1]["type"],
            json::parse(R"({"type":"int","logicalType":"time-millis"})"));
  EXPECT_EQ(avro["fields"][7]["type"]["type"], "fixed");
  EXPECT_EQ(avro["fields"][8]["type"]["size"], 8);
}

TEST(SchemaFromAvro, RejectsWhatTheModelCannotHold) {
  struct Case {
    std::string avro, message;
  };
  for (
      const Case& c : std::vector<Case>{
          {R"({"type":"record","name":"R","fields":[{"name":"a","type":["int","string"]}]})",
           "unions other than [null, T] are not supported"},
          {R"({"type":"record","name":"R","fields":[{"name":"a","type":["null","int","string"]}]})",
           "unions other than [null, T] are not supported"},
          {R"({"type":"record","name":"R","fields":[{"name":"a","type":"null"}]})", "null"},
          {R"("string")", "must be a record"},
          {R"({"type":"record","name":"N","fields":[{"name":"next","type":["null","N"]}]})",
           "recursive"},
          {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","field-id":"x"}]})",
           "field-id"},
          {R"({"type":"record","name":"R","fields":[{"name":"a","type":"Nope"}]})", "unknown type"},
          {"[", "not valid JSON"},
      }) {
    auto s = SchemaFromAvro(c.avro);
    ASSERT_FALSE(s.ok()) << c.avro;
    EXPECT_EQ(s.status().code(), ErrorCode::kInvalidArgument) << c.avro;
    EXPECT_NE(s.status().message().find(c.message), std::string::npos) << s.status().message();
  }
}

TEST(SchemaToAvro, RoundTripKeepsIdsAndEverythingElse) {
  Schema s = Parse(kOrders);
  std::string avro = SchemaToAvro(s, "shop.Order");
  Schema again = Parse(avro);
  EXPECT_EQ(SchemaToAvro(again, "shop.Order"), avro);  // a fixed point
  EXPECT_EQ(SchemaToIcebergJson(again, 0), SchemaToIcebergJson(s, 0));
  for (int id = 1; id <= 17; ++id) {
    ASSERT_NE(again.FindById(id), nullptr) << id;
    EXPECT_EQ(again.PathOf(id), s.PathOf(id)) << id;
  }
  json j = json::parse(avro);
  EXPECT_EQ(j["name"], "Order");
  EXPECT_EQ(j["namespace"], "shop");
  EXPECT_EQ(j["fields"][1]["tarn.json_name"], "customer-name");
  EXPECT_EQ(j["fields"][6]["type"]["element-id"], 10);
  EXPECT_EQ(j["fields"][7]["type"]["key-id"], 14);
  EXPECT_EQ(j["fields"][7]["type"]["value-id"], 15);
  EXPECT_EQ(j["fields"][9]["type"], json::parse(R"(["null","Address"])"));  // a reference
  // [T, "null"] with a non-null default stays in that order (Avro defaults match branch 0).
  EXPECT_EQ(j["fields"][5]["type"][1]["fields"][1]["type"], json::parse(R"(["string","null"])"));
  // Reading and writing the result with the original is loss-free in both directions.
  auto forward = CheckReadable(avro, kOrders);
  auto backward = CheckReadable(kOrders, avro);
  ASSERT_TRUE(forward.ok() && backward.ok());
  EXPECT_TRUE(forward->empty());
  EXPECT_TRUE(backward->empty());
}

TEST(SchemaToAvro, NamesStructsAndRenamesDivergingDefinitions) {
  auto inner = std::make_shared<Type>();
  inner->id = TypeId::kStruct;
  NestedField x = F(3, "x", true, Prim(TypeId::kInt));
  inner->fields = {x};
  auto other = std::make_shared<Type>(*inner);
  other->fields[0].type = Prim(TypeId::kLong);
  inner->avro_name = other->avro_name = "Point";
  auto s = Schema::Make({F(1, "a", true, inner), F(2, "b", true, other), F(4, "c", false, inner)});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  json j = json::parse(SchemaToAvro(*s, "R"));
  EXPECT_EQ(j["fields"][0]["type"]["name"], "Point");
  EXPECT_EQ(j["fields"][1]["type"]["name"], "Point_2");
  EXPECT_EQ(j["fields"][2]["type"], json::parse(R"(["null","Point"])"));
  EXPECT_TRUE(SchemaFromAvro(j.dump()).ok());
  // Unnamed structs are named after their field id.
  auto plain = std::make_shared<Type>(*inner);
  plain->avro_name.clear();
  auto t = Schema::Make({F(7, "p", true, plain)});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(json::parse(SchemaToAvro(*t, "R"))["fields"][0]["type"]["name"], "r7");
}

TEST(IcebergJson, RoundTripsNestedTypes) {
  const char* text = R"j({"type":"struct","schema-id":3,"identifier-field-ids":[1],"fields":[
    {"id":1,"name":"id","required":true,"type":"long"},
    {"id":2,"name":"price","required":false,"type":"decimal(9, 2)","doc":"in EUR"},
    {"id":3,"name":"tags","required":false,"type":{"type":"list","element-id":6,
      "element":"string","element-required":false}},
    {"id":4,"name":"props","required":true,"type":{"type":"map","key-id":7,"key":"string",
      "value-id":8,"value":{"type":"struct","fields":[
        {"id":9,"name":"v","required":true,"type":"fixed[4]"}]},"value-required":true}},
    {"id":5,"name":"at","required":false,"type":"timestamptz","initial-default":0,
     "write-default":0}]})j";
  auto s = SchemaFromIcebergJson(text);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->highest_field_id(), 9);
  EXPECT_EQ(s->identifier_field_ids(), std::vector<int>{1});
  EXPECT_EQ(json::parse(SchemaToIcebergJson(*s, 3)), json::parse(text));
  // Through Avro and back: the same ids, types and optionality.
  auto via_avro = SchemaFromAvro(SchemaToAvro(*s, "t"));
  ASSERT_TRUE(via_avro.ok()) << via_avro.status().ToString();
  json expected = json::parse(text);
  expected.erase("identifier-field-ids");
  EXPECT_EQ(json::parse(SchemaToIcebergJson(*via_avro, 3)), expected);
}

TEST(IcebergJson, MapWithNonStringKeysGoesThroughAvroAsEntries) {
  const char* text = R"({"type":"struct","schema-id":0,"fields":[
    {"id":1,"name":"m","required":true,"type":{"type":"map","key-id":2,"key":"int",
      "value-id":3,"value":"string","value-required":false}}]})";
  auto s = SchemaFromIcebergJson(text);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::string avro = SchemaToAvro(*s, "R");
  EXPECT_EQ(json::parse(avro)["fields"][0]["type"]["logicalType"], "map");
  auto back = SchemaFromAvro(avro);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(json::parse(SchemaToIcebergJson(*back, 0)), json::parse(text));
}

TEST(IcebergJson, RejectsBadInput) {
  for (const char* bad : {
           R"({"fields":[]})",
           R"({"type":"struct","fields":[{"id":1,"name":"a","required":true,
              "type":"timestamp_ns"}]})",
           R"({"type":"struct","fields":[{"id":1,"name":"a","type":"long"}]})",
           R"({"type":"struct","fields":[{"id":"1","name":"a","required":true,"type":"long"}]})",
           R"j({"type":"struct","fields":[{"id":1,"name":"a","required":true,
              "type":"decimal(40,2)"}]})j",
           R"({"type":"struct","identifier-field-ids":[9],"fields":[]})",
           "nope",
       }) {
    auto s = SchemaFromIcebergJson(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

// The Iceberg conformance fixture's schemas (not copied here; skipped when absent).
void CheckFixtureSchemas(const std::string& path) {
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  json metadata = json::parse(text.str());
  ASSERT_TRUE(metadata.contains("schemas"));
  for (const json& schema : metadata["schemas"]) {
    auto s = SchemaFromIcebergJson(schema.dump());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(json::parse(SchemaToIcebergJson(*s, schema["schema-id"].get<int>())), schema);
    auto via_avro = SchemaFromAvro(SchemaToAvro(*s, "table"));
    ASSERT_TRUE(via_avro.ok()) << via_avro.status().ToString();
    for (const auto& f : s->fields()) {
      ASSERT_NE(via_avro->FindById(f.id), nullptr);
      EXPECT_EQ(via_avro->FindById(f.id)->name, f.name);
    }
  }
}

TEST(IcebergJson, FixtureTableMetadataV2Valid) {
  CheckFixtureSchemas("/work/shared/fixtures/iceberg/metadata/TableMetadataV2Valid.json");
}

TEST(IcebergJson, FixtureTableMetadataV3ValidMinimal) {
  CheckFixtureSchemas("/work/shared/fixtures/iceberg/metadata/TableMetadataV3ValidMinimal.json");
}

TEST(Schema, MakeValidates) {
  auto int_type = Prim(TypeId::kInt);
  EXPECT_FALSE(Schema::Make({F(1, "a", true, int_type), F(2, "a", true, int_type)}).ok());
  EXPECT_FALSE(Schema::Make({F(1, "", true, int_type)}).ok());
  EXPECT_FALSE(Schema::Make({F(1, "a", true, nullptr)}).ok());
  EXPECT_FALSE(Schema::Make({F(-1, "a", true, int_type)}).ok());
  NestedField bad_default = F(1, "a", true, int_type);
  bad_default.default_json = "{nope";
  EXPECT_FALSE(Schema::Make({bad_default}).ok());
  EXPECT_FALSE(Schema::Make({F(1, "a", true, int_type)}, {2}).ok());
  EXPECT_TRUE(Schema::Make({F(1, "a", true, int_type)}, {1}).ok());
}

TEST(Types, ParsePrimitiveType) {
  for (const char* t : {"boolean", "int", "long", "float", "double", "date", "time", "timestamp",
                        "timestamptz", "string", "uuid", "binary", "decimal(12,2)", "fixed[3]"}) {
    auto parsed = ParsePrimitiveType(t);
    ASSERT_TRUE(parsed.ok()) << t;
    EXPECT_EQ(TypeToString(**parsed), t);
  }
  EXPECT_EQ(TypeToString(**ParsePrimitiveType("decimal(12, 2)")), "decimal(12,2)");
  for (const char* t : {"", "decimal(0,0)", "decimal(3,4)", "decimal(39,0)", "fixed[0]", "struct",
                        "list<long>", "Long"}) {
    EXPECT_FALSE(ParsePrimitiveType(t).ok()) << t;
  }
}

}  // namespace
}  // namespace tarn::schema
