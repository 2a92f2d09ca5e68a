// PostgreSQL types for query results: the type OID, size and modifier of every
// query::ColumnType, and the names clients see for them. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "tarn/query/query_service.h"

namespace tarn::pgwire {

namespace oid {
inline constexpr int32_t kUnspecified = 0;
inline constexpr int32_t kBool = 16;
inline constexpr int32_t kBytea = 17;
inline constexpr int32_t kChar = 18;
inline constexpr int32_t kName = 19;
inline constexpr int32_t kInt8 = 20;
inline constexpr int32_t kInt2 = 21;
inline constexpr int32_t kInt4 = 23;
inline constexpr int32_t kText = 25;
inline constexpr int32_t kOid = 26;
inline constexpr int32_t kJson = 114;
inline constexpr int32_t kFloat4 = 700;
inline constexpr int32_t kFloat8 = 701;
inline constexpr int32_t kUnknown = 705;
inline constexpr int32_t kBpchar = 1042;
inline constexpr int32_t kVarchar = 1043;
inline constexpr int32_t kDate = 1082;
inline constexpr int32_t kTime = 1083;
inline constexpr int32_t kTimestamp = 1114;
inline constexpr int32_t kTimestampTz = 1184;
inline constexpr int32_t kInterval = 1186;
inline constexpr int32_t kNumeric = 1700;
inline constexpr int32_t kUuid = 2950;
inline constexpr int32_t kJsonb = 3802;
}  // namespace oid

// How a result column travels.
struct PgType {
  int32_t oid = oid::kText;
  int16_t size = -1;      // typlen: bytes for fixed-size types, -1 for variable length
  int32_t modifier = -1;  // typmod: numeric (precision << 16 | scale) + 4, else -1
  int32_t element = 0;    // for arrays: the element type's OID, else 0
};

// The scalar OID of a column type (unsigned types widen: utinyint -> int2, usmallint -> int4,
// uinteger -> int8, ubigint and hugeint -> numeric; struct, map and other -> text).
int32_t ScalarOid(query::ColumnType type);
// The result type of a column: lists of a scalar type become that type's array (int4[] 1007,
// text[] 1009, ...); nested lists, structs and maps travel as text.
PgType PgTypeOf(const query::Column& column);
// The array type of a scalar OID, or 0 if tarn has none.
int32_t ArrayOidOf(int32_t element_oid);
// The element type of an array OID, or 0 if `array_oid` is not an array tarn knows.
int32_t ElementOidOf(int32_t array_oid);
// PostgreSQL's name for a type OID ("int4", "_int4" for arrays, "text" when unknown).
const char* PgTypeName(int32_t oid);
// Size in bytes of a fixed-size type, -1 otherwise.
int16_t PgTypeSize(int32_t oid);

}  // namespace tarn::pgwire
