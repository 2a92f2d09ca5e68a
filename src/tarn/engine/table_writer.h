// The data operations on an Iceberg table: loading the rows of a query, deleting rows by a
// filter, upserting by key. iceberg::Table commits metadata only; these write the data and
// delete files with DuckDB (parquet_writer.h) under <table location>/data and then commit them
// in one snapshot. Deletes are merge-on-read: position-delete files, applied by readers
// (iceberg_read.h). Stateless functions; each uses the given DuckDb and Table, neither of which
// is thread-safe, so one operation at a time per DuckDb and per Table.
//
// DeleteFromTable and UpsertIntoTable first refresh the table (Table::Refresh; its errors) and
// find the rows to delete in its current snapshot. Commits are optimistic (table.h): a lost
// race is retried on fresh metadata with the files already written. Deletes found on the
// snapshot the operation started from stay correct: position deletes name (file, row), so
// those for a data file a concurrent commit removed match nothing. But rows a concurrent commit
// added are not considered (a concurrent upsert of the same key leaves both rows), and if a
// concurrent commit deleted the same rows, both delete files count them (rows_deleted may count
// a row twice; the table holds it deleted once).
// Files are written through the local file system (FileIO::LocalPath); object-store tables
// are not supported yet.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/iceberg/expression.h"
#include "tarn/iceberg/table.h"

