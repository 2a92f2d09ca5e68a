#include "tarn/catalog/partition_key.h"

#include <cstdio>

namespace tarn::catalog {
namespace {

constexpr int64_t kMicrosPerHour = 3'600'000'000;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

bool IsDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

}  // namespace

Result<UnixMicros> ParsePartitionKey(std::string_view key) {
  auto bad = [&](std::string_view why) {
    return FailedPrecondition("partition_key '" + std::string(key) + "' " + std::string(why) +
                              "; expected dt=YYYY-MM-DD or dt=YYYY-MM-DD/hour=HH");
  };
  if (key.substr(0, 3) != "dt=" || key.size() < 13) return bad("does not start with a date");
  std::string_view date = key.substr(3, 10);
  if (date[4] != '-' || date[7] != '-' || !IsDigits(date.substr(0, 4)) ||
      !IsDigits(date.substr(5, 2)) || !IsDigits(date.substr(8, 2))) {
    return bad("has a malformed date");
  }
  int64_t days;
  if (!CivilToDays(std::stoi(std::string(date.substr(0, 4))), std::stoi(std::string(date.substr(5, 2))),
                   std::stoi(std::string(date.substr(8, 2))), &days)) {
    return bad("names a date that does not exist");
  }
  UnixMicros start = days * kMicrosPerDay;
  std::string_view rest = key.substr(13);
  if (rest.empty()) return start;
  if (rest.substr(0, 6) != "/hour=" || rest.size() != 8 || !IsDigits(rest.substr(6))) {
    return bad("has a malformed hour");
  }
  int hour = std::stoi(std::string(rest.substr(6)));
  if (hour > 23) return bad("has an hour past 23");
  return start + hour * kMicrosPerHour;
}

Result<std::string> PartitionKeyBound(std::string_view field, std::string_view bound) {
  auto t = ParseIsoTimestamp(bound);
  if (!t.ok()) {
    return FailedPrecondition(std::string(field) + ": '" + std::string(bound) +
                              "' is not a date; expected YYYY-MM-DD or YYYY-MM-DDTHH:00:00Z");
  }
  if (*t % kMicrosPerHour != 0) {
    return FailedPrecondition(std::string(field) + ": '" + std::string(bound) +
                              "' is not on an hour boundary");
  }
  std::string iso = FormatIsoTimestamp(*t);  // YYYY-MM-DDTHH:...
  std::string key = "dt=" + iso.substr(0, 10);
  // A bare date bounds at the day key; a time bounds at the hour key (day keys sort first).
  if (bound.size() > 10) key += "/hour=" + iso.substr(11, 2);
  return key;
}

}  // namespace tarn::catalog
