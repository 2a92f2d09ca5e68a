// Calendar arithmetic and ISO-8601 text for Iceberg's date, time and timestamp values (days
// since 1970-01-01, microseconds since midnight, microseconds since the epoch). Internal to the
// iceberg module; stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tarn/base/status.h"

namespace tarn::iceberg {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerHour = 3'600 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

// Division and remainder rounding toward negative infinity (b > 0): FloorDiv(-1, 24) == -1.
inline int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }
inline int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

struct CivilDate {
  int64_t year = 1970;
  int month = 1, day = 1;
};

// The proleptic Gregorian date `days` after 1970-01-01 (negative: before).
CivilDate DaysToCivil(int64_t days);

// "2017" (years outside 0..9999 get a sign: "-0001", "+10000").
std::string FormatYear(int64_t year);
// FormatYear + "-11-16".
std::string FormatDate(int64_t days);
// "22:31:08" plus ".ffffff" when the microseconds are non-zero or `always_fraction`.
std::string FormatTime(int64_t micros_of_day, bool always_fraction);
// FormatDate + 'T' + FormatTime, plus "+00:00" when `with_zone`.
std::string FormatTimestamp(int64_t micros, bool with_zone, bool always_fraction);

// "YYYY-MM-DD" to days. Errors: kInvalidArgument naming the text.
Result<int64_t> ParseDate(std::string_view text);
// "HH:MM[:SS[.f...]]" (up to 9 fraction digits; beyond 6 are dropped) to micros since midnight.
// Errors: kInvalidArgument naming the text.
Result<int64_t> ParseTime(std::string_view text);
// "YYYY-MM-DDTHH:MM[:SS[.f...]]"; with `with_zone` an offset ("Z", "+00:00", "-08:00") is
// required and applied, without it an offset is an error. Errors: kInvalidArgument.
Result<int64_t> ParseTimestamp(std::string_view text, bool with_zone);

}  // namespace tarn::iceberg