namespace tarn::engine {

// Table property: the size data files are rotated at (default 256 MiB).
inline constexpr char kTargetFileSizeProperty[] = "write.target-file-size-bytes";

enum class LoadMode {
  kAppend,               // add the rows
  kOverwritePartitions,  // replace the partitions the rows fall in (an idempotent re-load)
};

// What an operation committed. Counts are of the files and rows of that commit.
struct WriteResult {
  int64_t snapshot_id = 0;    // the new snapshot; 0 when nothing was committed
  int64_t data_files = 0;     // data files added
  int64_t delete_files = 0;   // position-delete files added
  int64_t rows_written = 0;   // rows in the added data files
  int64_t rows_deleted = 0;   // live rows the added delete files remove
  int64_t rows_inserted = 0;  // written rows new to the table (upsert: whose key was absent)
  int64_t rows_replaced = 0;  // upsert: written rows whose key was present
  int64_t files_removed = 0;  // compaction: data files rewritten and delete files dropped
  int64_t rows_skipped = 0;   // ApplyChangesToTable: stale incoming rows, not applied
};

// Loads the rows of `select_sql` (a DuckDB query whose columns are named as top-level fields of
// the table's current schema, in any order; absent optional fields are NULL) into `table`:
// data files under <location>/data with the default spec and current schema (target size from
// kTargetFileSizeProperty), then one commit: Append, or OverwritePartitions for
// kOverwritePartitions. A query without rows commits nothing. If the commit fails the data
// files are deleted, unless its outcome is unknown (kCommitStateUnknown: they may be live).
// Errors: kInvalidArgument (WriteDataFiles': a column the schema does not have, a required
// field missing or NULL, a value that does not cast, DuckDB rejecting the query — no files are
// left; a bad kTargetFileSizeProperty), kUnimplemented (a table not on the local file system),
// kIOError, the commit's (kConflict, kCommitStateUnknown, ...).
Result<WriteResult> LoadIntoTable(DuckDb& db, iceberg::Table& table, const std::string& select_sql,
                                  LoadMode mode, const iceberg::SummaryProps& props = {});

// Row-level delete, merge-on-read: removes the live rows of the current snapshot that match
// `filter` (bound against the current schema, as PlanScan binds it; SQL semantics, so a
// comparison with a NULL value does not match). Plans the scan of `filter`, finds with DuckDB
// the positions of the matching rows that the files' existing deletes have not removed
// (reading by field id, so renamed columns work), writes one position-delete file per
// partition tuple and commits them in one RowDelta ("delete"). Deleting nothing commits
// nothing. Returns the delete files and rows_deleted.
// Errors: kInvalidArgument (BindFilter's: an unknown or nested column, a mistyped literal),
// kUnimplemented (a matching data file written under a partition spec other than the default,
// when the default is partitioned; a table not on the local file system), kIOError /
// kCorruption (reading manifests, writing files), the commit's; delete files are removed as
// in LoadIntoTable.
Result<WriteResult> DeleteFromTable(DuckDb& db, iceberg::Table& table,
                                    const iceberg::Filter& filter,
                                    const iceberg::SummaryProps& props = {});

// Upsert by key, merge-on-read: the rows of `select_sql` (as in LoadIntoTable) replace the
// table's rows that have the same values of `key_columns` (top-level primitive columns of the
// current schema) and are inserted where the key is new. One RowDelta ("overwrite") commits
// position deletes for the existing rows whose key is among the incoming ones (data files are
// pruned by the incoming keys' range when the key is one column) and the new data files.
// Existing rows with a NULL key never match. A query without rows commits nothing.
// Returns data and delete files, rows_written, rows_deleted, and rows_inserted /
// rows_replaced (incoming rows whose key was absent / present).
// Errors: kInvalidArgument (no key columns, a key column not in the schema or not primitive,
// a NULL key or a key that appears more than once among the incoming rows — the message names
// the key; deduplicate first — and LoadIntoTable's), kUnimplemented and the rest as in
// DeleteFromTable; written files are removed as in LoadIntoTable.
Result<WriteResult> UpsertIntoTable(DuckDb& db, iceberg::Table& table,
                                    const std::string& select_sql,
                                    const std::vector<std::string>& key_columns,
                                    const iceberg::SummaryProps& props = {});

// What turns an upsert into the application of change events (CDC): both optional.
struct ChangeColumns {
  // A BOOLEAN column of the incoming rows, not written: true deletes the live row of the key
  // and inserts nothing (a delete of an absent key is a no-op).
  std::string delete_column;
  // A column of the table ordering the versions of a key (e.g. a source LSN): an incoming row
  // whose value is below the live row's is stale and skipped — it neither deletes nor
  // inserts. Equal values apply (a replay replaces the row with itself); NULLs never skip.
  std::string version_column;
};

// UpsertIntoTable with deletes and versions, still ONE RowDelta: position deletes for the live
// rows of the applied keys, data files for the applied rows that are not deletes. `select_sql`
// yields table columns plus `changes.delete_column` (when set). Returns what UpsertIntoTable
// does (rows_deleted counts live rows removed, by deletes and replacements alike) and
// rows_skipped. Errors: those of UpsertIntoTable; kInvalidArgument (a version column the
// table does not have, a delete column that is not BOOLEAN or is NULL).
Result<WriteResult> ApplyChangesToTable(DuckDb& db, iceberg::Table& table,
                                        const std::string& select_sql,
                                        const std::vector<std::string>& key_columns,
                                        const ChangeColumns& changes,
                                        const iceberg::SummaryProps& props = {});

struct CompactOptions {
  iceberg::Filter filter;   // only partitions that may hold matching rows (empty: all)
  int min_input_files = 2;  // rewrite a partition holding at least this many small files
  bool fold_deletes = true; // also rewrite partitions whose files have delete files
  iceberg::SummaryProps props;
};

// Compaction: in each partition of the default spec holding `min_input_files` or more files
// smaller than 3/4 of the target file size (or files with deletes, when fold_deletes), reads
// the live rows of those files (deletes applied) and rewrites them into files of the target
// size, committed as one RewriteFiles ("replace": readers see the same rows; old snapshots
// keep the old files until expiry). Partitions of older specs are left alone. Without a
// filter, delete files that no remaining data file needs are removed too. Returns data_files /
// rows_written (the new files) and files_removed. Nothing to do commits nothing.
// Errors: kConflict (a concurrent commit removed one of the files: compact again), and those
// of LoadIntoTable.
Result<WriteResult> CompactTable(DuckDb& db, iceberg::Table& table,
                                 const CompactOptions& options = {});

}  // namespace tarn::engine
