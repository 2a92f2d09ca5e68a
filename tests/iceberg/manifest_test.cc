// Manifests and manifest lists written by tarn and read back: every field, every partition
// transform's value type, delete manifests, sequence number inheritance, the list entry's
// counts and partition summaries, header metadata, and malformed input.
#include "tarn/iceberg/manifest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "iceberg/manifest_test_util.h"
#include "tarn/iceberg/avro_container.h"

namespace tarn::iceberg {
namespace {

using manifest_testing::Dec;
using manifest_testing::ExpectSameFile;
using manifest_testing::FullDataFile;
using manifest_testing::Partition;
using manifest_testing::TableSchema;
using manifest_testing::TableSpec;

constexpr int64_t kTs = 1705312800000000;  // 2024-01-15T10:00:00Z, day 19737
const std::string kUuid("\xf7\x9c\x3e\x09\x67\x7c\x4b\xbd\xa4\x79\x3f\x34\x9c\xb7\x85\xe7", 16);

struct Fixture {
  schema::Schema schema = TableSchema();
  PartitionSpec spec = TableSpec();
  ManifestContext Context(FileContent content = FileContent::kData) const {
    return ManifestContext{&schema, 7, &spec, content};
  }
};

ManifestEntry Entry(EntryStatus status, DataFile file, std::optional<int64_t> seq = {}) {
  ManifestEntry e;
  e.status = status;
  e.data_file = std::move(file);
  if (seq) {
    e.snapshot_id = 100 + *seq;
    e.sequence_number = seq;
    e.file_sequence_number = seq;
  }
  return e;
}

std::vector<ManifestEntry> DataEntries() {
  std::vector<ManifestEntry> out;
  out.push_back(
      Entry(EntryStatus::kAdded,
            FullDataFile("s3://b/t/data/a.parquet",
                         Partition(Literal::String("eu"), Literal::TimestampTz(kTs), 42,
                                   Dec("12.34"), Literal::Double(1.5), Literal::Uuid(kUuid)))));
  DataFile nulls =
      FullDataFile("s3://b/t/data/b.parquet",
                   Partition(Literal::Null({schema::TypeId::kString}),
                             Literal::Null({schema::TypeId::kTimestampTz}), -7, Dec("-5.01"),
                             Literal::Double(std::numeric_limits<double>::quiet_NaN()),
                             Literal::Null({schema::TypeId::kUuid})));
  nulls.sort_order_id.reset();
  nulls.split_offsets.clear();
  nulls.lower_bounds.clear();
  nulls.nan_value_counts.clear();
  out.push_back(Entry(EntryStatus::kExisting, nulls, 2));
  out.push_back(Entry(
      EntryStatus::kDeleted,
      FullDataFile(
          "s3://b/t/data/c.parquet",
          Partition(Literal::String("asia"), Literal::TimestampTz(-86400000000LL * 3), 0,
                    Dec("0.07"), Literal::Double(-0.5), Literal::Uuid(std::string(16, '\x01')))),
      1));
  return out;
}

TEST(ManifestTest, DataManifestRoundTrip) {
  Fixture f;
  std::vector<ManifestEntry> entries = DataEntries();
  auto encoded = EncodeManifest(f.Context(), entries, "s3://b/t/metadata/m0.avro", 555, 9);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  const auto& [bytes, manifest] = *encoded;
  EXPECT_EQ(bytes.substr(0, 4), std::string("Obj\x01", 4));
  EXPECT_EQ(manifest.manifest_path, "s3://b/t/metadata/m0.avro");
  EXPECT_EQ(manifest.manifest_length, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(manifest.partition_spec_id, 3);
  EXPECT_EQ(manifest.content, FileContent::kData);
  EXPECT_EQ(manifest.added_snapshot_id, 555);
  EXPECT_EQ(manifest.sequence_number, 9);

  auto decoded = DecodeManifest(bytes, manifest, f.spec, f.schema);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    SCOPED_TRACE("entry " + std::to_string(i));
    EXPECT_EQ((*decoded)[i].status, entries[i].status);
    ExpectSameFile(entries[i].data_file, (*decoded)[i].data_file);
  }
  // The transforms' result types: day -> date, bucket -> int, truncate keeps decimal(9,2).
  const std::vector<Literal>& p = (*decoded)[0].data_file.partition;
  EXPECT_EQ(p[0], Literal::String("eu"));
  EXPECT_EQ(p[1], Literal::Date(19737));
  EXPECT_EQ(p[1].type.id, schema::TypeId::kDate);
  EXPECT_EQ(p[2].type.id, schema::TypeId::kInt);
  EXPECT_EQ(p[3].ToString(), "12.30");
  EXPECT_EQ(p[5].s, kUuid);
  EXPECT_EQ((*decoded)[1].data_file.partition[3].ToString(), "-5.10");
  EXPECT_EQ((*decoded)[2].data_file.partition[1], Literal::Date(-3));
}

TEST(ManifestTest, DeleteManifestsRoundTrip) {
  Fixture f;
  DataFile pos = FullDataFile("s3://b/t/data/pos-deletes.parquet",
                              Partition(Literal::String("eu"), Literal::TimestampTz(kTs), 1,
                                        Dec("1.00"), Literal::Double(2), Literal::Uuid(kUuid)));
  pos.content = FileContent::kPositionDeletes;
  pos.sort_order_id.reset();
  DataFile eq = pos;
  eq.file_path = "s3://b/t/data/eq-deletes.parquet";
  eq.content = FileContent::kEqualityDeletes;
  eq.equality_ids = {2, 1};
  for (FileContent content : {FileContent::kPositionDeletes, FileContent::kEqualityDeletes}) {
    std::vector<ManifestEntry> entries = {
        Entry(EntryStatus::kAdded, content == FileContent::kPositionDeletes ? pos : eq)};
    auto encoded = EncodeManifest(f.Context(content), entries, "m-deletes.avro", 8, 4);
    ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
    // Manifest lists only tell data (0) from deletes (1).
    EXPECT_EQ(encoded->second.content, FileContent::kPositionDeletes);
    auto decoded = DecodeManifest(encoded->first, encoded->second, f.spec, f.schema);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ASSERT_EQ(decoded->size(), 1u);
    ExpectSameFile(entries[0].data_file, (*decoded)[0].data_file);
  }
}

TEST(ManifestTest, NullSequenceNumbersAndSnapshotIdsAreInherited) {
  Fixture f;
  std::vector<ManifestEntry> entries = DataEntries();  // entry 0: all null; 1, 2: explicit
  auto encoded = EncodeManifest(f.Context(), entries, "m.avro", 555, 9);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto decoded = DecodeManifest(encoded->first, encoded->second, f.spec, f.schema);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ((*decoded)[0].snapshot_id, 555);
  EXPECT_EQ((*decoded)[0].sequence_number, 9);
  EXPECT_EQ((*decoded)[0].file_sequence_number, 9);
  EXPECT_EQ((*decoded)[1].snapshot_id, 102);
  EXPECT_EQ((*decoded)[1].sequence_number, 2);
  EXPECT_EQ((*decoded)[2].sequence_number, 1);

  // Read under a different list entry: inherited values follow it, explicit ones do not.
  ManifestFile other = encoded->second;
  other.added_snapshot_id = 777;
  other.sequence_number = 12;
  decoded = DecodeManifest(encoded->first, other, f.spec, f.schema);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ((*decoded)[0].snapshot_id, 777);
  EXPECT_EQ((*decoded)[0].sequence_number, 12);
  EXPECT_EQ((*decoded)[1].sequence_number, 2);
}

TEST(ManifestTest, ExistingEntryNeedsItsSequenceNumber) {
  Fixture f;
  std::vector<ManifestEntry> entries = DataEntries();
  entries[1].sequence_number.reset();
  auto encoded = EncodeManifest(f.Context(), entries, "m.avro", 555, 9);
  ASSERT_FALSE(encoded.ok());
  EXPECT_EQ(encoded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(encoded.status().message().find("b.parquet"), std::string::npos);
}

// A manifest of another writer with fewer fields than tarn's (no content, no file sequence
// numbers, v1's block_size_in_bytes): entries (status, sequence number) as given.
std::string ForeignManifest(const std::vector<std::pair<int, std::optional<int64_t>>>& rows) {
  const std::string schema = R"({"type": "record", "name": "manifest_entry", "fields": [
      {"name": "status", "type": "int", "field-id": 0},
      {"name": "snapshot_id", "type": ["null", "long"], "field-id": 1},
      {"name": "sequence_number", "type": ["null", "long"], "field-id": 3},
      {"name": "data_file", "field-id": 2, "type": {"type": "record", "name": "r2", "fields": [
          {"name": "file_path", "type": "string", "field-id": 100},
          {"name": "file_format", "type": "string", "field-id": 101},
          {"name": "partition", "type": {"type": "record", "name": "r102", "fields": []},
           "field-id": 102},
          {"name": "record_count", "type": "long", "field-id": 103},
          {"name": "file_size_in_bytes", "type": "long", "field-id": 104},
          {"name": "block_size_in_bytes", "type": "long", "field-id": 105}]}}]})";
  auto writer = internal::AvroContainerWriter::Make(schema, {});
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  for (const auto& [status, seq] : rows) {
    internal::AvroSetter rec = (*writer)->NewRecord();
    rec.Field("status").Int(status);
    rec.Field("snapshot_id").Optional(false);
    internal::AvroSetter seq_field = rec.Field("sequence_number").Optional(seq.has_value());
    if (seq) seq_field.Long(*seq);
    internal::AvroSetter file = rec.Field("data_file");
    file.Field("file_path").String("f" + std::to_string(status) + ".parquet");
    file.Field("file_format").String("parquet");
    file.Field("record_count").Long(10);
    file.Field("file_size_in_bytes").Long(100);
    file.Field("block_size_in_bytes").Long(64);
    EXPECT_TRUE((*writer)->Append().ok());
  }
  return (*writer)->Finish();
}

