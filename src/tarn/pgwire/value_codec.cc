#include "tarn/pgwire/value_codec.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "tarn/base/crypto.h"
#include "tarn/pgwire/pg_datetime.h"
#include "tarn/pgwire/wire_buffer.h"

namespace tarn::pgwire {
namespace {

using Form = ColumnEncoder::Form;

Status Unparsable(std::string_view type, std::string_view text) {
  return InvalidArgument("cannot encode '" + std::string(text) + "' as " + std::string(type));
}

template <typename T>
bool ParseNumber(std::string_view s, T* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseFloat(std::string_view s, bool float4, double* out) {
  if (float4) {
    float f;
    if (!ParseNumber(s, &f)) return false;
    *out = f;
    return true;
  }
  return ParseNumber(s, out);
}

Form TextFormOf(query::ColumnType t) {
  switch (t) {
    case query::ColumnType::kBoolean:
      return Form::kBool;
    case query::ColumnType::kFloat:
      return Form::kFloat4;
    case query::ColumnType::kDouble:
      return Form::kFloat8;
    case query::ColumnType::kBlob:
      return Form::kByteaHex;
    case query::ColumnType::kInterval:
      return Form::kInterval;
    default:
      return Form::kVerbatim;
  }
}

// DuckDB's BLOB text inside lists: printable bytes as they are, others as \xHH.
std::optional<std::string> UnescapeDuckBlob(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
      auto byte = HexDecode(s.substr(i + 2, 2));
      if (!byte) return std::nullopt;
      out += *byte;
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void AppendPgInterval(std::string_view s, std::string* out) {
  // "1 year 2 months 3 days 04:05:06" -> "1 year 2 mons 3 days 04:05:06"; PostgreSQL writes
  // the singular only for exactly 1.
  bool first = true;
  while (!s.empty()) {
    size_t sp = s.find(' ');
    std::string_view word = s.substr(0, sp);
    s.remove_prefix(sp == std::string_view::npos ? s.size() : sp + 1);
    if (!first) out->push_back(' ');
    first = false;
    if (word.find(':') != std::string_view::npos || s.empty()) {
      out->append(word);
      continue;
    }
    sp = s.find(' ');
    std::string_view unit = s.substr(0, sp);
    s.remove_prefix(sp == std::string_view::npos ? s.size() : sp + 1);
    out->append(word);
    out->push_back(' ');
    bool one = word == "1";
    if (unit.substr(0, 4) == "year") {
      out->append(one ? "year" : "years");
    } else if (unit.substr(0, 5) == "month" || unit.substr(0, 3) == "mon") {
      out->append(one ? "mon" : "mons");
    } else if (unit.substr(0, 3) == "day") {
      out->append(one ? "day" : "days");
    } else {
      out->append(unit);
    }
  }
}

// PostgreSQL array element quoting: quote empty strings, NULL look-alikes, and anything with
// separators, braces, quotes, backslashes or whitespace.
void AppendArrayElement(std::string_view e, std::string* out) {
  bool quote = e.empty() || (e.size() == 4 && (e[0] == 'N' || e[0] == 'n') &&
                             (e == "NULL" || e == "null" || e == "Null"));
  for (char c : e) {
    if (c == ',' || c == '{' || c == '}' || c == '"' || c == '\\' || c == ' ' || c == '\t' ||
        c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      quote = true;
      break;
    }
  }
  if (!quote) {
    out->append(e);
    return;
  }
  out->push_back('"');
  for (char c : e) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

Status AppendText(Form form, std::string_view v, std::string* out) {
  switch (form) {
    case Form::kVerbatim:
      out->append(v);
      return Status::OK();
    case Form::kBool:
      if (v == "true") {
        out->push_back('t');
      } else if (v == "false") {
        out->push_back('f');
      } else {
        return Unparsable("boolean", v);
      }
      return Status::OK();
    case Form::kFloat4:
    case Form::kFloat8: {
      double d;
      if (!ParseFloat(v, form == Form::kFloat4, &d)) return Unparsable("float", v);
      AppendPgFloat(d, form == Form::kFloat4, out);
      return Status::OK();
    }
    case Form::kByteaHex:
      out->append("\\x");
      out->append(v);
      return Status::OK();
    case Form::kByteaDuck: {
      auto bytes = UnescapeDuckBlob(v);
      if (!bytes) return Unparsable("bytea", v);
      out->append("\\x");
      out->append(HexEncode(*bytes));
      return Status::OK();
    }
    case Form::kInterval:
      AppendPgInterval(v, out);
      return Status::OK();
    case Form::kArray:
      return Unparsable("array element", v);  // arrays do not nest here
  }
  return Status::OK();
}

Status AppendTextArray(Form element_form, std::string_view v, std::string* out) {
  std::vector<std::optional<std::string>> elements;
  if (!SplitDuckList(v, &elements)) return Unparsable("array", v);
  out->push_back('{');
  std::string converted;
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out->push_back(',');
    if (!elements[i]) {
      out->append("NULL");
      continue;
    }
    converted.clear();
    TARN_RETURN_IF_ERROR(AppendText(element_form, *elements[i], &converted));
    AppendArrayElement(converted, out);
  }
  out->push_back('}');
  return Status::OK();
}

Status AppendBinaryScalar(int32_t oid, Form form, std::string_view v, std::string* out) {
  switch (oid) {
    case oid::kBool:
      if (v != "true" && v != "false") return Unparsable("boolean", v);
      out->push_back(v == "true" ? 1 : 0);
      return Status::OK();
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8: {
      int64_t n;
      if (!ParseNumber(v, &n)) return Unparsable("integer", v);
      if (oid == oid::kInt2) {
        if (n < INT16_MIN || n > INT16_MAX) return Unparsable("int2", v);
        AppendInt16(out, static_cast<int16_t>(n));
      } else if (oid == oid::kInt4) {
        if (n < INT32_MIN || n > INT32_MAX) return Unparsable("int4", v);
        AppendInt32(out, static_cast<int32_t>(n));
      } else {
        AppendInt64(out, n);
      }
      return Status::OK();
    }
    case oid::kFloat4: {
      float f;
      if (!ParseNumber(v, &f)) return Unparsable("float4", v);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      AppendInt32(out, static_cast<int32_t>(bits));
      return Status::OK();
    }
    case oid::kFloat8: {
      double d;
      if (!ParseNumber(v, &d)) return Unparsable("float8", v);
      int64_t bits;
      std::memcpy(&bits, &d, 8);
      AppendInt64(out, bits);
      return Status::OK();
    }
    case oid::kNumeric:
      return AppendNumericBinary(v, out);
    case oid::kBytea: {
      auto bytes = form == Form::kByteaHex ? HexDecode(v) : UnescapeDuckBlob(v);
      if (!bytes) return Unparsable("bytea", v);
      out->append(*bytes);
      return Status::OK();
    }
    case oid::kUuid: {
      std::string hex;
      for (char c : v) {
        if (c != '-') hex.push_back(c);
      }
      auto bytes = HexDecode(hex);
      if (!bytes || bytes->size() != 16) return Unparsable("uuid", v);
      out->append(*bytes);
      return Status::OK();
    }
    case oid::kDate: {
      TARN_ASSIGN_OR_RETURN(int32_t days, ParsePgDate(v));
      AppendInt32(out, days);
      return Status::OK();
    }
    case oid::kTime: {
      TARN_ASSIGN_OR_RETURN(int64_t micros, ParsePgTime(v));
      AppendInt64(out, micros);
      return Status::OK();
    }
    case oid::kTimestamp:
    case oid::kTimestampTz: {
      TARN_ASSIGN_OR_RETURN(int64_t micros, ParsePgTimestamp(v));
      AppendInt64(out, micros);
      return Status::OK();
    }
    case oid::kInterval: {
      TARN_ASSIGN_OR_RETURN(PgInterval iv, ParseDuckInterval(v));
      AppendInt64(out, iv.micros);
      AppendInt32(out, iv.days);
      AppendInt32(out, iv.months);
      return Status::OK();
    }
    default:  // text, varchar, and everything sent as text
      out->append(v);
      return Status::OK();
  }
}

Status AppendBinaryArray(const PgType& type, Form element_form, std::string_view v,
                         std::string* out) {
  std::vector<std::optional<std::string>> elements;
  if (!SplitDuckList(v, &elements)) return Unparsable("array", v);
  bool has_null = false;
  for (const auto& e : elements) has_null |= !e.has_value();
  AppendInt32(out, elements.empty() ? 0 : 1);  // dimensions
  AppendInt32(out, has_null ? 1 : 0);
  AppendInt32(out, type.element);
  if (elements.empty()) return Status::OK();
  AppendInt32(out, static_cast<int32_t>(elements.size()));
  AppendInt32(out, 1);  // lower bound
  for (const auto& e : elements) {
    if (!e) {
      AppendInt32(out, -1);
      continue;
    }
    size_t len_at = out->size();
    AppendInt32(out, 0);
    TARN_RETURN_IF_ERROR(AppendBinaryScalar(type.element, element_form, *e, out));
    PatchInt32(out, len_at, static_cast<int32_t>(out->size() - len_at - 4));
  }
  return Status::OK();
}

}  // namespace

Result<ColumnEncoder> ColumnEncoder::Make(const query::Column& column, int16_t format) {
  if (format != 0 && format != 1) {
    return InvalidArgument("unsupported format code " + std::to_string(format) +
                           " (0 = text, 1 = binary)");
  }
  ColumnEncoder e;
  e.type_ = PgTypeOf(column);
  e.format_ = format;
  if (e.type_.element != 0) {
    e.form_ = Form::kArray;
    e.element_form_ = TextFormOf(*column.element);
    if (e.element_form_ == Form::kByteaHex) e.element_form_ = Form::kByteaDuck;
  } else {
    e.form_ = TextFormOf(column.type);
  }
  return e;
}

Status ColumnEncoder::Append(std::string_view v, std::string* out) const {
  if (format_ == 0) {
    if (form_ == Form::kArray) return AppendTextArray(element_form_, v, out);
    return AppendText(form_, v, out);
  }
  if (form_ == Form::kArray) return AppendBinaryArray(type_, element_form_, v, out);
  return AppendBinaryScalar(type_.oid, form_, v, out);
}

void AppendPgFloat(double value, bool float4, std::string* out) {
  if (std::isnan(value)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "Infinity" : "-Infinity");
    return;
  }
  char buf[64];
  auto r = float4 ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(value),
                                  std::chars_format::scientific)
                  : std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));  // [-]d[.ddd]e[+-]XX
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+'), sci.data() + sci.size(), exp);
  if (negative) out->push_back('-');
  if (exp < -4 || exp >= (float4 ? 6 : 15)) {
    out->push_back(digits[0]);
    if (digits.size() > 1) {
      out->push_back('.');
      out->append(digits, 1);
    }
    out->push_back('e');
    out->push_back(exp < 0 ? '-' : '+');
    int a = std::abs(exp);
    if (a < 10) out->push_back('0');
    out->append(std::to_string(a));
  } else if (exp < 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-exp - 1), '0');
    out->append(digits);
  } else {
    size_t int_len = static_cast<size_t>(exp) + 1;
    if (digits.size() <= int_len) {
      out->append(digits);
      out->append(int_len - digits.size(), '0');
    } else {
      out->append(digits, 0, int_len);
      out->push_back('.');
      out->append(digits, int_len);
    }
  }
}

