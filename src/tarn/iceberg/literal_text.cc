#include "tarn/iceberg/literal_text.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace tarn::iceberg {
namespace {

using U128 = unsigned __int128;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status BadDecimal(std::string_view text, int precision, int scale, std::string_view why) {
  return InvalidArgument("'" + std::string(text) + "' is not a decimal(" +
                         std::to_string(precision) + "," + std::to_string(scale) +
                         "): " + std::string(why));
}

}  // namespace

std::string DecimalToBytes(__int128 unscaled) {
  std::string be(16, '\0');
  U128 bits = static_cast<U128>(unscaled);
  for (int k = 15; k >= 0; --k, bits >>= 8) be[k] = static_cast<char>(bits & 0xFF);
  // Drop a leading sign byte while the next byte still carries the same sign bit.
  size_t start = 0;
  while (start + 1 < be.size()) {
    auto lead = static_cast<unsigned char>(be[start]);
    bool next_negative = static_cast<unsigned char>(be[start + 1]) & 0x80;
    if (!((lead == 0x00 && !next_negative) || (lead == 0xFF && next_negative))) break;
    ++start;
  }
  return be.substr(start);
}

std::optional<__int128> DecimalBytesValue(std::string_view bytes) {
  if (bytes.empty()) return std::nullopt;
  const bool negative = static_cast<unsigned char>(bytes[0]) & 0x80;
  const unsigned char sign_byte = negative ? 0xFF : 0x00;
  while (bytes.size() > 16 && static_cast<unsigned char>(bytes[0]) == sign_byte) {
    bytes.remove_prefix(1);
  }
  if (bytes.size() > 16 || (bytes.size() == 16 && negative != bool(bytes[0] & 0x80))) {
    return std::nullopt;
  }
  U128 bits = negative ? ~U128{0} : 0;
  for (char c : bytes) bits = (bits << 8) | static_cast<unsigned char>(c);
  return static_cast<__int128>(bits);
}

__int128 DecimalFromBytes(std::string_view bytes) { return DecimalBytesValue(bytes).value_or(0); }

std::string DecimalText(__int128 unscaled, int scale) {
  U128 mag = unscaled < 0 ? -static_cast<U128>(unscaled) : static_cast<U128>(unscaled);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  if (static_cast<int>(digits.size()) <= scale) {
    digits.insert(0, scale + 1 - digits.size(), '0');
  }
  if (scale > 0) digits.insert(digits.size() - scale, 1, '.');
  return unscaled < 0 ? "-" + digits : digits;
}

Status ParseDecimalText(std::string_view text, int precision, int scale, __int128* unscaled) {
  if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
    return BadDecimal(text, precision, scale, "unsupported precision or scale");
  }
  std::string_view s = text;
  const bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  __int128 v = 0;
  int significant = 0, fraction = -1;
  bool any_digit = false;
  for (char c : s) {
    if (c == '.' && fraction < 0) {
      fraction = 0;
      continue;
    }
    if (c < '0' || c > '9') return BadDecimal(text, precision, scale, "not a number");
    any_digit = true;
    if (fraction >= 0 && ++fraction > scale) {
      return BadDecimal(text, precision, scale, "too many digits after the point");
    }
    if (v != 0 || c != '0') ++significant;
    if (significant > precision) return BadDecimal(text, precision, scale, "too many digits");
    v = v * 10 + (c - '0');
  }
  if (!any_digit) return BadDecimal(text, precision, scale, "not a number");
  for (int f = fraction < 0 ? 0 : fraction; f < scale; ++f) {
    if (v != 0 && ++significant > precision) {
      return BadDecimal(text, precision, scale, "too many digits");
    }
    v *= 10;
  }
  *unscaled = negative ? -v : v;
  return Status::OK();
}

std::string FloatText(double d, bool as_float) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  char buf[64];
  auto res = as_float ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(d))
                      : std::to_chars(buf, buf + sizeof buf, d);
  std::string out(buf, res.ptr);
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

std::string HexText(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
  }
  return out;
}

std::optional<std::string> ParseHex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t k = 0; k < text.size(); k += 2) {
    int hi = HexDigit(text[k]), lo = HexDigit(text[k + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

std::string UuidText(std::string_view bytes) {
  std::string hex = HexText(bytes);
  for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (bytes.size() != 16) return hex;
  for (size_t pos : {8, 13, 18, 23}) hex.insert(pos, 1, '-');
  return hex;
}

std::optional<std::string> ParseUuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string hex;
  for (size_t k = 0; k < text.size(); ++k) {
    bool dash_slot = k == 8 || k == 13 || k == 18 || k == 23;
    if (dash_slot != (text[k] == '-')) return std::nullopt;
    if (!dash_slot) hex += text[k];
  }
  return ParseHex(hex);
}

}  // namespace tarn::iceberg
