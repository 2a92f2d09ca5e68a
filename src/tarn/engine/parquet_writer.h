// Writing Iceberg data files and position-delete files as Parquet through DuckDB: rows of a
// query cast to the table schema, written with Iceberg field ids, split by partition tuple and
// by size into Iceberg-style partition directories, made durable, and described as
// iceberg::DataFile entries (partition tuple, counts, column sizes, bounds, split offsets)
// ready for a manifest. Stateless functions; each uses the given DuckDb, which is not
// thread-safe, so one writer at a time per DuckDb.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/iceberg/literal.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/iceberg/table_metadata.h"
#include "tarn/schema/schema.h"

namespace tarn::engine {

struct DataFileWriteOptions {
  // Files are rotated once they pass this size (DuckDB's FILE_SIZE_BYTES, checked between row
  // groups), so a file can exceed it by the row groups buffered and being written at that
  // moment: one, plus at most one per DuckDB thread. Keep row groups small against the target.
  int64_t target_file_size_bytes = int64_t{256} << 20;
  std::string compression = "zstd";  // any codec DuckDB's Parquet writer knows
  // Rows per row group; 0 = DuckDB's default (122880). DuckDB rounds up to a multiple of 2048.
  int64_t row_group_rows = 0;
};

// Runs `select_sql` (a DuckDB query whose output columns are named as `schema`'s top-level
// fields, in any order; absent optional fields are written as NULL; struct fields are matched
// by name) and writes its rows as Parquet with the schema's field ids, one set of files per
// partition tuple of `spec`, under `data_dir` (a local directory, created if absent) in
// Iceberg-style directories ("ts_day=2024-01-15/country=US/", names and values URL-escaped).
// Files are written under a scratch directory in data_dir and moved into place fsynced, with
// fresh names (`<uuid>-<n>.parquet`), so a call never replaces an existing file; the
// directories that gained entries are fsynced too, and a call that fails leaves no files.
// Each returned DataFile has file_path = location_prefix (a '/' is added if missing) + the
// path under data_dir. Partition values are computed in SQL (bucket through the
// tarn_iceberg_bucket functions, i.e. iceberg::Apply; times in UTC whatever the session's
// TimeZone). Partitions larger than the target, or left in pieces by DuckDB's open-file limit,
// are written twice (whole, then split by size): DuckDB cannot rotate the files of a
// partitioned COPY. String bounds are cut to 16 characters as in Iceberg's default metrics
// mode; binary, fixed and fields inside lists and maps get no bounds; NaN counts are not
// collected. Fixed columns are written as Parquet binary. A query with no rows writes no files.
// Errors: kInvalidArgument (an output column the schema does not have, a required field
// missing or NULL, a column that does not cast to its field's type, a transform the spec
// cannot apply, DuckDB's own query errors), kIOError (the file system).
Result<std::vector<iceberg::DataFile>> WriteDataFiles(DuckDb& db, const std::string& select_sql,
                                                      const schema::Schema& schema,
                                                      const iceberg::PartitionSpec& spec,
                                                      const std::string& data_dir,
                                                      const std::string& location_prefix,
                                                      const DataFileWriteOptions& options);

// The reserved field ids of a position-delete file's columns (Iceberg spec).
inline constexpr int kDeleteFilePathFieldId = 2147483546;
inline constexpr int kDeletePosFieldId = 2147483545;

// Writes one position-delete file from `deletes_sql` (a DuckDB query with exactly the columns
// file_path (data file location) and pos (0-based row position), neither NULL), sorted by
// file_path then pos as the spec requires, into data_dir's directory for `partition` (one
// Literal per field of `spec`, the tuple of the data files the deletes apply to). The
// returned DataFile has content kPositionDeletes and untruncated bounds on file_path, so a
// planner can tell when the file applies to one data file only.
// Errors: kInvalidArgument (missing, extra or NULL columns; no rows; a partition tuple that
// does not match the spec), kIOError.
Result<iceberg::DataFile> WritePositionDeletes(DuckDb& db, const std::string& deletes_sql,
                                               const iceberg::PartitionSpec& spec,
                                               const std::vector<iceberg::Literal>& partition,
                                               const std::string& data_dir,
                                               const std::string& location_prefix,
                                               const DataFileWriteOptions& options);

// The same for deletes given in memory (any order), for small batches: they travel as SQL
// text. Errors: as above.
Result<iceberg::DataFile> WritePositionDeletes(
    DuckDb& db, const std::vector<std::pair<std::string, int64_t>>& deletes,
    const iceberg::PartitionSpec& spec, const std::vector<iceberg::Literal>& partition,
    const std::string& data_dir, const std::string& location_prefix,
    const DataFileWriteOptions& options);

}  // namespace tarn::engine
