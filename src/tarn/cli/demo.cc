#include "tarn/cli/demo.h"

#include <cstdio>

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

}  // namespace

Result<std::string> SeedDemo(lake::Lake& lake) {
  catalog::CatalogService& cat = lake.catalog();
  TARN_ASSIGN_OR_RETURN(auto existing, cat.store().FindSourceByName(kSourceName));
  catalog::DataSource source;
  if (existing) {
    source = *existing;
  } else {
    TARN_ASSIGN_OR_RETURN(source, cat.CreateSource(
                                      {kSourceName, "batch",
                                       R"({"connector": "file", "path": "demo/events/*.jsonl",
                                           "format": "jsonl"})",
                                       "data-eng-team"}));
  }
  TARN_ASSIGN_OR_RETURN(auto raw, cat.UpsertDataset({source.id, "user_events", "raw",
                                                     "data-eng-team", 4}));
  TARN_RETURN_IF_ERROR(cat.UpsertDataset({source.id, "user_events", "curated", "data-eng-team", 6})
                           .status());
  TARN_RETURN_IF_ERROR(
      cat.UpsertDataset({source.id, "daily_active_users", "serving", "analytics-team", 24})
          .status());
  TARN_RETURN_IF_ERROR(cat.RegisterSchema(raw.dataset.id, kRawSchema, true).status());

  // Two days of hourly partitions ending at the last full hour.
  UnixMicros end = Clock::System().Now() / kMicrosPerHour * kMicrosPerHour;
  std::vector<catalog::PartitionSpec> specs;
  for (int h = 48; h >= 1; --h) {
    std::string iso = FormatIsoTimestamp(end - h * kMicrosPerHour);
    std::string key = "dt=" + iso.substr(0, 10) + "/hour=" + iso.substr(11, 2);
    int64_t rows = 40000 + (h * 7919) % 9000;
    specs.push_back({key, "raw/user_events/" + key + "/demo-clickstream-0000.avro", "avro", rows,
                     rows * 61});
  }
  TARN_ASSIGN_OR_RETURN(auto regs, cat.RegisterPartitions(raw.dataset.id, specs));
  int quarantined = 0;
  for (size_t i = 0; i < regs.size(); ++i) {
    if (!regs[i].created) continue;  // already seeded: keep its history
    // Every partition is checked; the one from 30 hours ago fails its null-rate rule.
    bool fail = i == 18;
    TARN_RETURN_IF_ERROR(cat.RecordQualityRun(regs[i].partition.id,
                                              {fail ? "failed" : "passed", fail ? 11 : 12,
                                               fail ? 1 : 0, fail ? 0.73 : 0.05})
                             .status());
    quarantined += fail;
  }
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "demo: source %s, datasets raw.user_events, curated.user_events, "
                "serving.daily_active_users; %zu hourly raw partitions (%d newly quarantined)\n",
                kSourceName, regs.size(), quarantined);
  return std::string(buf);
}

}  // namespace tarn::cli
