#include "tarn/cli/demo.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tarn/ingest/raw_ingestor.h"
#include "tarn/pipeline/promotion.h"

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

// How raw.user_events is promoted (docs/promotion.md).
constexpr const char* kPromotionSpec = R"yaml(
target: user_events
key: [event_id]
event_time: event_ts
partition_by: [days(event_ts)]
cast: {event_ts: timestamptz}
clean: {country: "upper(trim(country))"}
quality:
  rules:
    - {rule: not_null, column: user_id}
    - {rule: accepted_values, column: event_type, values: [page_view, click, add_to_cart, purchase]}
    - {rule: range, column: amount, min: 0, max: 10000}
    - {rule: accepted_values, column: country, values: [US, DE, FR, BR, IN], severity: warn}
    - {rule: unique, column: event_id, severity: warn}
    - {rule: row_count, min: 100}
  anomaly: {window: 14, warn: 3, block: 5}
)yaml";
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
    // The second batch has refunds booked as negative purchases: the gate's range rule stops it.
    if (type == std::string("purchase")) out << ", \"amount\": " << (batch == 1 && i % 20 == 1 ? -5.0 : (n % 200) + 0.99);
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

  // The quality gate and promotion into curated.user_events.
  TARN_RETURN_IF_ERROR(pipeline::SetPromotionSpec(lake, raw.dataset.id, kPromotionSpec).status());
  TARN_ASSIGN_OR_RETURN(auto promoted, pipeline::Promote(lake, raw.dataset.id, {}));
  TARN_ASSIGN_OR_RETURN(auto listing, cat.ListPartitions(raw.dataset, {}));
  int quarantined = 0;
  for (const auto& p : listing.partitions) quarantined += p.status == catalog::PartitionStatus::kQuarantined;
  TARN_ASSIGN_OR_RETURN(std::string tables, SeedDemoTables(lake));
  (void)promoted;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "demo: source %s -> raw.user_events (%zu Avro files, %lld events landed, %lld "
                "rejected to dead letters) -> quality gate (%d partition quarantined) -> "
                "curated.user_events%s\n",
                kSourceName, listing.partitions.size(), static_cast<long long>(accepted),
                static_cast<long long>(rejected), quarantined, tables.c_str());
  return std::string(buf);
}

}  // namespace tarn::cli
