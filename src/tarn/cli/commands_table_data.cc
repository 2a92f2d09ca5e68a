// `tarn table create|read`: making a table and reading its rows (JSON lines).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tarn/base/ids.h"
#include "tarn/cli/table_args.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/engine/filter_sql.h"
#include "tarn/engine/iceberg_read.h"
#include "tarn/engine/table_writer.h"
#include "tarn/iceberg/table_update.h"

namespace tarn::cli {
namespace {

// An Iceberg schema ({"type": "struct", ...}) or an Avro record schema; ids are assigned
// when absent.
Result<schema::Schema> LoadSchema(const std::string& path) {
  TARN_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  if (text.find("\"struct\"") != std::string::npos) return schema::SchemaFromIcebergJson(text);
  return schema::SchemaFromAvro(text);
}

Status Create(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto name, SplitTableName(a.table));
  TARN_ASSIGN_OR_RETURN(auto* tables, lake.tables());
  TARN_ASSIGN_OR_RETURN(auto schema, LoadSchema(a.file));
  iceberg::PartitionSpec spec;
  for (const std::string& p : a.partition_by) {
    auto f = iceberg::PartitionFieldFromText(schema, p);
    if (!f.ok()) return f.status().WithContext("--partition-by");
    spec.fields.push_back(*f);
  }
  TARN_ASSIGN_OR_RETURN(auto md, iceberg::NewTableMetadata(
                                     schema, spec, iceberg::SortOrder{},
                                     tables->DefaultLocation(name.first, name.second), {},
                                     NewUuid(), Clock::System().Now() / 1000));
  TARN_ASSIGN_OR_RETURN(auto table, tables->Create(name.first, name.second, md));
  std::cout << "table " << a.table << " created at " << table->metadata().location << "\n";
  return Status::OK();
}

// Prints the live rows of the chosen snapshot that match --where as JSON lines: files are
// pruned by the plan, rows filtered by the same predicates.
Status Read(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto t, OpenTable(lake, a.table));
  const iceberg::TableMetadata& m = t->metadata();
  TARN_ASSIGN_OR_RETURN(auto filter, ParseFilter(*m.CurrentSchema(), a.where));
  TARN_ASSIGN_OR_RETURN(const iceberg::Snapshot* snap, PickSnapshot(m, a));
  TARN_ASSIGN_OR_RETURN(auto plan, iceberg::PlanScan(m, snap, filter, t->io()));
  TARN_ASSIGN_OR_RETURN(std::string sql, engine::IcebergScanSql(plan, *m.CurrentSchema(), t->io()));
  TARN_ASSIGN_OR_RETURN(std::string where, engine::FilterSql(filter, *m.CurrentSchema()));
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::Open());
  return db->Query("SELECT to_json(t)::VARCHAR FROM (" + sql + ") t WHERE " + where, {},
                   [](const engine::Row& row) {
                     std::cout << row[0].value_or("null") << "\n";
                     return Status::OK();
                   });
}

// A DuckDB query over a JSON-lines, CSV or Parquet file, by extension.
Result<std::string> SourceSql(const std::string& path) {
  std::string quoted = "'";
  for (char c : path) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  quoted += "'";
  auto ends = [&](const char* ext) { return path.ends_with(ext); };
  if (ends(".jsonl") || ends(".json") || ends(".ndjson")) {
    return "SELECT * FROM read_json_auto(" + quoted + ", format = 'newline_delimited')";
  }
  if (ends(".csv")) return "SELECT * FROM read_csv_auto(" + quoted + ", header = true)";
  if (ends(".parquet")) return "SELECT * FROM read_parquet(" + quoted + ")";
  return InvalidArgument("cannot tell the format of " + path +
                         ": name it .jsonl, .json, .csv or .parquet");
}

void PrintResult(const engine::WriteResult& r) {
  if (r.snapshot_id == 0) {
    std::cout << "nothing to commit\n";
    return;
  }
  std::cout << "snapshot " << r.snapshot_id << ": " << r.data_files << " data files ("
            << r.rows_written << " rows), " << r.delete_files << " delete files ("
            << r.rows_deleted << " rows deleted)";
  if (r.files_removed) std::cout << ", " << r.files_removed << " files rewritten";
  if (r.rows_inserted || r.rows_replaced) {
    std::cout << ", " << r.rows_inserted << " inserted, " << r.rows_replaced << " replaced";
  }
  std::cout << "\n";
}

