#include "tarn/iceberg/literal.h"

#include <algorithm>
#include <cstring>

#include "tarn/iceberg/datetime.h"
#include "tarn/iceberg/literal_text.h"

namespace tarn::iceberg {

using schema::TypeId;

namespace {

PrimitiveType Of(TypeId id) {
  PrimitiveType t;
  t.id = id;
  return t;
}

Literal Make(PrimitiveType type) {
  Literal v;
  v.type = type;
  v.is_null = false;
  return v;
}

Literal MakeInt(TypeId id, int64_t i) {
  Literal v = Make(Of(id));
  v.i = i;
  return v;
}

Literal MakeBytes(PrimitiveType type, std::string s) {
  Literal v = Make(type);
  v.s = std::move(s);
  return v;
}

template <typename T>
int Sign(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Maps IEEE bits to an unsigned key whose order is -NaN < -Inf < ... < -0 < 0 < ... < Inf < NaN.
uint64_t FloatKey(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return (bits >> 63) ? ~bits : bits | (uint64_t{1} << 63);
}

int CompareBytes(std::string_view a, std::string_view b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  return c != 0 ? (c < 0 ? -1 : 1) : Sign(a.size(), b.size());
}

int CompareDecimals(const Literal& a, const Literal& b) {
  __int128 x = DecimalUnscaled(a), y = DecimalUnscaled(b);
  // Callers pass equal scales; rescale anyway so that a mismatch still orders sensibly.
  for (int s = a.type.scale; s < b.type.scale; ++s) x *= 10;
  for (int s = b.type.scale; s < a.type.scale; ++s) y *= 10;
  return Sign(x, y);
}

}  // namespace

std::string PrimitiveType::ToString() const {
  if (id == TypeId::kDecimal) {
    return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
  }
  if (id == TypeId::kFixed) return "fixed[" + std::to_string(length) + "]";
  return std::string(schema::TypeIdName(id));
}

Result<PrimitiveType> PrimitiveType::From(const schema::Type& type) {
  PrimitiveType out = Of(type.id);
  switch (type.id) {
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      return InvalidArgument("type " + std::string(schema::TypeIdName(type.id)) +
                             " is not a primitive type");
    case TypeId::kDecimal:
      out.precision = type.precision;
      out.scale = type.scale;
      break;
    case TypeId::kFixed:
      out.length = type.length;
      break;
    default:
      break;
  }
  return out;
}

Literal Literal::Null(PrimitiveType type) {
  Literal v;
  v.type = type;
  return v;
}
Literal Literal::Boolean(bool v) { return MakeInt(TypeId::kBoolean, v ? 1 : 0); }
Literal Literal::Int(int32_t v) { return MakeInt(TypeId::kInt, v); }
Literal Literal::Long(int64_t v) { return MakeInt(TypeId::kLong, v); }
Literal Literal::Date(int32_t days) { return MakeInt(TypeId::kDate, days); }
Literal Literal::Time(int64_t micros) { return MakeInt(TypeId::kTime, micros); }
Literal Literal::Timestamp(int64_t micros) { return MakeInt(TypeId::kTimestamp, micros); }
Literal Literal::TimestampTz(int64_t micros) { return MakeInt(TypeId::kTimestampTz, micros); }
Literal Literal::Float(float v) {
  Literal out = Make(Of(TypeId::kFloat));
  out.d = v;
  return out;
}
Literal Literal::Double(double v) {
  Literal out = Make(Of(TypeId::kDouble));
  out.d = v;
  return out;
}
Literal Literal::String(std::string v) { return MakeBytes(Of(TypeId::kString), std::move(v)); }
Literal Literal::Binary(std::string v) { return MakeBytes(Of(TypeId::kBinary), std::move(v)); }
Literal Literal::Uuid(std::string bytes16) {
  return MakeBytes(Of(TypeId::kUuid), std::move(bytes16));
}
Literal Literal::Fixed(std::string v) {
  PrimitiveType t = Of(TypeId::kFixed);
  t.length = static_cast<int>(v.size());
  return MakeBytes(t, std::move(v));
}

Literal Literal::DecimalFromUnscaled(__int128 unscaled, int precision, int scale) {
  PrimitiveType t = Of(TypeId::kDecimal);
  t.precision = precision;
  t.scale = scale;
  return MakeBytes(t, DecimalToBytes(unscaled));
}

Result<Literal> Literal::Decimal(std::string_view text, int precision, int scale) {
  __int128 unscaled = 0;
  TARN_RETURN_IF_ERROR(ParseDecimalText(text, precision, scale, &unscaled));
  return DecimalFromUnscaled(unscaled, precision, scale);
}

__int128 DecimalUnscaled(const Literal& v) { return v.is_null ? 0 : DecimalFromBytes(v.s); }

std::string Literal::ToString() const {
  if (is_null) return "null";
  switch (type.id) {
    case TypeId::kBoolean:
      return i ? "true" : "false";
    case TypeId::kFloat:
    case TypeId::kDouble:
      return FloatText(d, type.id == TypeId::kFloat);
    case TypeId::kDecimal:
      return DecimalText(DecimalUnscaled(*this), type.scale);
    case TypeId::kDate:
      return FormatDate(i);
    case TypeId::kTime:
      return FormatTime(i, /*always_fraction=*/false);
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return FormatTimestamp(i, type.id == TypeId::kTimestampTz, /*always_fraction=*/false);
    case TypeId::kString:
      return s;
    case TypeId::kUuid:
      return UuidText(s);
    case TypeId::kBinary:
    case TypeId::kFixed:
      return HexText(s);
    default:
      return std::to_string(i);
  }
}

int Compare(const Literal& a, const Literal& b) {
  if (a.is_null || b.is_null) return Sign(!a.is_null, !b.is_null);
  switch (a.type.id) {
    case TypeId::kFloat:
    case TypeId::kDouble:
      return Sign(FloatKey(a.d), FloatKey(b.d));
    case TypeId::kDecimal:
      return CompareDecimals(a, b);
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed:
    case TypeId::kUuid:
      return CompareBytes(a.s, b.s);
    default:
      return Sign(a.i, b.i);
  }
}

}  // namespace tarn::iceberg
