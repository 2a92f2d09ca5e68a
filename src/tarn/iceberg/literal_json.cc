// Literal's JSON single-value serialization (Iceberg spec, Appendix D).
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "tarn/base/encoding.h"
#include "tarn/iceberg/datetime.h"
#include "tarn/iceberg/literal.h"
#include "tarn/iceberg/literal_text.h"

namespace tarn::iceberg {

using schema::TypeId;

namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

Status NotA(const PrimitiveType& type, std::string_view json) {
  return InvalidArgument("JSON " + std::string(json) + " is not a " + type.ToString() + " value");
}

// An integer in [lo, hi], or nullopt.
std::optional<int64_t> JsonInteger(const nlohmann::json& j, int64_t lo, int64_t hi) {
  if (!j.is_number_integer()) return std::nullopt;
  if (j.is_number_unsigned() &&
      j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  int64_t v = j.get<int64_t>();
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

std::optional<double> JsonFloat(const nlohmann::json& j) {
  if (j.is_number()) return j.get<double>();
  if (!j.is_string()) return std::nullopt;
  const auto& s = j.get_ref<const std::string&>();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  return std::nullopt;
}

// The bytes of a uuid ("f79c3e09-...") or of binary / fixed hex text; nullopt if malformed.
std::optional<std::string> BytesFromText(const PrimitiveType& type, const std::string& text) {
  if (type.id == TypeId::kUuid) return ParseUuid(text);
  std::optional<std::string> bytes = ParseHex(text);
  if (bytes && type.id == TypeId::kFixed && type.length > 0 &&
      bytes->size() != static_cast<size_t>(type.length)) {
    return std::nullopt;
  }
  return bytes;
}

// Decodes a JSON string of a text-encoded type into `out` (already typed and non-null).
Status FromJsonText(const std::string& text, Literal* out) {
  const PrimitiveType& type = out->type;
  switch (type.id) {
    case TypeId::kDecimal: {
      __int128 unscaled = 0;
      TARN_RETURN_IF_ERROR(ParseDecimalText(text, type.precision, type.scale, &unscaled));
      out->s = DecimalToBytes(unscaled);
      return Status::OK();
    }
    case TypeId::kDate: {
      TARN_ASSIGN_OR_RETURN(out->i, ParseDate(text));
      return Status::OK();
    }
    case TypeId::kTime: {
      TARN_ASSIGN_OR_RETURN(out->i, ParseTime(text));
      return Status::OK();
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      TARN_ASSIGN_OR_RETURN(out->i, ParseTimestamp(text, type.id == TypeId::kTimestampTz));
      return Status::OK();
    }
    case TypeId::kString:
      out->s = text;
      return Status::OK();
    case TypeId::kUuid:
    case TypeId::kBinary:
    case TypeId::kFixed: {
      std::optional<std::string> bytes = BytesFromText(type, text);
      if (!bytes) return NotA(type, Quoted(text));
      out->s = std::move(*bytes);
      return Status::OK();
    }
    default:
      return NotA(type, Quoted(text));
  }
}

}  // namespace

std::string ToJson(const Literal& v) {
  if (v.is_null) return "null";
  switch (v.type.id) {
    case TypeId::kBoolean:
      return v.i ? "true" : "false";
    case TypeId::kInt:
    case TypeId::kLong:
      return std::to_string(v.i);
    case TypeId::kFloat:
    case TypeId::kDouble: {
      std::string text = FloatText(v.d, v.type.id == TypeId::kFloat);
      return std::isfinite(v.d) ? text : Quoted(text);
    }
    case TypeId::kTime:
      return Quoted(FormatTime(v.i, /*always_fraction=*/true));
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return Quoted(FormatTimestamp(v.i, v.type.id == TypeId::kTimestampTz, true));
    default:  // decimal, date, string, uuid, binary, fixed: their text, as a JSON string
      return Quoted(v.ToString());
  }
}

Result<Literal> FromJson(const PrimitiveType& type, std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("'" + std::string(json) + "' is not JSON");
  Literal out = Literal::Null(type);
  if (j.is_null()) return out;
  out.is_null = false;
  switch (type.id) {
    case TypeId::kBoolean:
      if (!j.is_boolean()) return NotA(type, json);
      out.i = j.get<bool>() ? 1 : 0;
      return out;
    case TypeId::kInt:
    case TypeId::kLong: {
      const bool is_int = type.id == TypeId::kInt;
      std::optional<int64_t> i =
          JsonInteger(j, is_int ? std::numeric_limits<int32_t>::min() : INT64_MIN,
                      is_int ? std::numeric_limits<int32_t>::max() : INT64_MAX);
      if (!i) return NotA(type, json);
      out.i = *i;
      return out;
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      std::optional<double> d = JsonFloat(j);
      if (!d) return NotA(type, json);
      out.d = type.id == TypeId::kFloat ? static_cast<float>(*d) : *d;
      return out;
    }
    default:
      if (!j.is_string()) return NotA(type, json);
      TARN_RETURN_IF_ERROR(FromJsonText(j.get_ref<const std::string&>(), &out));
      return out;
  }
}

}  // namespace tarn::iceberg