TEST(ManifestTest, ForeignManifestWithFewerFields) {
  Fixture f;
  PartitionSpec unpartitioned;
  ManifestFile list_entry;
  list_entry.manifest_path = "foreign.avro";
  list_entry.added_snapshot_id = 31;
  list_entry.sequence_number = 9;
  auto decoded = DecodeManifest(ForeignManifest({{1, std::nullopt}, {0, 4}}), list_entry,
                                unpartitioned, f.schema);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), 2u);
  EXPECT_EQ((*decoded)[0].data_file.content, FileContent::kData);
  EXPECT_EQ((*decoded)[0].data_file.file_format, "parquet");
  EXPECT_EQ((*decoded)[0].snapshot_id, 31);
  EXPECT_EQ((*decoded)[0].sequence_number, 9);
  EXPECT_EQ((*decoded)[0].file_sequence_number, 9);
  EXPECT_EQ((*decoded)[1].sequence_number, 4);
  EXPECT_EQ((*decoded)[1].file_sequence_number, 4);  // none written: the data's stands in

  // An EXISTING entry must carry its sequence number in a v2 manifest...
  std::string bytes = ForeignManifest({{0, std::nullopt}});
  decoded = DecodeManifest(bytes, list_entry, unpartitioned, f.schema);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("foreign.avro"), std::string::npos);
  EXPECT_NE(decoded.status().message().find("f0.parquet"), std::string::npos);
  // ...but not in a v1 table's, where every sequence number is 0.
  list_entry.sequence_number = 0;
  decoded = DecodeManifest(bytes, list_entry, unpartitioned, f.schema);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ((*decoded)[0].sequence_number, 0);
}

