// Small POSIX helpers for durable local files, shared by the object store and Iceberg's FileIO.
#pragma once

#include <string>

#include "tarn/base/status.h"

namespace tarn::storage {

// `what: strerror(errno)` as kNotFound (ENOENT), kAlreadyExists (EEXIST) or kIOError.
Status ErrnoStatus(const std::string& what);

// Opens `path` with `flags` and fsyncs it. Errors: as ErrnoStatus.
Status FsyncPath(const std::string& path, int flags);

// Fsyncs a directory ("" = the current one), so entries created in it survive a crash.
Status FsyncDir(const std::string& dir);

}  // namespace tarn::storage
