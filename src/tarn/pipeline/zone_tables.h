// Tables the pipelines write (curated targets, serving windows): loaded, or created on first use
// with the columns of the query that fills them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/iceberg/table.h"
#include "tarn/lake/lake_tables.h"

namespace tarn::pipeline {

struct ZoneTable {
  std::unique_ptr<iceberg::Table> table;
  bool created = false;  // by this call
};

// Loads zone.name, or creates it with the columns `select_sql` yields in `db` (fresh field
// ids), partitioned by `partition_by` ("days(ts)", "identity(c)", ...), with `properties`. A
// concurrent creation is loaded instead. Errors: kFailedPrecondition (a column type tables do
// not store, a bad partition transform), the catalog's and DuckDB's.
Result<ZoneTable> LoadOrCreateTable(lake::LakeTables& tables, engine::DuckDb& db, const std::string& zone,
                                    const std::string& name, const std::string& select_sql,
                                    const std::vector<std::string>& partition_by,
                                    const std::map<std::string, std::string>& properties);

}  // namespace tarn::pipeline
