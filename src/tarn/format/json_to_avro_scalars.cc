#include "tarn/format/json_to_avro_scalars.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include "tarn/base/time.h"

namespace tarn::format::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`.
bool Digits(std::string_view s, size_t& pos, int n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    if (!IsDigit(s[pos + i])) return false;
    v = v * 10 + (s[pos + i] - '0');
  }
  pos += n;
  *out = v;
  return true;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, 0 if invalid.
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t v;
  if (b < 0x80) {
    *cp = b;
    return 1;
  } else if ((b & 0xE0) == 0xC0) {
    n = 2, v = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, v = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, v = b & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    v = (v << 6) | (c & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

void AppendEscapedAscii(std::string* out, char c) {
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    default: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
      out->append(buf);
    }
  }
}

bool NeedsEscape(char c) { return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\'; }

}  // namespace

std::string_view TrimAscii(std::string_view t) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!t.empty() && space(t.front())) t.remove_prefix(1);
  while (!t.empty() && space(t.back())) t.remove_suffix(1);
  return t;
}

bool ParseBoolText(std::string_view text, bool* out) {
  text = TrimAscii(text);
  auto is = [&](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if ((text[i] | 0x20) != word[i]) return false;
    }
    return true;
  };
  if (is("true") || is("t")) return *out = true, true;
  if (is("false") || is("f")) return *out = false, true;
  return false;
}

bool ParseInt64Text(std::string_view text, int64_t* out) {
  text = TrimAscii(text);
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty() || !(IsDigit(text[0]) || (text[0] == '-' && text.size() > 1))) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool ParseDoubleText(std::string_view text, double* out) {
  text = TrimAscii(text);
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  char c = text[0] == '-' && text.size() > 1 ? text[1] : text[0];
  if (!IsDigit(c) && c != '.') return false;  // rejects inf, nan
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), *out, std::chars_format::general);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(*out);
}

bool IsPlainIntText(std::string_view t) {
  size_t i = !t.empty() && t[0] == '-' ? 1 : 0;
  if (i >= t.size() || (t[i] == '0' && t.size() > i + 1)) return false;
  for (size_t k = i; k < t.size(); ++k) {
    if (!IsDigit(t[k])) return false;
  }
  int64_t v;
  return ParseInt64Text(t, &v);
}

bool IsPlainNumberText(std::string_view t) {
  size_t i = !t.empty() && t[0] == '-' ? 1 : 0;
  size_t start = i;
  while (i < t.size() && IsDigit(t[i])) ++i;
  if (i == start || (t[start] == '0' && i - start > 1)) return false;
  if (i < t.size() && t[i] == '.') {
    size_t f = ++i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i == f) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    size_t e = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i == e) return false;
  }
  double v;
  return i == t.size() && ParseDoubleText(t, &v);
}

bool ParseDateText(std::string_view s, int32_t* days) {
  s = TrimAscii(s);
  size_t pos = 0;
  int y, m, d;
  if (s.size() != 10 || !Digits(s, pos, 4, &y) || s[pos++] != '-' || !Digits(s, pos, 2, &m) ||
      s[pos++] != '-' || !Digits(s, pos, 2, &d)) {
    return false;
  }
  int64_t v;
  if (!CivilToDays(y, m, d, &v)) return false;
  *days = static_cast<int32_t>(v);
  return true;
}

bool ParseTimeOfDayText(std::string_view s, int64_t* micros) {
  s = TrimAscii(s);
  size_t pos = 0;
  int h, m, sec = 0;
  if (!Digits(s, pos, 2, &h) || h > 23 || pos >= s.size() || s[pos++] != ':' ||
      !Digits(s, pos, 2, &m) || m > 59) {
    return false;
  }
  int64_t frac = 0;
  if (pos < s.size()) {
    if (s[pos++] != ':' || !Digits(s, pos, 2, &sec) || sec > 59) return false;
    if (pos < s.size()) {
      if (s[pos++] != '.') return false;
      int digits = 0;
      while (pos < s.size() && IsDigit(s[pos])) {
        if (digits < 6) frac = frac * 10 + (s[pos] - '0');
        ++digits, ++pos;
      }
      if (digits == 0 || digits > 9 || pos != s.size()) return false;
      for (; digits < 6; ++digits) frac *= 10;
    }
  }
  *micros = (int64_t{h} * 3600 + m * 60 + sec) * 1'000'000 + frac;
  return true;
}

bool BytesFromAvroJsonString(std::string_view s, std::string* out, uint32_t* bad_code_point) {
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out->push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    uint32_t cp = 0xFFFD;
    size_t n = DecodeUtf8(s, i, &cp);
    if (n == 0 || cp > 0xFF) {
      *bad_code_point = cp;
      return false;
    }
    out->push_back(static_cast<char>(cp));
    i += n;
  }
  return true;
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  if (simdjson::validate_utf8(s.data(), s.size())) {
    size_t run = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (NeedsEscape(s[i])) {
        out->append(s.data() + run, i - run);
        AppendEscapedAscii(out, s[i]);
        run = i + 1;
      }
    }
    out->append(s.data() + run, s.size() - run);
  } else {
    for (size_t i = 0; i < s.size();) {
      uint32_t cp;
      size_t n = DecodeUtf8(s, i, &cp);
      if (n == 0) {
        out->append("\xEF\xBF\xBD");  // U+FFFD
        ++i;
      } else if (n == 1 && NeedsEscape(s[i])) {
        AppendEscapedAscii(out, s[i++]);
      } else {
        out->append(s.data() + i, n);
        i += n;
      }
    }
  }
  out->push_back('"');
}

void AppendJsonBytes(std::string* out, const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  out->push_back('"');
  for (size_t i = 0; i < size; ++i) {
    unsigned char b = p[i];
    if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') {
      out->push_back(static_cast<char>(b));
    } else if (b < 0x80 && NeedsEscape(static_cast<char>(b))) {
      AppendEscapedAscii(out, static_cast<char>(b));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", b);
      out->append(buf);
    }
  }
  out->push_back('"');
}

void AppendJsonDouble(std::string* out, double v) {
  if (!std::isfinite(v)) {
    out->append(std::isnan(v) ? "\"NaN\"" : v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, end);
}

void AppendJsonFloat(std::string* out, float v) {
  if (!std::isfinite(v)) return AppendJsonDouble(out, v);
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, end);
}

std::string DoubleText(double v) {
  if (!std::isfinite(v)) return "";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

int SignificantDigits(std::string_view t) {
  int first = -1, last = -1, k = 0;
  for (char c : t) {
    if (c == 'e' || c == 'E') break;
    if (!IsDigit(c)) continue;
    if (c != '0') {
      if (first < 0) first = k;
      last = k;
    }
    ++k;
  }
  return first < 0 ? 0 : last - first + 1;
}

}  // namespace tarn::format::internal