TEST(ManifestTest, ListEntryCountsByStatusAndMinSequenceNumber) {
  Fixture f;
  std::vector<ManifestEntry> entries = DataEntries();
  entries[1].data_file.record_count = 30;
  entries[2].data_file.record_count = 5;
  auto encoded = EncodeManifest(f.Context(), entries, "m.avro", 555, 9);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  const ManifestFile& m = encoded->second;
  EXPECT_EQ(m.added_files_count, 1);
  EXPECT_EQ(m.existing_files_count, 1);
  EXPECT_EQ(m.deleted_files_count, 1);
  EXPECT_EQ(m.added_rows_count, 1000);
  EXPECT_EQ(m.existing_rows_count, 30);
  EXPECT_EQ(m.deleted_rows_count, 5);
  // Live entries: the added one inherits 9, the existing one has 2; the deleted 1 is ignored.
  EXPECT_EQ(m.min_sequence_number, 2);

  entries.erase(entries.begin() + 1);
  encoded = EncodeManifest(f.Context(), entries, "m.avro", 555, 9);
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(encoded->second.min_sequence_number, 9);
  encoded = EncodeManifest(f.Context(), {}, "m.avro", 555, 9);
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(encoded->second.min_sequence_number, 9);
  EXPECT_EQ(encoded->second.added_files_count, 0);
}

