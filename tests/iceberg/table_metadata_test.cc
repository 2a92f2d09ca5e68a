// Table metadata: every shared fixture file (apache/iceberg, iceberg-rust, REST payloads and the
// three complete tables) parses to the facts in fixtures/iceberg/README.md or fails with the
// reference implementation's message; parse -> write -> parse keeps the model; the written
// JSON has every v2-required key with the right JSON type.
#include "tarn/iceberg/table_metadata.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "iceberg/metadata_test_util.h"

namespace tarn::iceberg {
namespace {

using testing::ExpectSameMetadata;
using testing::FixtureTest;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr int64_t kV2First = 3051729675574597004;
constexpr int64_t kV2Current = 3055729675574597004;

class TableMetadataFixtures : public FixtureTest {
 protected:
  static TableMetadata Parse(const std::string& relative) {
    auto md = ParseTableMetadata(Fixture(relative));
    EXPECT_TRUE(md.ok()) << relative << ": " << md.status().ToString();
    return md.ok() ? *md : TableMetadata{};
  }
  static Status ParseError(const std::string& relative) {
    return ParseTableMetadata(Fixture(relative)).status();
  }
  // The "metadata" object of a REST payload.
  static std::string RestMetadata(const std::string& file) {
    return Json::parse(Fixture("rest/" + file))["metadata"].dump();
  }
  // The template's {{ ... }} placeholders filled with concrete locations.
  static std::string PartitionEvolution() {
    std::string text =
        Fixture("metadata/iceberg-rust/example_table_metadata_v2_partition_evolution.json");
    for (size_t at; (at = text.find("{{ ")) != std::string::npos;) {
      size_t end = text.find(" }}", at);
      text.replace(at, end + 3 - at, "s3://bucket/" + text.substr(at + 3, end - at - 3));
    }
    return text;
  }
};

std::vector<std::string> FieldNames(const schema::Schema& s) {
  std::vector<std::string> names;
  for (const auto& f : s.fields()) names.push_back(f.name);
  return names;
}

TEST_F(TableMetadataFixtures, V1Valid) {
  TableMetadata md = Parse("metadata/TableMetadataV1Valid.json");
  EXPECT_EQ(md.format_version, 1);
  EXPECT_EQ(md.location, "s3://bucket/test/location");
  EXPECT_EQ(md.last_column_id, 3);
  EXPECT_EQ(md.last_sequence_number, 0);
  ASSERT_EQ(md.schemas.size(), 1u);
  ASSERT_NE(md.CurrentSchema(), nullptr);
  EXPECT_EQ(FieldNames(*md.CurrentSchema()), (std::vector<std::string>{"x", "y", "z"}));
  for (const auto& f : md.CurrentSchema()->fields()) {
    EXPECT_TRUE(f.required);
    EXPECT_EQ(f.type->id, schema::TypeId::kLong);
  }
  ASSERT_NE(md.DefaultSpec(), nullptr);
  EXPECT_EQ(md.DefaultSpec()->fields,
            (std::vector<PartitionField>{{1, 1000, "x", Transform{Transform::kIdentity}}}));
  EXPECT_EQ(md.last_partition_id, 1000);
  EXPECT_EQ(md.sort_orders, (std::vector<SortOrder>{SortOrder{}}));
  EXPECT_FALSE(md.current_snapshot_id.has_value());
  EXPECT_TRUE(md.snapshots.empty());
  EXPECT_TRUE(md.refs.empty());
}

TEST_F(TableMetadataFixtures, V1MissingSchemaTypeIsRejected) {
  Status st = ParseError("metadata/TableMetadataV1MissingSchemaType.json");
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("Cannot parse type from json"));
}

TEST_F(TableMetadataFixtures, V2Valid) {
  TableMetadata md = Parse("metadata/TableMetadataV2Valid.json");
  EXPECT_EQ(md.format_version, 2);
  EXPECT_EQ(md.table_uuid, "9c12d441-03fe-4693-9a96-a0705ddf69c1");
  EXPECT_EQ(md.last_sequence_number, 34);
  ASSERT_EQ(md.schemas.size(), 2u);
  EXPECT_EQ(md.current_schema_id, 1);
  EXPECT_EQ(FieldNames(*md.CurrentSchema()), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(md.CurrentSchema()->identifier_field_ids(), (std::vector<int>{1, 2}));
  EXPECT_EQ(FieldNames(*md.SchemaById(0)), (std::vector<std::string>{"x"}));
  EXPECT_EQ(md.specs,
            (std::vector<PartitionSpec>{{0, {{1, 1000, "x", Transform{Transform::kIdentity}}}}}));
  EXPECT_EQ(md.last_partition_id, 1000);
  EXPECT_EQ(md.default_sort_order_id, 3);
  SortOrder expected{3,
                     {{2, Transform{Transform::kIdentity}, true, true},
                      {3, Transform{Transform::kBucket, 4}, false, false}}};
  EXPECT_EQ(md.sort_orders, (std::vector<SortOrder>{expected}));
  ASSERT_EQ(md.snapshots.size(), 2u);
  EXPECT_EQ(md.snapshots[0].snapshot_id, kV2First);
  EXPECT_EQ(md.snapshots[0].manifest_list, "s3://a/b/1.avro");
  EXPECT_FALSE(md.snapshots[0].schema_id.has_value());
  EXPECT_EQ(md.snapshots[1].parent_snapshot_id, kV2First);
  EXPECT_EQ(md.snapshots[1].schema_id, 1);
  EXPECT_EQ(md.snapshots[1].summary.at("operation"), "append");
  EXPECT_EQ(md.current_snapshot_id, kV2Current);
  ASSERT_NE(md.CurrentSnapshot(), nullptr);
  EXPECT_EQ(md.CurrentSnapshot()->manifest_list, "s3://a/b/2.avro");
  EXPECT_EQ(md.snapshot_log.size(), 2u);
  EXPECT_TRUE(md.metadata_log.empty());
  // No "refs" in the file: main is derived from current-snapshot-id.
  EXPECT_EQ(md.refs, (std::map<std::string, SnapshotRef>{{"main", {.snapshot_id = kV2Current}}}));
}

TEST_F(TableMetadataFixtures, V2ValidMinimal) {
  TableMetadata md = Parse("metadata/TableMetadataV2ValidMinimal.json");
  EXPECT_FALSE(md.current_snapshot_id.has_value());
  EXPECT_EQ(md.CurrentSnapshot(), nullptr);
  EXPECT_TRUE(md.snapshots.empty());
  EXPECT_TRUE(md.snapshot_log.empty());
  EXPECT_TRUE(md.metadata_log.empty());
  EXPECT_TRUE(md.properties.empty());
  EXPECT_TRUE(md.refs.empty());
  EXPECT_TRUE(md.extra_json.empty());
}

TEST_F(TableMetadataFixtures, InvalidFilesFailWithTheReferenceMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {"TableMetadataV2CurrentSchemaNotFound.json",
       "Cannot find schema with current-schema-id=2 from schemas"},
      {"TableMetadataV2MissingLastPartitionId.json", "last-partition-id must exist in format v2"},
      {"TableMetadataV2MissingPartitionSpecs.json", "partition-specs must exist in format v2"},
      {"TableMetadataV2MissingSchemas.json", "schemas must exist in format v2"},
      {"TableMetadataV2MissingSortOrder.json", "sort-orders must exist in format v2"},
      {"TableMetadataUnsupportedVersion.json", "Cannot read unsupported version 42"},
      {"iceberg-rust/TableMetadataV1NoValidSchema.json",
       "No valid schema configuration found in table metadata"},
  };
  for (const auto& [file, message] : cases) {
    Status st = ParseError(std::string("metadata/") + file);
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << file;
    EXPECT_THAT(st.message(), HasSubstr(message)) << file;
  }
}

// Format v3 is not supported yet: both v3 samples are rejected with a clear message.
TEST_F(TableMetadataFixtures, V3IsRejected) {
  for (const char* file : {"TableMetadataV3ValidMinimal.json", "TableMetadataV3Valid.json"}) {
    Status st = ParseError(std::string("metadata/") + file);
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << file;
    EXPECT_THAT(st.message(), HasSubstr("Cannot read unsupported version 3")) << file;
    EXPECT_THAT(st.message(), HasSubstr("versions 1 and 2")) << file;
  }
}

TEST_F(TableMetadataFixtures, StatisticsAreKeptAndWrittenBack) {
  for (const char* key : {"statistics", "partition-statistics"}) {
    std::string file = std::string("metadata/TableMetadata") +
                       (key == std::string("statistics") ? "" : "Partition") +
                       "StatisticsFiles.json";
    TableMetadata md = Parse(file);
    EXPECT_EQ(md.current_snapshot_id, kV2Current);
    ASSERT_TRUE(md.extra_json.contains(key)) << file;
    Json original = Json::parse(Fixture(file))[key];
    EXPECT_EQ(Json::parse(md.extra_json.at(key)), original);
    EXPECT_EQ(Json::parse(WriteTableMetadata(md))[key], original);
  }
}

TEST_F(TableMetadataFixtures, RustV1Compat) {
  TableMetadata md = Parse("metadata/iceberg-rust/TableMetadataV1Compat.json");
  EXPECT_EQ(md.format_version, 1);
  EXPECT_EQ(md.location, "s3://bucket/warehouse/iceberg/glue.db/table_name");
  EXPECT_EQ(md.current_snapshot_id, 917896971991367610);
  EXPECT_EQ(md.refs.at("main").snapshot_id, 917896971991367610);
  EXPECT_EQ(FieldNames(*md.CurrentSchema()),
            (std::vector<std::string>{"record_id", "record_time", "id", "name"}));
  EXPECT_EQ(md.properties.size(), 9u);
  EXPECT_EQ(md.metadata_log.size(), 1u);
  EXPECT_EQ(md.CurrentSnapshot()->summary.at("operation"), "overwrite");
  // iceberg-rust's non-spec key names are not interpreted, only kept.
  EXPECT_TRUE(md.extra_json.contains("statistics-files"));
  EXPECT_TRUE(md.extra_json.contains("partition-statistics-files"));
}

TEST_F(TableMetadataFixtures, RustV1FallbackRules) {
  TableMetadata specs =
      Parse("metadata/iceberg-rust/TableMetadataV1PartitionSpecsWithoutDefaultId.json");
  EXPECT_EQ(specs.default_spec_id, 2);
  ASSERT_NE(specs.DefaultSpec(), nullptr);
  EXPECT_EQ(specs.DefaultSpec()->fields,
            (std::vector<PartitionField>{{2, 1001, "y", Transform{Transform::kIdentity}}}));
  EXPECT_EQ(specs.last_partition_id, 1001);

  TableMetadata schemas =
      Parse("metadata/iceberg-rust/TableMetadataV1SchemasWithoutCurrentId.json");
  ASSERT_NE(schemas.CurrentSchema(), nullptr);
  EXPECT_EQ(FieldNames(*schemas.CurrentSchema()), (std::vector<std::string>{"x", "y", "z"}));
}

TEST_F(TableMetadataFixtures, RustDeepHistory) {
  TableMetadata md = Parse("metadata/iceberg-rust/example_table_metadata_v2_deep_history.json");
  const std::vector<int64_t> chain = {3051729675574597004, 3055729675574597004, 3056729675574597004,
                                      3057729675574597004, 3059729675574597004};
  ASSERT_EQ(md.snapshots.size(), chain.size());
  const Snapshot* s = md.CurrentSnapshot();
  for (size_t i = chain.size(); i-- > 0;) {
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->snapshot_id, chain[i]);
    s = s->parent_snapshot_id ? md.SnapshotById(*s->parent_snapshot_id) : nullptr;
  }
  EXPECT_EQ(s, nullptr);
  EXPECT_EQ(md.refs.size(), 1u);
  EXPECT_EQ(md.refs.at("main").snapshot_id, chain.back());
}

