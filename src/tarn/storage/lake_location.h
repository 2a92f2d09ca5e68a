// Where a lake lives: a local directory or an object-store prefix (s3://bucket/prefix), and
// the rule that decides whether a file path is inside it. Paths are normalized to be relative
// to the lake root, so the same file registered as "raw/a.avro", "/lake/raw/a.avro" or
// "file:///lake/raw/a.avro" is one file. Immutable; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "tarn/base/status.h"

namespace tarn::storage {

class LakeLocation {
 public:
  // `root` is a directory (made absolute, not required to exist) or "s3://bucket[/prefix]".
  // Errors: kInvalidArgument for an empty root or an unsupported scheme.
  static Result<LakeLocation> Make(std::string_view root);

  bool is_local() const { return is_local_; }
  // "/abs/dir" for a local lake, "s3://bucket/prefix" otherwise; never a trailing slash.
  const std::string& root() const { return root_; }

  // Returns `path` relative to the root. Accepts a relative path, an absolute path or URI under
  // the root. Errors: kFailedPrecondition for paths outside the lake, with "..", "." or empty
  // segments, control characters, or nothing after the root.
  Result<std::string> Relativize(std::string_view path) const;

  // The absolute location (path or URI) of a relative path.
  std::string Resolve(std::string_view relative) const;

 private:
  LakeLocation(std::string root, bool is_local) : root_(std::move(root)), is_local_(is_local) {}
  std::string root_;
  bool is_local_;
};

}  // namespace tarn::storage
