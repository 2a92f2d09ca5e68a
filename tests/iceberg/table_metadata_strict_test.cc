// Table metadata strictness: one-key mutations of a valid file fail with the reference
// messages; the partition tuple type; the JSON forms of specs, orders, snapshots and refs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "iceberg/metadata_test_util.h"
#include "tarn/iceberg/table_metadata.h"

namespace tarn::iceberg {
namespace {

using testing::FixtureTest;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr int64_t kV2First = 3051729675574597004;

// Variants of V2Valid with one key changed.
class MutatedMetadata : public FixtureTest {
 protected:
  Status ParseWith(const std::function<void(Json&)>& mutate) {
    Json j = Json::parse(Fixture("metadata/TableMetadataV2Valid.json"));
    mutate(j);
    return ParseTableMetadata(j.dump()).status();
  }
};

TEST_F(MutatedMetadata, StrictTypesAndConsistency) {
  const std::pair<std::function<void(Json&)>, const char*> cases[] = {
      {[](Json& j) { j["last-column-id"] = "3"; },
       "Cannot parse to an integer value: last-column-id: \"3\""},
      {[](Json& j) { j.erase("location"); }, "Cannot parse missing string: location"},
      {[](Json& j) { j.erase("last-sequence-number"); },
       "Cannot parse missing long: last-sequence-number"},
      {[](Json& j) { j["current-snapshot-id"] = 42; },
       "Snapshot for current snapshot id 42 does not exist"},
      {[](Json& j) {
         j["refs"] = Json{{"main", {{"snapshot-id", kV2First}, {"type", "branch"}}}};
       },
       "Current snapshot id does not match main branch"},
      {[](Json& j) {
         j["refs"] = Json{{"t", {{"snapshot-id", 7}, {"type", "tag"}}}};
       },
       "Snapshot for reference t does not exist"},
      {[](Json& j) { j["last-sequence-number"] = 0; },
       "sequence number 1 greater than last sequence number 0"},
      {[](Json& j) { j["schemas"].push_back(j["schemas"][0]); }, "Duplicate schema id 0"},
      {[](Json& j) { j["default-spec-id"] = 5; },
       "Cannot find partition spec with default-spec-id=5"},
      {[](Json& j) { j["default-sort-order-id"] = 5; },
       "Cannot find sort order with default-sort-order-id=5"},
      {[](Json& j) { j["partition-specs"][0]["fields"][0]["source-id"] = 9; },
       "Cannot find source column: 9"},
      {[](Json& j) { j["partition-specs"][0]["fields"][0]["transform"] = "nope"; }, "nope"},
      {[](Json& j) { j["snapshots"][0].erase("timestamp-ms"); },
       "Cannot parse missing long: timestamp-ms"},
      {[](Json& j) { j["properties"]["k"] = 1; }, "properties.k"},
      {[](Json& j) { j["sort-orders"][0]["fields"][0]["direction"] = "up"; },
       "Invalid sort direction: up"},
  };
  for (const auto& [mutate, message] : cases) {
    Status st = ParseWith(mutate);
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << message;
    EXPECT_THAT(st.message(), HasSubstr(message));
  }
  EXPECT_THAT(ParseTableMetadata("[1]").status().message(), HasSubstr("non-object"));
  EXPECT_THAT(ParseTableMetadata("{").status().message(), HasSubstr("not JSON"));
}

TEST_F(MutatedMetadata, NullCurrentSnapshotIsNone) {
  EXPECT_TRUE(ParseWith([](Json& j) { j["current-snapshot-id"] = nullptr; }).ok());
  Status st = ParseWith([](Json& j) {
    j["current-snapshot-id"] = nullptr;
    j["refs"] = Json{{"main", {{"snapshot-id", kV2First}, {"type", "branch"}}}};
  });
  EXPECT_THAT(st.message(), HasSubstr("Current snapshot is not set, but main branch exists"));
}

TEST(PartitionTypeTest, Errors) {
  auto schema = schema::SchemaFromIcebergJson(R"({"type": "struct", "fields": [
      {"id": 1, "name": "s", "required": false, "type": "string"},
      {"id": 2, "name": "l", "required": false, "type": {"type": "list", "element-id": 3,
       "element": "int", "element-required": true}}]})");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  PartitionSpec missing{0, {{9, 1000, "m", Transform{Transform::kIdentity}}}};
  EXPECT_THAT(PartitionType(missing, *schema).status().message(),
              HasSubstr("Cannot find source column: 9"));
  PartitionSpec nested{0, {{2, 1000, "l", Transform{Transform::kIdentity}}}};
  EXPECT_EQ(PartitionType(nested, *schema).status().code(), ErrorCode::kInvalidArgument);
  PartitionSpec day_of_string{0, {{1, 1000, "d", Transform{Transform::kDay}}}};
  EXPECT_EQ(PartitionType(day_of_string, *schema).status().code(), ErrorCode::kInvalidArgument);
  PartitionSpec ok{0, {{1, 1000, "b", Transform{Transform::kBucket, 8}}}};
  auto type = PartitionType(ok, *schema);
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->at(0).second.id, schema::TypeId::kInt);
}

