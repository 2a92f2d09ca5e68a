// Table: an Iceberg v2 table and the operations that commit to it — create, append, overwrite
// (replace files), row-level deletes (position delete files, merge-on-read), schema and
// partition-spec evolution, tags, snapshot expiry and orphan-file removal.
//
// Commits are optimistic: an operation derives new metadata from the current one, writes it as
// metadata/<version>-<uuid>.metadata.json, and asks the TablePointer to swap the table's
// metadata location from the one it started from. A lost race (kConflict) reloads and derives
// again (the files written for the lost attempt are deleted); an unknown outcome
// (kCommitStateUnknown) is returned as is, with nothing deleted, for the caller to resolve.
// A Table is not thread-safe; several Tables (threads, processes) may commit to one table.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/iceberg/expression.h"
#include "tarn/iceberg/file_io.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/iceberg/table_metadata.h"

namespace tarn::iceberg {

// The table's one mutable cell: where its current metadata file is. Implemented by the
// control-plane catalog (a row per table, swapped only if it still holds the expected value).
class TablePointer {
 public:
  virtual ~TablePointer() = default;
  // Errors: kNotFound (no such table), kUnavailable.
  virtual Result<std::string> Load() = 0;
  // Errors: kAlreadyExists.
  virtual Status Create(const std::string& metadata_location) = 0;
  // Errors: kConflict (it no longer holds `expected`), kCommitStateUnknown, kNotFound.
  virtual Status Swap(const std::string& expected, const std::string& next) = 0;
};

// What a commit records beyond the spec's counters: tarn's own summary keys (e.g.
// "tarn.source-partitions", "tarn.quality-run-id", "tarn.backfill-run-id").
using SummaryProps = std::map<std::string, std::string>;

// Derives the next metadata from `base`. The files it needs (manifests, manifest lists) go in
// `files`: the commit writes them together with the metadata file, durably, before swapping
// the pointer, and removes them if the commit fails. Errors abort the commit.
using MetadataChange =
    std::function<Result<TableMetadata>(const TableMetadata& base, std::vector<PendingFile>* files)>;

class Table {
 public:
  // Writes `initial` (NewTableMetadata) as the first metadata file and creates the pointer.
  // Errors: kAlreadyExists (the pointer exists), kIOError.
  static Result<std::unique_ptr<Table>> Create(std::unique_ptr<TablePointer> pointer,
                                               std::shared_ptr<FileIO> io,
                                               const TableMetadata& initial);
  // Errors: kNotFound, kIOError, kInvalidArgument (metadata that does not parse).
  static Result<std::unique_ptr<Table>> Load(std::unique_ptr<TablePointer> pointer,
                                             std::shared_ptr<FileIO> io);

  const TableMetadata& metadata() const { return metadata_; }
  const std::string& metadata_location() const { return location_; }
  FileIO& io() { return *io_; }
  // Re-reads the current metadata. Errors: as Load.
  Status Refresh();

  // Runs `change` against the current metadata and commits its result (see the file comment).
  // Lost races are retried with growing random waits for up to 60 s.
  // Errors: kConflict after `max_attempts` lost races or 60 s, kCommitStateUnknown, change's
  // errors.
  Status Commit(const MetadataChange& change, int max_attempts = 100);

  // Adds data files as a new snapshot (operation "append"). Returns the new snapshot id.
  Result<int64_t> Append(const std::vector<DataFile>& files, const SummaryProps& props = {});
  // Removes the live files whose file_path is in `remove` and adds `add` in one snapshot
  // ("overwrite"; "append" if nothing is removed). Paths not live in the table are ignored, so
  // replaying the same replacement is idempotent. Delete files that applied only to removed
  // files stay until expiry (harmless: they match no live row).
  Result<int64_t> ReplaceFiles(const std::vector<std::string>& remove,
                               const std::vector<DataFile>& add, const SummaryProps& props = {});
  // Compaction's commit: like ReplaceFiles, for files whose rows `add` holds unchanged
  // (operation "replace": readers see the same rows); `remove` may also name delete files
  // that no remaining data file needs. Errors: kConflict when a file to remove is no longer
  // live (a concurrent change; compact again).
  Result<int64_t> RewriteFiles(const std::vector<std::string>& remove,
                               const std::vector<DataFile>& add, const SummaryProps& props = {});
  // Dynamic partition overwrite: removes every live data file in a partition that `add` writes
  // to (same spec and partition tuple) and adds `add` ("overwrite"). Idempotent: replaying it
  // leaves the same rows.
  Result<int64_t> OverwritePartitions(const std::vector<DataFile>& add,
                                      const SummaryProps& props = {});
  // Adds delete files (position or equality) and optionally data files in one snapshot:
  // row-level delete ("delete") or upsert ("overwrite").
  Result<int64_t> RowDelta(const std::vector<DataFile>& add_data,
                           const std::vector<DataFile>& add_deletes,
                           const SummaryProps& props = {});

  // Adds `schema` (ids assigned by the caller: schema evolution by field id) as the current
  // schema, or makes an identical existing schema current again.
  Status SetCurrentSchema(const schema::Schema& schema);
  // Makes a spec with `fields` the default for new data (existing files keep theirs). Field ids:
  // a (source, transform) pair seen in any earlier spec keeps its id; new pairs get new ids.
  // Names default to "<column>_<transform>" ("ts_day", "user_id_bucket_16", "country").
  Status SetPartitionSpec(std::vector<PartitionField> fields);
  // Tags (and branches) on snapshots. Errors: kNotFound (snapshot), kAlreadyExists (a tag
  // with that name points elsewhere and replace is false).
  Status SetTag(const std::string& name, int64_t snapshot_id, bool replace = false);
  Status RemoveRef(const std::string& name);

  struct ExpireResult {
    std::vector<int64_t> expired_snapshots;
    std::vector<std::string> deleted_files;  // manifest lists, manifests, data/delete files
  };
  // Expires snapshots older than `older_than_ms` except the newest `retain_last` of the main
  // branch's history and every snapshot a ref points at; then deletes the files only expired
  // snapshots referenced.
  Result<ExpireResult> ExpireSnapshots(int64_t older_than_ms, int retain_last = 1);
  // Deletes files under the table location that no metadata file, manifest list, manifest or
  // live snapshot references and that were last modified before `older_than_ms` (so files of
  // a commit in flight survive). Returns the deleted locations.
  Result<std::vector<std::string>> RemoveOrphanFiles(int64_t older_than_ms);

  // Every data and delete file reachable from `snapshot` (live entries of its manifests).
  Result<std::vector<ManifestEntry>> LiveEntries(const Snapshot& snapshot);

 private:
  Table(std::unique_ptr<TablePointer> pointer, std::shared_ptr<FileIO> io)
      : pointer_(std::move(pointer)), io_(std::move(io)) {}
  std::unique_ptr<TablePointer> pointer_;
  std::shared_ptr<FileIO> io_;
  TableMetadata metadata_;
  std::string location_;
};

// A fresh snapshot id: random, positive, not already in `metadata`.
int64_t NewSnapshotId(const TableMetadata& metadata);

}  // namespace tarn::iceberg
