#include "tarn/engine/staged_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace tarn::engine {
namespace {

namespace fs = std::filesystem;

Status Errno(const std::string& what, const fs::path& path) {
  return IOError(what + " " + path.string() + ": " + std::strerror(errno));
}

Status Fsync(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  int rc = ::fsync(fd);
  Status st = rc == 0 ? Status::OK() : Errno("cannot fsync", path);
  ::close(fd);
  return st;
}

}  // namespace

Result<std::unique_ptr<ScratchDir>> ScratchDir::Make(fs::path path) {
  auto dir = std::unique_ptr<ScratchDir>(new ScratchDir(std::move(path)));
  TARN_RETURN_IF_ERROR(CreateDirectories(dir->path()));
  return dir;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

PublishedFiles::~PublishedFiles() {
  if (synced_) return;
  std::error_code ec;
  for (const auto& f : files_) fs::remove(f, ec);
}

Status PublishedFiles::Publish(const fs::path& staged, const fs::path& target,
                               const fs::path& data_dir) {
  TARN_RETURN_IF_ERROR(Fsync(staged));  // so the name never points at partial data
  TARN_RETURN_IF_ERROR(CreateDirectories(target.parent_path()));
  std::error_code ec;
  fs::rename(staged, target, ec);
  if (ec) {
    return IOError("cannot move " + staged.string() + " to " + target.string() + ": " +
                   ec.message());
  }
  files_.push_back(target);
  for (fs::path d = target.parent_path(); d != data_dir; d = d.parent_path()) dirs_.insert(d);
  dirs_.insert(data_dir);
  dirs_.insert(data_dir.parent_path());  // data_dir may be new
  return Status::OK();
}

Status PublishedFiles::Sync() {
  for (const auto& d : dirs_) TARN_RETURN_IF_ERROR(Fsync(d));
  synced_ = true;
  return Status::OK();
}

Status CreateDirectories(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IOError("cannot create directory " + dir.string() + ": " + ec.message());
  return Status::OK();
}

Result<std::vector<fs::path>> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(it->path());
  }
  if (ec) return IOError("cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace tarn::engine
