// Pieces shared by the table data operations of table_writer.h (engine-internal): where a
// table's files go, files to remove unless committed, DuckDB temporary tables, and position
// deletes written per partition tuple. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/engine/parquet_writer.h"
#include "tarn/iceberg/file_io.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/iceberg/scan.h"
#include "tarn/iceberg/table.h"

namespace tarn::engine::table_writer_internal {

// Where and how an operation writes a table's data and delete files.
struct WriteTarget {
  std::string data_dir;         // local directory of <location>/data
  std::string location_prefix;  // "<location>/data/"
  DataFileWriteOptions options;
};

// Errors: kInvalidArgument (a write.target-file-size-bytes that is not a positive integer),
// kUnimplemented (the table is not on the local file system).
Result<WriteTarget> TargetOf(iceberg::Table& table);

// Files an operation wrote: removed (best effort) when the object goes away, unless kept.
class WrittenFiles {
 public:
  explicit WrittenFiles(iceberg::FileIO& io) : io_(io) {}
  WrittenFiles(const WrittenFiles&) = delete;
  WrittenFiles& operator=(const WrittenFiles&) = delete;
  ~WrittenFiles();

  void Add(const std::vector<iceberg::DataFile>& files);
  // Passes a commit's outcome through, keeping the files when it succeeded or its outcome is
  // unknown (kCommitStateUnknown: they may be referenced).
  Result<int64_t> KeepIfCommitted(Result<int64_t> commit);

 private:
  iceberg::FileIO& io_;
  std::vector<std::string> locations_;
  bool keep_ = false;
};

// A DuckDB temporary table with a fresh name, dropped when the object goes away.
class TempTable {
 public:
  TempTable(DuckDb& db, const std::string& prefix);
  TempTable(const TempTable&) = delete;
  TempTable& operator=(const TempTable&) = delete;
  ~TempTable();

  // Errors: kInvalidArgument (DuckDB's).
  Status CreateAs(const std::string& select_sql);
  const std::string& name() const { return name_; }  // quoted, ready for SQL

 private:
  DuckDb& db_;
  std::string name_;
  bool created_ = false;
};

// The first column of the first row of `sql` as an integer (0 when NULL or no rows).
// Errors: kInvalidArgument (DuckDB's), kInternal (not an integer).
Result<int64_t> QueryInt(DuckDb& db, const std::string& sql);

struct PositionDeletes {
  std::vector<iceberg::DataFile> files;
  int64_t rows = 0;
};

// Writes position deletes for the rows of `matches_sql`, a query whose first two columns are
// file_path (a location of one of `plan`'s data files) and pos, any others following (kept in
// `staged`, which receives the rows with a leading group column). One file per partition tuple
// of the default spec (all in one when it is unpartitioned); each is added to `written`.
// Errors: kUnimplemented (a data file of another spec while the default spec is partitioned),
// kInvalidArgument (DuckDB's), kIOError.
Result<PositionDeletes> WriteDeletes(DuckDb& db, const iceberg::TableMetadata& metadata,
                                     const iceberg::ScanPlan& plan, const std::string& matches_sql,
                                     const WriteTarget& target, TempTable& staged,
                                     WrittenFiles* written);

}  // namespace tarn::engine::table_writer_internal