TEST(ManifestTest, PartitionSummaries) {
  Fixture f;
  auto encoded = EncodeManifest(f.Context(), DataEntries(), "m.avro", 555, 9);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  const std::vector<FieldSummary>& s = encoded->second.partitions;
  ASSERT_EQ(s.size(), 6u);
  // region: "asia" < "eu", one null.
  EXPECT_TRUE(s[0].contains_null);
  EXPECT_EQ(s[0].lower_bound, "asia");
  EXPECT_EQ(s[0].upper_bound, "eu");
  // ts_day (date): -3 .. 19737.
  EXPECT_TRUE(s[1].contains_null);
  EXPECT_EQ(s[1].lower_bound, ToBinary(Literal::Date(-3)));
  EXPECT_EQ(s[1].upper_bound, ToBinary(Literal::Date(19737)));
  // id_bucket: no nulls.
  EXPECT_FALSE(s[2].contains_null);
  EXPECT_EQ(s[2].contains_nan, false);
  // amount_trunc: decimals ordered numerically: -5.10 < 0.00 < 12.30.
  EXPECT_EQ(s[3].lower_bound, ToBinary(Dec("-5.10")));
  EXPECT_EQ(s[3].upper_bound, ToBinary(Dec("12.30")));
  // score: the NaN is noted, not a bound.
  EXPECT_FALSE(s[4].contains_null);
  EXPECT_EQ(s[4].contains_nan, true);
  EXPECT_EQ(s[4].lower_bound, ToBinary(Literal::Double(-0.5)));
  EXPECT_EQ(s[4].upper_bound, ToBinary(Literal::Double(1.5)));
  // uid: raw bytes, unsigned order.
  EXPECT_EQ(s[5].lower_bound, std::string(16, '\x01'));
  EXPECT_EQ(s[5].upper_bound, kUuid);
}

TEST(ManifestTest, AllNullPartitionFieldHasNoBounds) {
  Fixture f;
  std::vector<ManifestEntry> entries = {DataEntries()[1]};
  auto encoded = EncodeManifest(f.Context(), entries, "m.avro", 555, 9);
  ASSERT_TRUE(encoded.ok());
  const FieldSummary& region = encoded->second.partitions[0];
  EXPECT_TRUE(region.contains_null);
  EXPECT_FALSE(region.lower_bound.has_value());
  EXPECT_FALSE(region.upper_bound.has_value());
  EXPECT_EQ(encoded->second.partitions[4].contains_nan, true);
  EXPECT_FALSE(encoded->second.partitions[4].lower_bound.has_value());
}

TEST(ManifestTest, UnpartitionedManifestRoundTrip) {
  Fixture f;
  PartitionSpec unpartitioned;
  ManifestContext ctx{&f.schema, 0, &unpartitioned, FileContent::kData};
  std::vector<ManifestEntry> entries = {
      Entry(EntryStatus::kAdded, FullDataFile("/lake/t/data/x.parquet", {}))};
  auto encoded = EncodeManifest(ctx, entries, "m.avro", 1, 1);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  EXPECT_TRUE(encoded->second.partitions.empty());
  auto decoded = DecodeManifest(encoded->first, encoded->second, unpartitioned, f.schema);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), 1u);
  ExpectSameFile(entries[0].data_file, (*decoded)[0].data_file);
}

TEST(ManifestTest, ManyEntriesSpanSeveralBlocks) {
  Fixture f;
  PartitionSpec unpartitioned;
  ManifestContext ctx{&f.schema, 0, &unpartitioned, FileContent::kData};
  std::vector<ManifestEntry> entries;
  for (int i = 0; i < 6000; ++i) {
    DataFile d = FullDataFile("s3://bucket/" + std::string(200, 'p') + std::to_string(i), {});
    d.record_count = i;
    entries.push_back(Entry(EntryStatus::kAdded, std::move(d)));
  }
  auto encoded = EncodeManifest(ctx, entries, "m.avro", 1, 1);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto decoded = DecodeManifest(encoded->first, encoded->second, unpartitioned, f.schema);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), entries.size());
  EXPECT_EQ(decoded->back().data_file.record_count, 5999);
  EXPECT_EQ(decoded->back().data_file.file_path, entries.back().data_file.file_path);
}

TEST(ManifestTest, PartitionNamesAvroCannotHoldStillRoundTrip) {
  Fixture f;
  PartitionSpec spec{1,
                     {{2, 1000, "region name", manifest_testing::T("identity")},
                      {1, 1001, "1st-bucket", manifest_testing::T("bucket[4]")}}};
  ManifestContext ctx{&f.schema, 0, &spec, FileContent::kData};
  std::vector<ManifestEntry> entries = {
      Entry(EntryStatus::kAdded,
            FullDataFile("a.parquet", {Literal::String("eu west"), Literal::Int(3)}))};
  auto encoded = EncodeManifest(ctx, entries, "m.avro", 1, 1);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto decoded = DecodeManifest(encoded->first, encoded->second, spec, f.schema);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSameFile(entries[0].data_file, (*decoded)[0].data_file);
}

