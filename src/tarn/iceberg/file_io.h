// FileIO: how the iceberg module reaches files by the locations written in table metadata
// ("s3://bucket/lake/curated/t/metadata/00001-....metadata.json", "/abs/path/...", or paths
// relative to a base directory). Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/storage/object_store.h"

namespace tarn::iceberg {

// A file to create: its location and its bytes.
struct PendingFile {
  std::string location;
  std::string data;
};

class FileIO {
 public:
  virtual ~FileIO() = default;
  // Errors: kNotFound, kIOError.
  virtual Result<std::string> Read(const std::string& location) = 0;
  // Durably creates the file; never replaces one. Errors: kAlreadyExists, kIOError.
  virtual Status Write(const std::string& location, std::string_view data) = 0;
  // Durably creates every file (none replaces an existing one), synced together rather than
  // one after the other. Files may become visible before the call returns; on error the ones
  // created are removed. Callers reference the files only after it succeeds.
  // Errors: kAlreadyExists, kIOError.
  virtual Status WriteAll(const std::vector<PendingFile>& files);
  // Removes the file; absent is not an error. Errors: kIOError.
  virtual Status Delete(const std::string& location) = 0;
  // Locations of the files under `prefix` (a directory location), recursively.
  // Errors: kIOError.
  virtual Result<std::vector<std::string>> List(const std::string& prefix) = 0;
  // A path DuckDB can open for `location` (a local file path here; an s3:// URL for S3).
  virtual std::string LocalPath(const std::string& location) const = 0;

  // Unique among the FileIOs of the process (never reused), so caches of what was read
  // (manifest_cache.h) keep files reached through different FileIOs apart even when their
  // locations are spelled alike.
  uint64_t instance_id() const { return instance_id_; }

 private:
  static uint64_t NextInstanceId();
  uint64_t instance_id_ = NextInstanceId();
};

// Local files. Locations that start with `from_prefix` are read from `to_dir` instead (to read
// tables written elsewhere, e.g. "s3://warehouse/db/t" -> "/tmp/t"); others are local paths.
std::unique_ptr<FileIO> MakeLocalFileIO(std::string from_prefix = "", std::string to_dir = "");

}  // namespace tarn::iceberg