TEST_F(TableMetadataFixtures, RustPartitionEvolution) {
  auto parsed = ParseTableMetadata(PartitionEvolution());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const TableMetadata& md = *parsed;
  ASSERT_EQ(md.specs.size(), 3u);
  EXPECT_EQ(md.default_spec_id, 2);
  EXPECT_EQ(md.last_partition_id, 1002);
  PartitionField x{1, 1000, "x", Transform{Transform::kIdentity}};
  PartitionField a{4, 1001, "a_trunc_3", Transform{Transform::kTruncate, 3}};
  PartitionField z{3, 1002, "z_bucket_32", Transform{Transform::kBucket, 32}};
  EXPECT_EQ(md.specs[0].fields, (std::vector<PartitionField>{x}));
  EXPECT_EQ(md.specs[1].fields, (std::vector<PartitionField>{x, a}));
  EXPECT_EQ(md.specs[2].fields, (std::vector<PartitionField>{x, a, z}));
  EXPECT_FALSE(md.refs.at("test").is_branch);
  EXPECT_EQ(md.refs.at("test").max_ref_age_ms, 10000000);
  EXPECT_EQ(md.refs.at("main").snapshot_id, 3059729675574597004);

  auto type = PartitionType(*md.DefaultSpec(), *md.CurrentSchema());
  ASSERT_TRUE(type.ok()) << type.status().ToString();
  ASSERT_EQ(type->size(), 3u);
  EXPECT_EQ((*type)[0].second.id, schema::TypeId::kLong);
  EXPECT_EQ((*type)[1].second.id, schema::TypeId::kString);
  EXPECT_EQ((*type)[2].second.id, schema::TypeId::kInt);
  EXPECT_EQ((*type)[2].first.field_id, 1002);
}

