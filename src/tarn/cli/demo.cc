#include "tarn/cli/demo.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tarn/ingest/raw_ingestor.h"

namespace tarn::cli {
namespace {

constexpr const char* kSourceName = "demo-clickstream";
constexpr const char* kRawSchema = R"({
  "type": "record", "name": "UserEvent", "namespace": "tarn.demo",
  "fields": [
    {"name": "event_id", "type": "string"},
    {"name": "user_id", "type": "long"},
    {"name": "event_type", "type": "string"},
    {"name": "country", "type": ["null", "string"], "default": null},
    {"name": "amount", "type": ["null", "double"], "default": null},
    {"name": "event_ts", "type": {"type": "long", "logicalType": "timestamp-micros"}}
  ]})";

constexpr int64_t kMicrosPerHour = 3'600'000'000;
constexpr int kBatches = 3;
constexpr int kEventsPerBatch = 2000;

// Writes the landing file of one demo batch (once: rewriting would make it a new window).
// Events are deterministic; every 250th is malformed so the dead letters have something to show.
Status WriteBatch(const std::string& path, int batch, UnixMicros start) {
  if (std::filesystem::exists(path)) return Status::OK();
  std::ofstream out(path + ".tmp");
  static const char* kTypes[] = {"page_view", "click", "add_to_cart", "purchase"};
  static const char* kCountries[] = {"US", "DE", "FR", "BR", "IN"};
  for (int i = 0; i < kEventsPerBatch; ++i) {
    int n = batch * kEventsPerBatch + i;
    std::string ts = FormatIsoTimestamp(start + static_cast<int64_t>(i) * 1'700'000);
    if (i % 250 == 249) {
      out << "{\"event_id\": \"ev-" << n << "\", \"user_id\": \"u" << n % 97 << "\", \"event_ts\": \""
          << ts << "\"}\n";  // user_id is not a number
      continue;
    }
    const char* type = kTypes[(n * 7) % 4];
    out << "{\"event_id\": \"ev-" << n << "\", \"user_id\": " << (n * 31) % 997
        << ", \"event_type\": \"" << type << "\", \"country\": \"" << kCountries[n % 5] << "\"";
    if (type == std::string("purchase")) out << ", \"amount\": " << (n % 200) + 0.99;
    out << ", \"event_ts\": \"" << ts << "\"}\n";
  }
  out.close();
  if (!out) return IOError("writing " + path);
  std::filesystem::rename(path + ".tmp", path);
  return Status::OK();
}

}  // namespace

Result<std::string> SeedDemo(lake::Lake& lake) {
  catalog::CatalogService& cat = lake.catalog();
  TARN_ASSIGN_OR_RETURN(storage::ObjectStore * objects, lake.objects());
  std::string landing = cat.lake().root() + "/landing/" + kSourceName;
  std::filesystem::create_directories(landing);

  TARN_ASSIGN_OR_RETURN(auto existing, cat.store().FindSourceByName(kSourceName));
  catalog::DataSource source;
  if (existing) {
    source = *existing;
  } else {
    std::string config = R"({"connector": "file", "format": "jsonl", "path": ")" + landing +
                         R"(/events-0.jsonl"})";
    TARN_ASSIGN_OR_RETURN(source, cat.CreateSource({kSourceName, "batch", config, "data-eng-team"}));
  }
  TARN_ASSIGN_OR_RETURN(auto raw, cat.UpsertDataset({source.id, "user_events", "raw",
                                                     "data-eng-team", 4}));
  TARN_RETURN_IF_ERROR(cat.UpsertDataset({source.id, "user_events", "curated", "data-eng-team", 6})
                           .status());
  TARN_RETURN_IF_ERROR(
      cat.UpsertDataset({source.id, "daily_active_users", "serving", "analytics-team", 24})
          .status());
  TARN_RETURN_IF_ERROR(cat.RegisterSchema(raw.dataset.id, kRawSchema, true).status());

  // Three landed batches of events, each ingested as its own window.
  UnixMicros start = Clock::System().Now() / kMicrosPerHour * kMicrosPerHour - 3 * kMicrosPerHour;
  ingest::RawIngestor ingestor(cat, *objects);
  int64_t accepted = 0, rejected = 0;
  std::vector<std::string> batch_files;
  for (int b = 0; b < kBatches; ++b) {
    std::string path = landing + "/events-" + std::to_string(b) + ".jsonl";
    batch_files.push_back(path);
    TARN_RETURN_IF_ERROR(WriteBatch(path, b, start + b * kMicrosPerHour));
    ingest::IngestOptions options;
    options.overrides_json = R"({"path": ")" + path + R"("})";
    TARN_ASSIGN_OR_RETURN(auto run, ingestor.Run(raw.dataset.id, options));
    if (run.status != catalog::IngestStatus::kSucceeded) {
      return Internal("demo ingest failed: " + run.error.value_or("?"));
    }
    accepted += run.records_accepted;
    rejected += run.records_rejected;
  }

  // Every landed partition gets a quality run; the second batch fails its null-rate rule.
  TARN_ASSIGN_OR_RETURN(auto listing, cat.ListPartitions(raw.dataset, {}));
  int quarantined = 0;
  for (size_t i = 0; i < listing.partitions.size(); ++i) {
    const auto& p = listing.partitions[i];
    if (p.status != catalog::PartitionStatus::kLanded) continue;
    bool fail = i == 1;
    TARN_RETURN_IF_ERROR(cat.RecordQualityRun(p.id, {fail ? "failed" : "passed", fail ? 11 : 12,
                                                     fail ? 1 : 0, fail ? 0.73 : 0.05})
                             .status());
    quarantined += fail;
  }
  // The second batch is the quarantined one: the others go on to the curated table.
  TARN_ASSIGN_OR_RETURN(std::string tables,
                        SeedDemoTables(lake, {batch_files[0], batch_files[2]}));
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "demo: source %s -> raw.user_events (%zu Avro files, %lld events landed, %lld "
                "rejected to dead letters, %d partition quarantined)%s\n",
                kSourceName, listing.partitions.size(), static_cast<long long>(accepted),
                static_cast<long long>(rejected), quarantined, tables.c_str());
  return std::string(buf);
}

}  // namespace tarn::cli