TEST(MetadataPartsJsonTest, RoundTripsAndErrors) {
  auto spec = PartitionSpecFromJson(
      R"({"spec-id": 3, "fields": [{"source-id": 1, "name": "d", "transform": "day"}]})");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->fields.at(0).field_id, 0);  // unassigned
  spec->fields[0].field_id = 1004;
  EXPECT_EQ(*PartitionSpecFromJson(PartitionSpecToJson(*spec)), *spec);

  SortOrder order{2, {{1, Transform{Transform::kTruncate, 4}, false, true}}};
  EXPECT_EQ(*SortOrderFromJson(SortOrderToJson(order)), order);
  EXPECT_THAT(SortOrderFromJson(R"({"order-id": 0, "fields": [{"transform": "identity",
      "source-id": 1, "direction": "asc", "null-order": "nulls-first"}]})")
                  .status()
                  .message(),
              HasSubstr("reserved for unsorted order"));

  Snapshot snap{.snapshot_id = 5,
                .parent_snapshot_id = 4,
                .sequence_number = 2,
                .timestamp_ms = 99,
                .manifest_list = "s3://m.avro",
                .summary = {{"operation", "append"}, {"tarn.batch", "7"}},
                .schema_id = 1};
  EXPECT_EQ(*SnapshotFromJson(SnapshotToJson(snap)), snap);
  EXPECT_THAT(SnapshotFromJson(R"({"snapshot-id": 5, "timestamp-ms": 1, "manifest-list": "m",
      "summary": {"added-files": "1"}})")
                  .status()
                  .message(),
              HasSubstr("operation"));
  EXPECT_THAT(SnapshotFromJson(R"({"snapshot-id": 5, "timestamp-ms": 1, "manifests": []})")
                  .status()
                  .message(),
              HasSubstr("not supported"));

  SnapshotRef branch{.snapshot_id = 5,
                     .min_snapshots_to_keep = 3,
                     .max_snapshot_age_ms = 10,
                     .max_ref_age_ms = 20};
  EXPECT_EQ(*SnapshotRefFromJson(SnapshotRefToJson(branch)), branch);
  EXPECT_THAT(
      SnapshotRefFromJson(R"({"snapshot-id": 5, "type": "tag", "min-snapshots-to-keep": 1})")
          .status()
          .message(),
      HasSubstr("Tags do not support"));
  EXPECT_THAT(SnapshotRefFromJson(R"({"snapshot-id": 5, "type": "leaf"})").status().message(),
              HasSubstr("Invalid snapshot ref type"));
}

}  // namespace
}  // namespace tarn::iceberg
