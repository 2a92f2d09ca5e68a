// Literal's binary single-value serialization (Iceberg spec, Appendix D), as stored in manifest
// lower/upper bounds.
#include <cstring>

#include "tarn/iceberg/literal.h"
#include "tarn/iceberg/literal_text.h"

namespace tarn::iceberg {

using schema::TypeId;

namespace {

std::string LittleEndian(uint64_t v, int width) {
  std::string out(width, '\0');
  for (int k = 0; k < width; ++k, v >>= 8) out[k] = static_cast<char>(v & 0xFF);
  return out;
}

// Reads 4 or 8 little-endian bytes, sign-extending 4-byte values.
int64_t ReadSigned(std::string_view b) {
  uint64_t v = 0;
  for (size_t k = b.size(); k-- > 0;) v = (v << 8) | static_cast<unsigned char>(b[k]);
  if (b.size() == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

double ReadFloat(std::string_view b) {
  if (b.size() == 4) {
    auto bits = static_cast<uint32_t>(ReadSigned(b));
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  auto bits = static_cast<uint64_t>(ReadSigned(b));
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

Status WrongLength(const PrimitiveType& type, std::string_view bytes, std::string_view want) {
  return Status(ErrorCode::kCorruption, "binary " + type.ToString() + " value of " +
                                            std::to_string(bytes.size()) + " bytes (expected " +
                                            std::string(want) + ")");
}

// The byte lengths a serialized value of `type` may have (0 = any); the second is the
// narrower encoding of a promoted type (int -> long, float -> double) that old files hold.
std::pair<size_t, size_t> AllowedLengths(const PrimitiveType& type) {
  switch (type.id) {
    case TypeId::kBoolean:
      return {1, 1};
    case TypeId::kInt:
    case TypeId::kFloat:
    case TypeId::kDate:
      return {4, 4};
    case TypeId::kLong:
    case TypeId::kDouble:
      return {8, 4};
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return {8, 8};
    case TypeId::kUuid:
      return {16, 16};
    case TypeId::kFixed:
      return {size_t(type.length), size_t(type.length)};
    default:
      return {0, 0};
  }
}

}  // namespace

std::string ToBinary(const Literal& v) {
  if (v.is_null) return "";
  switch (v.type.id) {
    case TypeId::kBoolean:
      return std::string(1, v.i ? '\x01' : '\x00');
    case TypeId::kInt:
    case TypeId::kDate:
      return LittleEndian(static_cast<uint64_t>(v.i), 4);
    case TypeId::kFloat: {
      float f = static_cast<float>(v.d);
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      return LittleEndian(bits, 4);
    }
    case TypeId::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &v.d, sizeof bits);
      return LittleEndian(bits, 8);
    }
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return LittleEndian(static_cast<uint64_t>(v.i), 8);
    default:  // string, binary, fixed, uuid, decimal: `s` already holds the spec's bytes
      return v.s;
  }
}

Result<Literal> FromBinary(const PrimitiveType& type, std::string_view bytes) {
  if (type.id == TypeId::kStruct || type.id == TypeId::kList || type.id == TypeId::kMap) {
    return InvalidArgument("type " + type.ToString() + " has no binary single-value form");
  }
  auto [len, promoted_len] = AllowedLengths(type);
  if (len != 0 && bytes.size() != len && bytes.size() != promoted_len) {
    return WrongLength(type, bytes, std::to_string(len));
  }
  Literal out;
  out.type = type;
  out.is_null = false;
  switch (type.id) {
    case TypeId::kFloat:
    case TypeId::kDouble:
      out.d = ReadFloat(bytes);
      return out;
    case TypeId::kDecimal: {
      // Re-encode minimally: some writers pad bounds to the fixed width of the column.
      std::optional<__int128> unscaled = DecimalBytesValue(bytes);
      if (!unscaled) return WrongLength(type, bytes, "1 to 16");
      out.s = DecimalToBytes(*unscaled);
      return out;
    }
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed:
    case TypeId::kUuid:
      out.s = std::string(bytes);
      return out;
    case TypeId::kBoolean:
      out.i = bytes[0] != 0 ? 1 : 0;
      return out;
    default:
      out.i = ReadSigned(bytes);
      return out;
  }
}

}  // namespace tarn::iceberg
