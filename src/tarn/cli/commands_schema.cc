// `tarn schema register|check|show|diff|history|compatibility` and `tarn raw read`.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tarn/cli/cli.h"
#include "tarn/ingest/raw_reader.h"
#include "tarn/server/json_io.h"

namespace tarn::cli {
namespace {

using server::Json;

void PrintIncompatibilities(const catalog::SchemaCheck& check) {
  std::cout << "incompatible under " << check.mode << ":\n";
  for (const auto& i : check.incompatibilities) {
    std::cout << "  " << i.path << ": " << i.message << " [" << i.rule << "; was " << i.old_type
              << ", now " << i.new_type << "]\n";
  }
}

struct SchemaArgs {
  std::string dataset, file, as_of, mode;
  int version = 0, v1 = 0, v2 = 0;
  bool staged = false;
  int64_t limit = -1;
};

Status Register(lake::Lake& lake, const SchemaArgs& a, bool json) {
  TARN_ASSIGN_OR_RETURN(auto d, lake.catalog().ResolveDataset(a.dataset));
  TARN_ASSIGN_OR_RETURN(std::string text, ReadTextFile(a.file));
  TARN_ASSIGN_OR_RETURN(auto check, lake.catalog().CheckSchema(d.id, text));
  if (!check.compatible()) {
    PrintIncompatibilities(check);
    return Conflict("schema not registered");
  }
  TARN_ASSIGN_OR_RETURN(auto reg, lake.catalog().RegisterSchema(d.id, text, !a.staged));
  if (json) {
    std::cout << server::ToJson(reg.version).dump(2) << "\n";
  } else {
    std::cout << (reg.created ? "registered" : "already registered as") << " version "
              << reg.version.version << (reg.version.is_current ? " (current)" : "") << "\n";
  }
  return Status::OK();
}

Status Check(lake::Lake& lake, const SchemaArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto d, lake.catalog().ResolveDataset(a.dataset));
  TARN_ASSIGN_OR_RETURN(std::string text, ReadTextFile(a.file));
  TARN_ASSIGN_OR_RETURN(auto check, lake.catalog().CheckSchema(d.id, text));
  if (check.compatible()) {
    std::cout << "compatible under " << check.mode << "\n";
    return Status::OK();
  }
  PrintIncompatibilities(check);
  return Conflict("schema is incompatible");
}

Status Show(lake::Lake& lake, const SchemaArgs& a) {
  TARN_ASSIGN_OR_RETURN(auto d, lake.catalog().ResolveDataset(a.dataset));
  if (!a.as_of.empty()) {
    TARN_ASSIGN_OR_RETURN(auto v, lake.catalog().SchemaAsOf(d.id, a.as_of));
    std::cout << Json::parse(v.schema_json).dump(2) << "\n";
    return Status::OK();
  }
  TARN_ASSIGN_OR_RETURN(auto all, lake.catalog().ListSchemas(d.id));
  for (const auto& v : all) {
    if (a.version ? v.version == a.version : v.is_current) {
      std::cout << Json::parse(v.schema_json).dump(2) << "\n";
      return Status::OK();
    }
  }
  return NotFound("dataset " + d.name + " has no " +
                  (a.version ? "schema version " + std::to_string(a.version) : "current schema"));
}

Status History(lake::Lake& lake, const SchemaArgs& a, bool json) {
  TARN_ASSIGN_OR_RETURN(auto d, lake.catalog().ResolveDataset(a.dataset));
  TARN_ASSIGN_OR_RETURN(auto all, lake.catalog().ListSchemas(d.id));
  if (json) {
    Json items = Json::array();
    for (const auto& v : all) items.push_back(server::ToJson(v));
    std::cout << items.dump(2) << "\n";
    return Status::OK();
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : all) {
    rows.push_back({"v" + std::to_string(v.version), v.is_current ? "current" : "",
                    FormatIsoTimestamp(v.created_at), v.fingerprint.substr(0, 12), v.id});
  }
  std::cout << "compatibility: " << d.compatibility << "\n";
  PrintTable({"VERSION", "STATE", "REGISTERED", "FINGERPRINT", "ID"}, rows);
  return Status::OK();
}

}  // namespace

