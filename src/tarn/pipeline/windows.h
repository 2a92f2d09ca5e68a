// Event-time windows of a streaming dataset (the promotion spec's `windows`), published to the
// serving zone. For each window spec W of size S, serving.W holds one row per window and group:
// window_start, window_end (TIMESTAMPTZ, aligned to multiples of S since the epoch), the
// group_by columns, group_key (the group as JSON text: with window_start, the row's key) and
// the measures, aggregated over curated.<target>.
//
// PublishWindows publishes, in one upsert per W, every window whose end the dataset's
// watermark has passed and that is not published yet, and re-publishes the published windows
// that late data touched: those of the raw dataset's late batch files not reconciled yet (once
// promoted), and of `touched` event-time ranges the caller just promoted. A re-published
// window whose values changed gets a correction record in serving.W_corrections (the new and
// previous measures, when, and why); every reconciliation is audited in the backfill audit log
// (triggered_by "late_data"), and its late batches are marked reconciled.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/base/time.h"

namespace tarn::lake {
class Lake;
}

namespace tarn::pipeline {

struct WindowPublication {
  int64_t windows_published = 0;  // window rows written for the first time
  int64_t windows_corrected = 0;  // correction records written
};

// Errors: kNotFound (dataset), kFailedPrecondition (a stored spec that does not parse, a
// measure DuckDB rejects), commit and I/O errors. Nothing to do is not an error.
Result<WindowPublication> PublishWindows(lake::Lake& lake, const std::string& raw_dataset_id,
                                         const std::vector<std::pair<UnixMicros, UnixMicros>>& touched = {});

}  // namespace tarn::pipeline
