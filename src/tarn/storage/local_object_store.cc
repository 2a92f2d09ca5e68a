#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "tarn/storage/file_sync.h"
#include "tarn/storage/object_store.h"

namespace tarn::storage {
namespace {

namespace fs = std::filesystem;

Status Errno(const std::string& what) { return ErrnoStatus(what); }

Status CheckKey(const std::string& key) {
  if (key.empty() || key.front() == '/' || key.back() == '/' || key.find("//") != std::string::npos ||
      key.find('\0') != std::string::npos) {
    return InvalidArgument("object key '" + key + "' is not a normalized relative key");
  }
  for (size_t start = 0; start <= key.size();) {
    size_t end = std::min(key.find('/', start), key.size());
    std::string_view seg(key.data() + start, end - start);
    if (seg == "." || seg == "..") return InvalidArgument("object key '" + key + "' has '.' or '..'");
    start = end + 1;
  }
  return Status::OK();
}

class LocalObjectStore final : public ObjectStore {
 public:
  LocalObjectStore(std::string root, std::string staging)
      : root_(std::move(root)), staging_(std::move(staging)) {}

  Status PublishFile(const std::string& local_path, const std::string& key) override {
    TARN_RETURN_IF_ERROR(CheckKey(key));
    TARN_RETURN_IF_ERROR(FsyncPath(local_path, O_RDONLY));
    std::string target = Path(key);
    TARN_RETURN_IF_ERROR(MakeParents(target));
    // link(2) fails with EEXIST instead of replacing: objects are immutable.
    if (::link(local_path.c_str(), target.c_str()) != 0) {
      return Errno("publishing " + key);
    }
    ::unlink(local_path.c_str());
    return FsyncPath(fs::path(target).parent_path().string(), O_RDONLY | O_DIRECTORY);
  }

  Status Put(const std::string& key, std::string_view data) override {
    TARN_RETURN_IF_ERROR(CheckKey(key));
    static std::atomic<uint64_t> counter{0};
    std::string tmp = staging_ + "/put-" + std::to_string(::getpid()) + "-" +
                      std::to_string(counter.fetch_add(1));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("creating " + tmp);
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(fd, data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        Status st = Errno("writing " + tmp);
        ::close(fd);
        ::unlink(tmp.c_str());
        return st;
      }
      done += static_cast<size_t>(n);
    }
    ::close(fd);
    Status st = PublishFile(tmp, key);
    if (!st.ok()) ::unlink(tmp.c_str());
    return st;
  }

  Result<std::string> Get(const std::string& key) override {
    TARN_ASSIGN_OR_RETURN(auto info, Stat(key));
    if (!info) return NotFound("no object " + key);
    return GetRange(key, 0, info->size);
  }

  Result<std::string> GetRange(const std::string& key, int64_t offset, int64_t length) override {
    TARN_RETURN_IF_ERROR(CheckKey(key));
    int fd = ::open(Path(key).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno("reading " + key);
    std::string out(static_cast<size_t>(std::max<int64_t>(length, 0)), '\0');
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd, out.data() + done, out.size() - done, offset + static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Status st = Errno("reading " + key);
        ::close(fd);
        return st;
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fd);
    out.resize(done);
    return out;
  }

  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override {
    std::vector<ObjectInfo> out;
    // Walk only the deepest directory the prefix names.
    std::string dir = prefix.substr(0, prefix.rfind('/') == std::string::npos ? 0 : prefix.rfind('/'));
    fs::path start = dir.empty() ? fs::path(root_) : fs::path(Path(dir));
    std::error_code ec;
    if (!fs::exists(start, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(start, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string key = fs::relative(it->path(), root_, ec).string();
      if (key.rfind("_tarn/", 0) == 0 || key.rfind(prefix, 0) != 0) continue;
      out.push_back({key, static_cast<int64_t>(it->file_size(ec))});
    }
    if (ec) return IOError("listing " + prefix + ": " + ec.message());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    return out;
  }

  Result<std::optional<ObjectInfo>> Stat(const std::string& key) override {
    TARN_RETURN_IF_ERROR(CheckKey(key));
    struct stat st;
    if (::stat(Path(key).c_str(), &st) != 0) {
      if (errno == ENOENT) return std::optional<ObjectInfo>();
      return Errno("stat " + key);
    }
    return std::optional<ObjectInfo>(ObjectInfo{key, static_cast<int64_t>(st.st_size)});
  }

  const std::string& staging_dir() const override { return staging_; }

 private:
  std::string Path(const std::string& key) const { return root_ + "/" + key; }

  // Creates missing parent directories and fsyncs each one's parent, so the new entries
  // survive a crash.
  Status MakeParents(const std::string& target) {
    fs::path parent = fs::path(target).parent_path();
    std::vector<fs::path> created;
    for (fs::path p = parent; !p.empty() && !fs::exists(p); p = p.parent_path()) created.push_back(p);
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) return IOError("creating " + parent.string() + ": " + ec.message());
    for (const fs::path& p : created) {
      TARN_RETURN_IF_ERROR(FsyncPath(p.parent_path().string(), O_RDONLY | O_DIRECTORY));
    }
    return Status::OK();
  }

  std::string root_;
  std::string staging_;
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> MakeLocalObjectStore(const std::string& root) {
  std::string staging = root + "/_tarn/staging";
  std::error_code ec;
  fs::create_directories(staging, ec);
  if (ec) return IOError("creating " + staging + ": " + ec.message());
  return std::unique_ptr<ObjectStore>(new LocalObjectStore(root, staging));
}

}  // namespace tarn::storage