void AddSchemaCommands(CLI::App& app, GlobalOptions& o, int* rc) {
  auto a = std::make_shared<SchemaArgs>();
  auto* schema = app.add_subcommand("schema", "schema registry")->require_subcommand(1);
  auto* reg = schema->add_subcommand("register", "register a new version (compatibility-checked)");
  reg->add_option("dataset", a->dataset)->required();
  reg->add_option("file", a->file, "Avro schema (.avsc)")->required();
  reg->add_flag("--staged", a->staged, "register without making it current");
  reg->callback(WithLake(o, rc, [a, &o](lake::Lake& l) { return Register(l, *a, o.json); }));

  auto* check = schema->add_subcommand("check", "would this schema be accepted? (exit 4 if not)");
  check->add_option("dataset", a->dataset)->required();
  check->add_option("file", a->file, "Avro schema (.avsc)")->required();
  check->callback(WithLake(o, rc, [a](lake::Lake& l) { return Check(l, *a); }));

  auto* show = schema->add_subcommand("show", "print a schema version (default: current)");
  show->add_option("dataset", a->dataset)->required();
  show->add_option("--version", a->version, "version number");
  show->add_option("--as-of", a->as_of, "the version current at this time (ISO-8601)");
  show->callback(WithLake(o, rc, [a](lake::Lake& l) { return Show(l, *a); }));

  auto* diff = schema->add_subcommand("diff", "what changed between two versions, by field id");
  diff->add_option("dataset", a->dataset)->required();
  diff->add_option("v1", a->v1)->required();
  diff->add_option("v2", a->v2)->required();
  diff->callback(WithLake(o, rc, [a](lake::Lake& l) -> Status {
    TARN_ASSIGN_OR_RETURN(auto d, l.catalog().ResolveDataset(a->dataset));
    TARN_ASSIGN_OR_RETURN(std::string diff, l.catalog().DiffSchemas(d.id, a->v1, a->v2));
    std::cout << Json::parse(diff).dump(2) << "\n";
    return Status::OK();
  }));

  auto* history = schema->add_subcommand("history", "list a dataset's schema versions");
  history->add_option("dataset", a->dataset)->required();
  history->callback(WithLake(o, rc, [a, &o](lake::Lake& l) { return History(l, *a, o.json); }));

  auto* compat = schema->add_subcommand("compatibility", "show or set the compatibility mode");
  compat->add_option("dataset", a->dataset)->required();
  compat->add_option("mode", a->mode, "BACKWARD, BACKWARD_TRANSITIVE, FORWARD, ..., NONE");
  compat->callback(WithLake(o, rc, [a](lake::Lake& l) -> Status {
    TARN_ASSIGN_OR_RETURN(auto d, l.catalog().ResolveDataset(a->dataset));
    if (!a->mode.empty()) TARN_RETURN_IF_ERROR(l.catalog().SetCompatibility(d.id, a->mode));
    TARN_ASSIGN_OR_RETURN(d, l.catalog().GetDataset(d.id));
    std::cout << d.compatibility << "\n";
    return Status::OK();
  }));

  auto* raw = app.add_subcommand("raw", "read the raw zone")->require_subcommand(1);
  auto* read = raw->add_subcommand("read", "print a raw dataset's records as JSON lines, "
                                           "projected by field id onto one schema version");
  read->add_option("dataset", a->dataset)->required();
  read->add_option("--version", a->version, "schema version to read under (default: current)");
  read->add_option("--limit", a->limit, "at most this many records");
  read->callback(WithLake(o, rc, [a](lake::Lake& l) -> Status {
    TARN_ASSIGN_OR_RETURN(auto d, l.catalog().ResolveDataset(a->dataset));
    ingest::RawReadOptions options;
    if (a->version) options.version = a->version;
    options.limit = a->limit;
    return ingest::ReadRaw(l.catalog(), d.id, options, [](const std::string& record) {
      std::cout << record << "\n";
      return Status::OK();
    });
  }));
}

}  // namespace tarn::cli
