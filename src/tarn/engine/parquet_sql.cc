#include "tarn/engine/parquet_sql.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "tarn/engine/iceberg_read.h"
#include "tarn/iceberg/transforms.h"

namespace tarn::engine::parquet_sql {
namespace {

using schema::TypeId;

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? std::string(sep) : "") + parts[i];
  return out;
}

std::string FieldIdValue(const schema::NestedField& field) {
  const schema::Type& t = *field.type;
  std::vector<std::string> children;
  if (t.id == TypeId::kStruct) {
    for (const auto& f : t.fields) children.push_back(QuoteText(f.name) + ": " + FieldIdValue(f));
  } else if (t.id == TypeId::kList) {
    children.push_back("'element': " + FieldIdValue(t.element));
  } else if (t.id == TypeId::kMap) {
    children.push_back("'key': " + FieldIdValue(t.key));
    children.push_back("'value': " + FieldIdValue(t.value));
  } else {
    return std::to_string(field.id);
  }
  return "{'__duckdb_field_id': " + std::to_string(field.id) + ", " + Join(children, ", ") + "}";
}

Result<std::vector<std::string>> OutputColumns(DuckDb& db, const std::string& select_sql) {
  std::vector<std::string> columns;
  Status st =
      db.Query("SELECT column_name FROM (DESCRIBE " + select_sql + ")", {}, [&](const Row& row) {
        columns.push_back(row[0].value_or(""));
        return Status::OK();
      });
  if (!st.ok()) return st.WithContext("query to write");
  return columns;
}

// The field with `id` reached through structs only (partition sources cannot sit in lists or
// maps), and the names on the way.
const schema::NestedField* FindInStructs(const std::vector<schema::NestedField>& fields, int id,
                                         std::vector<std::string>* path) {
  for (const auto& f : fields) {
    path->push_back(f.name);
    if (f.id == id) return &f;
    if (f.type->id == TypeId::kStruct) {
      if (const auto* found = FindInStructs(f.type->fields, id, path)) return found;
    }
    path->pop_back();
  }
  return nullptr;
}

std::string ColumnRef(const std::vector<std::string>& path) {
  std::string ref = QuoteIdent(path[0]);
  for (size_t i = 1; i < path.size(); ++i)
    ref = "struct_extract(" + ref + ", " + QuoteText(path[i]) + ")";
  return ref;
}

// The instant's UTC wall clock as a TIMESTAMP (year() and casts of a TIMESTAMPTZ would follow
// the session's time zone).
std::string UtcWallClock(const iceberg::PrimitiveType& type, const std::string& ref) {
  return type.id == TypeId::kTimestampTz ? "make_timestamp(epoch_us(" + ref + "))" : ref;
}

std::string BucketSql(const iceberg::PrimitiveType& type, const std::string& ref, int n) {
  std::string arg;
  switch (type.id) {
    case TypeId::kDecimal:
      return "tarn_iceberg_bucket_decimal(CAST(" + ref + " AS VARCHAR), " + std::to_string(n) + ")";
    case TypeId::kDate:
      arg = "(" + ref + " - DATE '1970-01-01')";
      break;
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      arg = "epoch_us(" + ref + ")";
      break;
    case TypeId::kString:
      arg = "encode(" + ref + ")";
      break;
    case TypeId::kUuid:
      arg = "unhex(replace(CAST(" + ref + " AS VARCHAR), '-', ''))";
      break;
    case TypeId::kBinary:
    case TypeId::kFixed:
      arg = ref;
      break;
    default:
      arg = "CAST(" + ref + " AS BIGINT)";  // int, long
  }
  return "tarn_iceberg_bucket(" + arg + ", " + std::to_string(n) + ")";
}

