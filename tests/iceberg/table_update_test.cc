// The REST commit model: every requirement type and update action parses from and writes back
// to its REST JSON; requirements pass and fail with the Java catalog's messages; updates change
// metadata as Java's TableMetadata.Builder does; NewTableMetadata assigns ids.
#include "tarn/iceberg/table_update.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "iceberg/metadata_test_util.h"

namespace tarn::iceberg {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr int64_t kNow = 1700000000000;

schema::Schema MakeSchema(const std::string& fields, const std::string& extra = "") {
  auto s = schema::SchemaFromIcebergJson(R"({"type": "struct", )" + extra + R"("fields": [)" +
                                         fields + "]}");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : schema::Schema();
}

const char* kIdDataTs = R"(
    {"id": 1, "name": "id", "required": true, "type": "long"},
    {"id": 2, "name": "data", "required": false, "type": "string"},
    {"id": 3, "name": "ts", "required": false, "type": "timestamptz"})";

// A v2 table: schema 0 (id, data, ts), spec 0 = day(ts), unsorted, no snapshots.
TableMetadata Base() {
  PartitionSpec spec{0, {{3, 0, "ts_day", Transform{Transform::kDay}}}};
  auto md = NewTableMetadata(MakeSchema(kIdDataTs), spec, SortOrder{}, "s3://b/t", {{"a", "1"}},
                             "6d3e0b43-ae2b-4d5e-9b5e-1c2a5f5d6e7f", kNow - 1000);
  EXPECT_TRUE(md.ok()) << md.status().ToString();
  return md.ok() ? *md : TableMetadata{};
}

Snapshot MakeSnapshot(int64_t id, int64_t seq, std::optional<int64_t> parent = std::nullopt) {
  return Snapshot{.snapshot_id = id,
                  .parent_snapshot_id = parent,
                  .sequence_number = seq,
                  .timestamp_ms = kNow - 500 + seq,
                  .manifest_list = "s3://b/t/metadata/snap-" + std::to_string(id) + ".avro",
                  .summary = {{"operation", "append"}},
                  .schema_id = 0};
}

TableUpdate SetMain(int64_t id) { return SetSnapshotRef{"main", {.snapshot_id = id}}; }

TableMetadata MustApply(const TableMetadata& base, const std::vector<TableUpdate>& updates,
                        int64_t now = kNow) {
  auto md = ApplyUpdates(base, updates, now);
  EXPECT_TRUE(md.ok()) << md.status().ToString();
  return md.ok() ? *md : base;
}

Status ApplyError(const TableMetadata& base, const std::vector<TableUpdate>& updates) {
  return ApplyUpdates(base, updates, kNow).status();
}

// ---- JSON ----

