#include "tarn/ingest/pg_cdc_config.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "tarn/base/log.h"
#include "tarn/base/time.h"
#include "tarn/ingest/credentials.h"
#include "tarn/ingest/pg_cdc_schema.h"
#include "tarn/ingest/pg_util.h"

namespace tarn::ingest {
namespace {

using nlohmann::json;

Status Bad(const std::string& what) { return FailedPrecondition("postgres_cdc source: " + what); }

bool IsSlotName(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<PgCdcConfig> ParsePgCdcConfig(const std::string& connection_config) {
  json j = json::parse(connection_config, nullptr, false);
  if (!j.is_object() || j.value("connector", "") != "postgres_cdc") {
    return Bad("connection_config.connector must be \"postgres_cdc\"");
  }
  PgCdcConfig c;
  std::string dsn = j.value("dsn", "");
  if (dsn.empty()) return Bad("connection_config.dsn is required (a reference such as env:PG_DSN)");
  if (dsn.starts_with("env:") || dsn.starts_with("file:")) {
    auto resolved = ResolveSecret(dsn);
    if (!resolved.ok()) return resolved.status().WithContext("connection_config.dsn");
    c.dsn = *resolved;
  } else if (pg::HasPassword(dsn)) {
    return Bad("connection_config.dsn holds a password: keep it in a reference such as env:PG_DSN");
  } else {
    c.dsn = dsn;
  }
  c.slot = j.value("slot", "");
  if (!IsSlotName(c.slot)) return Bad("connection_config.slot must be 1-63 of a-z, 0-9, '_'");
  const json& tables = j.contains("tables") ? j["tables"] : json();
  if (!tables.is_array() || tables.size() != 1 || !tables[0].is_string()) {
    return Bad("connection_config.tables must list exactly one table (\"schema.table\")");
  }
  std::string table = tables[0].get<std::string>();
  size_t dot = table.find('.');
  c.schema = dot == std::string::npos ? "public" : table.substr(0, dot);
  c.table = dot == std::string::npos ? table : table.substr(dot + 1);
  for (const std::string* name : {&c.schema, &c.table}) {
    TARN_RETURN_IF_ERROR(
        pg::ValidateIdentifier(*name, "table").WithContext("connection_config.tables"));
  }
  c.plugin = j.value("plugin", "pgoutput");
  if (c.plugin != "pgoutput" && c.plugin != "wal2json") {
    return Bad("plugin \"" + c.plugin + "\" is not supported (pgoutput, wal2json)");
  }
  c.publication = j.value("publication", c.slot);
  TARN_RETURN_IF_ERROR(pg::ValidateIdentifier(c.publication, "publication"));
  if (j.contains("batch_changes")) {
    if (!j["batch_changes"].is_number_integer() || j["batch_changes"].get<int>() < 1) {
      return Bad("connection_config.batch_changes must be a positive integer");
    }
    c.batch_changes = j["batch_changes"].get<int>();
  }
  if (j.contains("poll_interval")) {
    auto d = j["poll_interval"].is_string()
                 ? ParseDurationMicros(j["poll_interval"].get<std::string>())
                 : Result<int64_t>(InvalidArgument("not a string"));
    if (!d.ok() || *d < 1000)
      return Bad("connection_config.poll_interval must be a duration such as 500ms");
    c.poll_interval_ms = *d / 1000;
  }
  return c;
}

Result<int> RegisterCdcSchema(catalog::CatalogService& catalog, const std::string& dataset_id) {
  TARN_ASSIGN_OR_RETURN(auto versions, catalog.ListSchemas(dataset_id));
  for (const auto& v : versions) {
    if (v.is_current) return v.version;
  }
  TARN_ASSIGN_OR_RETURN(auto dataset, catalog.GetDataset(dataset_id));
  TARN_ASSIGN_OR_RETURN(auto source, catalog.GetSource(dataset.source_id));
  TARN_ASSIGN_OR_RETURN(PgCdcConfig config, ParsePgCdcConfig(source.connection_config));
  pg::Conn c;
  TARN_ASSIGN_OR_RETURN(c.conn, pg::Connect(config.dsn));
  TARN_ASSIGN_OR_RETURN(std::string schema_json,
                        CdcEnvelopeSchema(c.conn, config.schema, config.table));
  TARN_ASSIGN_OR_RETURN(auto registered, catalog.RegisterSchema(dataset_id, schema_json, true));
  LogInfo("raw." + dataset.name + ": registered the change-event schema of " + config.schema + "." +
          config.table + " as version " + std::to_string(registered.version.version));
  return registered.version.version;
}

}  // namespace tarn::ingest
