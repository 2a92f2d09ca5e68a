// UpsertIntoTable and ApplyChangesToTable (table_writer.h): the incoming rows are
// materialized once in a DuckDB temporary table (so a query that is not deterministic is read
// once), checked for NULL and duplicate keys, joined against the live rows of the candidate
// data files (pruned by the keys' range) to find the rows they replace or delete — and, with a
// version column, the incoming rows that are older than the live row (skipped) — and the rows
// that are not deletes are written as new data files.
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

// (file_path, pos, _k0, _k1, ..., _v) of the live rows of `scan` whose key is among `rows'`;
// _v is the version column's value (NULL without one).
std::string LiveRowsSql(const std::string& scan, const std::string& rows,
                        const std::vector<Key>& keys, const std::string& version) {
  std::string columns;
  for (size_t i = 0; i < keys.size(); ++i) {
    columns += ", _r." + keys[i].column + " AS _k" + std::to_string(i);
  }
  columns += version.empty() ? ", NULL AS _v" : ", _r." + version + " AS _v";
  return std::string("SELECT _r.") + kRowFileColumn + " AS file_path, _r." + kRowPosColumn +
         " AS pos" + columns + " FROM (" + scan + ") AS _r SEMI JOIN " + rows + " AS _i ON " +
         KeysEqual(keys, "_r", "_i");
}

// Checks the change columns against the incoming rows and the schema; returns them quoted.
Result<ChangeColumns> QuotedChangeColumns(DuckDb& db, const std::string& rows,
                                          const schema::Schema& schema,
                                          const ChangeColumns& changes) {
  ChangeColumns quoted;
  if (!changes.version_column.empty()) {
    if (schema.FindByName(changes.version_column) == nullptr) {
      return InvalidArgument("version column " + changes.version_column + " is not in the table");
    }
    quoted.version_column = QuoteIdent(changes.version_column);
  }
  if (!changes.delete_column.empty()) {
    quoted.delete_column = QuoteIdent(changes.delete_column);
    TARN_ASSIGN_OR_RETURN(StatementShape shape,
                          db.Describe("SELECT " + quoted.delete_column + " FROM " + rows));
    if (shape.columns.size() != 1 || shape.columns[0].type != ColumnType::kBoolean) {
      return InvalidArgument("delete column " + changes.delete_column + " is not BOOLEAN");
    }
    TARN_ASSIGN_OR_RETURN(int64_t nulls, QueryInt(db, "SELECT count(*) FROM " + rows + " WHERE " +
                                                          quoted.delete_column + " IS NULL"));
    if (nulls > 0) return InvalidArgument("delete column " + changes.delete_column + " is NULL");
  }
  return quoted;
}

// The live rows of the incoming keys (LiveRowsSql), in `live`, and the plan of the candidate
// data files (no tasks: no live row can match, `live` is not created).
Result<iceberg::ScanPlan> FindLiveRows(DuckDb& db, const iceberg::TableMetadata& md,
                                       iceberg::FileIO& io, const std::string& rows,
                                       const std::vector<Key>& keys, const std::string& version,
                                       TempTable& live) {
  TARN_ASSIGN_OR_RETURN(iceberg::Filter filter, KeyRange(db, rows, keys));
  TARN_ASSIGN_OR_RETURN(iceberg::ScanPlan plan,
                        iceberg::PlanScan(md, md.CurrentSnapshot(), filter, io));
  if (plan.tasks.empty()) return plan;
  TARN_ASSIGN_OR_RETURN(std::string scan, IcebergScanSql(plan, *md.CurrentSchema(), io,
                                                         ScanSqlOptions{.row_positions = true}));
  TARN_RETURN_IF_ERROR(live.CreateAs(LiveRowsSql(scan, rows, keys, version)));
  return plan;
}

// Writes position deletes for the `live` rows whose key is among the `applied` rows and data
// files for the applied rows that are not deletes, and commits both in one RowDelta.
Status WriteAndCommit(DuckDb& db, iceberg::Table& table, const iceberg::ScanPlan& plan,
                      const std::string& live, const std::string& applied,
                      const std::vector<Key>& keys, const ChangeColumns& cols,
                      const iceberg::SummaryProps& props, WriteResult* out) {
  const iceberg::TableMetadata& md = table.metadata();
  TARN_ASSIGN_OR_RETURN(WriteTarget target, TargetOf(table));
  WrittenFiles written(table.io());
  TempTable staged(db, "_tarn_upsert_deletes_");
  PositionDeletes deletes;
  if (!plan.tasks.empty()) {
    std::string key_list;
    for (size_t i = 0; i < keys.size(); ++i) key_list += ", _k" + std::to_string(i);
    std::string matches = "SELECT file_path, pos" + key_list + " FROM " + live +
                          " AS _l SEMI JOIN " + applied + " AS _i ON " +
                          KeysEqual(keys, "_i", "_l", true);
    TARN_ASSIGN_OR_RETURN(deletes, table_writer_internal::WriteDeletes(db, md, plan, matches,
                                                                       target, staged, &written));
  }
  std::string upserts = "SELECT * FROM " + applied;
  if (!cols.delete_column.empty()) {
    upserts = "SELECT * EXCLUDE (" + cols.delete_column + ") FROM " + applied + " WHERE NOT " +
              cols.delete_column;
  }
  TARN_ASSIGN_OR_RETURN(std::vector<iceberg::DataFile> data,
                        WriteDataFiles(db, upserts, *md.CurrentSchema(), *md.DefaultSpec(),
                                       target.data_dir, target.location_prefix, target.options));
  written.Add(data);
  for (const iceberg::DataFile& f : data) out->rows_written += f.record_count;
  if (!deletes.files.empty()) {
    TARN_ASSIGN_OR_RETURN(
        out->rows_replaced,
        QueryInt(db, "SELECT count(*) FROM (" + upserts + ") AS _i SEMI JOIN " + staged.name() +
                         " AS _m ON " + KeysEqual(keys, "_i", "_m", true)));
  }
  if (data.empty() && deletes.files.empty()) return Status::OK();
  TARN_ASSIGN_OR_RETURN(out->snapshot_id,
                        written.KeepIfCommitted(table.RowDelta(data, deletes.files, props)));
  out->data_files = static_cast<int64_t>(data.size());
  out->delete_files = static_cast<int64_t>(deletes.files.size());
  out->rows_deleted = deletes.rows;
  out->rows_inserted = out->rows_written - out->rows_replaced;
  return Status::OK();
}