TEST(ManifestTest, HeaderMetadata) {
  Fixture f;
  auto encoded = EncodeManifest(f.Context(FileContent::kEqualityDeletes), {}, "m.avro", 1, 1);
  ASSERT_TRUE(encoded.ok());
  auto reader = internal::AvroContainerReader::Open(encoded->first);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->Meta("avro.codec"), "deflate");
  EXPECT_EQ((*reader)->Meta("format-version"), "2");
  EXPECT_EQ((*reader)->Meta("content"), "deletes");
  EXPECT_EQ((*reader)->Meta("schema-id"), "7");
  EXPECT_EQ((*reader)->Meta("partition-spec-id"), "3");
  auto spec = nlohmann::json::parse(*(*reader)->Meta("partition-spec"));
  ASSERT_TRUE(spec.is_array());
  ASSERT_EQ(spec.size(), 6u);
  EXPECT_EQ(spec[1]["field-id"], 1001);
  EXPECT_EQ(spec[1]["transform"], "day");
  auto table_schema = schema::SchemaFromIcebergJson(*(*reader)->Meta("schema"));
  ASSERT_TRUE(table_schema.ok()) << table_schema.status().ToString();
  EXPECT_EQ(table_schema->fields().size(), 6u);
  auto avro_schema = nlohmann::json::parse(*(*reader)->Meta("avro.schema"));
  EXPECT_EQ(avro_schema["name"], "manifest_entry");
  EXPECT_EQ(avro_schema["fields"][4]["type"]["name"], "r2");
}

TEST(ManifestTest, RejectsPartitionTuplesThatDoNotMatchTheSpec) {
  Fixture f;
  std::vector<ManifestEntry> entries = DataEntries();
  entries[0].data_file.partition.pop_back();
  auto encoded = EncodeManifest(f.Context(), entries, "m.avro", 1, 1);
  ASSERT_FALSE(encoded.ok());
  EXPECT_EQ(encoded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(encoded.status().message().find("a.parquet"), std::string::npos);

  entries = DataEntries();
  entries[0].data_file.partition[1] = Literal::String("2024-01-15");  // day wants a date
  encoded = EncodeManifest(f.Context(), entries, "m.avro", 1, 1);
  ASSERT_FALSE(encoded.ok());
  EXPECT_EQ(encoded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(encoded.status().message().find("ts_day"), std::string::npos);

  entries = DataEntries();
  entries[0].data_file.partition[3] = *Literal::Decimal("1.5", 9, 1);  // wrong scale
  EXPECT_FALSE(EncodeManifest(f.Context(), entries, "m.avro", 1, 1).ok());
}

TEST(ManifestTest, DecodeRejectsAnotherSpec) {
  Fixture f;
  auto encoded = EncodeManifest(f.Context(), DataEntries(), "m.avro", 1, 1);
  ASSERT_TRUE(encoded.ok());
  PartitionSpec other = f.spec;
  other.fields.pop_back();
  auto decoded = DecodeManifest(encoded->first, encoded->second, other, f.schema);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument);
  other.spec_id = 3;  // same id, but field 1005 is unknown to it
  decoded = DecodeManifest(encoded->first, encoded->second, other, f.schema);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("1005"), std::string::npos);
}

ManifestFile ListEntry(const std::string& path, FileContent content, int64_t seq) {
  ManifestFile m;
  m.manifest_path = path;
  m.manifest_length = 4242;
  m.partition_spec_id = 3;
  m.content = content;
  m.sequence_number = seq;
  m.min_sequence_number = seq - 1;
  m.added_snapshot_id = 9000 + seq;
  m.added_files_count = 3, m.existing_files_count = 2, m.deleted_files_count = 1;
  m.added_rows_count = 300, m.existing_rows_count = 200, m.deleted_rows_count = 100;
  m.partitions = {FieldSummary{true, false, "a", "z"}, FieldSummary{false, std::nullopt, {}, {}},
                  FieldSummary{false, true, std::string("\0\0", 2), std::string("\xff", 1)}};
  return m;
}