TEST_F(TableMetadataFixtures, RestPayloads) {
  auto load = ParseTableMetadata(RestMetadata("load_table_response.json"));
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  EXPECT_EQ(load->format_version, 1);
  EXPECT_EQ(load->current_snapshot_id, 3497810964824022504);
  EXPECT_EQ(load->metadata_log.size(), 1u);

  auto create = ParseTableMetadata(RestMetadata("create_table_response.json"));
  ASSERT_TRUE(create.ok()) << create.status().ToString();
  EXPECT_FALSE(create->current_snapshot_id.has_value());
  EXPECT_EQ(FieldNames(*create->CurrentSchema()), (std::vector<std::string>{"foo", "bar", "baz"}));
  EXPECT_EQ(create->CurrentSchema()->identifier_field_ids(), (std::vector<int>{2}));
  EXPECT_TRUE(create->DefaultSpec()->fields.empty());

  auto update = ParseTableMetadata(RestMetadata("update_table_response.json"));
  ASSERT_TRUE(update.ok()) << update.status().ToString();
  EXPECT_EQ(update->format_version, 2);
  EXPECT_EQ(update->last_sequence_number, 1);
  EXPECT_FALSE(update->current_snapshot_id.has_value());
  // "partition-specs": [] with default-spec-id 0 reads as unpartitioned.
  EXPECT_EQ(update->specs, (std::vector<PartitionSpec>{PartitionSpec{}}));
}