bool SplitDuckList(std::string_view text, std::vector<std::optional<std::string>>* out) {
  out->clear();
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') return false;
  std::string_view s = text.substr(1, text.size() - 2);
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < s.size() && s[i] == ' ') ++i;
  };
  skip_spaces();
  if (i == s.size()) return true;
  while (true) {
    skip_spaces();
    if (i < s.size() && s[i] == '\'') {
      // Quoted: up to the next unescaped quote; a backslash escapes the next character.
      std::string e;
      ++i;
      while (i < s.size() && s[i] != '\'') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        e.push_back(s[i++]);
      }
      if (i == s.size()) return false;
      ++i;
      out->push_back(std::move(e));
    } else {
      // Bare: up to the next separator outside brackets and quotes.
      size_t start = i;
      int depth = 0;
      bool quoted = false;
      for (; i < s.size(); ++i) {
        char c = s[i];
        if (quoted) {
          if (c == '\\')
            ++i;
          else if (c == '\'')
            quoted = false;
        } else if (c == '\'') {
          quoted = true;
        } else if (c == '[' || c == '{' || c == '(') {
          ++depth;
        } else if (c == ']' || c == '}' || c == ')') {
          --depth;
        } else if (c == ',' && depth == 0) {
          break;
        }
      }
      std::string_view e = s.substr(start, i - start);
      while (!e.empty() && e.back() == ' ') e.remove_suffix(1);
      if (e == "NULL") {
        out->push_back(std::nullopt);
      } else {
        out->push_back(std::string(e));
      }
    }
    skip_spaces();
    if (i == s.size()) return true;
    if (s[i] != ',') return false;
    ++i;
  }
}

