// Decimal logical type: text <-> big-endian two's-complement unscaled integers (128-bit).
#include <cmath>

#include "tarn/format/json_to_avro_scalars.h"

namespace tarn::format::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

DecimalError EncodeDecimal(std::string_view text, int precision, int scale, size_t fixed_size,
                           std::string* out) {
  std::string_view t = TrimAscii(text);
  bool negative = false;
  size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) negative = t[i++] == '-';
  char digits[512];
  size_t nd = 0;
  int frac_digits = 0;
  bool seen_point = false, any_digit = false;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (IsDigit(c)) {
      any_digit = true;
      if (nd == 0 && c == '0') {  // leading zeros carry no value
        if (seen_point) ++frac_digits;
        continue;
      }
      if (nd == sizeof digits) return DecimalError::kPrecision;
      digits[nd++] = c;
      if (seen_point) ++frac_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) return DecimalError::kSyntax;
  int64_t exponent = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool neg_exp = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) neg_exp = t[i++] == '-';
    if (i == t.size()) return DecimalError::kSyntax;
    for (; i < t.size() && IsDigit(t[i]); ++i) {
      exponent = exponent * 10 + (t[i] - '0');
      if (exponent > 100000) return DecimalError::kPrecision;
    }
    if (neg_exp) exponent = -exponent;
  }
  if (i != t.size()) return DecimalError::kSyntax;
  // value = digits * 10^(exponent - frac_digits); unscaled = value * 10^scale.
  int64_t shift = exponent - frac_digits + scale;
  if (shift < 0) {
    size_t drop = static_cast<size_t>(-shift);
    for (size_t k = 0; k < drop; ++k) {
      if (k < nd && digits[nd - 1 - k] != '0') return DecimalError::kScale;
    }
    nd = drop >= nd ? 0 : nd - drop;
    shift = 0;
  }
  if (nd > 0 && static_cast<int64_t>(nd) + shift > precision) return DecimalError::kPrecision;
  unsigned __int128 v = 0;
  for (size_t k = 0; k < nd; ++k) v = v * 10 + static_cast<unsigned>(digits[k] - '0');
  for (int64_t k = 0; nd > 0 && k < shift; ++k) v *= 10;
  __int128 sv = negative ? -static_cast<__int128>(v) : static_cast<__int128>(v);
  size_t n = 1;
  while (n < 16) {
    __int128 lo = -(static_cast<__int128>(1) << (8 * n - 1));
    __int128 hi = (static_cast<__int128>(1) << (8 * n - 1)) - 1;
    if (sv >= lo && sv <= hi) break;
    ++n;
  }
  if (fixed_size > 0) {
    if (n > fixed_size) return DecimalError::kPrecision;
    out->append(fixed_size > 16 ? fixed_size - 16 : 0, sv < 0 ? '\xff' : '\0');
    n = fixed_size > 16 ? 16 : fixed_size;
  }
  for (size_t k = n; k-- > 0;) {
    out->push_back(static_cast<char>(static_cast<unsigned char>(sv >> (8 * k))));
  }
  return DecimalError::kNone;
}

std::string DecimalText(const void* data, size_t size, int scale) {
  const auto* p = static_cast<const unsigned char*>(data);
  if (size == 0) return scale > 0 ? "0." + std::string(static_cast<size_t>(scale), '0') : "0";
  const unsigned char sign = (p[0] & 0x80) ? 0xFF : 0x00;
  size_t start = 0;
  while (size - start > 16) {  // leading bytes beyond 128 bits must be sign extension
    if (p[start++] != sign) return "";
  }
  if (size - start == 16 && start > 0 && ((p[start] & 0x80) ? 0xFF : 0x00) != sign) return "";
  __int128 v = sign ? -1 : 0;
  for (size_t i = start; i < size; ++i) v = (v << 8) | p[i];
  const bool negative = v < 0;
  unsigned __int128 mag =
      negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag > 0);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) {
      digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  return negative ? "-" + digits : digits;
}

int MaxDecimalPrecisionForFixed(size_t size) {
  if (size == 0) return 0;
  double digits = std::floor((8.0 * static_cast<double>(size) - 1) * std::log10(2.0));
  return digits > 38 ? 38 : static_cast<int>(digits);
}

}  // namespace tarn::format::internal
