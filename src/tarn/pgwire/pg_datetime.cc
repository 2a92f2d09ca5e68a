#include "tarn/pgwire/pg_datetime.h"

#include <charconv>
#include <cstdio>
#include <limits>

#include "tarn/base/time.h"

namespace tarn::pgwire {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 to a proleptic Gregorian date (the civil-from-days algorithm: shift
// the year to start in March so the leap day ends it, then count 400-year eras).
void DaysToCivil(int64_t days, int64_t* year, int* month, int* day) {
  days += 719468;
  int64_t era = FloorDiv(days, 146097);
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

Status Bad(std::string_view what, std::string_view text) {
  return InvalidArgument("invalid " + std::string(what) + " '" + std::string(text) + "'");
}

// "HH:MM:SS[.ffffff]" -> microseconds; false if malformed.
bool ParseClock(std::string_view s, int64_t* micros) {
  if (s.size() < 8 || s[2] != ':' || s[5] != ':') return false;
  int64_t h, m, sec;
  if (!ParseInt(s.substr(0, 2), &h) || !ParseInt(s.substr(3, 2), &m) ||
      !ParseInt(s.substr(6, 2), &sec)) {
    return false;
  }
  int64_t frac = 0;
  if (s.size() > 8) {
    if (s[8] != '.' || s.size() > 15 || s.size() == 9) return false;
    std::string digits(s.substr(9));
    digits.append(6 - digits.size(), '0');
    if (!ParseInt(digits, &frac)) return false;
  }
  *micros = ((h * 60 + m) * 60 + sec) * 1000000 + frac;
  return true;
}

void AppendFraction(int64_t micros, std::string* out) {
  if (micros == 0) return;
  char buf[24];
  std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(micros));
  std::string_view f(buf);
  while (f.back() == '0') f.remove_suffix(1);
  out->append(f);
}

}  // namespace

Result<int32_t> ParsePgDate(std::string_view text) {
  if (text == "infinity") return std::numeric_limits<int32_t>::max();
  if (text == "-infinity") return std::numeric_limits<int32_t>::min();
  int64_t y, m, d, days;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !ParseInt(text.substr(0, 4), &y) ||
      !ParseInt(text.substr(5, 2), &m) || !ParseInt(text.substr(8, 2), &d) ||
      !CivilToDays(static_cast<int>(y), static_cast<int>(m), static_cast<int>(d), &days)) {
    return Bad("date", text);
  }
  return static_cast<int32_t>(days - kPgEpochDays);
}

Result<int64_t> ParsePgTime(std::string_view text) {
  int64_t micros;
  if (!ParseClock(text, &micros) || micros > kMicrosPerDay) return Bad("time", text);
  return micros;
}

Result<int64_t> ParsePgTimestamp(std::string_view text) {
  if (text == "infinity") return std::numeric_limits<int64_t>::max();
  if (text == "-infinity") return std::numeric_limits<int64_t>::min();
  auto unix = ParseIsoTimestamp(text);
  if (!unix.ok()) return Bad("timestamp", text);
  return *unix - kPgEpochDays * kMicrosPerDay;
}

Result<PgInterval> ParseDuckInterval(std::string_view text) {
  PgInterval out;
  std::string_view rest = text;
  auto next_word = [&rest]() {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    size_t sp = rest.find(' ');
    std::string_view w = rest.substr(0, sp);
    rest.remove_prefix(sp == std::string_view::npos ? rest.size() : sp);
    return w;
  };
  for (std::string_view w = next_word(); !w.empty(); w = next_word()) {
    if (w.find(':') != std::string_view::npos) {
      bool neg = w.front() == '-';
      int64_t micros;
      if (!ParseClock(neg ? w.substr(1) : w, &micros)) {
        // DuckDB writes hours beyond 99 with more digits: "123:00:00".
        size_t colon = w.find(':');
        int64_t hours;
        if (!ParseInt(w.substr(neg ? 1 : 0, colon - (neg ? 1 : 0)), &hours) ||
            !ParseClock("00" + std::string(w.substr(colon)), &micros)) {
          return Bad("interval", text);
        }
        micros += hours * 3600 * 1000000;
      }
      out.micros += neg ? -micros : micros;
      continue;
    }
    int64_t n;
    std::string_view unit = next_word();
    if (!ParseInt(w, &n) || unit.empty()) return Bad("interval", text);
    if (unit.substr(0, 4) == "year") {
      out.months += static_cast<int32_t>(n * 12);
    } else if (unit.substr(0, 3) == "mon") {
      out.months += static_cast<int32_t>(n);
    } else if (unit.substr(0, 3) == "day") {
      out.days += static_cast<int32_t>(n);
    } else {
      return Bad("interval", text);
    }
  }
  return out;
}

std::string FormatPgDate(int32_t days) {
  if (days == std::numeric_limits<int32_t>::max()) return "infinity";
  if (days == std::numeric_limits<int32_t>::min()) return "-infinity";
  int64_t y;
  int m, d;
  DaysToCivil(days + kPgEpochDays, &y, &m, &d);
  char buf[32];
  if (y <= 0) {
    std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02d BC", static_cast<long long>(1 - y), m, d);
  } else {
    std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02d", static_cast<long long>(y), m, d);
  }
  return buf;
}

std::string FormatPgTime(int64_t micros) {
  char buf[32];
  int64_t secs = micros / 1000000;
  std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  std::string out = buf;
  AppendFraction(micros % 1000000, &out);
  return out;
}

std::string FormatPgTimestamp(int64_t micros, bool with_zone) {
  if (micros == std::numeric_limits<int64_t>::max()) return "infinity";
  if (micros == std::numeric_limits<int64_t>::min()) return "-infinity";
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  int64_t of_day = micros - days * kMicrosPerDay;
  std::string date = FormatPgDate(static_cast<int32_t>(days));
  // DuckDB reads "BC" only after the time; move it there.
  std::string bc;
  if (date.size() > 3 && date.compare(date.size() - 3, 3, " BC") == 0) {
    date.resize(date.size() - 3);
    bc = " BC";
  }
  return date + " " + FormatPgTime(of_day) + (with_zone ? "+00" : "") + bc;
}

std::string FormatDuckInterval(const PgInterval& interval) {
  return std::to_string(interval.months) + " months " + std::to_string(interval.days) + " days " +
         std::to_string(interval.micros) + " microseconds";
}

}  // namespace tarn::pgwire