// Materializes the incoming rows once (projected onto the schema), finds the live rows of
// their keys, drops the stale incoming rows and writes the rest (WriteAndCommit).
Result<WriteResult> Apply(DuckDb& db, iceberg::Table& table, const std::string& select_sql,
                          const std::vector<std::string>& key_columns, const ChangeColumns& changes,
                          const iceberg::SummaryProps& props) {
  const iceberg::TableMetadata& md = table.metadata();
  const schema::Schema* schema = md.CurrentSchema();
  if (!schema || !md.DefaultSpec()) {
    return Status(ErrorCode::kCorruption, "no current schema or default spec");
  }
  TARN_ASSIGN_OR_RETURN(std::vector<Key> keys, KeyColumns(*schema, key_columns));
  std::vector<std::string> pass_through;
  if (!changes.delete_column.empty()) pass_through.push_back(changes.delete_column);
  TARN_ASSIGN_OR_RETURN(std::string projected,
                        parquet_sql::ProjectOntoSchema(db, select_sql, *schema, pass_through));
  TempTable rows(db, "_tarn_upsert_rows_");
  TARN_RETURN_IF_ERROR(rows.CreateAs(projected));
  WriteResult out;
  TARN_ASSIGN_OR_RETURN(int64_t incoming, QueryInt(db, "SELECT count(*) FROM " + rows.name()));
  if (incoming == 0) return out;
  TARN_RETURN_IF_ERROR(CheckKeys(db, rows.name(), keys));
  TARN_ASSIGN_OR_RETURN(ChangeColumns cols, QuotedChangeColumns(db, rows.name(), *schema, changes));
  TempTable live(db, "_tarn_upsert_live_");
  TARN_ASSIGN_OR_RETURN(iceberg::ScanPlan plan, FindLiveRows(db, md, table.io(), rows.name(), keys,
                                                             cols.version_column, live));
  // The incoming rows that apply: all of them, unless a live row of their key is newer.
  TempTable fresh(db, "_tarn_upsert_fresh_");
  std::string applied = rows.name();
  if (!plan.tasks.empty() && !cols.version_column.empty()) {
    TARN_RETURN_IF_ERROR(fresh.CreateAs("SELECT * FROM " + rows.name() +
                                        " AS _i WHERE NOT EXISTS (SELECT 1 FROM " + live.name() +
                                        " AS _l WHERE " + KeysEqual(keys, "_i", "_l", true) +
                                        " AND _l._v > _i." + cols.version_column + ")"));
    applied = fresh.name();
    TARN_ASSIGN_OR_RETURN(int64_t applied_rows, QueryInt(db, "SELECT count(*) FROM " + applied));
    out.rows_skipped = incoming - applied_rows;
  }
  TARN_RETURN_IF_ERROR(
      WriteAndCommit(db, table, plan, live.name(), applied, keys, cols, props, &out));
  return out;
}

}  // namespace

Result<WriteResult> UpsertIntoTable(DuckDb& db, iceberg::Table& table,
                                    const std::string& select_sql,
                                    const std::vector<std::string>& key_columns,
                                    const iceberg::SummaryProps& props) {
  return ApplyChangesToTable(db, table, select_sql, key_columns, {}, props);
}

Result<WriteResult> ApplyChangesToTable(DuckDb& db, iceberg::Table& table,
                                        const std::string& select_sql,
                                        const std::vector<std::string>& key_columns,
                                        const ChangeColumns& changes,
                                        const iceberg::SummaryProps& props) {
  TARN_RETURN_IF_ERROR(table.Refresh());
  std::string context = "upsert into table " + table.metadata().location;
  auto result = Apply(db, table, select_sql, key_columns, changes, props);
  if (!result.ok()) return result.status().WithContext(context);
  return result;
}

}  // namespace tarn::engine
