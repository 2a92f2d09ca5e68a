#include "tarn/iceberg/datetime.h"

#include <cstdio>

#include "tarn/base/time.h"

namespace tarn::iceberg {
namespace {

// Reads exactly `n` decimal digits at `pos`; advances `pos`.
bool ReadDigits(std::string_view s, size_t& pos, int n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  *out = v;
  return true;
}

bool ReadFraction(std::string_view s, size_t& pos, int64_t* micros) {
  int digits = 0;
  int64_t v = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (digits < 6) v = v * 10 + (s[pos] - '0');
    ++digits;
    ++pos;
  }
  if (digits == 0 || digits > 9) return false;
  for (; digits < 6; ++digits) v *= 10;
  *micros = v;
  return true;
}

// Parses a whole time of day; false on any malformation.
bool TimeOfDay(std::string_view s, int64_t* out) {
  size_t pos = 0;
  int h = 0, m = 0, sec = 0;
  int64_t micros = 0;
  if (!ReadDigits(s, pos, 2, &h) || h > 23 || pos >= s.size() || s[pos++] != ':' ||
      !ReadDigits(s, pos, 2, &m) || m > 59) {
    return false;
  }
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!ReadDigits(s, pos, 2, &sec) || sec > 59) return false;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      if (!ReadFraction(s, pos, &micros)) return false;
    }
  }
  if (pos != s.size()) return false;
  *out = ((h * 60 + m) * 60 + sec) * kMicrosPerSecond + micros;
  return true;
}

// "Z" or "+HH:MM" / "-HH:MM" (colon optional) to seconds east of UTC.
bool ZoneOffset(std::string_view s, int64_t* seconds) {
  if (s == "Z") {
    *seconds = 0;
    return true;
  }
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return false;
  size_t pos = 1;
  int h = 0, m = 0;
  if (!ReadDigits(s, pos, 2, &h) || h > 18) return false;
  if (pos < s.size() && s[pos] == ':') ++pos;
  if (!ReadDigits(s, pos, 2, &m) || m > 59 || pos != s.size()) return false;
  *seconds = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
  return true;
}

Status BadText(std::string_view text, std::string_view what) {
  return InvalidArgument("'" + std::string(text) + "' is not a valid " + std::string(what));
}

}  // namespace

// Howard Hinnant's civil_from_days.
CivilDate DaysToCivil(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  CivilDate out;
  out.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  out.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  out.year = yoe + era * 400 + (out.month <= 2 ? 1 : 0);
  return out;
}

std::string FormatYear(int64_t year) {
  char buf[32];
  std::snprintf(buf, sizeof buf,
                year < 0      ? "-%04lld"
                : year > 9999 ? "+%lld"
                              : "%04lld",
                static_cast<long long>(year < 0 ? -year : year));
  return buf;
}

std::string FormatDate(int64_t days) {
  CivilDate c = DaysToCivil(days);
  char buf[16];
  std::snprintf(buf, sizeof buf, "-%02d-%02d", c.month, c.day);
  return FormatYear(c.year) + buf;
}

std::string FormatTime(int64_t micros_of_day, bool always_fraction) {
  int64_t secs = micros_of_day / kMicrosPerSecond;
  int micros = static_cast<int>(micros_of_day % kMicrosPerSecond);
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(secs / 3600),
                        static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  if (micros != 0 || always_fraction) std::snprintf(buf + n, sizeof buf - n, ".%06d", micros);
  return buf;
}

std::string FormatTimestamp(int64_t micros, bool with_zone, bool always_fraction) {
  std::string out = FormatDate(FloorDiv(micros, kMicrosPerDay));
  out += 'T';
  out += FormatTime(FloorMod(micros, kMicrosPerDay), always_fraction);
  if (with_zone) out += "+00:00";
  return out;
}

Result<int64_t> ParseDate(std::string_view text) {
  size_t pos = 0;
  int y = 0, m = 0, d = 0;
  int64_t days = 0;
  if (!ReadDigits(text, pos, 4, &y) || pos >= text.size() || text[pos++] != '-' ||
      !ReadDigits(text, pos, 2, &m) || pos >= text.size() || text[pos++] != '-' ||
      !ReadDigits(text, pos, 2, &d) || pos != text.size() || !CivilToDays(y, m, d, &days)) {
    return BadText(text, "date (expected YYYY-MM-DD)");
  }
  return days;
}

Result<int64_t> ParseTime(std::string_view text) {
  int64_t micros = 0;
  if (!TimeOfDay(text, &micros)) return BadText(text, "time (expected HH:MM:SS[.ffffff])");
  return micros;
}

Result<int64_t> ParseTimestamp(std::string_view text, bool with_zone) {
  const char* what = with_zone ? "timestamptz (expected YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00)"
                               : "timestamp (expected YYYY-MM-DDTHH:MM:SS[.ffffff])";
  if (text.size() < 11 || text[10] != 'T') return BadText(text, what);
  size_t zone = text.find_first_of("Z+-", 11);
  if (with_zone != (zone != std::string_view::npos)) return BadText(text, what);
  if (zone == std::string_view::npos) zone = text.size();
  auto days = ParseDate(text.substr(0, 10));
  int64_t micros = 0, offset = 0;
  if (!days.ok() || !TimeOfDay(text.substr(11, zone - 11), &micros) ||
      (with_zone && !ZoneOffset(text.substr(zone), &offset))) {
    return BadText(text, what);
  }
  return *days * kMicrosPerDay + micros - offset * kMicrosPerSecond;
}

}  // namespace tarn::iceberg
