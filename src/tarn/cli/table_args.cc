#include "tarn/cli/table_args.h"

#include <CLI/CLI.hpp>
#include <cstring>

#include "tarn/base/time.h"

namespace tarn::cli {
namespace {

// "event_ts >= 2024-01-15T00:00:00Z" against the table's current schema.
Result<iceberg::Predicate> ParsePredicate(const schema::Schema& schema, const std::string& text) {
  static const char* kOps[] = {"<=", ">=", "=", "<", ">"};
  for (const char* op : kOps) {
    size_t at = text.find(op);
    if (at == std::string::npos) continue;
    std::string column = text.substr(0, at), value = text.substr(at + std::strlen(op));
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
      return s;
    };
    column = trim(column);
    value = trim(value);
    const schema::NestedField* field = schema.FindByName(column);
    if (field == nullptr) return InvalidArgument("no column '" + column + "' in the table");
    TARN_ASSIGN_OR_RETURN(auto type, iceberg::PrimitiveType::From(*field->type));
    auto literal = iceberg::FromJson(type, value);
    if (!literal.ok()) literal = iceberg::FromJson(type, "\"" + value + "\"");
    if (!literal.ok()) return literal.status().WithContext("--where " + text);
    std::string op_text = op;
    iceberg::Op o = op_text == "=" ? iceberg::Op::kEq : op_text == "<" ? iceberg::Op::kLt
                  : op_text == "<=" ? iceberg::Op::kLtEq : op_text == ">" ? iceberg::Op::kGt
                  : iceberg::Op::kGtEq;
    return iceberg::Predicate{column, field->id, o, {*literal}};
  }
  return InvalidArgument("--where '" + text + "' must be COLUMN OP VALUE with OP one of = < <= > >=");
}

}  // namespace

// "curated.orders" -> ("curated", "orders").
Result<std::pair<std::string, std::string>> SplitTableName(const std::string& ref) {
  size_t dot = ref.find('.');
  if (dot == std::string::npos) {
    return InvalidArgument("table '" + ref + "' must be named ZONE.NAME, e.g. curated.orders");
  }
  return std::make_pair(ref.substr(0, dot), ref.substr(dot + 1));
}

Result<std::unique_ptr<iceberg::Table>> OpenTable(lake::Lake& lake, const std::string& ref) {
  TARN_ASSIGN_OR_RETURN(auto name, SplitTableName(ref));
  TARN_ASSIGN_OR_RETURN(auto* tables, lake.tables());
  return tables->Load(name.first, name.second);
}

Result<iceberg::Filter> ParseFilter(const schema::Schema& schema,
                                    const std::vector<std::string>& conditions) {
  iceberg::Filter filter;
  for (const std::string& c : conditions) {
    TARN_ASSIGN_OR_RETURN(auto p, ParsePredicate(schema, c));
    filter.push_back(std::move(p));
  }
  return filter;
}

Result<const iceberg::Snapshot*> PickSnapshot(const iceberg::TableMetadata& m, const TableArgs& a) {
  if (a.snapshot != 0) {
    const iceberg::Snapshot* s = m.SnapshotById(a.snapshot);
    if (s == nullptr) return NotFound("no snapshot " + std::to_string(a.snapshot));
    return s;
  }
  if (!a.tag.empty()) {
    auto it = m.refs.find(a.tag);
    if (it == m.refs.end()) return NotFound("no tag or branch '" + a.tag + "'");
    return m.SnapshotById(it->second.snapshot_id);
  }
  if (!a.as_of.empty()) {
    TARN_ASSIGN_OR_RETURN(UnixMicros at, ParseIsoTimestamp(a.as_of));
    const iceberg::Snapshot* s = m.SnapshotAsOf(at / 1000);
    if (s == nullptr) return NotFound("the table had no snapshot at " + a.as_of);
    return s;
  }
  return m.CurrentSnapshot();
}

void AddSnapshotOptions(CLI::App* cmd, TableArgs& a) {
  cmd->add_option("--snapshot", a.snapshot, "time travel to a snapshot id");
  cmd->add_option("--tag", a.tag, "time travel to a tag or branch");
  cmd->add_option("--as-of", a.as_of, "time travel to a time (ISO-8601)");
}

}  // namespace tarn::cli
