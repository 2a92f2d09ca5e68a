// Time helpers. tarn keeps instants as microseconds since the Unix epoch (UTC) and shows them
// as ISO-8601 strings ("2024-01-15T03:00:00.123456Z").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tarn/base/status.h"

namespace tarn {

using UnixMicros = int64_t;

// A source of the current time; tests substitute a fixed clock. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixMicros Now() const = 0;
  static const Clock& System();
};

std::string FormatIsoTimestamp(UnixMicros t);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH[:MM[:SS[.ffffff]]]" with 'T' or ' ' between date and time
// and an optional "Z" / "+00" / "+00:00" suffix (all read as UTC; other offsets are applied).
// Errors: kInvalidArgument naming the text.
Result<UnixMicros> ParseIsoTimestamp(std::string_view text);

// A duration as a number and a unit: "500ms", "30s", "5m", "1h", "2d" (also "0").
// Errors: kInvalidArgument naming the text.
Result<int64_t> ParseDurationMicros(std::string_view text);

// Days since 1970-01-01 for a proleptic Gregorian date; false if the date does not exist.
bool CivilToDays(int year, int month, int day, int64_t* days);

}  // namespace tarn
