// The scalar half of the Converter: one function per Avro kind, each accepting the JSON forms
// the rules allow (README.md) and naming the value it rejects. `out == nullptr` is a dry run
// (checking a schema default): everything but the avro-c call.
#include <cfloat>
#include <charconv>
#include <cmath>

#include "tarn/base/ids.h"
#include "tarn/base/time.h"
#include "tarn/format/json_to_avro_converter.h"
#include "tarn/format/json_to_avro_scalars.h"

namespace tarn::format::internal {

using simdjson::dom::element_type;

namespace {

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// The JSON text of a number element, for decimals and string fields.
std::string NumberText(simdjson::dom::element e) {
  switch (e.type()) {
    case element_type::INT64:
      return std::to_string(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return std::to_string(e.get_uint64().value_unsafe());
    default:
      return DoubleText(e.get_double().value_unsafe());
  }
}

bool IsNumber(element_type t) {
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

bool Converter::Null(const PlanNode& n, Element e, avro_value_t* out) {
  if (e.type() != element_type::NULL_VALUE && !IsEmptyText(e)) return Expected(n, e);
  return !out || AvroFailed(avro_value_set_null(out));
}

bool Converter::Boolean(const PlanNode& n, Element e, avro_value_t* out) {
  bool v;
  if (e.type() == element_type::BOOL) {
    v = e.get_bool().value_unsafe();
  } else if (text_ && e.type() == element_type::STRING) {
    if (IsEmptyText(e)) return EmptyValue(n);
    if (!ParseBoolText(e.get_string().value_unsafe(), &v)) return Expected(n, e);
  } else {
    return Expected(n, e);
  }
  return !out || AvroFailed(avro_value_set_boolean(out, v));
}

// int, date (days or "YYYY-MM-DD"), time-millis (ms or "HH:MM:SS[.fff]").
bool Converter::Int(const PlanNode& n, Element e, avro_value_t* out) {
  int64_t v = 0;
  switch (e.type()) {
    case element_type::INT64:
      v = e.get_int64().value_unsafe();
      break;
    case element_type::UINT64:
      return Fail(DescribeJson(e) + " is out of range for " + n.display);
    case element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      if (IsEmptyText(e)) return EmptyValue(n);
      if (n.logical == LogicalType::kDate) {
        int32_t days;
        if (ParseDateText(s, &days)) return !out || AvroFailed(avro_value_set_int(out, days));
        if (!text_ || !ParseInt64Text(s, &v))
          return Fail(Quoted(s) + " is not a date (YYYY-MM-DD)");
      } else if (n.logical == LogicalType::kTimeMillis) {
        int64_t micros;
        if (ParseTimeOfDayText(s, &micros)) {
          return !out || AvroFailed(avro_value_set_int(out, static_cast<int32_t>(micros / 1000)));
        }
        if (!text_ || !ParseInt64Text(s, &v)) {
          return Fail(Quoted(s) + " is not a time of day (HH:MM:SS[.fff])");
        }
      } else if (!text_ || !ParseInt64Text(s, &v)) {
        return Expected(n, e);
      }
      break;
    }
    default:
      return Expected(n, e);
  }
  if (n.logical == LogicalType::kTimeMillis && (v < 0 || v >= 86'400'000)) {
    return Fail(std::to_string(v) + " is not a time of day in milliseconds (0..86399999)");
  }
  if (v < INT32_MIN || v > INT32_MAX) {
    return Fail("number " + std::to_string(v) + " is out of range for " + n.display);
  }
  return !out || AvroFailed(avro_value_set_int(out, static_cast<int32_t>(v)));
}

// long, time-micros, timestamp-* and local-timestamp-* (epoch units or ISO-8601 text).
bool Converter::Long(const PlanNode& n, Element e, avro_value_t* out) {
  int64_t v = 0;
  const bool timestamp = n.logical == LogicalType::kTimestampMillis ||
                         n.logical == LogicalType::kTimestampMicros ||
                         n.logical == LogicalType::kLocalTimestampMillis ||
                         n.logical == LogicalType::kLocalTimestampMicros;
  const bool millis =
      n.logical == LogicalType::kTimestampMillis || n.logical == LogicalType::kLocalTimestampMillis;
  switch (e.type()) {
    case element_type::INT64:
      v = e.get_int64().value_unsafe();
      break;
    case element_type::UINT64:
      return Fail(DescribeJson(e) + " is out of range for " + n.display);
    case element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      if (IsEmptyText(e)) return EmptyValue(n);
      if (text_ && ParseInt64Text(s, &v)) break;
      if (timestamp) {
        Result<UnixMicros> t = ParseIsoTimestamp(TrimAscii(s));
        if (!t.ok()) return Fail(t.status().message());
        v = millis ? FloorDiv(*t, 1000) : *t;
        return !out || AvroFailed(avro_value_set_long(out, v));
      }
      if (n.logical == LogicalType::kTimeMicros) {
        if (!ParseTimeOfDayText(s, &v)) {
          return Fail(Quoted(s) + " is not a time of day (HH:MM:SS[.ffffff])");
        }
        return !out || AvroFailed(avro_value_set_long(out, v));
      }
      return Expected(n, e);
    }
    default:
      return Expected(n, e);
  }
  if (n.logical == LogicalType::kTimeMicros && (v < 0 || v >= 86'400'000'000)) {
    return Fail(std::to_string(v) + " is not a time of day in microseconds (0..86399999999)");
  }
  return !out || AvroFailed(avro_value_set_long(out, v));
}

bool Converter::Floating(const PlanNode& n, Element e, avro_value_t* out) {
  double v;
  switch (e.type()) {
    case element_type::INT64:
      v = static_cast<double>(e.get_int64().value_unsafe());
      break;
    case element_type::UINT64:
      v = static_cast<double>(e.get_uint64().value_unsafe());
      break;
    case element_type::DOUBLE:
      v = e.get_double().value_unsafe();
      break;
    case element_type::STRING:
      if (!text_) return Expected(n, e);
      if (IsEmptyText(e)) return EmptyValue(n);
      if (!ParseDoubleText(e.get_string().value_unsafe(), &v)) return Expected(n, e);
      break;
    default:
      return Expected(n, e);
  }
  if (n.kind == AvroKind::kDouble) return !out || AvroFailed(avro_value_set_double(out, v));
  if (std::fabs(v) > FLT_MAX) return Fail(NumberText(e) + " is out of range for float");
  return !out || AvroFailed(avro_value_set_float(out, static_cast<float>(v)));
}

bool Converter::String(const PlanNode& n, Element e, avro_value_t* out, bool stringify) {
  const auto type = e.type();
  if (type == element_type::STRING) {
    std::string_view s = e.get_string().value_unsafe();
    if (n.logical == LogicalType::kUuid && !IsUuid(TrimAscii(s))) {
      if (IsEmptyText(e)) return EmptyValue(n);
      return Fail(Quoted(s) + " is not a UUID");
    }
    // avro-c copies size bytes including the terminator; simdjson strings are NUL-terminated.
    return !out || AvroFailed(avro_value_set_string_len(out, s.data(), s.size() + 1));
  }
  // The catch-all: other JSON values are kept as their JSON text.
  if (!stringify || n.logical != LogicalType::kNone || type == element_type::NULL_VALUE) {
    return Expected(n, e);
  }
  if (IsNumber(type)) {
    scratch_ = NumberText(e);
  } else if (type == element_type::BOOL) {
    scratch_ = e.get_bool().value_unsafe() ? "true" : "false";
  } else {
    scratch_ = simdjson::minify(e);
  }
  return !out || AvroFailed(avro_value_set_string_len(out, scratch_.c_str(), scratch_.size() + 1));
}

bool Converter::BytesOrFixed(const PlanNode& n, Element e, avro_value_t* out) {
  if (n.logical == LogicalType::kDecimal) return Decimal(n, e, out);
  if (e.type() != element_type::STRING) return Expected(n, e);
  std::string_view s = e.get_string().value_unsafe();
  scratch_.clear();
  uint32_t bad = 0;
  if (!BytesFromAvroJsonString(s, &scratch_, &bad)) {
    char cp[16];
    std::snprintf(cp, sizeof cp, "U+%04X", bad);
    return Fail(std::string(n.kind == AvroKind::kBytes ? "bytes" : "fixed") +
                " are written as characters U+0000..U+00FF, got " + cp);
  }
  if (n.kind == AvroKind::kBytes) {
    return !out || AvroFailed(avro_value_set_bytes(out, scratch_.data(), scratch_.size()));
  }
  if (scratch_.size() != n.fixed_size) {
    return Fail("expected " + std::to_string(n.fixed_size) + " bytes for " + n.display + ", got " +
                std::to_string(scratch_.size()));
  }
  return !out || AvroFailed(avro_value_set_fixed(out, scratch_.data(), scratch_.size()));
}

bool Converter::Decimal(const PlanNode& n, Element e, avro_value_t* out) {
  std::string text;
  const auto type = e.type();
  if (type == element_type::STRING) {
    if (IsEmptyText(e)) return EmptyValue(n);
    text = std::string(e.get_string().value_unsafe());
  } else if (IsNumber(type)) {
    text = NumberText(e);
    if (type == element_type::DOUBLE && SignificantDigits(text) > 15) {
      return Fail("number " + text +
                  " has more digits than a JSON number carries exactly; send it as a string");
    }
  } else {
    return Expected(n, e);
  }
  scratch_.clear();
  size_t fixed = n.kind == AvroKind::kFixed ? n.fixed_size : 0;
  switch (EncodeDecimal(text, n.precision, n.scale, fixed, &scratch_)) {
    case DecimalError::kNone:
      break;
    case DecimalError::kSyntax:
      return Fail(Quoted(text) + " is not a decimal number");
    case DecimalError::kScale:
      return Fail(Quoted(text) + " has more than " + std::to_string(n.scale) +
                  " digits after the decimal point");
    case DecimalError::kPrecision:
      return Fail(Quoted(text) + " does not fit " + n.display);
  }
  if (fixed > 0)
    return !out || AvroFailed(avro_value_set_fixed(out, scratch_.data(), scratch_.size()));
  return !out || AvroFailed(avro_value_set_bytes(out, scratch_.data(), scratch_.size()));
}

bool Converter::Enum(const PlanNode& n, Element e, avro_value_t* out) {
  if (e.type() != element_type::STRING) return Expected(n, e);
  std::string_view s = e.get_string().value_unsafe();
  auto it = n.symbol_index.find(s);
  if (it == n.symbol_index.end()) {
    std::string symbols;
    for (const std::string& sym : n.symbols) symbols += (symbols.empty() ? "" : ", ") + sym;
    return Fail(Quoted(s) + " is not a symbol of " + n.display + " (" + symbols + ")");
  }
  return !out || AvroFailed(avro_value_set_enum(out, it->second));
}

}  // namespace tarn::format::internal
