#include "tarn/iceberg/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

#include "tarn/storage/file_sync.h"

namespace tarn::iceberg {
namespace {

namespace fs = std::filesystem;

using storage::FsyncPath;

Status Errno(const std::string& what) { return storage::ErrnoStatus(what); }

Status FsyncDir(const fs::path& dir) { return storage::FsyncDir(dir.string()); }

// "file:///a/b" and "file:/a/b" -> "/a/b"; anything else unchanged.
std::string StripFileScheme(std::string_view location) {
  if (location.rfind("file://", 0) == 0)
    location.remove_prefix(7);
  else if (location.rfind("file:", 0) == 0)
    location.remove_prefix(5);
  return std::string(location);
}

std::string TrimTrailingSlashes(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// Creates the missing directories above `target` and fsyncs the parent of each one created,
// so the new entries survive a crash.
Status MakeParents(const fs::path& target) {
  fs::path parent = target.parent_path();
  if (parent.empty()) return Status::OK();
  std::vector<fs::path> created;
  std::error_code ec;
  for (fs::path p = parent; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    created.push_back(p);
    if (p == p.parent_path()) break;
  }
  fs::create_directories(parent, ec);
  if (ec) return IOError("creating " + parent.string() + ": " + ec.message());
  for (const fs::path& p : created) TARN_RETURN_IF_ERROR(FsyncDir(p.parent_path()));
  return Status::OK();
}

Status WriteFully(int fd, std::string_view data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("writing " + path);
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

// fsyncs every descriptor at once: concurrent fsyncs on one file system share a journal
// commit, so n files cost about what one does.
Status FsyncConcurrently(const std::vector<std::pair<int, std::string>>& fds) {
  std::vector<int> errors(fds.size(), 0);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < fds.size(); ++i) {
    threads.emplace_back([&, i] { errors[i] = ::fsync(fds[i].first) == 0 ? 0 : errno; });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < fds.size(); ++i) {
    if (errors[i] != 0) return IOError("fsync " + fds[i].second + ": " + std::strerror(errors[i]));
  }
  return Status::OK();
}

Result<std::string> ReadAll(const std::string& path, const std::string& location) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("reading " + location);
  struct stat st;
  std::string out;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status err = Errno("reading " + location);
      ::close(fd);
      return err;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

class LocalFileIO final : public FileIO {
 public:
  LocalFileIO(std::string from_prefix, std::string to_dir)
      : from_(TrimTrailingSlashes(StripFileScheme(from_prefix))),
        to_(TrimTrailingSlashes(std::move(to_dir))) {}

  Result<std::string> Read(const std::string& location) override {
    return ReadAll(LocalPath(location), location);
  }

  Status Write(const std::string& location, std::string_view data) override {
    fs::path target(LocalPath(location));
    TARN_RETURN_IF_ERROR(MakeParents(target));
    static std::atomic<uint64_t> counter{0};
    fs::path tmp = target.parent_path() /
                   ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                    std::to_string(counter.fetch_add(1)));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("creating " + tmp.string());
    Status st = WriteFully(fd, data, tmp.string());
    if (st.ok() && ::fsync(fd) != 0) st = Errno("fsync " + tmp.string());
    ::close(fd);
    // link(2) fails with EEXIST instead of replacing: a written file is never overwritten.
    if (st.ok() && ::link(tmp.c_str(), target.c_str()) != 0) st = Errno("writing " + location);
    ::unlink(tmp.c_str());
    TARN_RETURN_IF_ERROR(st);
    return FsyncDir(target.parent_path());
  }

  // Creates each file in place with O_EXCL (never replacing), then syncs the files and their
  // directories in one concurrent round.
  Status WriteAll(const std::vector<PendingFile>& files) override {
    std::vector<std::pair<int, std::string>> fds;
    std::set<std::string> dirs;
    Status st;
    for (const PendingFile& f : files) {
      fs::path target(LocalPath(f.location));
      st = MakeParents(target);
      if (!st.ok()) break;
      int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd < 0) {
        st = Errno("creating " + f.location);
        break;
      }
      fds.emplace_back(fd, target.string());
      dirs.insert(target.parent_path().string());
      st = WriteFully(fd, f.data, f.location);
      if (!st.ok()) break;
    }
    for (const std::string& d : dirs) {
      if (!st.ok()) break;
      int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) st = Errno("opening " + d);
      else fds.emplace_back(fd, d);
    }
    if (st.ok()) st = FsyncConcurrently(fds);
    for (size_t i = 0; i < fds.size(); ++i) {
      ::close(fds[i].first);
      if (!st.ok() && i < files.size()) ::unlink(fds[i].second.c_str());
    }
    return st;
  }

  Status Delete(const std::string& location) override {
    if (::unlink(LocalPath(location).c_str()) != 0 && errno != ENOENT) {
      return Errno("deleting " + location);
    }
    return Status::OK();
  }

  Result<std::vector<std::string>> List(const std::string& prefix) override {
    std::string base = TrimTrailingSlashes(prefix);
    fs::path start(LocalPath(base));
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::is_directory(start, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(start, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      out.push_back(base + "/" + fs::relative(it->path(), start, ec).string());
    }
    if (ec) return IOError("listing " + prefix + ": " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string LocalPath(const std::string& location) const override {
    std::string path = StripFileScheme(location);
    if (from_.empty() || path.compare(0, from_.size(), from_) != 0) return path;
    if (path.size() > from_.size() && path[from_.size()] != '/') return path;  // "a/bc" vs "a/b"
    return to_ + path.substr(from_.size());
  }

 private:
  std::string from_;
  std::string to_;
};

}  // namespace

uint64_t FileIO::NextInstanceId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

Status FileIO::WriteAll(const std::vector<PendingFile>& files) {
  for (size_t i = 0; i < files.size(); ++i) {
    Status st = Write(files[i].location, files[i].data);
    if (!st.ok()) {
      for (size_t j = 0; j < i; ++j) (void)Delete(files[j].location);
      return st;
    }
  }
  return Status::OK();
}

std::unique_ptr<FileIO> MakeLocalFileIO(std::string from_prefix, std::string to_dir) {
  return std::make_unique<LocalFileIO>(std::move(from_prefix), std::move(to_dir));
}

}  // namespace tarn::iceberg
