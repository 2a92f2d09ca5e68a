#include "tarn/engine/table_writer.h"

#include "tarn/engine/filter_sql.h"
#include "tarn/engine/iceberg_read.h"
#include "tarn/engine/parquet_writer.h"
#include "tarn/engine/table_writer_internal.h"
#include "tarn/iceberg/scan.h"

namespace tarn::engine {
namespace {

using table_writer_internal::TargetOf;
using table_writer_internal::TempTable;
using table_writer_internal::WriteTarget;
using table_writer_internal::WrittenFiles;

Status NoSchema(const iceberg::TableMetadata& md) {
  return {ErrorCode::kCorruption, "table " + md.location + " has no current schema or spec"};
}

// The live rows of the current snapshot that match `filter`, as (file_path, pos): the rows
// IcebergScanSql reads (existing deletes applied) with their positions, filtered in SQL.
Result<std::string> MatchingPositionsSql(const iceberg::TableMetadata& md,
                                         const iceberg::ScanPlan& plan,
                                         const iceberg::Filter& filter, iceberg::FileIO& io) {
  TARN_ASSIGN_OR_RETURN(std::string where, FilterSql(filter, *md.CurrentSchema()));
  TARN_ASSIGN_OR_RETURN(std::string rows, IcebergScanSql(plan, *md.CurrentSchema(), io,
                                                         ScanSqlOptions{.row_positions = true}));
  return std::string("SELECT ") + kRowFileColumn + " AS file_path, " + kRowPosColumn +
         " AS pos FROM (" + rows + ") AS _r WHERE " + where;
}

}  // namespace

Result<WriteResult> LoadIntoTable(DuckDb& db, iceberg::Table& table, const std::string& select_sql,
                                  LoadMode mode, const iceberg::SummaryProps& props) {
  const iceberg::TableMetadata& md = table.metadata();
  const std::string context = "load into table " + md.location;
  if (!md.CurrentSchema() || !md.DefaultSpec()) return NoSchema(md);
  TARN_ASSIGN_OR_RETURN(WriteTarget target, TargetOf(table));
  auto files = WriteDataFiles(db, select_sql, *md.CurrentSchema(), *md.DefaultSpec(),
                              target.data_dir, target.location_prefix, target.options);
  if (!files.ok()) return files.status().WithContext(context);
  WriteResult out;
  if (files->empty()) return out;
  WrittenFiles written(table.io());
  written.Add(*files);
  auto id =
      written.KeepIfCommitted(mode == LoadMode::kAppend ? table.Append(*files, props)
                                                        : table.OverwritePartitions(*files, props));
  if (!id.ok()) return id.status().WithContext(context);
  out.snapshot_id = *id;
  out.data_files = static_cast<int64_t>(files->size());
  for (const iceberg::DataFile& f : *files) out.rows_written += f.record_count;
  out.rows_inserted = out.rows_written;
  return out;
}

Result<WriteResult> DeleteFromTable(DuckDb& db, iceberg::Table& table,
                                    const iceberg::Filter& filter,
                                    const iceberg::SummaryProps& props) {
  TARN_RETURN_IF_ERROR(table.Refresh());
  const iceberg::TableMetadata& md = table.metadata();
  const std::string context = "delete from table " + md.location;
  if (!md.CurrentSchema() || !md.DefaultSpec()) return NoSchema(md);
  auto plan = iceberg::PlanScan(md, md.CurrentSnapshot(), filter, table.io());
  if (!plan.ok()) return plan.status().WithContext(context);
  WriteResult out;
  if (plan->tasks.empty()) return out;
  TARN_ASSIGN_OR_RETURN(WriteTarget target, TargetOf(table));
  auto matches = MatchingPositionsSql(md, *plan, filter, table.io());
  if (!matches.ok()) return matches.status().WithContext(context);
  WrittenFiles written(table.io());
  TempTable staged(db, "_tarn_deletes_");
  auto deletes =
      table_writer_internal::WriteDeletes(db, md, *plan, *matches, target, staged, &written);
  if (!deletes.ok()) return deletes.status().WithContext(context);
  if (deletes->files.empty()) return out;
  auto id = written.KeepIfCommitted(table.RowDelta({}, deletes->files, props));
  if (!id.ok()) return id.status().WithContext(context);
  out.snapshot_id = *id;
  out.delete_files = static_cast<int64_t>(deletes->files.size());
  out.rows_deleted = deletes->rows;
  return out;
}

}  // namespace tarn::engine