// W as a decimal of `scale` digits: truncate[W] works on the unscaled value.
std::string DecimalWidth(int width, int scale) {
  std::string digits = std::to_string(width);
  if (scale == 0) return digits;
  if (static_cast<int>(digits.size()) <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  return digits.insert(digits.size() - scale, ".");
}

std::string TruncateSql(const iceberg::PrimitiveType& type, const std::string& ref, int width) {
  std::string w = std::to_string(width);
  auto floor_to = [](const std::string& v, const std::string& w) {
    return "(" + v + " - ((" + v + " % " + w + ") + " + w + ") % " + w + ")";
  };
  switch (type.id) {
    case TypeId::kString:
      return "hex(left(" + ref + ", " + w + "))";
    case TypeId::kBinary:
      return "left(hex(" + ref + "), " + std::to_string(2 * int64_t{width}) + ")";
    case TypeId::kDecimal: {
      std::string dw = "CAST('" + DecimalWidth(width, type.scale) + "' AS DECIMAL(38," +
                       std::to_string(type.scale) + "))";
      return "CAST(CAST(" + floor_to(ref, dw) + " AS " + DuckDbPrimitiveType(type) +
             ") AS VARCHAR)";
    }
    case TypeId::kLong:
      return "CAST(" + floor_to("CAST(" + ref + " AS HUGEINT)", w) + " AS VARCHAR)";
    default:
      return "CAST(" + floor_to("CAST(" + ref + " AS BIGINT)", w) + " AS VARCHAR)";
  }
}

std::optional<std::string> TransformSql(const iceberg::Transform& t,
                                        const iceberg::PrimitiveType& source,
                                        const std::string& ref) {
  std::string wall = UtcWallClock(source, ref);
  std::string micros = "epoch_us(" + ref + ")";
  switch (t.kind) {
    case iceberg::Transform::kIdentity:
      return NormalizedText(source, ref, true);
    case iceberg::Transform::kVoid:
      return std::nullopt;
    case iceberg::Transform::kYear:
      return "CAST(year(" + wall + ") - 1970 AS VARCHAR)";
    case iceberg::Transform::kMonth:
      return "CAST((year(" + wall + ") - 1970) * 12 + month(" + wall + ") - 1 AS VARCHAR)";
    case iceberg::Transform::kDay:
      return "CAST(CAST(" + wall + " AS DATE) - DATE '1970-01-01' AS VARCHAR)";
    case iceberg::Transform::kHour:
      return "CAST((" + micros + " - ((" + micros + " % 3600000000) + 3600000000) % 3600000000)" +
             " // 3600000000 AS VARCHAR)";
    case iceberg::Transform::kBucket:
      return "CAST(" + BucketSql(source, ref, t.param) + " AS VARCHAR)";
    case iceberg::Transform::kTruncate:
      return TruncateSql(source, ref, t.param);
  }
  return std::nullopt;
}

Result<std::string> HexDecode(std::string_view hex) {
  auto nibble = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2) return InvalidArgument("odd-length hex text " + std::string(hex));
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument("not hex: " + std::string(hex));
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

Result<int64_t> ParseInteger(std::string_view text, int64_t lo, int64_t hi) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) {
    return InvalidArgument("not an integer in range: " + std::string(text));
  }
  return v;
}

Result<iceberg::Literal> IntegerLiteral(TypeId id, std::string_view text) {
  constexpr int64_t kMin32 = INT32_MIN, kMax32 = INT32_MAX;
  bool narrow = id == TypeId::kInt || id == TypeId::kDate;
  TARN_ASSIGN_OR_RETURN(
      int64_t v, ParseInteger(text, narrow ? kMin32 : INT64_MIN, narrow ? kMax32 : INT64_MAX));
  switch (id) {
    case TypeId::kInt:
      return iceberg::Literal::Int(static_cast<int32_t>(v));
    case TypeId::kDate:
      return iceberg::Literal::Date(static_cast<int32_t>(v));
    case TypeId::kTime:
      return iceberg::Literal::Time(v);
    case TypeId::kTimestamp:
      return iceberg::Literal::Timestamp(v);
    case TypeId::kTimestampTz:
      return iceberg::Literal::TimestampTz(v);
    default:
      return iceberg::Literal::Long(v);
  }
}

