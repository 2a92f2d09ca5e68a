// Files written somewhere private first and then published into a table's directories
// (engine-internal): a scratch directory that cleans up after itself, and a set of published
// files that is either complete and synced or removed again. Not thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <set>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::engine {

// A private directory (created on Make) for output before it is published; removed with
// whatever is left in it when the object goes away.
class ScratchDir {
 public:
  // Errors: kIOError.
  static Result<std::unique_ptr<ScratchDir>> Make(std::filesystem::path path);
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScratchDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Files one operation moves into place under a data directory. Unless Sync() succeeds, they
// are removed again when the object goes away: nothing will ever refer to them.
class PublishedFiles {
 public:
  PublishedFiles() = default;
  PublishedFiles(const PublishedFiles&) = delete;
  PublishedFiles& operator=(const PublishedFiles&) = delete;
  ~PublishedFiles();

  // Fsyncs `staged`, then renames it to `target` (under `data_dir`, on the same file system),
  // creating directories as needed. Errors: kIOError.
  Status Publish(const std::filesystem::path& staged, const std::filesystem::path& target,
                 const std::filesystem::path& data_dir);
  // Fsyncs every directory that gained an entry (up to data_dir's parent). Errors: kIOError.
  Status Sync();

 private:
  std::vector<std::filesystem::path> files_;
  std::set<std::filesystem::path> dirs_;
  bool synced_ = false;
};

// Errors: kIOError.
Status CreateDirectories(const std::filesystem::path& dir);

// The regular files under `dir`, recursively, in name order; none when `dir` does not exist.
// Errors: kIOError.
Result<std::vector<std::filesystem::path>> FilesUnder(const std::filesystem::path& dir);

}  // namespace tarn::engine
