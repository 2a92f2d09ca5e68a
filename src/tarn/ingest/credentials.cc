#include "tarn/ingest/credentials.h"

#include <cstdio>
#include <cstdlib>

namespace tarn::ingest {

Result<std::string> ResolveSecret(std::string_view ref) {
  if (ref.starts_with("env:") && ref.size() > 4) {
    std::string name(ref.substr(4));
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      return FailedPrecondition("environment variable " + name + " is not set");
    }
    return std::string(value);
  }
  if (ref.starts_with("file:") && ref.size() > 5) {
    std::string path(ref.substr(5));
    std::string secret;
    FILE* f = std::fopen(path.c_str(), "rb");
    bool ok = f != nullptr;
    if (ok) {
      char buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) secret.append(buf, n);
      ok = !std::ferror(f);  // reading a directory fails here (EISDIR)
      std::fclose(f);
    }
    if (!ok) return FailedPrecondition("cannot read credentials file " + path);
    if (secret.ends_with("\r\n")) {
      secret.resize(secret.size() - 2);
    } else if (secret.ends_with('\n')) {
      secret.pop_back();
    }
    return secret;
  }
  return FailedPrecondition("credentials must be references such as env:NAME or file:/path");
}

}  // namespace tarn::ingest
