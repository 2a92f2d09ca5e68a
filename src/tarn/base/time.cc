#include "tarn/base/time.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

namespace tarn {
namespace {

class SystemClock final : public Clock {
 public:
  UnixMicros Now() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  }
};

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (*m <= 2));
}

// Reads exactly `n` digits at `pos`; advances `pos`.
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

}  // namespace

const Clock& Clock::System() {
  static const SystemClock clock;
  return clock;
}

bool CivilToDays(int year, int month, int day, int64_t* days) {
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max_day = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day > max_day) return false;
  *days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return true;
}

std::string FormatIsoTimestamp(UnixMicros t) {
  int64_t secs = t >= 0 ? t / kMicrosPerSecond : -((-t + kMicrosPerSecond - 1) / kMicrosPerSecond);
  int64_t micros = t - secs * kMicrosPerSecond;
  int64_t days = secs >= 0 ? secs / kSecondsPerDay : -((-secs + kSecondsPerDay - 1) / kSecondsPerDay);
  int64_t rem = secs - days * kSecondsPerDay;
  int y, m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0 || y > 9999) {  // outside four digits: the general path
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d,
                  static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                  static_cast<int>(rem % 60), static_cast<int>(micros));
    return buf;
  }
  // Digits written directly: listings format thousands of timestamps per response.
  std::string out = "0000-00-00T00:00:00.000000Z";
  auto put = [&out](size_t end, int64_t v, int width) {
    for (int i = 0; i < width; ++i, v /= 10) out[end - i] = static_cast<char>('0' + v % 10);
  };
  put(3, y, 4);
  put(6, m, 2);
  put(9, d, 2);
  put(12, rem / 3600, 2);
  put(15, rem / 60 % 60, 2);
  put(18, rem % 60, 2);
  put(25, micros, 6);
  return out;
}

Result<UnixMicros> ParseIsoTimestamp(std::string_view s) {
  auto bad = [&] {
    return InvalidArgument("'" + std::string(s) +
                           "' is not a timestamp; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[Z]");
  };
  size_t pos = 0;
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!ReadDigits(s, pos, 4, &y) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, pos, 2, &mo) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, pos, 2, &d)) {
    return bad();
  }
  int64_t days;
  if (!CivilToDays(y, mo, d, &days)) return bad();
  int64_t micros = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    ++pos;
    if (!ReadDigits(s, pos, 2, &h) || h > 23) return bad();
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadDigits(s, pos, 2, &mi) || mi > 59) return bad();
      if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!ReadDigits(s, pos, 2, &sec) || sec > 60) return bad();
        if (pos < s.size() && s[pos] == '.') {
          ++pos;
          int digits = 0;
          while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 6) micros = micros * 10 + (s[pos] - '0');
            ++digits;
            ++pos;
          }
          if (digits == 0) return bad();
          for (; digits < 6; ++digits) micros *= 10;
        }
      }
    }
  }
  int64_t offset_secs = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int sign = s[pos++] == '+' ? 1 : -1;
      int oh, om = 0;
      if (!ReadDigits(s, pos, 2, &oh)) return bad();
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos < s.size() && !ReadDigits(s, pos, 2, &om)) return bad();
      offset_secs = sign * (oh * 3600 + om * 60);
    }
  }
  if (pos != s.size()) return bad();
  int64_t secs = days * kSecondsPerDay + h * 3600 + mi * 60 + sec - offset_secs;
  return secs * kMicrosPerSecond + micros;
}

Result<int64_t> ParseDurationMicros(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  std::string_view unit = text.substr(digits);
  if (digits == 0 || digits > 12) {
    return InvalidArgument("'" + std::string(text) + "' is not a duration (e.g. 30s, 5m, 1h)");
  }
  int64_t n = std::stoll(std::string(text.substr(0, digits)));
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"ms", 1000}, {"s", 1'000'000}, {"m", 60'000'000}, {"h", 3'600'000'000}, {"d", 86'400'000'000}};
  if (unit.empty() && n == 0) return int64_t{0};
  for (auto [name, micros] : kUnits) {
    if (unit == name) return n * micros;
  }
  return InvalidArgument("'" + std::string(text) + "' is not a duration: the unit must be ms, s, m, h or d");
}

}  // namespace tarn