Status Load(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto t, OpenTable(lake, a.table));
  TARN_ASSIGN_OR_RETURN(std::string sql, SourceSql(a.file));
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::Open());
  auto mode = a.overwrite_partitions ? engine::LoadMode::kOverwritePartitions
                                     : engine::LoadMode::kAppend;
  TARN_ASSIGN_OR_RETURN(auto r, engine::LoadIntoTable(*db, *t, sql, mode,
                                                      {{"tarn.source-file", a.file}}));
  PrintResult(r);
  return Status::OK();
}

Status Delete(lake::Lake& lake, const TableArgs& a) {
  if (a.where.empty()) return InvalidArgument("give --where: deleting every row is refused");
  TARN_ASSIGN_OR_RETURN(auto t, OpenTable(lake, a.table));
  TARN_ASSIGN_OR_RETURN(auto filter, ParseFilter(*t->metadata().CurrentSchema(), a.where));
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::Open());
  TARN_ASSIGN_OR_RETURN(auto r, engine::DeleteFromTable(*db, *t, filter));
  PrintResult(r);
  return Status::OK();
}

Status Upsert(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto t, OpenTable(lake, a.table));
  TARN_ASSIGN_OR_RETURN(std::string sql, SourceSql(a.file));
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::Open());
  TARN_ASSIGN_OR_RETURN(auto r, engine::UpsertIntoTable(*db, *t, sql, a.key,
                                                        {{"tarn.source-file", a.file}}));
  PrintResult(r);
  return Status::OK();
}

Status Compact(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto t, OpenTable(lake, a.table));
  engine::CompactOptions options;
  TARN_ASSIGN_OR_RETURN(options.filter, ParseFilter(*t->metadata().CurrentSchema(), a.where));
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::Open());
  TARN_ASSIGN_OR_RETURN(auto r, engine::CompactTable(*db, *t, options));
  PrintResult(r);
  return Status::OK();
}

}  // namespace

void AddTableDataCommands(CLI::App* table, GlobalOptions& o, int* rc) {
  auto a = std::make_shared<TableArgs>();
  auto* create = table->add_subcommand("create", "create an Iceberg table");
  create->add_option("table", a->table, "ZONE.NAME (curated or serving)")->required();
  create->add_option("--schema", a->file, "Iceberg or Avro schema JSON file")->required();
  create->add_option("--partition-by", a->partition_by,
                     "day(col), hour(col), bucket(16, col), truncate(4, col), col (repeatable)");
  create->callback(WithLake(o, rc, [a](lake::Lake& l) { return Create(l, *a); }));
  auto* load = table->add_subcommand("load", "load a JSON-lines, CSV or Parquet file");
  load->add_option("table", a->table, "ZONE.NAME")->required();
  load->add_option("file", a->file, "the file (.jsonl, .csv, .parquet)")->required();
  load->add_flag("--overwrite-partitions", a->overwrite_partitions,
                 "replace the partitions the rows fall in (idempotent re-load)");
  load->callback(WithLake(o, rc, [a](lake::Lake& l) { return Load(l, *a); }));
  auto* del = table->add_subcommand("delete", "delete the rows matching --where");
  del->add_option("table", a->table, "ZONE.NAME")->required();
  del->add_option("--where", a->where, "COLUMN OP VALUE (repeatable)")->required();
  del->callback(WithLake(o, rc, [a](lake::Lake& l) { return Delete(l, *a); }));
  auto* upsert = table->add_subcommand("upsert", "insert or replace rows by key");
  upsert->add_option("table", a->table, "ZONE.NAME")->required();
  upsert->add_option("file", a->file, "the file (.jsonl, .csv, .parquet)")->required();
  upsert->add_option("--key", a->key, "key column (repeatable)")->required();
  upsert->callback(WithLake(o, rc, [a](lake::Lake& l) { return Upsert(l, *a); }));
  auto* compact = table->add_subcommand("compact", "rewrite small files into target-size files");
  compact->add_option("table", a->table, "ZONE.NAME")->required();
  compact->add_option("--where", a->where, "only partitions that may match (repeatable)");
  compact->callback(WithLake(o, rc, [a](lake::Lake& l) { return Compact(l, *a); }));
  auto* read = table->add_subcommand("read", "print a table's rows as JSON lines");
  read->add_option("table", a->table, "ZONE.NAME")->required();
  read->add_option("--where", a->where, "COLUMN OP VALUE (repeatable)");
  AddSnapshotOptions(read, *a);
  read->callback(WithLake(o, rc, [a](lake::Lake& l) { return Read(l, *a); }));
}

}  // namespace tarn::cli
