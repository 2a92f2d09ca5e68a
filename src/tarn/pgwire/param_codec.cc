#include "tarn/pgwire/param_codec.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "tarn/base/crypto.h"
#include "tarn/pgwire/pg_datetime.h"
#include "tarn/pgwire/types.h"
#include "tarn/pgwire/value_codec.h"
#include "tarn/pgwire/wire_buffer.h"

namespace tarn::pgwire {
namespace {

Status BadBinary(int32_t oid, std::string_view why) {
  return InvalidArgument("invalid binary value for parameter of type " +
                         std::string(PgTypeName(oid)) + ": " + std::string(why));
}

uint64_t ReadBig(std::string_view b, size_t pos, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = v << 8 | static_cast<uint8_t>(b[pos + i]);
  return v;
}

// DuckDB's VARCHAR -> BLOB cast reads \xHH escapes; everything but letters and digits is
// escaped so no byte can be misread.
std::string DuckBlobText(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string FloatText(double d, bool float4) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto r = float4 ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(d))
                  : std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, r.ptr);
}

Result<std::string> NumericText(std::string_view b) {
  if (b.size() < 8) return BadBinary(oid::kNumeric, "too short");
  auto ndigits = static_cast<int16_t>(ReadBig(b, 0, 2));
  auto weight = static_cast<int16_t>(ReadBig(b, 2, 2));
  auto sign = static_cast<uint16_t>(ReadBig(b, 4, 2));
  auto dscale = static_cast<int16_t>(ReadBig(b, 6, 2));
  if (sign == 0xC000) return std::string("NaN");
  if (ndigits < 0 || dscale < 0 || b.size() != 8 + 2 * static_cast<size_t>(ndigits)) {
    return BadBinary(oid::kNumeric, "bad length");
  }
  std::vector<int> digits(static_cast<size_t>(ndigits));
  for (int i = 0; i < ndigits; ++i) digits[i] = static_cast<int>(ReadBig(b, 8 + 2 * i, 2));
  // Digit i stands for 10000^(weight - i).
  std::string int_part, frac_part;
  for (int w = weight; w >= 0; --w) {
    int idx = weight - w;
    int d = idx < ndigits ? digits[idx] : 0;
    char buf[8];
    std::snprintf(buf, sizeof(buf), int_part.empty() ? "%d" : "%04d", d);
    if (!(int_part.empty() && d == 0)) int_part += buf;
  }
  if (int_part.empty()) int_part = "0";
  for (int w = -1; static_cast<int>(frac_part.size()) < dscale; --w) {
    int idx = weight - w;
    int d = idx >= 0 && idx < ndigits ? digits[idx] : 0;
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%04d", d);
    frac_part += buf;
  }
  frac_part.resize(static_cast<size_t>(dscale));
  std::string out = sign == 0x4000 ? "-" : "";
  out += int_part;
  if (dscale > 0) out += "." + frac_part;
  return out;
}

Result<std::string> BinaryScalarText(int32_t type, std::string_view b);

// A DuckDB list literal element: quoted unless it is a plain number or keyword-free word.
void AppendListElement(std::string_view e, std::string* out) {
  out->push_back('\'');
  for (char c : e) {
    if (c == '\'') out->push_back('\'');
    out->push_back(c);
  }
  out->push_back('\'');
}

Result<std::string> BinaryArrayText(int32_t type, std::string_view b) {
  if (b.size() < 12) return BadBinary(type, "array header too short");
  auto ndim = static_cast<int32_t>(ReadBig(b, 0, 4));
  auto element = static_cast<int32_t>(ReadBig(b, 8, 4));
  if (ndim == 0) return std::string("[]");
  if (ndim != 1) return Unimplemented("multi-dimensional array parameters are not supported");
  if (b.size() < 20) return BadBinary(type, "array header too short");
  auto n = static_cast<int32_t>(ReadBig(b, 12, 4));
  size_t pos = 20;
  std::string out = "[";
  for (int32_t i = 0; i < n; ++i) {
    if (pos + 4 > b.size()) return BadBinary(type, "truncated array");
    auto len = static_cast<int32_t>(ReadBig(b, pos, 4));
    pos += 4;
    if (i > 0) out += ", ";
    if (len < 0) {
      out += "NULL";
      continue;
    }
    if (pos + static_cast<size_t>(len) > b.size()) return BadBinary(type, "truncated array");
    TARN_ASSIGN_OR_RETURN(std::string e, BinaryScalarText(element, b.substr(pos, len)));
    pos += static_cast<size_t>(len);
    AppendListElement(e, &out);
  }
  return out + "]";
}

