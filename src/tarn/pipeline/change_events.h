// Applying change events (CDC) to a curated table, for promotion. The staged events of one
// promotion are in the DuckDB table `batch`: the row columns, _tarn_op, _tarn_lsn (raw_stage.h)
// and _tarn_order (the raw record order: file order in the promotion, then record order).
//
// Per key only the last event counts: the greatest (source LSN, raw order). It is applied
// unless it is older than what the table already reflects for the key — the LSN of its live
// row (the hidden column _tarn_lsn of CDC tables) or of the tombstone its last delete left in
// the companion table curated.<target>__cdc_deletes (key columns + _tarn_lsn). So partitions
// promoted out of order, or again, never bring back an older row image, nor a row deleted
// since. Deletes are recorded there first (their own commit), then the target gets ONE commit:
// position deletes for the live rows of the applied keys and data files for the applied rows
// that are not deletes. A crash between the two commits leaves tombstones whose deletes are
// re-applied by the next promotion (equal LSNs apply again).
#pragma once

#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/engine/table_writer.h"
#include "tarn/iceberg/table.h"
#include "tarn/lake/lake_tables.h"

namespace tarn::pipeline {

// The name of the companion table holding the tombstones of `target`'s deleted keys.
std::string TombstoneTable(const std::string& target);

// Applies the events of `batch` to `target` (curated.<target_name>), keyed by `key`; leaves
// the applied events (one per key) in the DuckDB table `deduped`. Returns the target's commit.
// Errors: engine::ApplyChangesToTable's, loading or creating the tombstone table.
Result<engine::WriteResult> ApplyChangeEvents(engine::DuckDb& db, lake::LakeTables& tables,
                                              iceberg::Table& target,
                                              const std::string& target_name,
                                              const std::vector<std::string>& key,
                                              const iceberg::SummaryProps& props);

}  // namespace tarn::pipeline