TEST_F(TableMetadataFixtures, GperovTable) {
  TableMetadata md =
      Parse("tables/gperov_test/metadata/00007-2ed28880-9928-4670-934a-bda11c8130c9.metadata.json");
  EXPECT_EQ(md.table_uuid, "4412d001-c6df-4adb-8854-d3b9e762440c");
  EXPECT_EQ(md.last_sequence_number, 5);
  EXPECT_EQ(md.current_snapshot_id, 154324552338474173);
  EXPECT_EQ(md.CurrentSnapshot()->sequence_number, 5);
  EXPECT_TRUE(md.DefaultSpec()->fields.empty());
  EXPECT_EQ(FieldNames(*md.CurrentSchema()), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(md.last_column_id, 2);
  std::map<std::string, SnapshotRef> refs = {
      {"main", {.snapshot_id = 154324552338474173}},
      {"test-branch",
       {.snapshot_id = 7558608030923099867,
        .min_snapshots_to_keep = 2,
        .max_ref_age_ms = 604800000}},
      {"EOW-01", {.snapshot_id = 293191470325800019, .is_branch = false}}};
  EXPECT_EQ(md.refs, refs);
  const std::vector<int64_t> ids = {1638951453256129678, 5231658854638766100, 7558608030923099867,
                                    293191470325800019, 154324552338474173};
  ASSERT_EQ(md.snapshots.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(md.snapshots[i].snapshot_id, ids[i]);
    EXPECT_EQ(md.snapshots[i].sequence_number, static_cast<int64_t>(i + 1));
  }
  EXPECT_EQ(md.snapshots[2].summary.at("operation"), "overwrite");
  EXPECT_EQ(md.metadata_log.size(), 7u);
}

TEST_F(TableMetadataFixtures, MytablePartitionedTable) {
  TableMetadata md = Parse("tables/mytable_partitioned/metadata/v6.metadata.json");
  EXPECT_EQ(md.table_uuid, "31ad6764-1255-4aa3-bff4-9a27a25d69a7");
  EXPECT_EQ(
      md.specs,
      (std::vector<PartitionSpec>{{0, {{2, 1000, "name", Transform{Transform::kIdentity}}}}}));
  EXPECT_EQ(md.current_snapshot_id, 3138177759849079112);
  EXPECT_EQ(md.last_sequence_number, 5);
  EXPECT_EQ(md.refs.size(), 1u);
  EXPECT_EQ(md.refs.at("main").snapshot_id, 3138177759849079112);
  const auto& fields = md.CurrentSchema()->fields();
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_TRUE(fields[0].required);
  EXPECT_EQ(fields[0].type->id, schema::TypeId::kInt);
  EXPECT_EQ(fields[2].type->id, schema::TypeId::kDate);
  auto type = PartitionType(*md.DefaultSpec(), *md.CurrentSchema());
  ASSERT_TRUE(type.ok()) << type.status().ToString();
  EXPECT_EQ(type->at(0).second.id, schema::TypeId::kString);
}

TEST_F(TableMetadataFixtures, DefaultValueTable) {
  TableMetadata md = Parse(
      "tables/default_value/metadata/00014-c179c339-e10a-486b-b075-144f5e5b101a.metadata.json");
  EXPECT_EQ(md.table_uuid, "b85c20a6-59ee-4281-8a89-09f7f0f163ba");
  EXPECT_EQ(md.last_column_id, 14);
  ASSERT_EQ(md.schemas.size(), 13u);
  for (int i = 0; i <= 12; ++i) {
    ASSERT_NE(md.SchemaById(i), nullptr) << i;
    EXPECT_EQ(md.SchemaById(i)->fields().size(), static_cast<size_t>(i + 1)) << i;
  }
  EXPECT_EQ(md.current_schema_id, 12);
  const schema::NestedField* array = md.CurrentSchema()->FindById(13);
  ASSERT_NE(array, nullptr);
  EXPECT_EQ(array->name, "array_col");
  EXPECT_EQ(array->type->element.id, 14);
  EXPECT_EQ(md.CurrentSchema()->FindById(7)->type->precision, 10);
  ASSERT_EQ(md.snapshots.size(), 2u);
  EXPECT_EQ(md.snapshots[0].snapshot_id, 6970183646808496718);
  EXPECT_EQ(md.snapshots[0].schema_id, 0);
  EXPECT_EQ(md.current_snapshot_id, 3369745735094304287);
  EXPECT_EQ(md.CurrentSnapshot()->schema_id, 12);
  EXPECT_EQ(md.CurrentSnapshot()->sequence_number, 2);
  EXPECT_EQ(md.refs.size(), 1u);
}

TEST_F(TableMetadataFixtures, EveryTableVersionParses) {
  int files = 0;
  for (const char* table : {"gperov_test", "mytable_partitioned", "default_value"}) {
    for (const auto& entry : std::filesystem::directory_iterator(testing::IcebergFixtures() /
                                                                 "tables" / table / "metadata")) {
      if (!entry.path().string().ends_with(".metadata.json")) continue;
      auto md = ParseTableMetadata(testing::ReadFile(entry.path()));
      EXPECT_TRUE(md.ok()) << entry.path() << ": " << md.status().ToString();
      ++files;
    }
  }
  EXPECT_EQ(files, 8 + 6 + 15);
}

// Every valid input: parse -> write -> parse gives the same model, and writing is stable.
TEST_F(TableMetadataFixtures, RoundTrip) {
  std::vector<std::string> texts;
  for (const char* f :
       {"metadata/TableMetadataV1Valid.json", "metadata/TableMetadataV2Valid.json",
        "metadata/TableMetadataV2ValidMinimal.json", "metadata/TableMetadataStatisticsFiles.json",
        "metadata/TableMetadataPartitionStatisticsFiles.json",
        "metadata/iceberg-rust/TableMetadataV1Compat.json",
        "metadata/iceberg-rust/TableMetadataV1PartitionSpecsWithoutDefaultId.json",
        "metadata/iceberg-rust/TableMetadataV1SchemasWithoutCurrentId.json",
        "metadata/iceberg-rust/example_table_metadata_v2_deep_history.json",
        "tables/gperov_test/metadata/00007-2ed28880-9928-4670-934a-bda11c8130c9.metadata.json",
        "tables/mytable_partitioned/metadata/v6.metadata.json",
        "tables/default_value/metadata/00014-c179c339-e10a-486b-b075-144f5e5b101a.metadata.json"}) {
    texts.push_back(Fixture(f));
  }
  texts.push_back(PartitionEvolution());
  for (const char* f :
       {"load_table_response.json", "create_table_response.json", "update_table_response.json"}) {
    texts.push_back(RestMetadata(f));
  }
  for (const std::string& text : texts) {
    auto first = ParseTableMetadata(text);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    std::string written = WriteTableMetadata(*first);
    auto second = ParseTableMetadata(written);
    ASSERT_TRUE(second.ok()) << second.status().ToString() << "\n" << written;
    SCOPED_TRACE(first->location);
    ExpectSameMetadata(*first, *second);
    EXPECT_EQ(WriteTableMetadata(*second), written);
  }
}

void ExpectInteger(const Json& j, const char* key) {
  ASSERT_TRUE(j.contains(key)) << key;
  EXPECT_TRUE(j[key].is_number_integer()) << key << ": " << j[key].dump();
}

void ExpectString(const Json& j, const char* key) {
  ASSERT_TRUE(j.contains(key)) << key;
  EXPECT_TRUE(j[key].is_string()) << key << ": " << j[key].dump();
}

void ExpectArray(const Json& j, const char* key) {
  ASSERT_TRUE(j.contains(key)) << key;
  EXPECT_TRUE(j[key].is_array()) << key << ": " << j[key].dump();
}

void ExpectObject(const Json& j, const char* key) {
  ASSERT_TRUE(j.contains(key)) << key;
  EXPECT_TRUE(j[key].is_object()) << key << ": " << j[key].dump();
}

TEST_F(TableMetadataFixtures, WrittenJsonHasEveryV2KeyWithItsType) {
  Json j = Json::parse(WriteTableMetadata(Parse("metadata/TableMetadataV2Valid.json")));
  EXPECT_EQ(j["format-version"], 2);
  ExpectString(j, "table-uuid");
  ExpectString(j, "location");
  for (const char* key :
       {"last-sequence-number", "last-updated-ms", "last-column-id", "current-schema-id",
        "default-spec-id", "last-partition-id", "default-sort-order-id", "current-snapshot-id"}) {
    ExpectInteger(j, key);
  }
  for (const char* key :
       {"schemas", "partition-specs", "sort-orders", "snapshots", "snapshot-log", "metadata-log"}) {
    ExpectArray(j, key);
  }
  ExpectObject(j, "properties");
  ExpectObject(j, "refs");
  EXPECT_FALSE(j.contains("schema"));  // legacy v1 keys are not written for v2
  EXPECT_FALSE(j.contains("partition-spec"));
  for (const Json& s : j["schemas"]) {
    ExpectInteger(s, "schema-id");
    EXPECT_EQ(s["type"], "struct");
    ExpectArray(s, "fields");
  }
  for (const Json& spec : j["partition-specs"]) {
    ExpectInteger(spec, "spec-id");
    for (const Json& f : spec["fields"]) {
      ExpectInteger(f, "source-id");
      ExpectInteger(f, "field-id");
      ExpectString(f, "name");
      ExpectString(f, "transform");
    }
  }
  for (const Json& order : j["sort-orders"]) {
    ExpectInteger(order, "order-id");
    for (const Json& f : order["fields"]) {
      ExpectString(f, "transform");
      ExpectInteger(f, "source-id");
      ExpectString(f, "direction");
      ExpectString(f, "null-order");
    }
  }
  for (const Json& s : j["snapshots"]) {
    for (const char* key : {"snapshot-id", "sequence-number", "timestamp-ms"})
      ExpectInteger(s, key);
    ExpectString(s, "manifest-list");
    ExpectObject(s, "summary");
    EXPECT_TRUE(s["summary"]["operation"].is_string());
  }
  EXPECT_EQ(j["snapshots"][1]["parent-snapshot-id"], kV2First);
  EXPECT_EQ(j["snapshots"][1]["schema-id"], 1);
  EXPECT_EQ(j["current-snapshot-id"], kV2Current);
  EXPECT_EQ(j["refs"]["main"], Json::parse(R"({"snapshot-id": 3055729675574597004,
                                                "type": "branch"})"));
  EXPECT_EQ(j["snapshot-log"][0], Json::parse(R"({"timestamp-ms": 1515100955770,
                                                   "snapshot-id": 3051729675574597004})"));
  EXPECT_EQ(j["sort-orders"][0]["fields"][1]["transform"], "bucket[4]");
  EXPECT_EQ(j["sort-orders"][0]["fields"][1]["null-order"], "nulls-last");
}

TEST_F(TableMetadataFixtures, WritesMinusOneWithoutCurrentSnapshotAndV1LegacyKeys) {
  Json v2 = Json::parse(WriteTableMetadata(Parse("metadata/TableMetadataV2ValidMinimal.json")));
  EXPECT_EQ(v2["current-snapshot-id"], -1);
  EXPECT_EQ(v2["refs"], Json::object());
  EXPECT_EQ(v2["properties"], Json::object());

  Json v1 = Json::parse(WriteTableMetadata(Parse("metadata/TableMetadataV1Valid.json")));
  EXPECT_EQ(v1["format-version"], 1);
  EXPECT_EQ(v1["schema"]["fields"].size(), 3u);
  EXPECT_EQ(v1["partition-spec"], Json::parse(R"([{"name": "x", "transform": "identity",
                                                   "source-id": 1, "field-id": 1000}])"));
}

TEST_F(TableMetadataFixtures, Lookups) {
  TableMetadata md = Parse("metadata/TableMetadataV2Valid.json");
  EXPECT_EQ(md.SchemaById(7), nullptr);
  EXPECT_EQ(md.SpecById(1), nullptr);
  EXPECT_EQ(md.SnapshotById(42), nullptr);
  EXPECT_EQ(md.SnapshotAsOf(1515100955769), nullptr);
  EXPECT_EQ(md.SnapshotAsOf(1515100955770)->snapshot_id, kV2First);
  EXPECT_EQ(md.SnapshotAsOf(1555100955769)->snapshot_id, kV2First);
  EXPECT_EQ(md.SnapshotAsOf(1555100955770)->snapshot_id, kV2Current);
  EXPECT_EQ(md.SnapshotAsOf(INT64_MAX)->snapshot_id, kV2Current);
}

}  // namespace
}  // namespace tarn::iceberg