Result<std::string> BinaryScalarText(int32_t type, std::string_view b) {
  auto need = [&](size_t n) -> Status {
    return b.size() == n ? Status::OK()
                         : BadBinary(type, "expected " + std::to_string(n) + " bytes, got " +
                                               std::to_string(b.size()));
  };
  switch (type) {
    case oid::kBool:
      TARN_RETURN_IF_ERROR(need(1));
      return std::string(b[0] ? "true" : "false");
    case oid::kInt2:
      TARN_RETURN_IF_ERROR(need(2));
      return std::to_string(static_cast<int16_t>(ReadBig(b, 0, 2)));
    case oid::kInt4:
      TARN_RETURN_IF_ERROR(need(4));
      return std::to_string(static_cast<int32_t>(ReadBig(b, 0, 4)));
    case oid::kOid:
      TARN_RETURN_IF_ERROR(need(4));
      return std::to_string(static_cast<uint32_t>(ReadBig(b, 0, 4)));
    case oid::kInt8:
      TARN_RETURN_IF_ERROR(need(8));
      return std::to_string(static_cast<int64_t>(ReadBig(b, 0, 8)));
    case oid::kFloat4: {
      TARN_RETURN_IF_ERROR(need(4));
      auto bits = static_cast<uint32_t>(ReadBig(b, 0, 4));
      float f;
      std::memcpy(&f, &bits, 4);
      return FloatText(f, true);
    }
    case oid::kFloat8: {
      TARN_RETURN_IF_ERROR(need(8));
      uint64_t bits = ReadBig(b, 0, 8);
      double d;
      std::memcpy(&d, &bits, 8);
      return FloatText(d, false);
    }
    case oid::kNumeric:
      return NumericText(b);
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kChar:
    case oid::kJson:
    case oid::kUnknown:
    case oid::kUnspecified:
      return std::string(b);
    case oid::kJsonb:
      // Version byte 1, then the JSON text.
      if (b.empty() || b[0] != 1) return BadBinary(type, "unknown jsonb version");
      return std::string(b.substr(1));
    case oid::kBytea:
      return DuckBlobText(b);
    case oid::kUuid: {
      TARN_RETURN_IF_ERROR(need(16));
      std::string hex = HexEncode(b);
      return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
             hex.substr(16, 4) + "-" + hex.substr(20);
    }
    case oid::kDate:
      TARN_RETURN_IF_ERROR(need(4));
      return FormatPgDate(static_cast<int32_t>(ReadBig(b, 0, 4)));
    case oid::kTime:
      TARN_RETURN_IF_ERROR(need(8));
      return FormatPgTime(static_cast<int64_t>(ReadBig(b, 0, 8)));
    case oid::kTimestamp:
    case oid::kTimestampTz:
      TARN_RETURN_IF_ERROR(need(8));
      return FormatPgTimestamp(static_cast<int64_t>(ReadBig(b, 0, 8)), type == oid::kTimestampTz);
    case oid::kInterval: {
      TARN_RETURN_IF_ERROR(need(16));
      PgInterval iv{static_cast<int64_t>(ReadBig(b, 0, 8)), static_cast<int32_t>(ReadBig(b, 8, 4)),
                    static_cast<int32_t>(ReadBig(b, 12, 4))};
      return FormatDuckInterval(iv);
    }
    default:
      if (ElementOidOf(type) != 0) return BinaryArrayText(type, b);
      return Unimplemented("binary parameters of type " + std::to_string(type) +
                           " are not supported; send the value in text format");
  }
}

// PostgreSQL's array text "{1,2,\"a b\",NULL}" (one dimension) as a DuckDB list literal.
Result<std::string> ArrayTextToList(std::string_view s) {
  if (s.size() < 2 || s.front() != '{' || s.back() != '}') {
    return InvalidArgument("malformed array literal: \"" + std::string(s) + "\"");
  }
  std::string out = "[";
  size_t i = 1, end = s.size() - 1;
  bool first = true;
  while (i < end) {
    std::string e;
    bool quoted = false;
    while (i < end && s[i] == ' ') ++i;
    if (s[i] == '"') {
      quoted = true;
      for (++i; i < end && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < end) ++i;
        e.push_back(s[i]);
      }
      ++i;
    } else {
      for (; i < end && s[i] != ','; ++i) {
        if (s[i] == '{')
          return Unimplemented("multi-dimensional array parameters are not supported");
        e.push_back(s[i]);
      }
      while (!e.empty() && e.back() == ' ') e.pop_back();
    }
    while (i < end && s[i] == ' ') ++i;
    if (i < end && s[i] == ',') ++i;
    if (!first) out += ", ";
    first = false;
    if (!quoted && (e == "NULL" || e == "null")) {
      out += "NULL";
    } else {
      AppendListElement(e, &out);
    }
  }
  return out + "]";
}

}  // namespace

Result<std::string> ParamToText(int32_t type, int16_t format, std::string_view value) {
  if (format == 1) return BinaryScalarText(type, value);
  if (format != 0) {
    return InvalidArgument("unsupported parameter format code " + std::to_string(format));
  }
  if (type == oid::kBytea && value.size() >= 2 && value[0] == '\\' && value[1] == 'x') {
    auto bytes = HexDecode(value.substr(2));
    if (!bytes) return InvalidArgument("invalid hexadecimal bytea value");
    return DuckBlobText(*bytes);
  }
  if (ElementOidOf(type) != 0) return ArrayTextToList(value);
  return std::string(value);
}

}  // namespace tarn::pgwire
