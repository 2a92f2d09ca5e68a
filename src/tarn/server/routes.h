// The route table between the HTTP transport (http_server.cc, the only file that sees
// cpp-httplib) and the route groups (one file each). Handlers parse, call a service, and
// render; errors become HTTP statuses in one place (http_server.cc).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/catalog/catalog_service.h"
#include "tarn/catalog/grants.h"
#include "tarn/server/json_io.h"

namespace tarn::lake {
class Lake;
}
namespace tarn::query {
class QueryService;
}
namespace tarn::pipeline {
class StreamRunner;
}

namespace tarn::server {

struct Call {
  std::vector<std::string> params;  // path captures, in order
  std::multimap<std::string, std::string> query;
  std::string body;
  catalog::Grants grants;  // of the authenticated caller (empty for public routes)

  std::optional<std::string> Query(const std::string& name) const {
    auto it = query.find(name);
    if (it == query.end()) return std::nullopt;
    return it->second;
  }
};

struct Reply {
  int status = 200;  // 204: sent without a body
  Json body;
  std::string text;  // when not empty: pre-rendered JSON sent as is, instead of `body`
};

using Handler = std::function<Result<Reply>(const Call&)>;

// How a route's errors are written (http_server.cc): tarn's {"error": {"code", "message"}}, or
// the Iceberg REST catalog's {"error": {"message", "type", "code"}}, whose type for a 404 names
// what the route acts on (NoSuchNamespaceException or NoSuchTableException).
enum class ErrorStyle { kTarn, kIcebergNamespace, kIcebergTable };

struct Route {
  std::string method;   // GET (also answers HEAD), POST, PUT, DELETE
  std::string pattern;  // regex with capture groups, e.g. "/datasets/([^/]+)"
  bool requires_auth = true;
  Handler handler;
  // Iceberg styles also answer a successful HEAD with 204 and no body.
  ErrorStyle error_style = ErrorStyle::kTarn;
};

// Denies with kPermissionDenied unless `grants` allow `access` to `zone`.
Status Require(const catalog::Grants& grants, catalog::Zone zone, catalog::Access access);

// Reads a dataset and checks the caller may `access` its zone.
Result<catalog::Dataset> DatasetFor(catalog::CatalogService& cat, const Call& call,
                                    const std::string& id, catalog::Access access);

std::vector<Route> CatalogRoutes(lake::Lake& lake);
std::vector<Route> SchemaRoutes(lake::Lake& lake);
std::vector<Route> AdminRoutes(lake::Lake& lake);
// The Iceberg REST catalog under /iceberg (routes_iceberg.cc, routes_iceberg_tables.cc).
std::vector<Route> IcebergRoutes(lake::Lake& lake);
class JobRunner;
// The promotion spec, promotion runs and lineage (routes_promotion.cc).
std::vector<Route> PromotionRoutes(lake::Lake& lake);
// POST /query (routes_query.cc).
std::vector<Route> QueryRoutes(const query::QueryService& service);
std::vector<Route> IngestRoutes(lake::Lake& lake, JobRunner& jobs);
// GET /datasets/{id}/watermark and /datasets/{id}/stream (routes_stream.cc); `streams` are the
// streams running in this server (may be null).
std::vector<Route> StreamRoutes(lake::Lake& lake, const pipeline::StreamRunner* streams);
// GET /datasets/{id}/alerts: the quality gate's alert deliveries (routes_alerts.cc).
std::vector<Route> AlertRoutes(lake::Lake& lake);

}  // namespace tarn::server
