// CLI commands over the control-plane catalog: sources, datasets, partitions, tokens.
#include <CLI/CLI.hpp>
#include <iostream>

#include "tarn/cli/cli.h"
#include "tarn/server/json_io.h"

namespace tarn::cli {
namespace {

using server::Json;
using server::ToJson;

std::string Ts(UnixMicros t) { return FormatIsoTimestamp(t).substr(0, 19) + "Z"; }

void PrintJson(const Json& j) { std::cout << j.dump(2) << "\n"; }

void AddSourceCommands(CLI::App& app, GlobalOptions& o, int* rc) {
  auto* source = app.add_subcommand("source", "data sources")->require_subcommand(1);
  auto spec = std::make_shared<catalog::SourceSpec>();
  auto* add = source->add_subcommand("add", "register a data source");
  add->add_option("name", spec->name, "unique source name")->required();
  add->add_option("--type", spec->type, "batch | streaming | cdc")->default_val("batch");
  add->add_option("--owner", spec->owner, "owning team")->required();
  add->add_option("--config", spec->connection_config, "connection config (JSON object)");
  add->callback(WithLake(o, rc, [spec, &o](lake::Lake& lake) -> Status {
    TARN_ASSIGN_OR_RETURN(auto s, lake.catalog().CreateSource(*spec));
    if (o.json) PrintJson(ToJson(s));
    else std::cout << "source " << s.name << " registered: " << s.id << "\n";
    return Status::OK();
  }));
  auto config_of = std::make_shared<std::pair<std::string, std::string>>();
  auto* set_config = source->add_subcommand("set-config", "replace a source's connection config (e.g. a moved broker)");
  set_config->add_option("source", config_of->first, "source name or id")->required();
  set_config->add_option("config", config_of->second, "connection config (JSON object)")->required();
  set_config->callback(WithLake(o, rc, [config_of, &o](lake::Lake& lake) -> Status {
    TARN_ASSIGN_OR_RETURN(auto s, lake.catalog().SetSourceConfig(config_of->first, config_of->second));
    if (o.json) PrintJson(ToJson(s));
    else std::cout << "source " << s.name << ": connection config replaced\n";
    return Status::OK();
  }));
  source->add_subcommand("list", "list data sources")
      ->callback(WithLake(o, rc, [&o](lake::Lake& lake) -> Status {
        TARN_ASSIGN_OR_RETURN(auto all, lake.catalog().store().ListSources());
        if (o.json) {
          Json items = Json::array();
          for (const auto& s : all) items.push_back(ToJson(s));
          PrintJson(items);
          return Status::OK();
        }
        std::vector<std::vector<std::string>> rows;
        for (const auto& s : all) {
          rows.push_back({s.name, std::string(catalog::ToString(s.type)), s.owner, s.id,
                          Ts(s.created_at)});
        }
        PrintTable({"NAME", "TYPE", "OWNER", "ID", "CREATED"}, rows);
        return Status::OK();
      }));
}

void PrintDatasets(const std::vector<catalog::Dataset>& all, bool json) {
  if (json) {
    Json items = Json::array();
    for (const auto& d : all) items.push_back(ToJson(d));
    PrintJson(items);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : all) {
    rows.push_back({std::string(catalog::ToString(d.zone)) + "." + d.name, d.owner,
                    std::to_string(d.sla_hours),
                    d.schema_version ? "v" + std::to_string(*d.schema_version) : "-", d.id});
  }
  PrintTable({"DATASET", "OWNER", "SLA_H", "SCHEMA", "ID"}, rows);
}

void AddDatasetCommands(CLI::App& app, GlobalOptions& o, int* rc) {
  auto* dataset = app.add_subcommand("dataset", "datasets")->require_subcommand(1);
  auto spec = std::make_shared<catalog::DatasetSpec>();
  auto source = std::make_shared<std::string>();
  auto* create = dataset->add_subcommand("create", "create (or update) a dataset");
  create->add_option("name", spec->name, "dataset name")->required();
  create->add_option("--source", *source, "source name or id")->required();
  create->add_option("--zone", spec->zone, "raw | curated | serving")->default_val("raw");
  create->add_option("--owner", spec->owner, "owning team")->required();
  create->add_option("--sla-hours", spec->sla_hours, "max acceptable lag")->default_val(24);
  create->callback(WithLake(o, rc, [spec, source, &o](lake::Lake& lake) -> Status {
    TARN_ASSIGN_OR_RETURN(auto src, lake.catalog().ResolveSource(*source));
    spec->source_id = src.id;
    TARN_ASSIGN_OR_RETURN(auto up, lake.catalog().UpsertDataset(*spec));
    if (o.json) {
      PrintJson(ToJson(up.dataset));
    } else {
      std::cout << "dataset " << catalog::ToString(up.dataset.zone) << "." << up.dataset.name
                << (up.created ? " created: " : " updated: ") << up.dataset.id << "\n";
    }
    return Status::OK();
  }));

  auto zone = std::make_shared<std::string>();
  auto list_source = std::make_shared<std::string>();
  auto* list = dataset->add_subcommand("list", "list datasets");
  list->add_option("--zone", *zone, "only this zone");
  list->add_option("--source", *list_source, "only this source (name or id)");
  list->callback(WithLake(o, rc, [zone, list_source, &o](lake::Lake& lake) -> Status {
    TARN_ASSIGN_OR_RETURN(auto all, lake.catalog().ListDatasets(*zone, *list_source));
    PrintDatasets(all, o.json);
    return Status::OK();
  }));

  auto ref = std::make_shared<std::string>();
  auto* show = dataset->add_subcommand("show", "show a dataset and its schema versions");
  show->add_option("dataset", *ref, "id, zone.name or name")->required();
  show->callback(WithLake(o, rc, [ref, &o](lake::Lake& lake) -> Status {
    TARN_ASSIGN_OR_RETURN(auto d, lake.catalog().ResolveDataset(*ref));
    TARN_ASSIGN_OR_RETURN(auto schemas, lake.catalog().ListSchemas(d.id));
    if (o.json) {
      Json j = ToJson(d);
      j["schemas"] = Json::array();
      for (const auto& v : schemas) j["schemas"].push_back(ToJson(v));
      PrintJson(j);
      return Status::OK();
    }
    std::cout << "dataset     " << catalog::ToString(d.zone) << "." << d.name << "\n"
              << "id          " << d.id << "\n"
              << "source_id   " << d.source_id << "\n"
              << "owner       " << d.owner << "\n"
              << "sla_hours   " << d.sla_hours << "\n"
              << "created_at  " << Ts(d.created_at) << "\n"
              << "schema      "
              << (d.schema_version ? "v" + std::to_string(*d.schema_version) : "none") << "\n";
    for (const auto& v : schemas) {
      std::cout << "  v" << v.version << (v.is_current ? " (current) " : " ") << Ts(v.created_at)
                << " " << v.schema_json << "\n";
    }
    return Status::OK();
  }));
}

void AddPartitionCommands(CLI::App& app, GlobalOptions& o, int* rc) {
  struct Args {
    std::string dataset, from, to, status;
    int64_t limit = 0;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("partitions", "list a dataset's partitions in key order");
  cmd->add_option("dataset", a->dataset, "id, zone.name or name")->required();
  cmd->add_option("--from", a->from, "first date or hour (inclusive), e.g. 2024-01-15");
  cmd->add_option("--to", a->to, "last date or hour (exclusive)");
  cmd->add_option("--status", a->status, "landed | passed | quarantined | promoted");
  cmd->add_option("--limit", a->limit, "at most this many (default: all)");
  cmd->callback(WithLake(o, rc, [a, &o](lake::Lake& lake) -> Status {
    TARN_ASSIGN_OR_RETURN(auto d, lake.catalog().ResolveDataset(a->dataset));
    catalog::PartitionListSpec spec;
    if (!a->from.empty()) spec.from = a->from;
    if (!a->to.empty()) spec.to = a->to;
    if (!a->status.empty()) spec.status = a->status;
    std::vector<catalog::Partition> all;
    // Page through the catalog so a large listing never holds one giant transaction.
    while (true) {
      int64_t want = a->limit > 0 ? a->limit - static_cast<int64_t>(all.size())
                                  : catalog::CatalogService::kMaxPartitionPage;
      spec.limit = std::min<int64_t>(want, catalog::CatalogService::kMaxPartitionPage);
      if (spec.limit <= 0) break;
      TARN_ASSIGN_OR_RETURN(auto page, lake.catalog().ListPartitions(d, spec));
      for (auto& p : page.partitions) all.push_back(std::move(p));
      if (!page.next_cursor) break;
      spec.cursor = page.next_cursor;
    }
    if (o.json) {
      Json items = Json::array();
      for (const auto& p : all) items.push_back(ToJson(p, lake.catalog().lake()));
      PrintJson(items);
      return Status::OK();
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : all) {
      rows.push_back({p.partition_key, std::string(catalog::ToString(p.status)),
                      std::to_string(p.row_count), std::to_string(p.size_bytes),
                      std::string(catalog::ToString(p.format)), p.file_path});
    }
    PrintTable({"PARTITION", "STATUS", "ROWS", "BYTES", "FORMAT", "FILE"}, rows);
    return Status::OK();
  }));
}

void AddTokenCommands(CLI::App& app, GlobalOptions& o, int* rc) {
  auto* token = app.add_subcommand("token", "API tokens")->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  auto grants = std::make_shared<std::string>();
  auto* create = token->add_subcommand("create", "issue a token (printed once)");
  create->add_option("name", *name, "what the token is for")->required();
  create->add_option("--grants", *grants,
                     "admin, or e.g. raw:write,curated:read,serving:read")->required();
  create->callback(WithLake(o, rc, [name, grants, &o](lake::Lake& lake) -> Status {
    TARN_ASSIGN_OR_RETURN(auto issued, lake.catalog().IssueToken(*name, *grants));
    if (o.json) {
      Json j = ToJson(issued.token);
      j["token"] = issued.secret;
      PrintJson(j);
    } else {
      std::cout << issued.secret << "\n";
    }
    return Status::OK();
  }));
  token->add_subcommand("list", "list tokens (never their secrets)")
      ->callback(WithLake(o, rc, [&o](lake::Lake& lake) -> Status {
        TARN_ASSIGN_OR_RETURN(auto all, lake.catalog().store().ListTokens());
        if (o.json) {
          Json items = Json::array();
          for (const auto& t : all) items.push_back(ToJson(t));
          PrintJson(items);
          return Status::OK();
        }
        std::vector<std::vector<std::string>> rows;
        for (const auto& t : all) {
          rows.push_back({t.name, t.grants, t.revoked_at ? "revoked" : "live", t.id});
        }
        PrintTable({"NAME", "GRANTS", "STATE", "ID"}, rows);
        return Status::OK();
      }));
  auto id = std::make_shared<std::string>();
  auto* revoke = token->add_subcommand("revoke", "revoke a token");
  revoke->add_option("id", *id, "token id")->required();
  revoke->callback(WithLake(o, rc, [id](lake::Lake& lake) -> Status {
    TARN_RETURN_IF_ERROR(lake.catalog().RevokeToken(*id));
    std::cout << "token " << *id << " revoked\n";
    return Status::OK();
  }));
}

}  // namespace

void AddCatalogCommands(CLI::App& app, GlobalOptions& options, int* exit_code) {
  AddSourceCommands(app, options, exit_code);
  AddDatasetCommands(app, options, exit_code);
  AddPartitionCommands(app, options, exit_code);
  AddTokenCommands(app, options, exit_code);
}

}  // namespace tarn::cli
