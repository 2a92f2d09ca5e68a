// The Iceberg REST catalog (Apache Iceberg's rest-catalog-open-api.yaml) under /iceberg: the
// configuration and namespace routes, and the operations tarn does not offer. tarn's
// namespaces are its table zones, "curated" and "serving": they always exist, and cannot be
// created, dropped or given properties. The table routes are in routes_iceberg_tables.cc.
#include "tarn/server/routes_iceberg.h"

#include "tarn/lake/lake.h"

namespace tarn::server {
namespace iceberg_rest {

using catalog::Access;
using catalog::Zone;

namespace {

constexpr const char* kZones[] = {"curated", "serving"};
constexpr const char* kAboutNamespaces =
    "tarn's namespaces are its table zones, 'curated' and 'serving'";

// Multi-level namespaces arrive joined by the unit separator (0x1F); shown dotted.
std::string Printable(std::string ns) {
  for (char& c : ns) {
    if (c == '\x1f') c = '.';
  }
  return ns;
}

}  // namespace

Result<Zone> NamespaceZone(const Call& call, const std::string& ns, Access access) {
  Zone zone;
  if (!lake::LakeTables::IsTableZone(ns) || !catalog::Parse(ns, &zone)) {
    return NotFound("Namespace does not exist: " + Printable(ns) + " (" + kAboutNamespaces + ")");
  }
  TARN_RETURN_IF_ERROR(Require(call.grants, zone, access));
  return zone;
}

}  // namespace iceberg_rest

namespace {

using catalog::Access;
using iceberg_rest::kAboutNamespaces;
using iceberg_rest::NamespaceZone;

// What a client may call (the spec's "endpoints" of a ConfigResponse). Requests to the others
// are refused with 406.
constexpr const char* kEndpoints[] = {
    "GET /v1/{prefix}/namespaces",
    "POST /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "POST /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
};

Result<Reply> GetConfig(const Call&) {
  Json endpoints = Json::array();
  for (const char* e : kEndpoints) endpoints.push_back(e);
  return Reply{200,
               {{"defaults", Json::object()},
                {"overrides", Json::object()},
                {"endpoints", std::move(endpoints)}}};
}

// Zones have no child namespaces: listing under one is empty; under anything else, 404.
Result<Reply> ListNamespaces(const Call& call) {
  Json namespaces = Json::array();
  std::string parent = call.Query("parent").value_or("");
  if (!parent.empty()) {
    TARN_RETURN_IF_ERROR(NamespaceZone(call, parent, Access::kRead).status());
  } else {
    for (const char* zone : iceberg_rest::kZones) {
      if (NamespaceZone(call, zone, Access::kRead).ok()) namespaces.push_back(Json::array({zone}));
    }
  }
  return Reply{200, {{"namespaces", std::move(namespaces)}}};
}

Result<Reply> LoadNamespace(const Call& call) {
  TARN_RETURN_IF_ERROR(NamespaceZone(call, call.params[0], Access::kRead).status());
  return Reply{200, {{"namespace", Json::array({call.params[0]})}, {"properties", Json::object()}}};
}

Result<Reply> CreateNamespace(const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(call.body));
  const Json& ns = body.json().contains("namespace") ? body.json()["namespace"] : Json();
  if (!ns.is_array() || ns.empty()) {
    return InvalidArgument("namespace: must be a non-empty array of strings, e.g. [\"curated\"]");
  }
  std::string name;
  for (const Json& level : ns) {
    if (!level.is_string()) return InvalidArgument("namespace: levels must be strings");
    name += (name.empty() ? "" : ".") + level.get<std::string>();
  }
  if (ns.size() == 1 && lake::LakeTables::IsTableZone(name)) {
    return AlreadyExists("Namespace already exists: " + name + " (" + kAboutNamespaces + ")");
  }
  return Unimplemented("cannot create namespace " + name + ": " + kAboutNamespaces +
                       ", which always exist");
}

Result<Reply> DropNamespace(const Call& call) {
  TARN_RETURN_IF_ERROR(NamespaceZone(call, call.params[0], Access::kRead).status());
  return Unimplemented("cannot drop namespace " + call.params[0] + ": " + kAboutNamespaces +
                       ", which always exist; drop its tables instead");
}

Result<Reply> UpdateNamespaceProperties(const Call& call) {
  TARN_RETURN_IF_ERROR(NamespaceZone(call, call.params[0], Access::kRead).status());
  return Unimplemented("namespace " + call.params[0] +
                       " has no properties to set: " + kAboutNamespaces);
}

Handler Refuse(std::string why) {
  return [why](const Call&) -> Result<Reply> { return Unimplemented(why); };
}

}  // namespace

std::vector<Route> IcebergRoutes(lake::Lake& lake) {
  const std::string v1 = iceberg_rest::kPrefix;
  const std::string ns = v1 + "/namespaces/([^/]+)";
  constexpr auto kNs = ErrorStyle::kIcebergNamespace;
  constexpr auto kTable = ErrorStyle::kIcebergTable;
  std::vector<Route> routes = {
      {"GET", v1 + "/config", true, GetConfig, kNs},
      {"GET", v1 + "/namespaces", true, ListNamespaces, kNs},
      {"POST", v1 + "/namespaces", true, CreateNamespace, kNs},
      {"GET", ns, true, LoadNamespace, kNs},
      {"DELETE", ns, true, DropNamespace, kNs},
      {"POST", ns + "/properties", true, UpdateNamespaceProperties, kNs},
      {"POST", ns + "/register", true,
       Refuse("registering existing metadata is not supported: create the table in tarn "
              "instead"),
       kNs},
      {"POST", v1 + "/tables/rename", true,
       Refuse("renaming tables is not supported: a table's files live under its name "
              "(<lake>/<zone>/<name>)"),
       kTable},
      {"POST", v1 + "/transactions/commit", true,
       Refuse("multi-table transactions are not supported: commit each table on its own "
              "(POST /v1/namespaces/{namespace}/tables/{table})"),
       kTable},
  };
  for (Route& r : iceberg_rest::TableRoutes(lake)) routes.push_back(std::move(r));
  return routes;
}

}  // namespace tarn::server
