// RawIngestor end to end on a real lake (SQLite catalog, local object store): valid records
// land in Avro, rejects in the dead letters with position and reason, the same window lands
// nothing new, schemas are inferred when missing.
#include "tarn/ingest/raw_ingestor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "catalog/store_fixture.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/format/avro_reader.h"
#include "tarn/lake/lake.h"

namespace tarn::ingest {
namespace {

using nlohmann::json;

constexpr const char* kSchema = R"({"type": "record", "name": "Event", "fields": [
  {"name": "event_id", "type": "string"},
  {"name": "user_id", "type": "long"},
  {"name": "amount", "type": ["null", "double"], "default": null}]})";

class RawIngestorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    lake_ = std::move(lake::Lake::Open({dir_ + "/lake", ""}).value());
    std::filesystem::create_directories(dir_ + "/in");
  }
  void TearDown() override {
    lake_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Dataset(const std::string& name, const std::string& config,
                      const char* schema = kSchema, const std::string& zone = "raw") {
    auto& cat = lake_->catalog();
    auto src = cat.CreateSource({name + "-src", "batch", config, "eng"});
    EXPECT_TRUE(src.ok()) << src.status().ToString();
    auto ds = cat.UpsertDataset({src->id, name, zone, "eng", 4});
    if (schema) {
      EXPECT_TRUE(cat.RegisterSchema(ds->dataset.id, schema, true).ok());
    }
    return ds->dataset.id;
  }

  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/in/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  catalog::IngestRun Ingest(const std::string& ds, IngestOptions options = {}) {
    RawIngestor ingestor(lake_->catalog(), **lake_->objects());
    auto run = ingestor.Run(ds, options);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? *run : catalog::IngestRun{};
  }

  std::vector<catalog::Partition> Partitions(const std::string& ds) {
    return lake_->catalog().ListPartitions(ds, {})->partitions;
  }

  std::vector<json> Records(const catalog::Partition& p) {
    std::vector<json> out;
    Status st = format::ReadAvroRecordsAsJson(lake_->catalog().lake().Resolve(p.file_path),
                                              [&](const std::string& r) {
                                                out.push_back(json::parse(r));
                                                return Status::OK();
                                              });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  std::vector<json> DeadLetters(const catalog::IngestRun& run) {
    std::vector<json> out;
    std::ifstream in(lake_->catalog().lake().Resolve(run.deadletter_path.value_or("")));
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }

  std::string dir_;
  std::unique_ptr<lake::Lake> lake_;
};

TEST_F(RawIngestorTest, ValidRecordsLandAndRejectsAreDeadLetteredWithReasons) {
  std::string path = Write("events.jsonl",
                           "{\"event_id\":\"e1\",\"user_id\":1,\"amount\":9.5}\n"
                           "{\"event_id\":\"e2\",\"user_id\":\"two\"}\n"
                           "{\"event_id\":\"e3\",\"user_id\":3}\n"
                           "{broken\n"
                           "{\"user_id\":5}\n");
  std::string ds =
      Dataset("events", json{{"connector", "file"}, {"path", path}, {"format", "jsonl"}}.dump());
  auto run = Ingest(ds);
  EXPECT_EQ(run.status, catalog::IngestStatus::kSucceeded) << run.error.value_or("");
  EXPECT_EQ(run.records_accepted, 2);
  EXPECT_EQ(run.records_rejected, 3);
  EXPECT_EQ(run.files_written, 1);

  auto parts = Partitions(ds);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].row_count, 2);
  EXPECT_EQ(parts[0].format, catalog::FileFormat::kAvro);
  EXPECT_TRUE(parts[0].schema_version_id.has_value());
  EXPECT_EQ(parts[0].file_path.rfind("raw/events/dt=", 0), 0u);
  EXPECT_GT(parts[0].size_bytes, 0);
  auto records = Records(parts[0]);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["event_id"], "e1");
  EXPECT_EQ(records[1]["user_id"], 3);

  auto dead = DeadLetters(run);
  ASSERT_EQ(dead.size(), 3u);
  EXPECT_EQ(dead[0]["position"], "events.jsonl:2");
  EXPECT_NE(dead[0]["reason"].get<std::string>().find("user_id"), std::string::npos);
  EXPECT_EQ(dead[0]["payload"], "{\"event_id\":\"e2\",\"user_id\":\"two\"}");
  EXPECT_EQ(dead[1]["payload"], "{broken");
  EXPECT_NE(dead[2]["reason"].get<std::string>().find("event_id"), std::string::npos);
}

