// Scan planning (Iceberg spec "Scan Planning"): from a snapshot and a Filter, prune manifests by
// their partition summaries (through each spec's inclusive projections), then data files by
// partition values and column bounds, and attach the delete files that apply to each surviving
// data file (position deletes: same partition, data seq <= delete seq; equality deletes: same
// partition, data seq < delete seq; unpartitioned delete files apply table-wide). Reports what
// it considered and skipped. Manifest lists and manifests come through ManifestCache::Global()
// (manifest_cache.h): decoded once per FileIO and location. Thread-safe given a thread-safe
// FileIO.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/iceberg/expression.h"
#include "tarn/iceberg/file_io.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/iceberg/table_metadata.h"

namespace tarn::iceberg {

struct FileScanTask {
  DataFile data_file;
  int spec_id = 0;
  int64_t data_sequence_number = 0;
  std::vector<DataFile> deletes;  // position and equality delete files to apply
};

// manifests_*: entries of the manifest list (data and delete manifests); skipped = pruned by
// their partition summaries, never read. data_files_*: live data-file entries of the manifests
// read; skipped = pruned by partition values or column metrics. delete_files: live delete files
// left after partition pruning. planning_ms: PlanScan's wall time (steady clock).
struct ScanMetrics {
  int manifests_total = 0, manifests_skipped = 0;
  int64_t data_files_considered = 0, data_files_skipped = 0;
  int64_t delete_files = 0;
  double planning_ms = 0;
};

struct ScanPlan {
  int64_t snapshot_id = 0;  // 0 = the table has no snapshot (nothing to read)
  int schema_id = 0;        // the schema to read with (the table's current schema)
  std::vector<FileScanTask> tasks;
  ScanMetrics metrics;
};

struct ScanOptions {
  // Whether the tasks' data files keep their column metrics (column_sizes, value_counts,
  // null_value_counts, nan_value_counts, lower_bounds, upper_bounds; planning uses them either
  // way). A reader that needs only the files leaves them out: a plan of thousands of files is
  // then several times cheaper to build and to free. Attached delete files keep theirs.
  bool column_stats = true;
};

// Plans a scan of `snapshot` (null = an empty table) with `filter` bound against the current
// schema (the table's current schema, also for time travel: readers project by field id; the
// literal conversions accepted are BindFilter's, scan_filter.h).
// Errors: kInvalidArgument (a column not in the schema, a literal of the wrong type), kNotFound
// / kIOError / kCorruption from reading manifests.
Result<ScanPlan> PlanScan(const TableMetadata& metadata, const Snapshot* snapshot,
                          const Filter& filter, FileIO& io, const ScanOptions& options = {});

}  // namespace tarn::iceberg
