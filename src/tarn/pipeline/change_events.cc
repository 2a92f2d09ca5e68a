#include "tarn/pipeline/change_events.h"

#include "tarn/engine/iceberg_read.h"
#include "tarn/iceberg/scan.h"
#include "tarn/pipeline/raw_stage.h"
#include "tarn/pipeline/zone_tables.h"
#include "tarn/quality/rules.h"

namespace tarn::pipeline {
namespace {

using quality::QuoteIdent;

std::string KeysEqual(const std::vector<std::string>& key, const std::string& left,
                      const std::string& right) {
  std::string sql;
  for (const std::string& k : key) {
    sql += (sql.empty() ? "" : " AND ") + left + "." + QuoteIdent(k) + " = " + right + "." +
           QuoteIdent(k);
  }
  return sql;
}

// Drops from `deduped` the events older than their key's tombstone.
Status DropOlderThanTombstones(engine::DuckDb& db, lake::LakeTables& tables,
                               const iceberg::Table& tombstones,
                               const std::vector<std::string>& key) {
  const iceberg::TableMetadata& md = tombstones.metadata();
  TARN_ASSIGN_OR_RETURN(auto plan, iceberg::PlanScan(md, md.CurrentSnapshot(), {}, *tables.io()));
  if (plan.tasks.empty()) return Status::OK();
  TARN_ASSIGN_OR_RETURN(std::string scan,
                        engine::IcebergScanSql(plan, *md.CurrentSchema(), *tables.io()));
  return db.Exec("DELETE FROM deduped WHERE EXISTS (SELECT 1 FROM (" + scan + ") AS _t WHERE " +
                 KeysEqual(key, "_t", "deduped") + " AND _t." + kLsnColumn + " > deduped." +
                 kLsnColumn + ")");
}

Result<bool> HasDeletes(engine::DuckDb& db) {
  bool found = false;
  TARN_RETURN_IF_ERROR(
      db.Query(std::string("SELECT 'yes' FROM deduped WHERE ") + kOpColumn + " = 'd' LIMIT 1", {},
               [&](const engine::Row&) {
                 found = true;
                 return Status::OK();
               }));
  return found;
}

}  // namespace

std::string TombstoneTable(const std::string& target) { return target + "__cdc_deletes"; }

Result<engine::WriteResult> ApplyChangeEvents(engine::DuckDb& db, lake::LakeTables& tables,
                                              iceberg::Table& target,
                                              const std::string& target_name,
                                              const std::vector<std::string>& key,
                                              const iceberg::SummaryProps& props) {
  std::string key_list;
  for (const std::string& k : key) key_list += (key_list.empty() ? "" : ", ") + QuoteIdent(k);
  TARN_RETURN_IF_ERROR(
      db.Exec("CREATE OR REPLACE TEMP TABLE deduped AS SELECT * FROM batch QUALIFY "
              "row_number() OVER (PARTITION BY " +
              key_list + " ORDER BY " + kLsnColumn + " DESC, _tarn_order DESC) = 1"));
  const std::string tombstone_name = TombstoneTable(target_name);
  auto existing = tables.Load("curated", tombstone_name);
  if (existing.ok()) {
    TARN_RETURN_IF_ERROR(DropOlderThanTombstones(db, tables, **existing, key));
  } else if (existing.status().code() != ErrorCode::kNotFound) {
    return existing.status();
  }
  TARN_ASSIGN_OR_RETURN(bool deletes, HasDeletes(db));
  if (deletes) {
    std::string tombstone_rows =
        "SELECT " + key_list + ", " + kLsnColumn + " FROM deduped WHERE " + kOpColumn + " = 'd'";
    TARN_ASSIGN_OR_RETURN(
        auto tombstones, LoadOrCreateTable(tables, db, "curated", tombstone_name, tombstone_rows,
                                           {}, {{"tarn.tombstones-of", "curated." + target_name}}));
    TARN_RETURN_IF_ERROR(engine::ApplyChangesToTable(db, *tombstones.table, tombstone_rows, key,
                                                     {.version_column = kLsnColumn}, props)
                             .status());
  }
  std::string changes = std::string("SELECT * EXCLUDE (_tarn_partition, _tarn_order, ") +
                        kOpColumn + "), " + kOpColumn + " = 'd' AS _tarn_delete FROM deduped";
  return engine::ApplyChangesToTable(
      db, target, changes, key, {.delete_column = "_tarn_delete", .version_column = kLsnColumn},
      props);
}

}  // namespace tarn::pipeline