TEST(TableUpdateJson, EveryActionRoundTrips) {
  const std::pair<const char*, const char*> cases[] = {
      {"assign-uuid",
       R"({"action": "assign-uuid", "uuid": "2cc52516-5e73-41f2-b139-545d41a4e151"})"},
      {"upgrade-format-version", R"({"action": "upgrade-format-version", "format-version": 2})"},
      {"add-schema", R"({"action": "add-schema", "schema": {"type": "struct", "schema-id": 1,
        "identifier-field-ids": [1], "fields": [{"id": 1, "name": "id", "required": true,
        "type": "long"}]}, "last-column-id": 1})"},
      {"set-current-schema", R"({"action": "set-current-schema", "schema-id": -1})"},
      {"add-spec", R"({"action": "add-spec", "spec": {"spec-id": 1, "fields": [{"name": "b",
        "transform": "bucket[16]", "source-id": 1, "field-id": 1001}]}})"},
      {"set-default-spec", R"({"action": "set-default-spec", "spec-id": 1})"},
      {"add-sort-order", R"({"action": "add-sort-order", "sort-order": {"order-id": 1,
        "fields": [{"transform": "identity", "source-id": 1, "direction": "desc",
        "null-order": "nulls-last"}]}})"},
      {"set-default-sort-order", R"({"action": "set-default-sort-order", "sort-order-id": -1})"},
      {"add-snapshot", R"({"action": "add-snapshot", "snapshot": {"sequence-number": 3,
        "snapshot-id": 7, "parent-snapshot-id": 6, "timestamp-ms": 123, "summary":
        {"operation": "append", "added-files": "2"}, "manifest-list": "s3://m.avro",
        "schema-id": 0}})"},
      {"set-snapshot-ref", R"({"action": "set-snapshot-ref", "ref-name": "b1", "snapshot-id": 7,
        "type": "branch", "min-snapshots-to-keep": 2, "max-snapshot-age-ms": 5,
        "max-ref-age-ms": 9})"},
      {"remove-snapshots", R"({"action": "remove-snapshots", "snapshot-ids": [1, 2]})"},
      {"remove-snapshot-ref", R"({"action": "remove-snapshot-ref", "ref-name": "b1"})"},
      {"set-location", R"({"action": "set-location", "location": "s3://x/y"})"},
      {"set-properties", R"({"action": "set-properties", "updates": {"k": "v"}})"},
      {"remove-properties", R"({"action": "remove-properties", "removals": ["k"]})"},
  };
  for (const auto& [action, text] : cases) {
    auto u = TableUpdateFromJson(text);
    ASSERT_TRUE(u.ok()) << action << ": " << u.status().ToString();
    EXPECT_EQ(UpdateAction(*u), action);
    EXPECT_EQ(Json::parse(TableUpdateToJson(*u)), Json::parse(text)) << action;
  }
}

TEST(TableUpdateJson, EveryRequirementRoundTrips) {
  const std::pair<const char*, const char*> cases[] = {
      {"assert-create", R"({"type": "assert-create"})"},
      {"assert-table-uuid", R"({"type": "assert-table-uuid", "uuid": "u-1"})"},
      {"assert-ref-snapshot-id", R"({"type": "assert-ref-snapshot-id", "ref": "main",
        "snapshot-id": 3055729675574597004})"},
      {"assert-ref-snapshot-id", R"({"type": "assert-ref-snapshot-id", "ref": "main",
        "snapshot-id": null})"},
      {"assert-last-assigned-field-id",
       R"({"type": "assert-last-assigned-field-id", "last-assigned-field-id": 3})"},
      {"assert-current-schema-id",
       R"({"type": "assert-current-schema-id", "current-schema-id": 1})"},
      {"assert-last-assigned-partition-id",
       R"({"type": "assert-last-assigned-partition-id", "last-assigned-partition-id": 1000})"},
      {"assert-default-spec-id", R"({"type": "assert-default-spec-id", "default-spec-id": 0})"},
      {"assert-default-sort-order-id",
       R"({"type": "assert-default-sort-order-id", "default-sort-order-id": 0})"},
  };
  for (const auto& [type, text] : cases) {
    auto r = TableRequirementFromJson(text);
    ASSERT_TRUE(r.ok()) << type << ": " << r.status().ToString();
    EXPECT_EQ(RequirementType(*r), type);
    EXPECT_EQ(Json::parse(TableRequirementToJson(*r)), Json::parse(text)) << type;
  }
  auto missing_id = TableRequirementFromJson(R"({"type": "assert-ref-snapshot-id", "ref": "b"})");
  ASSERT_TRUE(missing_id.ok());
  EXPECT_FALSE(std::get<AssertRefSnapshotId>(*missing_id).snapshot_id.has_value());
}

