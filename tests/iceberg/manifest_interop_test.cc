// Manifests and manifest lists of other writers (the shared Iceberg fixtures: iceberg-rust's
// manifest lists, tables written by Spark and Iceberg Java 1.8), and tarn's files read by an
// independent reader (python3-avro, tests/iceberg/check_manifest.py).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "iceberg/manifest_test_util.h"
#include "tarn/iceberg/manifest.h"

namespace tarn::iceberg {
namespace {

namespace fs = std::filesystem;

const std::string kFixtures = std::string(TARN_SHARED_FIXTURES) + "/iceberg";

#define SKIP_WITHOUT_FIXTURES()                                                            \
  if (!fs::exists(kFixtures)) {                                                            \
    GTEST_SKIP() << "the shared fixtures are absent (" << kFixtures << " does not exist)"; \
  }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// --- iceberg-rust's manifest lists: old and new names of fields 504-506 ---

void ExpectPeopleList(const std::string& file, const std::string& path, int64_t length,
                      int64_t snapshot_id) {
  auto list = DecodeManifestList(ReadFile(kFixtures + "/avro/" + file));
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  const ManifestFile& m = (*list)[0];
  EXPECT_EQ(m.manifest_path, path);
  EXPECT_EQ(m.manifest_length, length);
  EXPECT_EQ(m.partition_spec_id, 0);
  EXPECT_EQ(m.content, FileContent::kData);
  EXPECT_EQ(m.sequence_number, 1);
  EXPECT_EQ(m.min_sequence_number, 1);
  EXPECT_EQ(m.added_snapshot_id, snapshot_id);
  EXPECT_EQ(m.added_files_count, 1);
  EXPECT_EQ(m.existing_files_count, 0);
  EXPECT_EQ(m.deleted_files_count, 0);
  EXPECT_EQ(m.added_rows_count, 1);
  EXPECT_TRUE(m.partitions.empty());
}

TEST(ManifestInteropTest, ManifestListWithOldFieldNames) {
  SKIP_WITHOUT_FIXTURES();
  ExpectPeopleList("manifest-list-v2-1.avro",
                   "iceberg-warehouse/people/metadata/794bd2ee-052c-449c-9a6f-3a88857c747f-m0.avro",
                   6658, 6653143792592159268);
}

TEST(ManifestInteropTest, ManifestListWithCurrentFieldNames) {
  SKIP_WITHOUT_FIXTURES();
  ExpectPeopleList(
      "manifest-list-v2-2.avro",
      "iceberg-warehouse_2/people/metadata/80064d99-bd75-4cf3-9b27-13a60f189039-m0.avro", 6660,
      3083072880052097243);
}

// --- complete tables: the current snapshot's manifests ---

struct Table {
  std::string dir;     // under tables/
  std::string prefix;  // the location prefix written in the table's files
  std::string metadata;
};

struct Snapshot {
  std::vector<ManifestFile> manifests;
  std::vector<ManifestEntry> live;  // entries not DELETED, across all manifests
};

std::string Local(const Table& t, const std::string& location) {
  EXPECT_EQ(location.rfind(t.prefix, 0), 0u) << location;
  return kFixtures + "/tables/" + t.dir + location.substr(t.prefix.size());
}

std::map<int, PartitionSpec> Specs(const nlohmann::json& metadata) {
  std::map<int, PartitionSpec> out;
  for (const auto& s : metadata["partition-specs"]) {
    PartitionSpec spec{s["spec-id"].get<int>(), {}};
    for (const auto& f : s["fields"]) {
      spec.fields.push_back({f["source-id"].get<int>(), f["field-id"].get<int>(),
                             f["name"].get<std::string>(),
                             manifest_testing::T(f["transform"].get<std::string>())});
    }
    out[spec.spec_id] = spec;
  }
  return out;
}

void LoadCurrentSnapshot(const Table& t, Snapshot* out) {
  auto metadata =
      nlohmann::json::parse(ReadFile(kFixtures + "/tables/" + t.dir + "/metadata/" + t.metadata));
  std::string list_location;
  for (const auto& s : metadata["snapshots"]) {
    if (s["snapshot-id"] == metadata["current-snapshot-id"]) list_location = s["manifest-list"];
  }
  ASSERT_FALSE(list_location.empty());
  std::string schema_json;
  for (const auto& s : metadata["schemas"]) {
    if (s["schema-id"] == metadata["current-schema-id"]) schema_json = s.dump();
  }
  auto schema = schema::SchemaFromIcebergJson(schema_json);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  std::map<int, PartitionSpec> specs = Specs(metadata);

  auto list = DecodeManifestList(ReadFile(Local(t, list_location)));
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  out->manifests = *list;
  for (const ManifestFile& m : out->manifests) {
    auto entries = DecodeManifest(ReadFile(Local(t, m.manifest_path)), m,
                                  specs.at(m.partition_spec_id), *schema);
    ASSERT_TRUE(entries.ok()) << entries.status().ToString();
    EXPECT_EQ(static_cast<int64_t>(fs::file_size(Local(t, m.manifest_path))), m.manifest_length);
    for (ManifestEntry& e : *entries) {
      EXPECT_TRUE(e.snapshot_id && e.sequence_number && e.file_sequence_number);
      if (e.status != EntryStatus::kDeleted) out->live.push_back(std::move(e));
    }
  }
}

const Table kGperov{"gperov_test", "s3://warehouse/gperov/test",
                    "00007-2ed28880-9928-4670-934a-bda11c8130c9.metadata.json"};
const Table kPartitioned{"mytable_partitioned",
                         "data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned",
                         "v6.metadata.json"};
const Table kDefaultValue{"default_value", "s3a://warehouse/streams/default_value",
                          "00014-c179c339-e10a-486b-b075-144f5e5b101a.metadata.json"};

TEST(ManifestInteropTest, SparkTableWithPositionDeletes) {
  SKIP_WITHOUT_FIXTURES();
  Snapshot snap;
  ASSERT_NO_FATAL_FAILURE(LoadCurrentSnapshot(kGperov, &snap));
  EXPECT_EQ(snap.manifests.size(), 4u);
  int data = 0, deletes = 0;
  int64_t rows = 0;
  for (const ManifestEntry& e : snap.live) {
    const DataFile& d = e.data_file;
    if (d.content == FileContent::kData) ++data, rows += d.record_count;
    if (d.content != FileContent::kPositionDeletes) continue;
    ++deletes;
    EXPECT_NE(d.file_path.find("00000-13-85b2f39e"), std::string::npos);
    EXPECT_EQ(d.record_count, 1);
    EXPECT_EQ(e.sequence_number, 3);  // inherited from the manifest list
    EXPECT_EQ(e.snapshot_id, 7558608030923099867);
  }
  EXPECT_EQ(data, 8);
  EXPECT_EQ(deletes, 1);
  EXPECT_EQ(rows, 10002);

  const ManifestEntry* first = nullptr;
  for (const ManifestEntry& e : snap.live) {
    if (e.data_file.file_path.find("/data/00000-6-") != std::string::npos) first = &e;
  }
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->data_file.record_count, 1024);
  EXPECT_EQ(first->sequence_number, 2);
  EXPECT_EQ(first->data_file.file_format, "PARQUET");
  EXPECT_EQ(first->data_file.lower_bounds.at(1), std::string(8, '\0'));
  EXPECT_EQ(first->data_file.upper_bounds.at(1), std::string("\xff\x03\0\0\0\0\0\0", 8));
  EXPECT_EQ(first->data_file.value_counts.at(1), 1024);
  EXPECT_EQ(first->data_file.null_value_counts.at(2), 0);
  EXPECT_TRUE(first->data_file.partition.empty());
}

TEST(ManifestInteropTest, JavaTableWithIdentityPartitionsAndEqualityDeletes) {
  SKIP_WITHOUT_FIXTURES();
  Snapshot snap;
  ASSERT_NO_FATAL_FAILURE(LoadCurrentSnapshot(kPartitioned, &snap));
  EXPECT_EQ(snap.manifests.size(), 5u);
  std::map<std::string, int64_t> data_seq;  // partition name -> data sequence number
  std::map<std::string, std::pair<int64_t, std::vector<int>>> deletes;
  for (const ManifestEntry& e : snap.live) {
    ASSERT_EQ(e.data_file.partition.size(), 1u);
    const Literal& name = e.data_file.partition[0];
    EXPECT_EQ(name.type.id, schema::TypeId::kString);
    if (e.data_file.content == FileContent::kData) data_seq[name.s] = *e.sequence_number;
    if (e.data_file.content == FileContent::kEqualityDeletes) {
      deletes[name.s] = {*e.sequence_number, e.data_file.equality_ids};
    }
  }
  EXPECT_EQ(data_seq, (std::map<std::string, int64_t>{
                          {"a", 1}, {"b", 1}, {"c", 1}, {"d", 1}, {"e", 4}, {"f", 4}}));
  using Deletes = std::map<std::string, std::pair<int64_t, std::vector<int>>>;
  EXPECT_EQ(deletes, (Deletes{{"b", {2, {2}}}, {"c", {3, {2, 1}}}, {"f", {5, {2}}}}));

  // The partition summaries of the list: the delete manifest of sequence number 5 holds f.
  for (const ManifestFile& m : snap.manifests) {
    ASSERT_EQ(m.partitions.size(), 1u);
    EXPECT_FALSE(m.partitions[0].contains_null);
    if (m.sequence_number != 5) continue;
    EXPECT_EQ(m.content, FileContent::kPositionDeletes);  // "deletes" in the list
    EXPECT_EQ(m.partitions[0].lower_bound, "f");
    EXPECT_EQ(m.partitions[0].upper_bound, "f");
  }
}

TEST(ManifestInteropTest, SchemaEvolutionTable) {
  SKIP_WITHOUT_FIXTURES();
  Snapshot snap;
  ASSERT_NO_FATAL_FAILURE(LoadCurrentSnapshot(kDefaultValue, &snap));
  ASSERT_EQ(snap.live.size(), 2u);
  int64_t rows = 0;
  for (const ManifestEntry& e : snap.live) rows += e.data_file.record_count;
  EXPECT_EQ(rows, 2);
}

// --- tarn's files read by python3-avro ---

bool PythonHasAvro() {
  return std::system("/usr/bin/python3 -c 'import avro.datafile' >/dev/null 2>&1") == 0;
}

// Runs `command`, returning its stdout and exit status.
std::pair<std::string, int> RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {"", -1};
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  return {out, ::pclose(pipe)};
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Writes the manifest and list to a temporary directory, runs check_manifest.py on them and
// returns its JSON output.
void CheckWithPython(const std::string& manifest, const std::string& list,
                     const std::string& partition_ids, nlohmann::json* out) {
  fs::path dir = fs::temp_directory_path() / ("tarn-manifest-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  WriteFile(dir / "m0.avro", manifest);
  WriteFile(dir / "snap.avro", list);
  auto [stdout_text, rc] = RunCommand(
      "/usr/bin/python3 " + std::string(TARN_SOURCE_DIR) + "/tests/iceberg/check_manifest.py " +
      (dir / "m0.avro").string() + " " + (dir / "snap.avro").string() + " " + partition_ids);
  fs::remove_all(dir);
  ASSERT_EQ(rc, 0) << stdout_text;
  *out = nlohmann::json::parse(stdout_text, nullptr, false);
  ASSERT_FALSE(out->is_discarded()) << stdout_text;
}

TEST(ManifestInteropTest, PythonAvroReadsTarnManifests) {
  if (!PythonHasAvro()) GTEST_SKIP() << "/usr/bin/python3 has no avro module (python3-avro)";
  schema::Schema schema = manifest_testing::TableSchema();
  PartitionSpec spec = manifest_testing::TableSpec();
  ManifestEntry entry;
  entry.data_file = manifest_testing::FullDataFile(
      "s3://b/t/data/a.parquet",
      manifest_testing::Partition(Literal::String("eu"), Literal::TimestampTz(1705312800000000), 42,
                                  manifest_testing::Dec("12.34"), Literal::Double(1.5),
                                  Literal::Uuid(std::string(16, '\x07'))));
  auto manifest = EncodeManifest({&schema, 0, &spec, FileContent::kData}, {entry},
                                 "s3://b/t/metadata/m0.avro", 55, 3);
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  std::string list = EncodeManifestList({manifest->second}, 55, 54, 3);
  nlohmann::json json;
  ASSERT_NO_FATAL_FAILURE(
      CheckWithPython(manifest->first, list, "1000,1001,1002,1003,1004,1005", &json));

  const auto& records = json["manifest"]["records"];
  ASSERT_EQ(records.size(), 1u);
  const auto& data_file = records[0]["data_file"];
  EXPECT_EQ(records[0]["status"], 1);
  EXPECT_TRUE(records[0]["snapshot_id"].is_null());
  EXPECT_EQ(data_file["file_path"], "s3://b/t/data/a.parquet");
  EXPECT_EQ(data_file["record_count"], 1000);
  EXPECT_EQ(data_file["partition"]["region"], "eu");
  EXPECT_EQ(data_file["partition"]["ts_day"], "2024-01-15");
  EXPECT_EQ(data_file["partition"]["amount_trunc"], "12.30");
  EXPECT_EQ(data_file["lower_bounds"][0]["key"], 1);
  EXPECT_EQ(data_file["lower_bounds"][0]["value"], "fbffffffffffffff");  // -5 as a long
  EXPECT_EQ(data_file["upper_bounds"][1]["value"], "7a7a");              // "zz"
  EXPECT_EQ(data_file["split_offsets"], nlohmann::json::parse("[4, 32768]"));
  EXPECT_EQ(json["manifest"]["meta"]["content"], "data");

  const auto& entries = json["list"]["records"];
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["manifest_path"], "s3://b/t/metadata/m0.avro");
  EXPECT_EQ(entries[0]["manifest_length"], manifest->first.size());
  EXPECT_EQ(entries[0]["added_files_count"], 1);
  EXPECT_EQ(entries[0]["partitions"][0]["lower_bound"], "6575");  // "eu"
  EXPECT_EQ(json["list"]["meta"]["parent-snapshot-id"], "54");
  EXPECT_EQ(json["list"]["meta"]["snapshot-id"], "55");
}

}  // namespace
}  // namespace tarn::iceberg