TEST(ManifestListTest, RoundTrip) {
  std::vector<ManifestFile> list = {ListEntry("s3://b/t/metadata/m0.avro", FileContent::kData, 4),
                                    ListEntry("m1.avro", FileContent::kPositionDeletes, 5)};
  list[1].key_metadata = std::string("\x00\x01key", 5);
  list[1].partitions.clear();
  std::string bytes = EncodeManifestList(list, 77, std::nullopt, 5);
  auto decoded = DecodeManifestList(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), 2u);
  for (size_t i = 0; i < list.size(); ++i) {
    SCOPED_TRACE("entry " + std::to_string(i));
    const ManifestFile& want = list[i];
    const ManifestFile& got = (*decoded)[i];
    EXPECT_EQ(got.manifest_path, want.manifest_path);
    EXPECT_EQ(got.manifest_length, want.manifest_length);
    EXPECT_EQ(got.partition_spec_id, want.partition_spec_id);
    EXPECT_EQ(got.content, want.content);
    EXPECT_EQ(got.sequence_number, want.sequence_number);
    EXPECT_EQ(got.min_sequence_number, want.min_sequence_number);
    EXPECT_EQ(got.added_snapshot_id, want.added_snapshot_id);
    EXPECT_EQ(got.added_files_count, 3);
    EXPECT_EQ(got.existing_files_count, 2);
    EXPECT_EQ(got.deleted_files_count, 1);
    EXPECT_EQ(got.added_rows_count, 300);
    EXPECT_EQ(got.existing_rows_count, 200);
    EXPECT_EQ(got.deleted_rows_count, 100);
    EXPECT_EQ(got.key_metadata, want.key_metadata);
    ASSERT_EQ(got.partitions.size(), want.partitions.size());
    for (size_t j = 0; j < want.partitions.size(); ++j) {
      EXPECT_EQ(got.partitions[j].contains_null, want.partitions[j].contains_null);
      EXPECT_EQ(got.partitions[j].contains_nan, want.partitions[j].contains_nan);
      EXPECT_EQ(got.partitions[j].lower_bound, want.partitions[j].lower_bound);
      EXPECT_EQ(got.partitions[j].upper_bound, want.partitions[j].upper_bound);
    }
  }
}

TEST(ManifestListTest, HeaderMetadata) {
  std::string bytes = EncodeManifestList({}, 77, std::nullopt, 5);
  auto reader = internal::AvroContainerReader::Open(bytes);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->Meta("snapshot-id"), "77");
  EXPECT_EQ((*reader)->Meta("parent-snapshot-id"), "null");
  EXPECT_EQ((*reader)->Meta("sequence-number"), "5");
  EXPECT_EQ((*reader)->Meta("format-version"), "2");
  EXPECT_EQ((*reader)->Meta("avro.codec"), "deflate");
  auto decoded = DecodeManifestList(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());

  reader = internal::AvroContainerReader::Open(EncodeManifestList({}, 78, 77, 6));
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->Meta("parent-snapshot-id"), "77");
}

// A container header with the given codec and schema, and no blocks.
std::string Header(const std::string& codec, const std::string& schema) {
  auto put = [](std::string* out, const std::string& s) {
    out->push_back(static_cast<char>(s.size() * 2));  // zig-zag varint; sizes < 64 here
    *out += s;
  };
  std::string h("Obj\x01", 4);
  h.push_back(4);  // two entries
  put(&h, "avro.schema");
  put(&h, schema);
  put(&h, "avro.codec");
  put(&h, codec);
  h.push_back(0);
  return h + std::string(16, 's');
}

TEST(ManifestListTest, MalformedInput) {
  auto decoded = DecodeManifestList("not avro at all");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kCorruption);

  std::string good = EncodeManifestList({ListEntry("m.avro", FileContent::kData, 2)}, 1, {}, 2);
  decoded = DecodeManifestList(good.substr(0, good.size() - 10));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kCorruption);

  std::string bad_sync = good;
  bad_sync.back() ^= 1;
  EXPECT_EQ(DecodeManifestList(bad_sync).status().code(), ErrorCode::kCorruption);

  decoded = DecodeManifestList(Header("snappy", R"("int")"));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("snappy"), std::string::npos);

  decoded = DecodeManifestList(Header("null", R"({"type": "recordz"})"));
  EXPECT_EQ(decoded.status().code(), ErrorCode::kCorruption);

  // A record without the required manifest fields.
  decoded = DecodeManifestList(Header("null", R"({"type": "record", "name": "x", "fields": []})") +
                               std::string("\x02\x00", 2) + std::string(16, 's'));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("manifest_path"), std::string::npos);
}

}  // namespace
}  // namespace tarn::iceberg
