#include "query_data.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "tarn/base/ids.h"
#include "tarn/base/time.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/engine/table_writer.h"
#include "tarn/iceberg/table_update.h"
#include "tarn/lake/lake.h"
#include "tarn/schema/schema.h"

namespace tarn::bench {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kMicrosPerHour = int64_t{3600} * 1000000;

// Eleven columns of a clickstream event; amount is set on purchases and cart additions.
constexpr const char* kSchema = R"json({"type": "struct", "fields": [
  {"id": 1, "name": "event_id", "required": true, "type": "long"},
  {"id": 2, "name": "event_ts", "required": true, "type": "timestamptz"},
  {"id": 3, "name": "user_id", "required": true, "type": "long"},
  {"id": 4, "name": "session_id", "required": false, "type": "long"},
  {"id": 5, "name": "event_type", "required": true, "type": "string"},
  {"id": 6, "name": "country", "required": false, "type": "string"},
  {"id": 7, "name": "device", "required": false, "type": "string"},
  {"id": 8, "name": "page", "required": false, "type": "string"},
  {"id": 9, "name": "amount", "required": false, "type": "decimal(12, 2)"},
  {"id": 10, "name": "duration_ms", "required": false, "type": "int"},
  {"id": 11, "name": "is_bot", "required": false, "type": "boolean"}]})json";

// [first, end) day ranges, one per calendar month.
std::vector<std::pair<int64_t, int64_t>> Months(int64_t first, int64_t end) {
  using namespace std::chrono;
  std::vector<std::pair<int64_t, int64_t>> out;
  for (int64_t d = first; d < end;) {
    year_month_day ymd{sys_days{days{d}}};
    year_month_day next = year_month_day{ymd.year() / ymd.month() / 1} + months{1};
    int64_t stop = std::min<int64_t>(end, sys_days{next}.time_since_epoch().count());
    out.emplace_back(d, stop);
    d = stop;
  }
  return out;
}

// The events of days [d0, d1): rows_per_hour per hour, in hour order, every value derived
// from the event id by hashing, so a regenerated table holds the same rows.
std::string EventsSql(const QueryScale& s, int64_t d0, int64_t d1) {
  int64_t rph = s.rows_per_hour;
  int64_t n = (d1 - d0) * 24 * rph;
  int64_t first_id = (d0 - kFirstDay) * 24 * rph;
  int64_t base_us = d0 * 24 * kMicrosPerHour;
  auto pick = [](const std::string& list, const std::string& bits, int n) {
    return list + "[1 + CAST((" + bits + ") % " + std::to_string(n) + " AS INTEGER)]";
  };
  return "WITH g AS (SELECT " + std::to_string(first_id) + " + i AS event_id, i // " +
         std::to_string(rph) + " AS hour_index, hash(" + std::to_string(first_id) +
         " + i) AS h, hash(" + std::to_string(first_id) +
         " + i + 1000000000000) AS k FROM range(" + std::to_string(n) +
         ") AS t(i)), e AS (SELECT *, " +
         pick("['page_view', 'page_view', 'page_view', 'page_view', 'page_view', 'click', "
              "'click', 'search', 'add_to_cart', 'purchase']",
              "(h >> 20) & 255", 10) +
         " AS event_type FROM g) SELECT event_id, "
         "TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_microseconds(CAST(" +
         std::to_string(base_us) + " + hour_index * " + std::to_string(kMicrosPerHour) +
         " + k % " + std::to_string(kMicrosPerHour) +
         " AS BIGINT)) AS event_ts, "
         // Skewed toward low ids, as a few users make most events.
         "CAST(pow((h & 1048575) / 1048576.0, 3) * 2000000 AS BIGINT) AS user_id, "
         "CAST((k >> 34) AS BIGINT) AS session_id, event_type, " +
         pick("['US', 'US', 'US', 'US', 'DE', 'DE', 'GB', 'GB', 'FR', 'BR', 'IN', 'JP', 'CA', "
              "'AU', 'ES', 'IT', 'NL', 'SE', 'PL', 'MX']",
              "(h >> 28) & 255", 20) +
         " AS country, " + pick("['web', 'web', 'ios', 'android']", "(h >> 36) & 15", 4) +
         " AS device, '/' || " +
         pick("['home', 'search', 'product', 'cart', 'checkout']", "(h >> 40) & 255", 5) +
         " || '/' || CAST(((h >> 48) & 2047) % 2000 AS VARCHAR) AS page, "
         "CASE WHEN event_type IN ('purchase', 'add_to_cart') THEN "
         "CAST(((k >> 32) % 50000) / 100 AS DECIMAL(12, 2)) END AS amount, "
         "CAST((k >> 16) % 30000 AS INTEGER) AS duration_ms, (h >> 59) = 0 AS is_bot FROM e";
}

