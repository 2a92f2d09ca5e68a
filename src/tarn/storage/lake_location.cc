#include "tarn/storage/lake_location.h"

#include <filesystem>

namespace tarn::storage {
namespace {

bool HasScheme(std::string_view p) {
  size_t colon = p.find("://");
  return colon != std::string_view::npos && colon > 0 &&
         p.find_first_of("/") > colon;  // the first '/' is the one after "scheme:"
}

Status CheckSegments(std::string_view original, std::string_view rel) {
  if (rel.empty()) {
    return FailedPrecondition("file_path '" + std::string(original) + "' names no file");
  }
  for (char c : rel) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '\\') {
      return FailedPrecondition("file_path '" + std::string(original) +
                                "' contains a control character or backslash");
    }
  }
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view seg = rel.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") {
      return FailedPrecondition("file_path '" + std::string(original) +
                                "' has an empty, '.' or '..' segment; give a normalized path "
                                "inside the lake");
    }
    start = end + 1;
  }
  return Status::OK();
}

}  // namespace

Result<LakeLocation> LakeLocation::Make(std::string_view root) {
  std::string r(root);
  if (r.empty()) return InvalidArgument("lake root is empty");
  if (r.rfind("s3://", 0) == 0) {
    while (r.back() == '/') r.pop_back();
    if (r.size() <= 5) return InvalidArgument("lake root '" + std::string(root) + "' names no bucket");
    return LakeLocation(r, false);
  }
  if (r.rfind("file://", 0) == 0) r = r.substr(7);
  if (HasScheme(r)) return InvalidArgument("lake root '" + r + "': only local paths and s3:// are supported");
  std::string abs = std::filesystem::absolute(r).lexically_normal().string();
  while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  return LakeLocation(abs, true);
}

Result<std::string> LakeLocation::Relativize(std::string_view path) const {
  std::string_view p = path;
  if (is_local_ && p.rfind("file://", 0) == 0) p.remove_prefix(7);
  bool absolute = (!p.empty() && p[0] == '/') || HasScheme(p);
  std::string_view rel = p;
  if (absolute) {
    std::string prefix = root_ == "/" ? "/" : root_ + "/";
    if (p.substr(0, prefix.size()) != prefix) {
      return FailedPrecondition("file_path '" + std::string(path) + "' is outside the lake (" +
                                root_ + ")");
    }
    rel = p.substr(prefix.size());
  }
  TARN_RETURN_IF_ERROR(CheckSegments(path, rel));
  return std::string(rel);
}

std::string LakeLocation::Resolve(std::string_view relative) const {
  return root_ + (root_ == "/" ? "" : "/") + std::string(relative);
}

}  // namespace tarn::storage
