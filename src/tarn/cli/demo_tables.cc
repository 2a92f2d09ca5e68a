// The demo's serving table: serving.daily_active_users, an aggregate of curated.user_events
// (which promotion fills). Created and filled once; seeding again leaves it as it is.
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

}  // namespace

Result<std::string> SeedDemoTables(lake::Lake& lake) {
  TARN_ASSIGN_OR_RETURN(auto* tables, lake.tables());
  TARN_ASSIGN_OR_RETURN(auto curated, tables->Load("curated", "user_events"));
  TARN_ASSIGN_OR_RETURN(auto serving, CreateOnce(*tables, "serving", "daily_active_users",
                                                 kServingSchema, ""));
  if (!serving) return std::string("");
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::Open());
  const iceberg::TableMetadata& m = curated->metadata();
  TARN_ASSIGN_OR_RETURN(auto plan, iceberg::PlanScan(m, m.CurrentSnapshot(), {}, curated->io()));
  TARN_ASSIGN_OR_RETURN(std::string scan,
                        engine::IcebergScanSql(plan, *m.CurrentSchema(), curated->io()));
  std::string aggregate =
      "SELECT (event_ts AT TIME ZONE 'UTC')::DATE AS day, country, "
      "count(DISTINCT user_id) AS active_users, count(*) AS events FROM (" + scan +
      ") GROUP BY ALL";
  TARN_RETURN_IF_ERROR(engine::LoadIntoTable(*db, *serving, aggregate, engine::LoadMode::kAppend,
                                             {{"tarn.demo", "from curated.user_events"}})
                           .status());
  return std::string("; serving.daily_active_users aggregated from curated.user_events");
}

}  // namespace tarn::cli
