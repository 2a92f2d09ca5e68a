// PostgreSQL's binary date and time representations: dates as days and timestamps as
// microseconds since 2000-01-01, times as microseconds since midnight, intervals as
// (microseconds, days, months). Conversions from and to the text DuckDB and PostgreSQL share
// ("2024-01-15", "10:00:00.5", "2024-01-15 10:00:00+00", "1 year 2 months 3 days 04:05:06").
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tarn/base/status.h"

namespace tarn::pgwire {

inline constexpr int64_t kPgEpochDays = 10957;  // 2000-01-01 - 1970-01-01
inline constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

struct PgInterval {
  int64_t micros = 0;
  int32_t days = 0;
  int32_t months = 0;
};

// Errors (all): kInvalidArgument naming the text.
// "YYYY-MM-DD" (or "infinity"/"-infinity": INT32_MAX/MIN) -> days since 2000-01-01.
Result<int32_t> ParsePgDate(std::string_view text);
// "HH:MM:SS[.ffffff]" -> microseconds since midnight.
Result<int64_t> ParsePgTime(std::string_view text);
// "YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM]]" (an offset is applied) -> microseconds since
// 2000-01-01 UTC ("infinity"/"-infinity": INT64_MAX/MIN).
Result<int64_t> ParsePgTimestamp(std::string_view text);
// DuckDB's interval text: "[N year[s]] [N month[s]] [N day[s]] [[-]HH:MM:SS[.ffffff]]".
Result<PgInterval> ParseDuckInterval(std::string_view text);

std::string FormatPgDate(int32_t days);
std::string FormatPgTime(int64_t micros);
// "YYYY-MM-DD HH:MM:SS[.ffffff]", with "+00" appended when `with_zone`.
std::string FormatPgTimestamp(int64_t micros, bool with_zone);
// A form DuckDB's interval cast reads back: "N months N days N microseconds".
std::string FormatDuckInterval(const PgInterval& interval);

}  // namespace tarn::pgwire
