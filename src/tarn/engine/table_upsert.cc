// UpsertIntoTable (table_writer.h): the incoming rows are materialized once in a DuckDB
// temporary table (so a query that is not deterministic is read once), checked for NULL and
// duplicate keys, joined against the live rows of the candidate data files to find the rows
// they replace, and written as new data files.
#include <algorithm>

#include "tarn/engine/iceberg_read.h"
#include "tarn/engine/parquet_sql.h"
#include "tarn/engine/parquet_writer.h"
#include "tarn/engine/table_writer.h"
#include "tarn/engine/table_writer_internal.h"
#include "tarn/iceberg/scan.h"

namespace tarn::engine {
namespace {

using parquet_sql::QuoteIdent;
using schema::TypeId;
using table_writer_internal::PositionDeletes;
using table_writer_internal::QueryInt;
using table_writer_internal::TargetOf;
using table_writer_internal::TempTable;
using table_writer_internal::WriteTarget;
using table_writer_internal::WrittenFiles;

struct Key {
  const schema::NestedField* field;
  iceberg::PrimitiveType type;
  std::string column;  // quoted
};

Result<std::vector<Key>> KeyColumns(const schema::Schema& schema,
                                    const std::vector<std::string>& names) {
  if (names.empty()) return InvalidArgument("no key columns given");
  std::vector<Key> keys;
  for (const std::string& name : names) {
    auto it = std::find_if(schema.fields().begin(), schema.fields().end(),
                           [&](const schema::NestedField& f) { return f.name == name; });
    if (it == schema.fields().end()) {
      return InvalidArgument("key column " + name + " is not a top-level column");
    }
    auto type = iceberg::PrimitiveType::From(*it->type);
    if (!type.ok()) return InvalidArgument("key column " + name + " is not primitive");
    if (std::any_of(keys.begin(), keys.end(), [&](const Key& k) { return k.field == &*it; })) {
      return InvalidArgument("key column " + name + " is given twice");
    }
    keys.push_back({&*it, *type, QuoteIdent(name)});
  }
  return keys;
}

// "a = b AND ..." over the key columns of two aliases; `right_alias_keys` names the right
// side's columns _k0, _k1, ... instead of by name.
std::string KeysEqual(const std::vector<Key>& keys, const std::string& left,
                      const std::string& right, bool right_alias_keys = false) {
  std::string sql;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string r = right_alias_keys ? "_k" + std::to_string(i) : keys[i].column;
    sql += (i ? " AND " : "") + (left + "." + keys[i].column + " = " + right + "." + r);
  }
  return sql;
}

std::string KeyNames(const std::vector<Key>& keys) {
  std::string out;
  for (const Key& k : keys) out += (out.empty() ? "" : ", ") + k.field->name;
  return keys.size() == 1 ? out : "(" + out + ")";
}

// Errors for incoming keys that are NULL or appear more than once.
Status CheckKeys(DuckDb& db, const std::string& rows, const std::vector<Key>& keys) {
  std::string any_null, columns, shown;
  for (const Key& k : keys) {
    any_null += (any_null.empty() ? "" : " OR ") + k.column + " IS NULL";
    columns += (columns.empty() ? "" : ", ") + k.column;
    shown += (shown.empty() ? "" : " || ', ' || ") + ("CAST(" + k.column + " AS VARCHAR)");
  }
  TARN_ASSIGN_OR_RETURN(int64_t nulls,
                        QueryInt(db, "SELECT count(*) FROM " + rows + " WHERE " + any_null));
  if (nulls > 0) {
    return InvalidArgument("key " + KeyNames(keys) + " is NULL in " + std::to_string(nulls) +
                           " incoming rows");
  }
  bool found = false;
  std::string value, times;
  TARN_RETURN_IF_ERROR(db.Query("SELECT " + shown + ", CAST(count(*) AS VARCHAR) FROM " + rows +
                                    " GROUP BY " + columns + " HAVING count(*) > 1 LIMIT 1",
                                {}, [&](const Row& r) {
                                  found = true;
                                  value = r[0].value_or("");
                                  times = r[1].value_or("");
                                  return Status::OK();
                                }));
  if (!found) return Status::OK();
  return InvalidArgument("key " + KeyNames(keys) + " = " +
                         (keys.size() == 1 ? value : "(" + value + ")") + " appears " + times +
                         " times among the incoming rows; deduplicate them first");
}

// The filter that prunes the candidate data files: the incoming keys' range, for one key
// column of a type whose order scan planning and DuckDB agree on (floats may hold NaN).
Result<iceberg::Filter> KeyRange(DuckDb& db, const std::string& rows,
                                 const std::vector<Key>& keys) {
  iceberg::Filter filter;
  const Key& k = keys[0];
  if (keys.size() != 1 || k.type.id == TypeId::kFloat || k.type.id == TypeId::kDouble ||
      k.type.id == TypeId::kBoolean) {
    return filter;
  }
  std::optional<std::string> lo, hi;
  TARN_RETURN_IF_ERROR(db.Query(
      "SELECT " + parquet_sql::NormalizedText(k.type, "min(" + k.column + ")", true) + ", " +
          parquet_sql::NormalizedText(k.type, "max(" + k.column + ")", true) + " FROM " + rows,
      {}, [&](const Row& r) {
        lo = r[0];
        hi = r[1];
        return Status::OK();
      }));
  if (!lo || !hi) return filter;
  TARN_ASSIGN_OR_RETURN(iceberg::Literal low, parquet_sql::LiteralFromText(k.type, *lo, true));
  TARN_ASSIGN_OR_RETURN(iceberg::Literal high, parquet_sql::LiteralFromText(k.type, *hi, true));
  filter.push_back({"", k.field->id, iceberg::Op::kGtEq, {low}});
  filter.push_back({"", k.field->id, iceberg::Op::kLtEq, {high}});
  return filter;
}

// (file_path, pos, _k0, _k1, ...) of the live rows of `scan` whose key is among `rows`'.
std::string MatchesSql(const std::string& scan, const std::string& rows,
                       const std::vector<Key>& keys) {
  std::string columns;
  for (size_t i = 0; i < keys.size(); ++i) {
    columns += ", _r." + keys[i].column + " AS _k" + std::to_string(i);
  }
  return std::string("SELECT _r.") + kRowFileColumn + " AS file_path, _r." + kRowPosColumn +
         " AS pos" + columns + " FROM (" + scan + ") AS _r SEMI JOIN " + rows + " AS _i ON " +
         KeysEqual(keys, "_r", "_i");
}

// Position deletes for the live rows whose key is among the incoming ones; `staged` keeps
// them with their keys.
Result<PositionDeletes> ReplacedRows(DuckDb& db, const iceberg::TableMetadata& md,
                                     iceberg::FileIO& io, const std::string& rows,
                                     const std::vector<Key>& keys, const WriteTarget& target,
                                     TempTable& staged, WrittenFiles* written) {
  TARN_ASSIGN_OR_RETURN(iceberg::Filter filter, KeyRange(db, rows, keys));
  TARN_ASSIGN_OR_RETURN(iceberg::ScanPlan plan,
                        iceberg::PlanScan(md, md.CurrentSnapshot(), filter, io));
  if (plan.tasks.empty()) return PositionDeletes{};
  TARN_ASSIGN_OR_RETURN(std::string scan, IcebergScanSql(plan, *md.CurrentSchema(), io,
                                                         ScanSqlOptions{.row_positions = true}));
  return table_writer_internal::WriteDeletes(db, md, plan, MatchesSql(scan, rows, keys), target,
                                             staged, written);
}

// The incoming rows whose key matched a live row (kept in `staged` by ReplacedRows).
Result<int64_t> CountReplaced(DuckDb& db, const std::string& rows, const PositionDeletes& deletes,
                              const std::string& staged, const std::vector<Key>& keys) {
  if (deletes.files.empty()) return int64_t{0};
  return QueryInt(db, "SELECT count(*) FROM " + rows + " AS _i SEMI JOIN " + staged + " AS _m ON " +
                          KeysEqual(keys, "_i", "_m", true));
}

Result<WriteResult> Upsert(DuckDb& db, iceberg::Table& table, const std::string& select_sql,
                           const std::vector<std::string>& key_columns,
                           const iceberg::SummaryProps& props) {
  const iceberg::TableMetadata& md = table.metadata();
  const schema::Schema* schema = md.CurrentSchema();
  if (!schema || !md.DefaultSpec()) {
    return Status(ErrorCode::kCorruption, "no current schema or default spec");
  }
  TARN_ASSIGN_OR_RETURN(std::vector<Key> keys, KeyColumns(*schema, key_columns));
  TARN_ASSIGN_OR_RETURN(WriteTarget target, TargetOf(table));
  TARN_ASSIGN_OR_RETURN(std::string projected,
                        parquet_sql::ProjectOntoSchema(db, select_sql, *schema));
  TempTable rows(db, "_tarn_upsert_rows_");
  TARN_RETURN_IF_ERROR(rows.CreateAs(projected));
  WriteResult out;
  TARN_ASSIGN_OR_RETURN(int64_t incoming, QueryInt(db, "SELECT count(*) FROM " + rows.name()));
  if (incoming == 0) return out;
  TARN_RETURN_IF_ERROR(CheckKeys(db, rows.name(), keys));
  WrittenFiles written(table.io());
  TempTable staged(db, "_tarn_upsert_deletes_");
  TARN_ASSIGN_OR_RETURN(PositionDeletes deletes, ReplacedRows(db, md, table.io(), rows.name(), keys,
                                                              target, staged, &written));
  TARN_ASSIGN_OR_RETURN(
      std::vector<iceberg::DataFile> data,
      WriteDataFiles(db, "SELECT * FROM " + rows.name(), *schema, *md.DefaultSpec(),
                     target.data_dir, target.location_prefix, target.options));
  written.Add(data);
  TARN_ASSIGN_OR_RETURN(out.rows_replaced,
                        CountReplaced(db, rows.name(), deletes, staged.name(), keys));
  TARN_ASSIGN_OR_RETURN(out.snapshot_id,
                        written.KeepIfCommitted(table.RowDelta(data, deletes.files, props)));
  out.data_files = static_cast<int64_t>(data.size());
  out.delete_files = static_cast<int64_t>(deletes.files.size());
  out.rows_written = incoming;
  out.rows_deleted = deletes.rows;
  out.rows_inserted = incoming - out.rows_replaced;
  return out;
}

}  // namespace

Result<WriteResult> UpsertIntoTable(DuckDb& db, iceberg::Table& table,
                                    const std::string& select_sql,
                                    const std::vector<std::string>& key_columns,
                                    const iceberg::SummaryProps& props) {
  TARN_RETURN_IF_ERROR(table.Refresh());
  std::string context = "upsert into table " + table.metadata().location;
  auto result = Upsert(db, table, select_sql, key_columns, props);
  if (!result.ok()) return result.status().WithContext(context);
  return result;
}

}  // namespace tarn::engine
