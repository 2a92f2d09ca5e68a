#include "tarn/catalog/grants.h"

namespace tarn::catalog {
namespace {
constexpr Zone kAllZones[] = {Zone::kRaw, Zone::kCurated, Zone::kServing};
int Bit(Zone z) { return 1 << static_cast<int>(z); }
}  // namespace

Grants Grants::Admin() {
  Grants g;
  g.admin_ = true;
  return g;
}

Result<Grants> Grants::Parse(std::string_view text) {
  Grants g;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    start = end + 1;
    if (item.empty()) continue;
    if (item == "admin") {
      g.admin_ = true;
      continue;
    }
    size_t colon = item.find(':');
    Zone zone;
    std::string_view access = colon == std::string_view::npos ? "" : item.substr(colon + 1);
    if (colon == std::string_view::npos || !catalog::Parse(item.substr(0, colon), &zone) ||
        (access != "read" && access != "write")) {
      return FailedPrecondition("grants: '" + std::string(item) +
                                "' is not 'admin' or <raw|curated|serving>:<read|write>");
    }
    g.read_ |= Bit(zone);
    if (access == "write") g.write_ |= Bit(zone);
  }
  if (!g.admin_ && g.read_ == 0) return FailedPrecondition("grants: none given");
  return g;
}

bool Grants::Allows(Zone zone, Access access) const {
  if (admin_) return true;
  return ((access == Access::kWrite ? write_ : read_) & Bit(zone)) != 0;
}

bool Grants::AllowsAny(Access access) const {
  if (admin_) return true;
  return (access == Access::kWrite ? write_ : read_) != 0;
}

std::string Grants::ToString() const {
  if (admin_) return "admin";
  std::string out;
  for (Zone z : kAllZones) {
    if (!(read_ & Bit(z))) continue;
    if (!out.empty()) out += ',';
    out += std::string(catalog::ToString(z)) + ((write_ & Bit(z)) ? ":write" : ":read");
  }
  return out;
}

}  // namespace tarn::catalog
