#include "tarn/pgwire/types.h"

namespace tarn::pgwire {
namespace {

struct TypeInfo {
  int32_t oid;
  int32_t array_oid;
  int16_t size;
  const char* name;
  const char* array_name;
};

// The types tarn sends, with PostgreSQL's OIDs (pg_type.dat).
constexpr TypeInfo kTypes[] = {
    {oid::kBool, 1000, 1, "bool", "_bool"},
    {oid::kBytea, 1001, -1, "bytea", "_bytea"},
    {oid::kChar, 1002, 1, "char", "_char"},
    {oid::kName, 1003, 64, "name", "_name"},
    {oid::kInt8, 1016, 8, "int8", "_int8"},
    {oid::kInt2, 1005, 2, "int2", "_int2"},
    {oid::kInt4, 1007, 4, "int4", "_int4"},
    {oid::kText, 1009, -1, "text", "_text"},
    {oid::kOid, 1028, 4, "oid", "_oid"},
    {oid::kJson, 199, -1, "json", "_json"},
    {oid::kFloat4, 1021, 4, "float4", "_float4"},
    {oid::kFloat8, 1022, 8, "float8", "_float8"},
    {oid::kUnknown, 0, -2, "unknown", ""},
    {oid::kBpchar, 1014, -1, "bpchar", "_bpchar"},
    {oid::kVarchar, 1015, -1, "varchar", "_varchar"},
    {oid::kDate, 1182, 4, "date", "_date"},
    {oid::kTime, 1183, 8, "time", "_time"},
    {oid::kTimestamp, 1115, 8, "timestamp", "_timestamp"},
    {oid::kTimestampTz, 1185, 8, "timestamptz", "_timestamptz"},
    {oid::kInterval, 1187, 16, "interval", "_interval"},
    {oid::kNumeric, 1231, -1, "numeric", "_numeric"},
    {oid::kUuid, 2951, 16, "uuid", "_uuid"},
    {oid::kJsonb, 3807, -1, "jsonb", "_jsonb"},
};

const TypeInfo* Find(int32_t oid) {
  for (const TypeInfo& t : kTypes) {
    if (t.oid == oid) return &t;
  }
  return nullptr;
}

}  // namespace

int32_t ScalarOid(query::ColumnType type) {
  using query::ColumnType;
  switch (type) {
    case ColumnType::kBoolean:
      return oid::kBool;
    case ColumnType::kTinyInt:
    case ColumnType::kSmallInt:
    case ColumnType::kUTinyInt:
      return oid::kInt2;
    case ColumnType::kInteger:
    case ColumnType::kUSmallInt:
      return oid::kInt4;
    case ColumnType::kBigInt:
    case ColumnType::kUInteger:
      return oid::kInt8;
    case ColumnType::kHugeInt:
    case ColumnType::kUBigInt:
    case ColumnType::kDecimal:
      return oid::kNumeric;
    case ColumnType::kFloat:
      return oid::kFloat4;
    case ColumnType::kDouble:
      return oid::kFloat8;
    case ColumnType::kVarchar:
      return oid::kText;
    case ColumnType::kBlob:
      return oid::kBytea;
    case ColumnType::kUuid:
      return oid::kUuid;
    case ColumnType::kDate:
      return oid::kDate;
    case ColumnType::kTime:
      return oid::kTime;
    case ColumnType::kTimestamp:
      return oid::kTimestamp;
    case ColumnType::kTimestampTz:
      return oid::kTimestampTz;
    case ColumnType::kInterval:
      return oid::kInterval;
    case ColumnType::kList:
    case ColumnType::kStruct:
    case ColumnType::kMap:
    case ColumnType::kOther:
      return oid::kText;
  }
  return oid::kText;
}

PgType PgTypeOf(const query::Column& column) {
  PgType t;
  if (column.type == query::ColumnType::kList) {
    if (!column.element || *column.element == query::ColumnType::kList ||
        *column.element == query::ColumnType::kStruct ||
        *column.element == query::ColumnType::kMap) {
      return t;  // text
    }
    t.element = ScalarOid(*column.element);
    t.oid = ArrayOidOf(t.element);
    if (t.oid == 0) return PgType{};
    return t;
  }
  t.oid = ScalarOid(column.type);
  t.size = PgTypeSize(t.oid);
  if (column.type == query::ColumnType::kDecimal && column.precision > 0) {
    t.modifier = ((column.precision << 16) | column.scale) + 4;
  }
  return t;
}

int32_t ArrayOidOf(int32_t element_oid) {
  const TypeInfo* t = Find(element_oid);
  return t ? t->array_oid : 0;
}

int32_t ElementOidOf(int32_t array_oid) {
  for (const TypeInfo& t : kTypes) {
    if (t.array_oid == array_oid && array_oid != 0) return t.oid;
  }
  return 0;
}

const char* PgTypeName(int32_t oid) {
  for (const TypeInfo& t : kTypes) {
    if (t.oid == oid) return t.name;
    if (t.array_oid == oid && oid != 0) return t.array_name;
  }
  return "text";
}

int16_t PgTypeSize(int32_t oid) {
  const TypeInfo* t = Find(oid);
  return t ? t->size : -1;
}

}  // namespace tarn::pgwire
