#include "tarn/engine/filter_sql.h"

#include "tarn/engine/parquet_sql.h"
#include "tarn/iceberg/scan_filter.h"

namespace tarn::engine {
namespace {

using iceberg::Op;
using parquet_sql::QuoteIdent;
using parquet_sql::QuoteText;
using schema::TypeId;

// Names from the top level down to the field with `id`, through struct fields only (BindFilter
// accepts no other nesting).
bool PathTo(const std::vector<schema::NestedField>& fields, int id,
            std::vector<std::string>* path) {
  for (const schema::NestedField& f : fields) {
    path->push_back(f.name);
    if (f.id == id) return true;
    if (f.type->id == TypeId::kStruct && PathTo(f.type->fields, id, path)) return true;
    path->pop_back();
  }
  return false;
}

std::string ColumnSql(const schema::Schema& schema, int id) {
  std::vector<std::string> path;
  PathTo(schema.fields(), id, &path);
  std::string ref = QuoteIdent(path.empty() ? std::string() : path[0]);
  for (size_t i = 1; i < path.size(); ++i) {
    ref = "struct_extract(" + ref + ", " + QuoteText(path[i]) + ")";
  }
  return ref;
}

// A value as DuckDB's text form of a BLOB: every byte as \xHH.
std::string BlobText(std::string_view bytes) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
  return out;
}

std::string Cast(const std::string& text, const iceberg::PrimitiveType& type) {
  return "CAST(" + text + " AS " + parquet_sql::DuckDbPrimitiveType(type) + ")";
}

std::string PredicateSql(const iceberg::BoundPredicate& bp, const std::string& column) {
  const iceberg::Predicate& p = bp.pred;
  switch (p.op) {
    case Op::kIsNull:
      return column + " IS NULL";
    case Op::kNotNull:
      return column + " IS NOT NULL";
    case Op::kIn: {
      std::string list;
      for (const iceberg::Literal& v : p.values) list += (list.empty() ? "" : ", ") + LiteralSql(v);
      return column + " IN (" + list + ")";
    }
    default:
      return column + " " + std::string(iceberg::OpName(p.op)) + " " + LiteralSql(p.values[0]);
  }
}

}  // namespace

std::string LiteralSql(const iceberg::Literal& v) {
  if (v.is_null) return Cast("NULL", v.type);
  std::string i = std::to_string(v.i);
  switch (v.type.id) {
    case TypeId::kBoolean:
      return v.i ? "TRUE" : "FALSE";
    case TypeId::kInt:
    case TypeId::kLong:
      return Cast(i, v.type);
    case TypeId::kDate:
      return "CAST(DATE '1970-01-01' + " + i + " AS DATE)";
    case TypeId::kTimestamp:
      return "make_timestamp(CAST(" + i + " AS BIGINT))";
    case TypeId::kTimestampTz:
      return "make_timestamptz(CAST(" + i + " AS BIGINT))";
    case TypeId::kString:
      return QuoteText(v.s);
    case TypeId::kBinary:
    case TypeId::kFixed:
      return Cast(QuoteText(BlobText(v.s)), v.type);
    default:  // float, double, decimal, time, uuid: from their exact text
      return Cast(QuoteText(v.ToString()), v.type);
  }
}

Result<std::string> FilterSql(const iceberg::Filter& filter, const schema::Schema& schema) {
  TARN_ASSIGN_OR_RETURN(std::vector<iceberg::BoundPredicate> bound,
                        iceberg::BindFilter(filter, schema));
  if (bound.empty()) return std::string("TRUE");
  std::string sql;
  for (const iceberg::BoundPredicate& bp : bound) {
    sql += (sql.empty() ? "(" : " AND (") + PredicateSql(bp, ColumnSql(schema, bp.pred.field_id)) +
           ")";
  }
  return sql;
}

}  // namespace tarn::engine
