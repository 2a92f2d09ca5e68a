// Literal: one typed primitive value as Iceberg stores it in partition tuples and column
// bounds, with the spec's ordering, its binary single-value serialization (Appendix D) and its
// JSON single-value serialization. Plain value type; thread-safe for concurrent const use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tarn/base/status.h"
#include "tarn/schema/schema.h"

namespace tarn::iceberg {

// A primitive Iceberg type: schema::TypeId plus decimal precision/scale and fixed length.
struct PrimitiveType {
  schema::TypeId id = schema::TypeId::kString;
  int precision = 0, scale = 0, length = 0;

  bool operator==(const PrimitiveType&) const = default;
  // "long", "decimal(12,2)", "fixed[16]".
  std::string ToString() const;
  // Errors: kInvalidArgument (a struct, list or map type).
  static Result<PrimitiveType> From(const schema::Type& type);
};

// A value of a PrimitiveType, or null.
//   boolean, int, long, date (days), time (us), timestamp/timestamptz (us): `i`.
//   float, double: `d`.
//   string (UTF-8), binary, fixed, uuid (16 raw bytes): `s`.
//   decimal: the unscaled value as `s`, big-endian two's complement with the fewest bytes
//            (the spec's binary form); the scale is the type's.
struct Literal {
  PrimitiveType type;
  bool is_null = true;
  int64_t i = 0;
  double d = 0;
  std::string s;

  static Literal Null(PrimitiveType type);
  static Literal Boolean(bool v);
  static Literal Int(int32_t v);
  static Literal Long(int64_t v);
  static Literal Float(float v);
  static Literal Double(double v);
  static Literal Date(int32_t days);
  static Literal Time(int64_t micros);
  static Literal Timestamp(int64_t micros);    // without zone
  static Literal TimestampTz(int64_t micros);  // UTC-adjusted
  static Literal String(std::string v);
  static Literal Binary(std::string v);
  static Literal Fixed(std::string v);  // type length = v.size()
  static Literal Uuid(std::string bytes16);
  // From an exact decimal string ("-12.50"); the digits after the point must fit `scale`.
  // Errors: kInvalidArgument (not a number, more than `precision` digits).
  static Result<Literal> Decimal(std::string_view text, int precision, int scale);
  // From the unscaled value: DecimalFromUnscaled(1420, 4, 2) is 14.20. Never fails (the
  // precision is not checked).
  static Literal DecimalFromUnscaled(__int128 unscaled, int precision, int scale);

  bool operator==(const Literal&) const = default;
  // Human-readable text, as used in partition paths and messages: 42, 3.5, 2024-01-15,
  // 2024-01-15T03:04:05.000001, 2024-01-15T03:04:05+00:00, 12.50, hex for binary/fixed, the
  // canonical 8-4-4-4-12 form for uuids; "null".
  std::string ToString() const;
};

// The spec's sort order for values of one type (nulls first, strings and binary by unsigned
// bytes, floats with -NaN < -Inf < ... < Inf < NaN, decimals numerically). Returns <0, 0, >0.
// Both literals must be of the same type id (decimals: the same scale).
int Compare(const Literal& a, const Literal& b);

// The unscaled value of a decimal literal (its `s` bytes read as big-endian two's complement;
// 0 for null or empty).
__int128 DecimalUnscaled(const Literal& v);

// Binary single-value serialization (Iceberg spec, Appendix D): little-endian ints, longs,
// floats, doubles; days / micros as int / long; UTF-8 bytes; raw bytes; big-endian uuid;
// minimal big-endian two's complement decimals. Null serializes to "" (callers omit it).
std::string ToBinary(const Literal& v);
// Also reads the 4-byte form of a promoted column (int -> long, float -> double) that older
// files hold, and re-encodes padded decimals minimally. Errors: kCorruption (wrong length for
// the type, e.g. a 3-byte int; a decimal beyond 128 bits), kInvalidArgument (a nested type).
Result<Literal> FromBinary(const PrimitiveType& type, std::string_view bytes);

// JSON single-value serialization (Appendix D; used in REST payloads and default values) as
// JSON text: true, 34, 1.5, "2017-11-16", "22:31:08.123456", "2017-11-16T22:31:08.000001",
// "2017-11-16T22:31:08.000001+00:00", "iceberg", "f79c3e09-677c-4bbd-a479-3f349cb785e7", hex
// "78797A" for binary/fixed, "14.20" for decimals; null.
std::string ToJson(const Literal& v);
// Errors: kInvalidArgument (the JSON does not hold a value of `type`).
Result<Literal> FromJson(const PrimitiveType& type, std::string_view json);

}  // namespace tarn::iceberg
