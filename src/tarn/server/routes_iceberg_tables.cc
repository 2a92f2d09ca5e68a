// The Iceberg REST catalog's table routes: list, create (or stage), load, commit, drop, and
// metrics reports (accepted, not kept). A commit runs inside iceberg::Table::Commit, which
// checks the requirements against the metadata the commit derives from: a commit that loses
// the race for the table pointer re-checks them on the fresh metadata before trying again.
#include <algorithm>

#include "tarn/base/encoding.h"
#include "tarn/base/ids.h"
#include "tarn/base/time.h"
#include "tarn/iceberg/table_update.h"
#include "tarn/lake/lake.h"
#include "tarn/server/routes_iceberg.h"

namespace tarn::server::iceberg_rest {
namespace {

using catalog::Access;
using iceberg::TableMetadata;

int64_t NowMs() { return Clock::System().Now() / 1000; }

// A LoadTableResult (with "config") or a CommitTableResponse; a staged table has no location.
std::string TableResultJson(const std::string& metadata_location, const TableMetadata& metadata,
                            bool with_config) {
  std::string out = "{";
  if (!metadata_location.empty()) {
    out += "\"metadata-location\":";
    AppendJsonString(&out, metadata_location);
    out += ',';
  }
  out += "\"metadata\":" + iceberg::WriteTableMetadata(metadata);
  out += with_config ? ",\"config\":{}}" : "}";
  return out;
}

Reply TableReply(const iceberg::Table& table, bool with_config) {
  return Reply{200, {}, TableResultJson(table.metadata_location(), table.metadata(), with_config)};
}

// Tables live under their zone's directory; clients may pick a location there.
Status CheckLocation(const lake::LakeTables& tables, const std::string& zone,
                     const std::string& location) {
  std::string zone_dir = tables.DefaultLocation(zone, "");
  if (location.size() <= zone_dir.size() || location.compare(0, zone_dir.size(), zone_dir) != 0 ||
      location.find("/..") != std::string::npos) {
    return FailedPrecondition("table location " + location + " must lie under " + zone_dir +
                              " (leave it out for the default, " + zone_dir + "<name>)");
  }
  return Status::OK();
}

// The object at `key` as JSON text ("" when absent), with `id_key` set to 0 when the client
// left it out (the spec makes spec and sort order ids optional in a CreateTableRequest).
Result<std::string> ObjectField(const Json& body, const char* key, const char* id_key) {
  if (!body.contains(key) || body[key].is_null()) return std::string();
  if (!body[key].is_object()) return InvalidArgument(std::string(key) + ": must be a JSON object");
  Json copy = body[key];
  if (id_key != nullptr && !copy.contains(id_key)) copy[id_key] = 0;
  return copy.dump();
}

Result<std::map<std::string, std::string>> StringMap(const Json& body, const char* key) {
  std::map<std::string, std::string> out;
  if (!body.contains(key) || body[key].is_null()) return out;
  if (!body[key].is_object()) return InvalidArgument(std::string(key) + ": must be a JSON object");
  for (const auto& [k, v] : body[key].items()) {
    if (!v.is_string()) return InvalidArgument(std::string(key) + "." + k + ": must be a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

struct CreateRequest {
  std::string name, location;
  schema::Schema schema;
  iceberg::PartitionSpec spec;
  iceberg::SortOrder order;
  std::map<std::string, std::string> properties;
  bool stage_create = false;
};

Result<CreateRequest> ParseCreateRequest(const std::string& text) {
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(text));
  CreateRequest r;
  TARN_ASSIGN_OR_RETURN(r.name, body.String("name", true));
  TARN_ASSIGN_OR_RETURN(r.location, body.String("location", false));
  while (r.location.size() > 1 && r.location.back() == '/') r.location.pop_back();
  TARN_ASSIGN_OR_RETURN(r.stage_create, body.Bool("stage-create", false));
  TARN_ASSIGN_OR_RETURN(r.properties, StringMap(body.json(), "properties"));
  TARN_ASSIGN_OR_RETURN(std::string schema, ObjectField(body.json(), "schema", nullptr));
  if (schema.empty()) return InvalidArgument("schema: is required");
  auto parsed = schema::SchemaFromIcebergJson(schema);
  if (!parsed.ok()) return parsed.status().WithContext("schema");
  r.schema = std::move(parsed).value();
  TARN_ASSIGN_OR_RETURN(std::string spec, ObjectField(body.json(), "partition-spec", "spec-id"));
  if (!spec.empty()) {
    auto s = iceberg::PartitionSpecFromJson(spec);
    if (!s.ok()) return s.status().WithContext("partition-spec");
    r.spec = std::move(s).value();
  }
  TARN_ASSIGN_OR_RETURN(std::string order, ObjectField(body.json(), "write-order", "order-id"));
  if (!order.empty()) {
    auto o = iceberg::SortOrderFromJson(order);
    if (!o.ok()) return o.status().WithContext("write-order");
    r.order = std::move(o).value();
  }
  return r;
}

Result<Reply> CreateTable(lake::Lake& lake, const Call& call) {
  const std::string& ns = call.params[0];
  TARN_RETURN_IF_ERROR(NamespaceZone(call, ns, Access::kWrite).status());
  TARN_ASSIGN_OR_RETURN(CreateRequest req, ParseCreateRequest(call.body));
  TARN_RETURN_IF_ERROR(lake::LakeTables::CheckName(ns, req.name));
  TARN_ASSIGN_OR_RETURN(lake::LakeTables * tables, lake.tables());
  std::string location =
      req.location.empty() ? tables->DefaultLocation(ns, req.name) : req.location;
  TARN_RETURN_IF_ERROR(CheckLocation(*tables, ns, location));
  TARN_ASSIGN_OR_RETURN(TableMetadata metadata,
                        iceberg::NewTableMetadata(req.schema, req.spec, req.order, location,
                                                  req.properties, NewUuid(), NowMs()));
  if (req.stage_create) {
    // Nothing is written: the client commits the table later with an assert-create.
    auto existing = tables->Load(ns, req.name);
    if (existing.ok()) return AlreadyExists("Table already exists: " + ns + "." + req.name);
    if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
    return Reply{200, {}, TableResultJson("", metadata, true)};
  }
  TARN_ASSIGN_OR_RETURN(auto table, tables->Create(ns, req.name, metadata));
  return TableReply(*table, true);
}

Result<std::unique_ptr<iceberg::Table>> OpenTable(lake::Lake& lake, const Call& call,
                                                  Access access) {
  TARN_RETURN_IF_ERROR(NamespaceZone(call, call.params[0], access).status());
  TARN_ASSIGN_OR_RETURN(lake::LakeTables * tables, lake.tables());
  return tables->Load(call.params[0], call.params[1]);
}

Result<Reply> LoadTable(lake::Lake& lake, const Call& call) {
  // "refs" lets a server leave out snapshots no ref points at; all of them is also right.
  std::string snapshots = call.Query("snapshots").value_or("all");
  if (snapshots != "all" && snapshots != "refs") {
    return InvalidArgument("snapshots: must be 'all' or 'refs', got '" + snapshots + "'");
  }
  TARN_ASSIGN_OR_RETURN(auto table, OpenTable(lake, call, Access::kRead));
  return TableReply(*table, true);
}

Result<Reply> ListTables(lake::Lake& lake, const Call& call) {
  const std::string& ns = call.params[0];
  TARN_RETURN_IF_ERROR(NamespaceZone(call, ns, Access::kRead).status());
  TARN_ASSIGN_OR_RETURN(lake::LakeTables * tables, lake.tables());
  TARN_ASSIGN_OR_RETURN(std::vector<std::string> names, tables->List(ns));
  std::sort(names.begin(), names.end());
  // Pages are keyed by the last name sent, so tables created meanwhile do not shift them.
  std::string after = call.Query("pageToken").value_or("");
  size_t page = names.size();
  if (auto size = call.Query("pageSize")) {
    char* end = nullptr;
    long n = std::strtol(size->c_str(), &end, 10);
    if (size->empty() || *end != '\0' || n < 1) {
      return InvalidArgument("pageSize: must be a positive integer, got '" + *size + "'");
    }
    page = static_cast<size_t>(n);
  }
  Json ids = Json::array();
  auto it = std::upper_bound(names.begin(), names.end(), after);
  for (; it != names.end() && ids.size() < page; ++it) {
    ids.push_back({{"namespace", Json::array({ns})}, {"name", *it}});
  }
  Json out = {{"identifiers", std::move(ids)}};
  if (it != names.end()) out["next-page-token"] = *(it - 1);
  return Reply{200, std::move(out)};
}

struct CommitRequest {
  std::vector<iceberg::TableRequirement> requirements;
  std::vector<iceberg::TableUpdate> updates;
};

Result<CommitRequest> ParseCommitRequest(const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(call.body));
  const Json& j = body.json();
  if (j.contains("identifier") && j["identifier"].is_object()) {
    Json expected = {{"namespace", Json::array({call.params[0]})}, {"name", call.params[1]}};
    if (j["identifier"] != expected) {
      return InvalidArgument("identifier: " + j["identifier"].dump() +
                             " is not the table of the path, " + expected.dump());
    }
  }
  CommitRequest r;
  std::string requirements = j.contains("requirements") ? j["requirements"].dump() : "[]";
  std::string updates = j.contains("updates") ? j["updates"].dump() : "[]";
  TARN_ASSIGN_OR_RETURN(r.requirements, iceberg::TableRequirementsFromJson(requirements));
  TARN_ASSIGN_OR_RETURN(r.updates, iceberg::TableUpdatesFromJson(updates));
  return r;
}

bool AssertsCreate(const CommitRequest& req) {
  return std::any_of(req.requirements.begin(), req.requirements.end(), [](const auto& r) {
    return std::holds_alternative<iceberg::AssertCreate>(r);
  });
}

// The commit of a staged create: the table's first metadata is the updates applied to none.
Result<Reply> CreateByCommit(lake::Lake& lake, const Call& call, const CommitRequest& req) {
  const std::string &ns = call.params[0], &name = call.params[1];
  TARN_RETURN_IF_ERROR(lake::LakeTables::CheckName(ns, name));
  TARN_ASSIGN_OR_RETURN(lake::LakeTables * tables, lake.tables());
  TARN_RETURN_IF_ERROR(iceberg::CheckRequirements(nullptr, req.requirements));
  TARN_ASSIGN_OR_RETURN(TableMetadata metadata,
                        iceberg::ApplyUpdates(TableMetadata{}, req.updates, NowMs()));
  if (metadata.table_uuid.empty()) metadata.table_uuid = NewUuid();
  if (metadata.location.empty()) metadata.location = tables->DefaultLocation(ns, name);
  TARN_RETURN_IF_ERROR(CheckLocation(*tables, ns, metadata.location));
  TARN_ASSIGN_OR_RETURN(auto table, tables->Create(ns, name, metadata));
  return TableReply(*table, false);
}

// Inside Table::Commit: runs again on fresh metadata after a lost race.
iceberg::MetadataChange CommitChange(const CommitRequest& req, const lake::LakeTables& tables,
                                     const std::string& zone) {
  return [req = &req, tables = &tables, zone](const TableMetadata& base,
                                              std::vector<iceberg::PendingFile>*) -> Result<TableMetadata> {
    TARN_RETURN_IF_ERROR(iceberg::CheckRequirements(&base, req->requirements));
    TARN_ASSIGN_OR_RETURN(TableMetadata next, iceberg::ApplyUpdates(base, req->updates, NowMs()));
    if (next.location != base.location) {
      TARN_RETURN_IF_ERROR(CheckLocation(*tables, zone, next.location));
    }
    return next;
  };
}

Result<Reply> CommitTable(lake::Lake& lake, const Call& call) {
  TARN_ASSIGN_OR_RETURN(CommitRequest req, ParseCommitRequest(call));
  auto table = OpenTable(lake, call, Access::kWrite);
  if (!table.ok() && table.status().code() == ErrorCode::kNotFound && AssertsCreate(req)) {
    return CreateByCommit(lake, call, req);
  }
  if (!table.ok()) return table.status();
  TARN_ASSIGN_OR_RETURN(lake::LakeTables * tables, lake.tables());
  TARN_RETURN_IF_ERROR((*table)->Commit(CommitChange(req, *tables, call.params[0])));
  return TableReply(**table, false);
}

Result<Reply> DropTable(lake::Lake& lake, const Call& call) {
  std::string purge = call.Query("purgeRequested").value_or("false");
  if (purge != "true" && purge != "false") {
    return InvalidArgument("purgeRequested: must be 'true' or 'false', got '" + purge + "'");
  }
  TARN_RETURN_IF_ERROR(NamespaceZone(call, call.params[0], Access::kWrite).status());
  TARN_ASSIGN_OR_RETURN(lake::LakeTables * tables, lake.tables());
  TARN_RETURN_IF_ERROR(tables->Drop(call.params[0], call.params[1], purge == "true"));
  return Reply{204, {}};
}

// Clients send scan and commit reports after their work; tarn does not keep them.
Result<Reply> ReportMetrics(lake::Lake& lake, const Call& call) {
  TARN_RETURN_IF_ERROR(OpenTable(lake, call, Access::kRead).status());
  return Reply{204, {}};
}

}  // namespace

std::vector<Route> TableRoutes(lake::Lake& lake) {
  const std::string tables = std::string(kPrefix) + "/namespaces/([^/]+)/tables";
  const std::string table = tables + "/([^/]+)";
  auto bind = [&lake](Result<Reply> (*f)(lake::Lake&, const Call&)) -> Handler {
    return [&lake, f](const Call& call) { return f(lake, call); };
  };
  constexpr auto kNs = ErrorStyle::kIcebergNamespace;
  constexpr auto kTable = ErrorStyle::kIcebergTable;
  return {
      {"GET", tables, true, bind(ListTables), kNs},
      {"POST", tables, true, bind(CreateTable), kNs},
      {"GET", table, true, bind(LoadTable), kTable},
      {"POST", table, true, bind(CommitTable), kTable},
      {"DELETE", table, true, bind(DropTable), kTable},
      {"POST", table + "/metrics", true, bind(ReportMetrics), kTable},
  };
}

}  // namespace tarn::server::iceberg_rest
