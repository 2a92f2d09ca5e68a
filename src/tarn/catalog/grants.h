// Zone-level grants carried by API tokens: read or write per zone, or admin (everything,
// including token management). Text form: "admin" or a comma list such as
// "raw:write,curated:read,serving:read"; write implies read. Values; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "tarn/base/status.h"
#include "tarn/catalog/model.h"

namespace tarn::catalog {

enum class Access { kRead, kWrite };

class Grants {
 public:
  // Errors: kFailedPrecondition naming the bad entry.
  static Result<Grants> Parse(std::string_view text);
  static Grants Admin();

  bool admin() const { return admin_; }
  bool Allows(Zone zone, Access access) const;
  // True if the grants allow `access` to at least one zone.
  bool AllowsAny(Access access) const;
  std::string ToString() const;  // canonical text form

 private:
  bool admin_ = false;
  int read_ = 0;   // bit per zone
  int write_ = 0;  // bit per zone
};

}  // namespace tarn::catalog
