// What every raw-zone writer shares: the ingestion-hour directory of a file, dead-letter files,
// and publishing a finished file without ever replacing one.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "tarn/base/status.h"
#include "tarn/base/time.h"
#include "tarn/catalog/catalog_store.h"
#include "tarn/storage/object_store.h"

namespace tarn::ingest {

// "dt=YYYY-MM-DD/hour=HH" of an instant (UTC).
std::string HourKey(UnixMicros t);

// Rejected records as JSON lines in a local staging file: position, reason, window, and the
// original payload byte for byte. Not thread-safe.
class DeadLetters {
 public:
  explicit DeadLetters(std::string path) : path_(std::move(path)) {}
  ~DeadLetters();
  DeadLetters(const DeadLetters&) = delete;
  DeadLetters& operator=(const DeadLetters&) = delete;

  // Errors: kIOError.
  Status Add(std::string_view position, std::string_view reason, std::string_view window,
             std::string_view payload);
  // Closes the file; true if it holds any record. The file stays for the caller to publish.
  Result<bool> Close();
  int64_t count() const { return count_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  FILE* f_ = nullptr;
  std::string line_;
  int64_t count_ = 0;
};

// Publishes the staged file `local` at `key`. A key that exists was published by an earlier,
// interrupted attempt at the same records (raw files are immutable and their names say what
// they hold): the existing file is kept and, when `p` is given, p's row count and size are
// set from it. Errors: the store's, kCorruption (an existing file that does not read).
Status PublishRawFile(storage::ObjectStore& store, const std::string& local, const std::string& key,
                      catalog::PartitionInput* p = nullptr);

}  // namespace tarn::ingest