TEST(TableUpdateJson, ArraysAndErrors) {
  auto updates = TableUpdatesFromJson(
      R"([{"action": "set-location", "location": "s3://a"},
          {"action": "add-spec", "spec": {"fields": [{"name": "d", "transform": "day",
           "source-id": 3}]}}])");
  ASSERT_TRUE(updates.ok()) << updates.status().ToString();
  ASSERT_EQ(updates->size(), 2u);
  const PartitionSpec& spec = std::get<AddSpec>((*updates)[1]).spec;  // no spec-id, no field-id
  EXPECT_EQ(spec.fields.at(0).field_id, 0);
  EXPECT_EQ(Json::parse(TableUpdatesToJson(*updates)).size(), 2u);

  auto requirements = TableRequirementsFromJson(R"([{"type": "assert-create"}])");
  ASSERT_TRUE(requirements.ok());
  EXPECT_EQ(TableRequirementsToJson(*requirements), R"([{"type":"assert-create"}])");

  const std::pair<Status, const char*> errors[] = {
      {TableUpdateFromJson(R"({"action": "set-statistics"})").status(),
       "Unsupported table update action: set-statistics"},
      {TableRequirementFromJson(R"({"type": "assert-view-uuid"})").status(),
       "Unsupported table requirement type: assert-view-uuid"},
      {TableUpdateFromJson(R"({"action": "add-snapshot"})").status(),
       "add-snapshot: Cannot parse missing field: snapshot"},
      {TableUpdateFromJson(R"({"uuid": "x"})").status(), "Cannot parse missing string: action"},
      {TableUpdateFromJson(R"({"action": "set-properties", "updates": {"k": 1}})").status(),
       "updates.k"},
      {TableUpdatesFromJson(R"([{"action": "set-location", "location": "a"},
                                {"action": "set-location"}])")
           .status(),
       "table update action 1: set-location: Cannot parse missing string: location"},
      {TableUpdatesFromJson(R"({"action": "set-location"})").status(), "not a JSON array"},
      {TableRequirementFromJson("nope").status(), "not JSON"},
  };
  for (const auto& [st, message] : errors) {
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << message;
    EXPECT_THAT(st.message(), HasSubstr(message));
  }
}

// ---- Requirements ----

TEST(CheckRequirementsTest, PassAndFailWithJavaMessages) {
  TableMetadata md =
      MustApply(Base(), {AddSnapshot{MakeSnapshot(10, 1)}, SetMain(10),
                         SetSnapshotRef{"t", {.snapshot_id = 10, .is_branch = false}}});
  EXPECT_TRUE(CheckRequirements(&md, {AssertTableUuid{"6D3E0B43-AE2B-4D5E-9B5E-1C2A5F5D6E7F"},
                                      AssertRefSnapshotId{"main", 10},
                                      AssertRefSnapshotId{"new-branch", std::nullopt},
                                      AssertLastAssignedFieldId{3}, AssertCurrentSchemaId{0},
                                      AssertLastAssignedPartitionId{1000}, AssertDefaultSpecId{0},
                                      AssertDefaultSortOrderId{0}})
                  .ok());
  const std::pair<TableRequirement, const char*> failures[] = {
      {AssertCreate{}, "Requirement failed: table already exists"},
      {AssertTableUuid{"u-2"}, "Requirement failed: UUID does not match: expected u-2 != 6d3e"},
      {AssertRefSnapshotId{"main", 11},
       "Requirement failed: branch main has changed: expected id 11 != 10"},
      {AssertRefSnapshotId{"t", std::nullopt},
       "Requirement failed: tag t was created concurrently"},
      {AssertRefSnapshotId{"gone", 5},
       "Requirement failed: branch or tag gone is missing, expected 5"},
      {AssertLastAssignedFieldId{2},
       "Requirement failed: last assigned field id changed: expected id 2 != 3"},
      {AssertCurrentSchemaId{1}, "Requirement failed: current schema changed: expected id 1 != 0"},
      {AssertLastAssignedPartitionId{999},
       "Requirement failed: last assigned partition id changed: expected id 999 != 1000"},
      {AssertDefaultSpecId{1},
       "Requirement failed: default partition spec changed: expected id 1 != 0"},
      {AssertDefaultSortOrderId{1},
       "Requirement failed: default sort order changed: expected id 1 != 0"},
  };
  for (const auto& [requirement, message] : failures) {
    Status st = CheckRequirements(&md, {AssertCurrentSchemaId{0}, requirement});
    EXPECT_EQ(st.code(), ErrorCode::kConflict) << message;
    EXPECT_THAT(st.message(), HasSubstr(message));
  }
}