TEST_F(RawIngestorTest, TheSameWindowTwiceLandsNothingNew) {
  std::string path = Write("e.jsonl", "{\"event_id\":\"e1\",\"user_id\":1}\n");
  std::string ds =
      Dataset("events", json{{"connector", "file"}, {"path", path}, {"format", "jsonl"}}.dump());
  auto first = Ingest(ds);
  auto second = Ingest(ds);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(Partitions(ds).size(), 1u);
  // New data is a new window.
  Write("e.jsonl", "{\"event_id\":\"e1\",\"user_id\":1}\n{\"event_id\":\"e2\",\"user_id\":2}\n");
  auto third = Ingest(ds);
  EXPECT_NE(third.id, first.id);
  EXPECT_EQ(Partitions(ds).size(), 2u);
  EXPECT_EQ(lake_->catalog().store().ListIngestRuns(ds, 10)->size(), 2u);
}

TEST_F(RawIngestorTest, InfersAndRegistersASchemaWhenThereIsNone) {
  std::string a = Write("a.csv", "id,name,score\n1,ann,2.5\n2,bob,\n");
  std::string ds = Dataset(
      "people", json{{"connector", "file"}, {"path", a}, {"format", "csv"}}.dump(), nullptr);
  auto run = Ingest(ds);
  EXPECT_EQ(run.records_accepted, 2) << run.error.value_or("");
  auto schemas = *lake_->catalog().ListSchemas(ds);
  ASSERT_EQ(schemas.size(), 1u);
  auto schema = json::parse(schemas[0].schema_json);
  EXPECT_EQ(schema["fields"][0]["name"], "id");
  // Later files are validated against the inferred version.
  std::string b = Write("b.csv", "id,name,score\nthree,cy,1\n4,dee,0.5\n");
  IngestOptions o;
  o.overrides_json = json{{"path", b}}.dump();
  auto second = Ingest(ds, o);
  EXPECT_EQ(second.records_accepted, 1);
  EXPECT_EQ(second.records_rejected, 1);
  EXPECT_EQ(lake_->catalog().ListSchemas(ds)->size(), 1u);
}

TEST_F(RawIngestorTest, LargeWindowsRollOverIntoSeveralFiles) {
  std::string content;
  for (int i = 0; i < 3000; ++i) {
    content +=
        "{\"event_id\":\"e" + std::to_string(i) + "\",\"user_id\":" + std::to_string(i) + "}\n";
  }
  std::string path = Write("big.jsonl", content);
  std::string ds =
      Dataset("events", json{{"connector", "file"}, {"path", path}, {"format", "jsonl"}}.dump());
  IngestOptions o;
  o.target_file_bytes = 40000;
  o.batch_records = 500;
  auto run = Ingest(ds, o);
  EXPECT_EQ(run.records_accepted, 3000);
  EXPECT_GE(run.files_written, 2);
  int64_t rows = 0;
  for (const auto& p : Partitions(ds)) rows += p.row_count;
  EXPECT_EQ(rows, 3000);
  EXPECT_TRUE(lake_->objects().value()->List("_tarn/").value().empty());  // no staging left
}

TEST_F(RawIngestorTest, ParquetFilesLandThroughTheEngine) {
  auto db = std::move(engine::DuckDb::Open().value());
  std::string path = dir_ + "/in/events.parquet";
  ASSERT_TRUE(db->Exec("COPY (SELECT 'e' || i::VARCHAR AS event_id, i AS user_id, "
                       "CASE WHEN i % 2 = 0 THEN NULL ELSE i * 0.5 END AS amount "
                       "FROM range(100) t(i)) TO '" + path + "' (FORMAT parquet)")
                  .ok());
  std::string ds = Dataset("events", json{{"connector", "file"}, {"path", path}, {"format", "parquet"}}.dump());
  auto run = Ingest(ds);
  EXPECT_EQ(run.records_accepted, 100) << run.error.value_or("");
  auto records = Records(Partitions(ds).at(0));
  ASSERT_EQ(records.size(), 100u);
  EXPECT_EQ(records[3]["event_id"], "e3");
  EXPECT_EQ(records[3]["amount"], 1.5);
  EXPECT_TRUE(records[2]["amount"].is_null());
}

TEST_F(RawIngestorTest, RefusesWhatCannotBeIngested) {
  RawIngestor ingestor(lake_->catalog(), **lake_->objects());
  std::string curated =
      Dataset("cur", R"({"connector":"file","path":"/x","format":"jsonl"})", kSchema, "curated");
  EXPECT_EQ(ingestor.Run(curated, {}).status().code(), ErrorCode::kFailedPrecondition);
  std::string none = Dataset("none", "{}");
  auto st = ingestor.Run(none, {}).status();
  EXPECT_EQ(st.code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("connector"), std::string::npos);
  std::string missing =
      Dataset("missing", R"({"connector":"file","path":"/nonexistent/*.jsonl","format":"jsonl"})");
  EXPECT_NE(ingestor.Run(missing, {}).status().message().find("no file matches"),
            std::string::npos);
  IngestOptions bad;
  bad.overrides_json = "[1]";
  EXPECT_EQ(ingestor.Run(missing, bad).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tarn::ingest
