// RecordSource: a connector reading one window of a source (a set of files, a cursor range of a
// table, the pages of an API) as batches of records. The window is fixed when the source is
// opened, so a re-run of an unfinished window reads the same records and produces the same raw
// file names. Not thread-safe; one reader at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/format/record.h"

namespace tarn::ingest {

class RecordSource {
 public:
  virtual ~RecordSource() = default;

  // A stable, file-name-safe identifier of the window ([A-Za-z0-9_.-], at most 120 chars),
  // e.g. "events-2024-01-15.jsonl-3f2a9c01" or "orders-c1a2b3". Same window, same key.
  virtual std::string WindowKey() const = 0;

  // A human description of the window for the run record ("3 files under /data/in",
  // "updated_at in (2024-01-01T00:00:00, 2024-01-02T00:00:00]").
  virtual std::string WindowDescription() const = 0;

  virtual format::ValueMode value_mode() const = 0;

  // Appends up to `max_records` records to `batch`; returns false once the window is
  // exhausted (the last call may still have appended records). Errors: kUnavailable (source
  // unreachable after retries), kIOError, kInvalidArgument (bad configuration).
  virtual Result<bool> Next(std::vector<format::SourceRecord>* batch, size_t max_records) = 0;

  // Bytes read so far (for progress and throughput), if the source knows.
  virtual int64_t bytes_read() const { return 0; }

  // The cursor value to store once this window is landed (incremental sources), or nullopt.
  virtual std::optional<std::string> EndCursor() const { return std::nullopt; }
};

}  // namespace tarn::ingest