TEST(CheckRequirementsTest, TableThatDoesNotExist) {
  EXPECT_TRUE(CheckRequirements(nullptr, {AssertCreate{}, AssertLastAssignedFieldId{0},
                                          AssertLastAssignedPartitionId{999}})
                  .ok());
  Status st = CheckRequirements(nullptr, {AssertCreate{}, AssertCurrentSchemaId{0}});
  EXPECT_EQ(st.code(), ErrorCode::kConflict);
  EXPECT_EQ(st.message(), "Requirement failed: table does not exist");
  EXPECT_TRUE(CheckRequirements(nullptr, {}).ok());
}

// ---- Updates ----

TEST(ApplyUpdatesTest, EmptyUpdatesChangeNothing) {
  TableMetadata base = Base();
  TableMetadata md = MustApply(base, {});
  EXPECT_EQ(md.last_updated_ms, base.last_updated_ms);
  EXPECT_EQ(WriteTableMetadata(md), WriteTableMetadata(base));
}

TEST(ApplyUpdatesTest, SimpleActions) {
  TableMetadata md = MustApply(
      Base(), {AssignUuid{"u-9"}, SetLocation{"s3://new"}, SetProperties{{{"b", "2"}, {"c", "3"}}},
               RemoveProperties{{"a", "missing"}}});
  EXPECT_EQ(md.table_uuid, "u-9");
  EXPECT_EQ(md.location, "s3://new");
  EXPECT_EQ(md.properties, (std::map<std::string, std::string>{{"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(md.last_updated_ms, kNow);

  TableMetadata v1 = Base();
  v1.format_version = 1;
  EXPECT_EQ(MustApply(v1, {UpgradeFormatVersion{2}}).format_version, 2);
  EXPECT_THAT(ApplyError(Base(), {UpgradeFormatVersion{1}}).message(),
              HasSubstr("Cannot downgrade v2 table to v1"));
  EXPECT_THAT(ApplyError(Base(), {UpgradeFormatVersion{3}}).message(),
              HasSubstr("unsupported format version: v3"));
  EXPECT_EQ(ApplyError(Base(), {SetLocation{""}}).code(), ErrorCode::kInvalidArgument);
}

TEST(ApplyUpdatesTest, AddSchemaAndSetCurrent) {
  schema::Schema wider = MakeSchema(
      std::string(kIdDataTs) + R"(, {"id": 4, "name": "n", "required": false, "type": "int"})");
  TableMetadata md = MustApply(Base(), {AddSchema{wider, 7, 4}, SetCurrentSchema{-1}});
  EXPECT_EQ(md.schemas.size(), 2u);
  EXPECT_EQ(md.current_schema_id, 1);  // the table's id, not the request's 7
  EXPECT_EQ(md.last_column_id, 4);
  EXPECT_EQ(md.CurrentSchema()->fields().size(), 4u);

  // An identical schema reuses its id; set-current-schema by id.
  TableMetadata again = MustApply(md, {AddSchema{MakeSchema(kIdDataTs)}, SetCurrentSchema{-1}});
  EXPECT_EQ(again.schemas.size(), 2u);
  EXPECT_EQ(again.current_schema_id, 0);
  EXPECT_EQ(again.last_column_id, 4);  // never lowered

  EXPECT_THAT(
      ApplyError(Base(), {SetCurrentSchema{-1}}).message(),
      HasSubstr("set-current-schema: Cannot set last added schema: no schema has been added"));
  EXPECT_THAT(ApplyError(Base(), {SetCurrentSchema{5}}).message(),
              HasSubstr("Cannot set current schema to unknown schema: 5"));
  EXPECT_THAT(ApplyError(md, {AddSchema{wider, 0, 2}}).message(),
              HasSubstr("Invalid last column ID: 2 < 4"));
}

TEST(ApplyUpdatesTest, AddSpecAssignsIdsAndSetsDefault) {
  PartitionSpec spec{0,
                     {{3, 0, "ts_day", Transform{Transform::kDay}},
                      {1, 0, "id_bucket", Transform{Transform::kBucket, 8}}}};
  TableMetadata md = MustApply(Base(), {AddSpec{spec}, SetDefaultSpec{-1}});
  ASSERT_EQ(md.specs.size(), 2u);
  EXPECT_EQ(md.default_spec_id, 1);
  // day(ts) keeps its field id; the new field takes the next one.
  EXPECT_EQ(md.DefaultSpec()->fields[0].field_id, 1000);
  EXPECT_EQ(md.DefaultSpec()->fields[1].field_id, 1001);
  EXPECT_EQ(md.last_partition_id, 1001);

  TableMetadata same =
      MustApply(md, {AddSpec{PartitionSpec{9, md.specs[0].fields}}, SetDefaultSpec{-1}});
  EXPECT_EQ(same.specs.size(), 2u);
  EXPECT_EQ(same.default_spec_id, 0);
  EXPECT_EQ(MustApply(md, {SetDefaultSpec{0}}).default_spec_id, 0);

  PartitionSpec missing{0, {{9, 0, "x", Transform{Transform::kIdentity}}}};
  EXPECT_THAT(ApplyError(Base(), {AddSpec{missing}}).message(),
              HasSubstr("add-spec: Cannot add partition spec: Cannot find source column: 9"));
  PartitionSpec day_of_string{0, {{2, 0, "d", Transform{Transform::kDay}}}};
  EXPECT_EQ(ApplyError(Base(), {AddSpec{day_of_string}}).code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(ApplyError(Base(), {SetDefaultSpec{4}}).message(),
              HasSubstr("Cannot set default partition spec to unknown spec: 4"));
}

TEST(ApplyUpdatesTest, AddSortOrderAndSetDefault) {
  SortOrder order{0, {{1, Transform{Transform::kIdentity}, false, false}}};
  TableMetadata md = MustApply(Base(), {AddSortOrder{order}, SetDefaultSortOrder{-1}});
  EXPECT_EQ(md.default_sort_order_id, 1);
  EXPECT_EQ(md.sort_orders.size(), 2u);
  TableMetadata unsorted = MustApply(md, {AddSortOrder{SortOrder{}}, SetDefaultSortOrder{-1}});
  EXPECT_EQ(unsorted.default_sort_order_id, 0);
  EXPECT_EQ(unsorted.sort_orders.size(), 2u);
  EXPECT_THAT(ApplyError(Base(), {SetDefaultSortOrder{3}}).message(),
              HasSubstr("Cannot set default sort order to unknown order: 3"));
  SortOrder missing{1, {{9, Transform{Transform::kIdentity}, true, true}}};
  EXPECT_THAT(ApplyError(Base(), {AddSortOrder{missing}}).message(),
              HasSubstr("Cannot find source column: 9"));
}

TEST(ApplyUpdatesTest, AddSnapshotThenSetMain) {
  TableMetadata one = MustApply(Base(), {AddSnapshot{MakeSnapshot(10, 1)}, SetMain(10)});
  EXPECT_EQ(one.current_snapshot_id, 10);
  EXPECT_EQ(one.last_sequence_number, 1);
  EXPECT_EQ(one.refs.at("main"), SnapshotRef{.snapshot_id = 10});
  EXPECT_EQ(one.snapshot_log, (std::vector<SnapshotLogEntry>{{kNow - 499, 10}}));
  EXPECT_EQ(one.last_updated_ms, kNow);

  TableMetadata two =
      MustApply(one, {AddSnapshot{MakeSnapshot(11, 2, 10)}, SetMain(11)}, kNow + 10);
  EXPECT_EQ(two.CurrentSnapshot()->parent_snapshot_id, 10);
  EXPECT_EQ(two.last_sequence_number, 2);
  EXPECT_EQ(two.snapshot_log.size(), 2u);
  EXPECT_EQ(two.SnapshotAsOf(kNow - 499)->snapshot_id, 10);

  // Moving main back to an older snapshot logs now_ms; re-setting the same ref logs nothing.
  TableMetadata back = MustApply(two, {SetMain(10), SetMain(10)}, kNow + 20);
  EXPECT_EQ(back.current_snapshot_id, 10);
  EXPECT_EQ(back.snapshot_log.back(), (SnapshotLogEntry{kNow + 20, 10}));
  EXPECT_EQ(back.snapshot_log.size(), 3u);

  // The result is valid metadata.
  auto reparsed = ParseTableMetadata(WriteTableMetadata(back));
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().ToString();
  testing::ExpectSameMetadata(*reparsed, back);
}

TEST(ApplyUpdatesTest, AddSnapshotErrors) {
  TableMetadata one = MustApply(Base(), {AddSnapshot{MakeSnapshot(10, 1)}, SetMain(10)});
  Status stale = ApplyError(one, {AddSnapshot{MakeSnapshot(12, 1, 10)}});
  EXPECT_EQ(stale.code(), ErrorCode::kConflict);
  EXPECT_THAT(stale.message(), HasSubstr("Cannot add snapshot with sequence number 1 older than "
                                         "last sequence number 1"));
  Status dup = ApplyError(one, {AddSnapshot{MakeSnapshot(10, 2)}});
  EXPECT_EQ(dup.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(dup.message(), HasSubstr("Snapshot already exists for id: 10"));
  Snapshot bad_schema = MakeSnapshot(13, 2);
  bad_schema.schema_id = 4;
  EXPECT_THAT(ApplyError(one, {AddSnapshot{bad_schema}}).message(),
              HasSubstr("unknown schema id 4"));
  Snapshot no_op = MakeSnapshot(14, 2);
  no_op.summary.clear();
  EXPECT_THAT(ApplyError(one, {AddSnapshot{no_op}}).message(), HasSubstr("no operation"));
}

TEST(ApplyUpdatesTest, RefsBranchesAndTags) {
  TableMetadata md = MustApply(
      Base(), {AddSnapshot{MakeSnapshot(10, 1)}, SetMain(10), AddSnapshot{MakeSnapshot(11, 2, 10)},
               SetSnapshotRef{"dev", {.snapshot_id = 11}},
               SetSnapshotRef{"v1", {.snapshot_id = 10, .is_branch = false}}});
  EXPECT_EQ(md.current_snapshot_id, 10);  // only main moves the current snapshot
  EXPECT_EQ(md.snapshot_log.size(), 1u);
  EXPECT_EQ(md.refs.size(), 3u);
  EXPECT_FALSE(md.refs.at("v1").is_branch);

  EXPECT_THAT(ApplyError(md, {SetSnapshotRef{"x", {.snapshot_id = 99}}}).message(),
              HasSubstr("Cannot set x to unknown snapshot: 99"));
  EXPECT_THAT(
      ApplyError(md, {SetSnapshotRef{"main", {.snapshot_id = 10, .is_branch = false}}}).message(),
      HasSubstr("main must be a branch"));

  TableMetadata no_main = MustApply(md, {RemoveSnapshotRef{"main"}, RemoveSnapshotRef{"nope"}});
  EXPECT_FALSE(no_main.current_snapshot_id.has_value());
  EXPECT_EQ(no_main.refs.size(), 2u);
  EXPECT_TRUE(ParseTableMetadata(WriteTableMetadata(no_main)).ok());
}

TEST(ApplyUpdatesTest, RemoveSnapshots) {
  TableMetadata md = MustApply(
      Base(), {AddSnapshot{MakeSnapshot(10, 1)}, SetMain(10), AddSnapshot{MakeSnapshot(11, 2, 10)},
               SetMain(11), AddSnapshot{MakeSnapshot(12, 3, 11)}, SetMain(12),
               SetSnapshotRef{"old", {.snapshot_id = 10, .is_branch = false}}});
  md.extra_json["statistics"] =
      R"([{"snapshot-id": 10, "statistics-path": "s3://s10"}, {"snapshot-id": 12,
          "statistics-path": "s3://s12"}])";
  TableMetadata expired = MustApply(md, {RemoveSnapshots{{10, 11, 404}}});
  ASSERT_EQ(expired.snapshots.size(), 1u);
  EXPECT_EQ(expired.snapshots[0].snapshot_id, 12);
  EXPECT_FALSE(expired.refs.contains("old"));  // its snapshot is gone
  EXPECT_EQ(expired.current_snapshot_id, 12);
  EXPECT_EQ(expired.snapshot_log, (std::vector<SnapshotLogEntry>{md.snapshot_log.back()}));
  EXPECT_EQ(Json::parse(expired.extra_json.at("statistics")).size(), 1u);
  EXPECT_TRUE(ParseTableMetadata(WriteTableMetadata(expired)).ok());

  // Removing the current snapshot drops main too.
  TableMetadata empty = MustApply(expired, {RemoveSnapshots{{12}}});
  EXPECT_FALSE(empty.current_snapshot_id.has_value());
  EXPECT_TRUE(empty.refs.empty());
  EXPECT_TRUE(empty.snapshot_log.empty());
}

// The updates a REST client sends for a create-table transaction, applied to nothing.
TEST(ApplyUpdatesTest, CreateTransactionFromEmptyMetadata) {
  auto updates = TableUpdatesFromJson(R"([
    {"action": "assign-uuid", "uuid": "2cc52516-5e73-41f2-b139-545d41a4e151"},
    {"action": "upgrade-format-version", "format-version": 2},
    {"action": "add-schema", "schema": {"type": "struct", "schema-id": 0, "fields": [
      {"id": 1, "name": "id", "required": true, "type": "long"},
      {"id": 2, "name": "ts", "required": false, "type": "timestamp"}]}, "last-column-id": 2},
    {"action": "set-current-schema", "schema-id": -1},
    {"action": "add-spec", "spec": {"spec-id": 0, "fields": [{"name": "ts_month",
      "transform": "month", "source-id": 2, "field-id": 1000}]}},
    {"action": "set-default-spec", "spec-id": -1},
    {"action": "add-sort-order", "sort-order": {"order-id": 0, "fields": []}},
    {"action": "set-default-sort-order", "sort-order-id": -1},
    {"action": "set-location", "location": "s3://warehouse/db/t"},
    {"action": "set-properties", "updates": {"owner": "me"}}])");
  ASSERT_TRUE(updates.ok()) << updates.status().ToString();
  ASSERT_TRUE(CheckRequirements(nullptr, {AssertCreate{}}).ok());
  TableMetadata md = MustApply(TableMetadata{}, *updates);
  EXPECT_EQ(md.table_uuid, "2cc52516-5e73-41f2-b139-545d41a4e151");
  EXPECT_EQ(md.last_column_id, 2);
  EXPECT_EQ(
      md.specs,
      (std::vector<PartitionSpec>{{0, {{2, 1000, "ts_month", Transform{Transform::kMonth}}}}}));
  EXPECT_EQ(md.last_partition_id, 1000);
  EXPECT_EQ(md.sort_orders, (std::vector<SortOrder>{SortOrder{}}));
  auto reparsed = ParseTableMetadata(WriteTableMetadata(md));
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().ToString();
  testing::ExpectSameMetadata(*reparsed, md);

  EXPECT_THAT(ApplyError(TableMetadata{}, {SetLocation{"s3://x"}}).message(),
              HasSubstr("the table has no current schema"));
}

// ---- NewTableMetadata ----

TEST(NewTableMetadataTest, KeepsAssignedIds) {
  TableMetadata md = Base();
  EXPECT_EQ(md.format_version, 2);
  EXPECT_EQ(md.last_column_id, 3);
  EXPECT_EQ(md.current_schema_id, 0);
  EXPECT_EQ(md.specs,
            (std::vector<PartitionSpec>{{0, {{3, 1000, "ts_day", Transform{Transform::kDay}}}}}));
  EXPECT_EQ(md.last_partition_id, 1000);
  EXPECT_EQ(md.sort_orders, (std::vector<SortOrder>{SortOrder{}}));
  EXPECT_EQ(md.last_updated_ms, kNow - 1000);
  EXPECT_EQ(md.properties.at("a"), "1");
  EXPECT_FALSE(md.current_snapshot_id.has_value());
  EXPECT_TRUE(ParseTableMetadata(WriteTableMetadata(md)).ok());
}

TEST(NewTableMetadataTest, AssignsIdsDepthFirst) {
  schema::Schema unassigned = MakeSchema(R"(
      {"id": 0, "name": "a", "required": true, "type": "long"},
      {"id": 0, "name": "s", "required": false, "type": {"type": "struct", "fields": [
        {"id": 0, "name": "x", "required": false, "type": "int"},
        {"id": 0, "name": "l", "required": false, "type": {"type": "list", "element-id": 0,
         "element": "string", "element-required": false}}]}},
      {"id": 0, "name": "m", "required": false, "type": {"type": "map", "key-id": 0,
       "key": "string", "value-id": 0, "value": "double", "value-required": false}})");
  SortOrder order{5, {{1, Transform{Transform::kIdentity}, true, true}}};
  PartitionSpec spec{3, {{3, 77, "x_b", Transform{Transform::kBucket, 4}}}};
  auto md = NewTableMetadata(unassigned, spec, order, "s3://t", {}, "u", kNow);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  const schema::Schema& s = *md->CurrentSchema();
  EXPECT_EQ(s.PathOf(1), "a");
  EXPECT_EQ(s.PathOf(2), "s");
  EXPECT_EQ(s.PathOf(3), "s.x");
  EXPECT_EQ(s.PathOf(4), "s.l");
  EXPECT_EQ(s.PathOf(5), "s.l.element");
  EXPECT_EQ(s.PathOf(6), "m");
  EXPECT_EQ(s.PathOf(7), "m.key");
  EXPECT_EQ(s.PathOf(8), "m.value");
  EXPECT_EQ(md->last_column_id, 8);
  EXPECT_EQ(
      md->specs,
      (std::vector<PartitionSpec>{{0, {{3, 1000, "x_b", Transform{Transform::kBucket, 4}}}}}));
  EXPECT_EQ(md->default_sort_order_id, 1);
  EXPECT_EQ(md->sort_orders.at(0).order_id, 1);
}

TEST(NewTableMetadataTest, Errors) {
  schema::Schema s = MakeSchema(kIdDataTs);
  PartitionSpec bad_source{0, {{9, 0, "x", Transform{Transform::kIdentity}}}};
  EXPECT_THAT(NewTableMetadata(s, bad_source, {}, "s3://t", {}, "u", kNow).status().message(),
              HasSubstr("Cannot find source column: 9"));
  PartitionSpec day_of_string{0, {{2, 0, "d", Transform{Transform::kDay}}}};
  EXPECT_EQ(NewTableMetadata(s, day_of_string, {}, "s3://t", {}, "u", kNow).status().code(),
            ErrorCode::kInvalidArgument);
  SortOrder bad_order{1, {{9, Transform{Transform::kIdentity}, true, true}}};
  EXPECT_THAT(NewTableMetadata(s, {}, bad_order, "s3://t", {}, "u", kNow).status().message(),
              HasSubstr("sort order: Cannot find source column: 9"));
  EXPECT_EQ(NewTableMetadata(s, {}, {}, "s3://t", {}, "", kNow).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(NewTableMetadata(s, {}, {}, "", {}, "u", kNow).status().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tarn::iceberg