Status AppendNumericBinary(std::string_view text, std::string* out) {
  std::string_view s = text;
  if (s == "NaN") {
    for (int16_t v : {int16_t{0}, int16_t{0}, static_cast<int16_t>(0xC000), int16_t{0}}) {
      AppendInt16(out, v);
    }
    return Status::OK();
  }
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  size_t dot = s.find('.');
  std::string_view int_part = s.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (int_part.empty() && frac_part.empty()) return Unparsable("numeric", text);
  for (char c : int_part) {
    if (c < '0' || c > '9') return Unparsable("numeric", text);
  }
  for (char c : frac_part) {
    if (c < '0' || c > '9') return Unparsable("numeric", text);
  }
  // Base-10000 digits aligned on the decimal point.
  std::string ip((4 - int_part.size() % 4) % 4, '0');
  ip.append(int_part);
  std::string fp(frac_part);
  fp.append((4 - fp.size() % 4) % 4, '0');
  std::vector<int16_t> digits;
  for (size_t i = 0; i < ip.size(); i += 4)
    digits.push_back(static_cast<int16_t>(std::stoi(ip.substr(i, 4))));
  for (size_t i = 0; i < fp.size(); i += 4)
    digits.push_back(static_cast<int16_t>(std::stoi(fp.substr(i, 4))));
  int weight = static_cast<int>(ip.size() / 4) - 1;
  size_t first = 0;
  while (first < digits.size() && digits[first] == 0) {
    ++first;
    --weight;
  }
  size_t last = digits.size();
  while (last > first && digits[last - 1] == 0) --last;
  if (first == last) {
    weight = 0;
    negative = false;
  }
  AppendInt16(out, static_cast<int16_t>(last - first));
  AppendInt16(out, static_cast<int16_t>(weight));
  AppendInt16(out, static_cast<int16_t>(negative ? 0x4000 : 0));
  AppendInt16(out, static_cast<int16_t>(frac_part.size()));
  for (size_t i = first; i < last; ++i) AppendInt16(out, digits[i]);
  return Status::OK();
}

}  // namespace tarn::pgwire
