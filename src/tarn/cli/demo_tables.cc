// The demo's Iceberg tables: curated.user_events (the events of the batches that passed their
// quality runs, typed, partitioned by day of event time) and serving.daily_active_users (an
// aggregate of it). Created and filled once; seeding again leaves them as they are.
#include <filesystem>

#include "tarn/base/ids.h"
#include "tarn/cli/demo.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/engine/iceberg_read.h"
#include "tarn/engine/table_writer.h"
#include "tarn/iceberg/scan.h"
#include "tarn/iceberg/table_update.h"

namespace tarn::cli {
namespace {

constexpr const char* kCuratedSchema = R"({"type": "struct", "fields": [
  {"id": 1, "name": "event_id", "required": true, "type": "string"},
  {"id": 2, "name": "user_id", "required": true, "type": "long"},
  {"id": 3, "name": "event_type", "required": true, "type": "string"},
  {"id": 4, "name": "country", "required": false, "type": "string"},
  {"id": 5, "name": "amount", "required": false, "type": "double"},
  {"id": 6, "name": "event_ts", "required": true, "type": "timestamptz"}]})";

constexpr const char* kServingSchema = R"({"type": "struct", "fields": [
  {"id": 1, "name": "day", "required": true, "type": "date"},
  {"id": 2, "name": "country", "required": false, "type": "string"},
  {"id": 3, "name": "active_users", "required": true, "type": "long"},
  {"id": 4, "name": "events", "required": true, "type": "long"}]})";

// Creates zone.name with `schema_json`, partitioned by day(<day_column>) when given; null if
// the table exists already.
Result<std::unique_ptr<iceberg::Table>> CreateOnce(lake::LakeTables& tables,
                                                   const std::string& zone,
                                                   const std::string& name,
                                                   const char* schema_json,
                                                   const std::string& day_column) {
  if (tables.Load(zone, name).ok()) return std::unique_ptr<iceberg::Table>();
  TARN_ASSIGN_OR_RETURN(auto schema, schema::SchemaFromIcebergJson(schema_json));
  iceberg::PartitionSpec spec;
  if (!day_column.empty()) {
    spec.fields.push_back({schema.FindByName(day_column)->id, 0, "",
                           iceberg::Transform{iceberg::Transform::kDay, 0}});
  }
  TARN_ASSIGN_OR_RETURN(auto md, iceberg::NewTableMetadata(
                                     schema, spec, iceberg::SortOrder{},
                                     tables.DefaultLocation(zone, name), {}, NewUuid(),
                                     Clock::System().Now() / 1000));
  return tables.Create(zone, name, md);
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

}  // namespace

Result<std::string> SeedDemoTables(lake::Lake& lake, const std::vector<std::string>& passed_files) {
  TARN_ASSIGN_OR_RETURN(auto* tables, lake.tables());
  TARN_ASSIGN_OR_RETURN(auto curated, CreateOnce(*tables, "curated", "user_events",
                                                 kCuratedSchema, "event_ts"));
  if (!curated) return std::string("");
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::Open());
  std::string files;
  for (const std::string& f : passed_files) files += (files.empty() ? "" : ", ") + Quote(f);
  // Malformed events (the ones raw ingestion sent to dead letters) are left out.
  std::string select =
      "SELECT event_id, TRY_CAST(user_id AS BIGINT) AS user_id, event_type, country, amount, "
      "event_ts::TIMESTAMPTZ AS event_ts FROM read_json_auto([" + files +
      "], format = 'newline_delimited', columns = {event_id: 'VARCHAR', user_id: 'VARCHAR', "
      "event_type: 'VARCHAR', country: 'VARCHAR', amount: 'DOUBLE', event_ts: 'VARCHAR'}) "
      "WHERE TRY_CAST(user_id AS BIGINT) IS NOT NULL AND event_type IS NOT NULL";
  TARN_ASSIGN_OR_RETURN(auto loaded, engine::LoadIntoTable(*db, *curated, select,
                                                           engine::LoadMode::kAppend,
                                                           {{"tarn.demo", "passed batches"}}));
  TARN_ASSIGN_OR_RETURN(auto serving, CreateOnce(*tables, "serving", "daily_active_users",
                                                 kServingSchema, ""));
  const iceberg::TableMetadata& m = curated->metadata();
  TARN_ASSIGN_OR_RETURN(auto plan, iceberg::PlanScan(m, m.CurrentSnapshot(), {}, curated->io()));
  TARN_ASSIGN_OR_RETURN(std::string scan,
                        engine::IcebergScanSql(plan, *m.CurrentSchema(), curated->io()));
  std::string aggregate =
      "SELECT (event_ts AT TIME ZONE 'UTC')::DATE AS day, country, "
      "count(DISTINCT user_id) AS active_users, count(*) AS events FROM (" + scan +
      ") GROUP BY ALL";
  if (serving) {
    TARN_RETURN_IF_ERROR(engine::LoadIntoTable(*db, *serving, aggregate, engine::LoadMode::kAppend,
                                               {{"tarn.demo", "from curated.user_events"}})
                             .status());
  }
  return "; Iceberg tables curated.user_events (" + std::to_string(loaded.rows_written) +
         " events, " + std::to_string(loaded.data_files) +
         " Parquet file(s)) and serving.daily_active_users";
}

}  // namespace tarn::cli