Result<std::unique_ptr<iceberg::Table>> CreateTable(lake::LakeTables& tables) {
  TARN_ASSIGN_OR_RETURN(auto schema, schema::SchemaFromIcebergJson(kSchema));
  iceberg::PartitionSpec spec;
  spec.fields.push_back({schema.FindByName("event_ts")->id, 0, "",
                         iceberg::Transform{iceberg::Transform::kHour, 0}});
  TARN_ASSIGN_OR_RETURN(auto md, iceberg::NewTableMetadata(
                                     schema, spec, iceberg::SortOrder{},
                                     tables.DefaultLocation(kZone, kTableName), {}, NewUuid(),
                                     Clock::System().Now() / 1000));
  return tables.Create(kZone, kTableName, md);
}

int64_t Summary(const iceberg::Snapshot* s, const char* key) {
  if (!s) return 0;
  auto it = s->summary.find(key);
  return it == s->summary.end() ? 0 : std::stoll(it->second);
}

// Fills `out` from the table's current snapshot; kFailedPrecondition when it lacks rows.
Status Describe(const std::string& dir, const QueryScale& scale, BenchLake* out) {
  TARN_ASSIGN_OR_RETURN(auto lake, lake::Lake::Open({dir, ""}));
  TARN_ASSIGN_OR_RETURN(auto* tables, lake->tables());
  TARN_ASSIGN_OR_RETURN(auto table, tables->Load(kZone, kTableName));
  const iceberg::Snapshot* s = table->metadata().CurrentSnapshot();
  out->rows = Summary(s, "total-records");
  out->data_files = Summary(s, "total-data-files");
  out->bytes = 0;  // no total in the summaries: the sum of what each append added
  for (const iceberg::Snapshot& snap : table->metadata().snapshots) {
    out->bytes += Summary(&snap, "added-files-size");
  }
  out->commits = static_cast<int>(table->metadata().snapshots.size());
  if (out->rows != scale.rows()) {
    return FailedPrecondition("the cached table holds " + std::to_string(out->rows) +
                              " rows, not " + std::to_string(scale.rows()));
  }
  return Status::OK();
}

Status Generate(const std::string& dir, const QueryScale& scale) {
  TARN_ASSIGN_OR_RETURN(auto lake, lake::Lake::Open({dir, ""}));
  TARN_ASSIGN_OR_RETURN(auto* tables, lake->tables());
  TARN_ASSIGN_OR_RETURN(auto table, CreateTable(*tables));
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::Open());
  for (auto [d0, d1] : Months(kFirstDay, kFirstDay + scale.days)) {
    auto t0 = SteadyClock::now();
    TARN_ASSIGN_OR_RETURN(
        engine::WriteResult w,
        engine::LoadIntoTable(*db, *table, EventsSql(scale, d0, d1), engine::LoadMode::kAppend,
                              {{"tarn.bench", "query_bench " + DateOf(d0)}}));
    std::fprintf(stderr, "query_bench: %s..%s: %lld rows in %lld files, %.1f s\n",
                 DateOf(d0).c_str(), DateOf(d1 - 1).c_str(),
                 static_cast<long long>(w.rows_written), static_cast<long long>(w.data_files),
                 SecondsSince(t0));
  }
  return Status::OK();
}

}  // namespace

std::string QueryScale::Name() const {
  return std::to_string(days) + "d-" + std::to_string(rows_per_hour) + "rph";
}

std::string DateOf(int64_t day) {
  return FormatIsoTimestamp(day * 24 * kMicrosPerHour).substr(0, 10);
}

Result<BenchLake> EnsureBenchLake(const std::string& out_dir, const QueryScale& scale) {
  BenchLake out;
  out.dir = fs::absolute(fs::path(out_dir) / ("query-" + scale.Name())).lexically_normal();
  fs::path marker = fs::path(out.dir) / "COMPLETE";
  if (fs::exists(marker)) {
    Status st = Describe(out.dir, scale, &out);
    if (st.ok()) {
      std::ifstream(marker) >> out.generation_seconds;
      out.cached = true;
      std::fprintf(stderr, "query_bench: using the cached lake %s\n", out.dir.c_str());
      return out;
    }
    std::fprintf(stderr, "query_bench: cached lake unusable (%s); regenerating\n",
                 st.ToString().c_str());
  }
  std::fprintf(stderr, "query_bench: generating %lld events (%d days x 24 hours x %d) into %s\n",
               static_cast<long long>(scale.rows()), scale.days, scale.rows_per_hour,
               out.dir.c_str());
  std::error_code ec;
  fs::remove_all(out.dir, ec);
  auto t0 = SteadyClock::now();
  TARN_RETURN_IF_ERROR(Generate(out.dir, scale));
  out.generation_seconds = SecondsSince(t0);
  TARN_RETURN_IF_ERROR(Describe(out.dir, scale, &out));
  std::ofstream(marker) << out.generation_seconds << "\n";
  return out;
}

}  // namespace tarn::bench