Result<iceberg::Literal> BytesLiteral(const iceberg::PrimitiveType& type, std::string_view text,
                                      bool hex) {
  std::string bytes(text);
  if (hex || type.id == TypeId::kUuid) {
    TARN_ASSIGN_OR_RETURN(bytes, HexDecode(text));
  }
  switch (type.id) {
    case TypeId::kString:
      return iceberg::Literal::String(std::move(bytes));
    case TypeId::kBinary:
      return iceberg::Literal::Binary(std::move(bytes));
    case TypeId::kFixed: {
      if (static_cast<int>(bytes.size()) != type.length) {
        return InvalidArgument("a " + type.ToString() + " value of " +
                               std::to_string(bytes.size()) + " bytes");
      }
      return iceberg::Literal::Fixed(std::move(bytes));
    }
    default: {
      if (bytes.size() != 16) return InvalidArgument("not a uuid: " + std::string(text));
      return iceberg::Literal::Uuid(std::move(bytes));
    }
  }
}

}  // namespace

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string QuoteText(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string DuckDbPrimitiveType(const iceberg::PrimitiveType& type) {
  schema::Type t;
  t.id = type.id;
  t.precision = type.precision;
  t.scale = type.scale;
  t.length = type.length;
  return DuckDbType(t);
}

std::string FieldIdsOption(const std::vector<schema::NestedField>& fields) {
  std::vector<std::string> parts;
  for (const auto& f : fields) parts.push_back(QuoteText(f.name) + ": " + FieldIdValue(f));
  return "FIELD_IDS {" + Join(parts, ", ") + "}";
}

Result<std::string> ProjectOntoSchema(DuckDb& db, const std::string& select_sql,
                                      const schema::Schema& schema,
                                      const std::vector<std::string>& pass_through) {
  TARN_ASSIGN_OR_RETURN(std::vector<std::string> columns, OutputColumns(db, select_sql));
  for (const auto& c : columns) {
    auto named = [&](const schema::NestedField& f) { return f.name == c; };
    bool passed = std::find(pass_through.begin(), pass_through.end(), c) != pass_through.end();
    if (!passed && std::none_of(schema.fields().begin(), schema.fields().end(), named)) {
      return InvalidArgument("query column " + c + " is not a field of the table schema");
    }
  }
  std::vector<std::string> items;
  for (const auto& f : schema.fields()) {
    bool present = std::find(columns.begin(), columns.end(), f.name) != columns.end();
    if (!present && f.required) {
      return InvalidArgument("required field " + f.name + " is missing from the query");
    }
    std::string value =
        "CAST(" + (present ? QuoteIdent(f.name) : "NULL") + " AS " + DuckDbType(*f.type) + ")";
    if (f.required) {
      value = "CASE WHEN " + QuoteIdent(f.name) + " IS NULL THEN error(" +
              QuoteText("required field " + f.name + " is NULL") + ") ELSE " + value + " END";
    }
    items.push_back(value + " AS " + QuoteIdent(f.name));
  }
  for (const auto& c : pass_through) items.push_back(QuoteIdent(c));
  return "SELECT " + Join(items, ", ") + " FROM (" + select_sql + ") AS __tarn_src";
}

Result<std::vector<PartitionColumn>> PartitionColumns(const iceberg::PartitionSpec& spec,
                                                      const schema::Schema& schema) {
  std::vector<PartitionColumn> columns;
  for (const auto& field : spec.fields) {
    std::string context = "partition field " + field.name;
    std::vector<std::string> path;
    const auto* source = FindInStructs(schema.fields(), field.source_id, &path);
    if (!source) {
      return InvalidArgument(context + ": source field id " + std::to_string(field.source_id) +
                             " is not a field of the schema outside lists and maps");
    }
    auto source_type = iceberg::PrimitiveType::From(*source->type);
    if (!source_type.ok()) return source_type.status().WithContext(context);
    auto result_type = iceberg::ResultType(field.transform, *source_type);
    if (!result_type.ok()) return result_type.status().WithContext(context);
    columns.push_back({TransformSql(field.transform, *source_type, ColumnRef(path)), *result_type});
  }
  return columns;
}

std::string NormalizedText(const iceberg::PrimitiveType& type, const std::string& expr,
                           bool hex_bytes) {
  switch (type.id) {
    case TypeId::kDate:
      return "CAST((" + expr + ") - DATE '1970-01-01' AS VARCHAR)";
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return "CAST(epoch_us(" + expr + ") AS VARCHAR)";
    case TypeId::kUuid:
      return "replace(CAST(" + expr + " AS VARCHAR), '-', '')";
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed:
      return hex_bytes ? "hex(" + expr + ")" : "CAST(" + expr + " AS VARCHAR)";
    default:
      return "CAST(" + expr + " AS VARCHAR)";
  }
}

Result<iceberg::Literal> LiteralFromText(const iceberg::PrimitiveType& type, std::string_view text,
                                         bool hex_bytes) {
  switch (type.id) {
    case TypeId::kBoolean:
      if (text != "true" && text != "false")
        return InvalidArgument("not a boolean: " + std::string(text));
      return iceberg::Literal::Boolean(text == "true");
    case TypeId::kFloat:
      return iceberg::Literal::Float(std::strtof(std::string(text).c_str(), nullptr));
    case TypeId::kDouble:
      return iceberg::Literal::Double(std::strtod(std::string(text).c_str(), nullptr));
    case TypeId::kDecimal:
      return iceberg::Literal::Decimal(text, type.precision, type.scale);
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed:
    case TypeId::kUuid:
      return BytesLiteral(type, text, hex_bytes);
    default:
      return IntegerLiteral(type.id, text);
  }
}

}  // namespace tarn::engine::parquet_sql
