// Promotion raw -> curated through the quality gate. For each selected raw partition (in key
// order): read its Avro rows into DuckDB, normalize (empty strings to NULL), cast and clean as
// the dataset's promotion spec says, run the rules (plus implicit ones: casts that fail, NULL
// keys or event times), profile it, score it against the baseline of comparable earlier
// partitions, and record the quality run (with per-rule results) and the partition's status.
// A partition that fails a blocking rule or the anomaly threshold is quarantined (and the
// spec's alert destinations are notified, as on an anomaly warning): it stays in
// raw and gets quarantine/<dataset>/<partition-key>/report.json (failed rules, counts, sample
// rows; one directory per raw file: quarantine/<dataset>/<partition-key>/<partition-id>/). The
// passing ones are deduplicated by the spec's key (within the batch: the latest event time wins)
// and upserted by key into the curated Iceberg table (created on first use, partitioned by event
// time) in ONE commit whose summary names the raw partitions and quality runs; then lineage rows
// and their `promoted` status are recorded in one catalog transaction. With a `cdc` spec the raw
// records are change events: the gate judges their row images (raw_stage.h) and each key's last
// event in source order is applied instead, deletes included (change_events.h).
//
// Idempotent: promoting a partition again replaces its rows by key (no duplicates, no gaps),
// late partitions merge into already-promoted event dates by key, and a crash before the
// Iceberg commit leaves curated unchanged (after it, a re-run re-applies the same rows).
// Not thread-safe: one promotion per dataset at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/quality/promotion_spec.h"

namespace tarn::lake {
class Lake;
}

namespace tarn::pipeline {

// Stores a raw dataset's promotion spec (YAML or JSON) as its next version, after checking it
// against the dataset's current schema. Returns the version number.
// Errors: kNotFound, kFailedPrecondition (not a raw dataset, no schema, unknown columns),
// kInvalidArgument (ParsePromotionSpec's).
Result<int> SetPromotionSpec(lake::Lake& lake, const std::string& raw_dataset_id, const std::string& text);

struct PromotionRequest {
  std::vector<std::string> partition_ids;  // empty: every landed or passed partition
  std::optional<std::string> from, to;     // partition-key dates, as listings take them
  bool rerun_quarantined = false;          // also re-evaluate quarantined partitions
};

struct PartitionOutcome {
  std::string partition_id, partition_key;
  std::string outcome;  // promoted | quarantined | blocked_by_anomaly | skipped
  std::string reason;   // why quarantined / blocked / skipped
  std::string quality_run_id;
  std::optional<double> anomaly_score;
  std::vector<std::string> warnings;  // failed warn-severity rules, anomaly warnings
  std::string report_path;            // quarantine report (relative to the lake)
  int64_t rows_in = 0, rows_out = 0;
};

struct PromotionResult {
  std::string raw_dataset, target_table;  // "curated.orders"
  int spec_version = 0;
  int64_t snapshot_id = 0;  // 0: nothing committed
  int64_t rows_written = 0, rows_replaced = 0;
  int64_t rows_deleted = 0;  // change events: rows removed by deletes
  std::vector<PartitionOutcome> partitions;
};

// Errors: kNotFound (dataset, partition), kFailedPrecondition (no promotion spec, not a raw
// dataset, a partition of another dataset), kIOError; a commit's errors. Quality failures are
// outcomes, not errors.
Result<PromotionResult> Promote(lake::Lake& lake, const std::string& raw_dataset_id,
                                const PromotionRequest& request);

// The result as JSON (the API's answer and `tarn promote --json`).
std::string PromotionResultToJson(const PromotionResult& result);

}  // namespace tarn::pipeline
