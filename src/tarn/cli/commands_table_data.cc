// `tarn table create|read`: making a table and reading its rows (JSON lines).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tarn/base/ids.h"
#include "tarn/cli/table_args.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/engine/iceberg_read.h"
#include "tarn/iceberg/table_update.h"

namespace tarn::cli {
namespace {

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// An Iceberg schema ({"type": "struct", ...}) or an Avro record schema; ids are assigned
// when absent.
Result<schema::Schema> LoadSchema(const std::string& path) {
  TARN_ASSIGN_OR_RETURN(std::string text, ReadText(path));
  if (text.find("\"struct\"") != std::string::npos) return schema::SchemaFromIcebergJson(text);
  return schema::SchemaFromAvro(text);
}

// "day(event_ts)", "bucket(16, user_id)", "truncate(4, name)", "identity(country)" or "country".
Result<iceberg::PartitionField> ParsePartitionField(const schema::Schema& schema,
                                                    std::string text) {
  std::string transform = "identity", column = text;
  size_t open = text.find('('), close = text.rfind(')');
  if (open != std::string::npos && close == text.size() - 1) {
    transform = text.substr(0, open);
    column = text.substr(open + 1, close - open - 1);
    size_t comma = column.find(',');
    if (comma != std::string::npos) {
      transform += "[" + column.substr(0, comma) + "]";
      column = column.substr(comma + 1);
    }
  }
  column.erase(0, column.find_first_not_of(' '));
  column.erase(column.find_last_not_of(' ') + 1);
  const schema::NestedField* field = schema.FindByName(column);
  if (field == nullptr) return InvalidArgument("--partition-by " + text + ": no column " + column);
  TARN_ASSIGN_OR_RETURN(auto t, iceberg::Transform::Parse(transform));
  return iceberg::PartitionField{field->id, 0, "", t};
}

Status Create(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto name, SplitTableName(a.table));
  TARN_ASSIGN_OR_RETURN(auto* tables, lake.tables());
  TARN_ASSIGN_OR_RETURN(auto schema, LoadSchema(a.file));
  iceberg::PartitionSpec spec;
  for (const std::string& p : a.partition_by) {
    TARN_ASSIGN_OR_RETURN(auto f, ParsePartitionField(schema, p));
    spec.fields.push_back(f);
  }
  TARN_ASSIGN_OR_RETURN(auto md, iceberg::NewTableMetadata(
                                     schema, spec, iceberg::SortOrder{},
                                     tables->DefaultLocation(name.first, name.second), {},
                                     NewUuid(), Clock::System().Now() / 1000));
  TARN_ASSIGN_OR_RETURN(auto table, tables->Create(name.first, name.second, md));
  std::cout << "table " << a.table << " created at " << table->metadata().location << "\n";
  return Status::OK();
}

// Prints the live rows of the chosen snapshot as JSON lines.
Status Read(lake::Lake& lake, const TableArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto t, OpenTable(lake, a.table));
  const iceberg::TableMetadata& m = t->metadata();
  TARN_ASSIGN_OR_RETURN(const iceberg::Snapshot* snap, PickSnapshot(m, a));
  TARN_ASSIGN_OR_RETURN(auto plan, iceberg::PlanScan(m, snap, {}, t->io()));
  TARN_ASSIGN_OR_RETURN(std::string sql, engine::IcebergScanSql(plan, *m.CurrentSchema(), t->io()));
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::Open());
  return db->Query("SELECT to_json(t)::VARCHAR FROM (" + sql + ") t", {},
                   [](const engine::Row& row) {
                     std::cout << row[0].value_or("null") << "\n";
                     return Status::OK();
                   });
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
  auto* read = table->add_subcommand("read", "print a table's rows as JSON lines");
  read->add_option("table", a->table, "ZONE.NAME")->required();
  AddSnapshotOptions(read, *a);
  read->callback(WithLake(o, rc, [a](lake::Lake& l) { return Read(l, *a); }));
}

}  // namespace tarn::cli
