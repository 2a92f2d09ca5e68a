#include "tarn/server/http_server.h"

#include <httplib.h>

#include <chrono>

#include "tarn/base/log.h"
#include "tarn/lake/lake.h"
#include "tarn/server/job_runner.h"
#include "tarn/server/routes.h"

namespace tarn::server {
namespace {

// The one place where errors become HTTP statuses: tarn's routes, and the Iceberg REST
// catalog's (its spec has no 422 or 501; an unsupported operation is 406).
int HttpStatusFor(ErrorCode code, ErrorStyle style) {
  bool iceberg = style != ErrorStyle::kTarn;
  switch (code) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kResourceExhausted: return 413;
    case ErrorCode::kFailedPrecondition: return iceberg ? 400 : 422;
    case ErrorCode::kUnimplemented: return iceberg ? 406 : 501;
    case ErrorCode::kUnavailable: return 503;
    default: return 500;
  }
}

// The Iceberg REST catalog's error "type": the Java exception a client raises.
const char* IcebergErrorType(ErrorCode code, ErrorStyle style) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kResourceExhausted: return "BadRequestException";
    case ErrorCode::kUnauthenticated: return "NotAuthorizedException";
    case ErrorCode::kPermissionDenied: return "ForbiddenException";
    case ErrorCode::kNotFound:
      return style == ErrorStyle::kIcebergTable ? "NoSuchTableException"
                                                : "NoSuchNamespaceException";
    case ErrorCode::kAlreadyExists: return "AlreadyExistsException";
    case ErrorCode::kConflict: return "CommitFailedException";
    case ErrorCode::kCommitStateUnknown: return "CommitStateUnknownException";
    case ErrorCode::kUnimplemented: return "UnsupportedOperationException";
    case ErrorCode::kUnavailable: return "ServiceUnavailableException";
    default: return "InternalServerError";
  }
}

// For errors cpp-httplib raises itself (no route matched, body too large).
const char* ErrorNameForHttp(int status) {
  switch (status) {
    case 400: return "invalid_argument";
    case 401: return "unauthenticated";
    case 403: return "permission_denied";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "already_exists";
    case 413: return "payload_too_large";
    case 422: return "failed_precondition";
    case 503: return "unavailable";
    default: return "internal";
  }
}

const char* IcebergErrorTypeForHttp(int status) {
  switch (status) {
    case 400:
    case 413: return "BadRequestException";
    case 404: return "NotFoundException";
    case 405: return "UnsupportedOperationException";
    case 503: return "ServiceUnavailableException";
    default: return "InternalServerError";
  }
}

bool IsIcebergPath(const std::string& path) { return path.rfind("/iceberg/", 0) == 0; }

void WriteJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void WriteError(httplib::Response& res, const Status& st, ErrorStyle style = ErrorStyle::kTarn) {
  int http = HttpStatusFor(st.code(), style);
  if (http >= 500) LogError("request failed: " + st.ToString());
  if (http == 401) res.set_header("WWW-Authenticate", "Bearer realm=\"tarn\"");
  if (style != ErrorStyle::kTarn) {
    return WriteJson(res, http, {{"error", {{"message", st.message()},
                                            {"type", IcebergErrorType(st.code(), style)},
                                            {"code", http}}}});
  }
  WriteJson(res, http,
            {{"error", {{"code", ErrorCodeName(st.code())}, {"message", st.message()}}}});
}

// An error cpp-httplib raised itself, in the shape of the path's API.
void WriteHttpError(const httplib::Request& req, httplib::Response& res, const std::string& msg) {
  if (IsIcebergPath(req.path)) {
    return WriteJson(res, res.status, {{"error", {{"message", msg},
                                                  {"type", IcebergErrorTypeForHttp(res.status)},
                                                  {"code", res.status}}}});
  }
  WriteJson(res, res.status,
            {{"error", {{"code", ErrorNameForHttp(res.status)}, {"message", msg}}}});
}

std::string BearerToken(const httplib::Request& req) {
  std::string h = req.get_header_value("Authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (h.size() <= kPrefix.size() || h.compare(0, kPrefix.size(), kPrefix) != 0) return "";
  return h.substr(kPrefix.size());
}

}  // namespace

Status Require(const catalog::Grants& grants, catalog::Zone zone, catalog::Access access) {
  if (grants.Allows(zone, access)) return Status::OK();
  return PermissionDenied(std::string("this token may not ") +
                          (access == catalog::Access::kWrite ? "write to" : "read from") +
                          " the " + std::string(catalog::ToString(zone)) + " zone");
}

struct HttpServer::Impl {
  lake::Lake* lake = nullptr;
  httplib::Server http;
  JobRunner jobs;  // destroyed (joined) before the lake goes away
  std::unique_ptr<query::QueryService> queries;
  int port = 0;

  void Install(const Route& route) {
    auto handler = [this, route](const httplib::Request& req, httplib::Response& res) {
      Call call;
      for (size_t i = 1; i < req.matches.size(); ++i) call.params.push_back(req.matches[i]);
      for (const auto& [k, v] : req.params) call.query.emplace(k, v);
      call.body = req.body;
      if (route.requires_auth) {
        auto grants = lake->catalog().Authenticate(BearerToken(req));
        if (!grants.ok()) {
          // A catalog outage is not the caller's fault: it stays 503, not 401.
          const Status& st = grants.status();
          return WriteError(res,
                            st.code() == ErrorCode::kUnauthenticated
                                ? Unauthenticated(st.message() +
                                                  "; send Authorization: Bearer <token>")
                                : st,
                            route.error_style);
        }
        call.grants = std::move(grants).value();
      }
      auto reply = route.handler(call);
      if (!reply.ok()) return WriteError(res, reply.status(), route.error_style);
      // cpp-httplib answers HEAD with the GET handler (and drops the body); the Iceberg REST
      // spec wants 204 for an existing namespace or table.
      bool head = req.method == "HEAD" && route.error_style != ErrorStyle::kTarn;
      if (reply->status == 204 || head) {
        res.status = 204;
        return;
      }
      if (!reply->text.empty()) {
        res.status = reply->status;
        res.set_content(std::move(reply->text), "application/json");
        return;
      }
      WriteJson(res, reply->status, reply->body);
    };
    if (route.method == "GET") http.Get(route.pattern, handler);
    else if (route.method == "POST") http.Post(route.pattern, handler);
    else if (route.method == "PUT") http.Put(route.pattern, handler);
    else if (route.method == "DELETE") http.Delete(route.pattern, handler);
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Bind(lake::Lake& lake,
                                                     const ServerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->lake = &lake;
  httplib::Server& http = impl->http;
  int threads = options.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(100000);
  http.set_keep_alive_timeout(30);
  http.set_read_timeout(30);
  http.set_payload_max_length(options.max_body_bytes);
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string msg = res.status == 404   ? "no such endpoint: " + req.method + " " + req.path
                      : res.status == 413 ? "request body too large"
                                          : "HTTP " + std::to_string(res.status);
    WriteHttpError(req, res, msg);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res,
                                std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    WriteError(res, Internal(what),
               IsIcebergPath(req.path) ? ErrorStyle::kIcebergTable : ErrorStyle::kTarn);
  });
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    // Method, path and status only: headers (tokens) and bodies are never logged.
    Log(res.status >= 400 ? LogLevel::kWarn : LogLevel::kDebug,
        req.method + " " + req.path + " -> " + std::to_string(res.status));
  });
  http.Get("/health", [raw = impl.get()](const httplib::Request&, httplib::Response& res) {
    Status st = raw->lake->catalog().store().Ping();
    if (!st.ok()) return WriteError(res, st);
    WriteJson(res, 200, {{"status", "ok"}, {"catalog", raw->lake->catalog_kind()}});
  });
  for (const Route& r : CatalogRoutes(lake)) impl->Install(r);
  for (const Route& r : SchemaRoutes(lake)) impl->Install(r);
  for (const Route& r : AdminRoutes(lake)) impl->Install(r);
  for (const Route& r : IngestRoutes(lake, impl->jobs)) impl->Install(r);
  for (const Route& r : AlertRoutes(lake)) impl->Install(r);
  for (const Route& r : IcebergRoutes(lake)) impl->Install(r);
  for (const Route& r : PromotionRoutes(lake)) impl->Install(r);
  for (const Route& r : StreamRoutes(lake, options.streams)) impl->Install(r);
  impl->queries = std::make_unique<query::QueryService>(lake, options.query_limits);
  for (const Route& r : QueryRoutes(*impl->queries)) impl->Install(r);

  impl->port = options.port == 0 ? http.bind_to_any_port(options.host)
                                 : (http.bind_to_port(options.host, options.port) ? options.port : -1);
  if (impl->port <= 0) {
    return Unavailable("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                       " (address in use or not available)");
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port; }

Status HttpServer::Serve() {
  if (!impl_->http.listen_after_bind()) return Unavailable("the HTTP listener stopped unexpectedly");
  return Status::OK();
}

void HttpServer::Stop() {
  if (!impl_) return;
  if (impl_->http.is_running()) impl_->http.stop();
  impl_->jobs.WaitAll();
}

Status ParseListenAddress(const std::string& text, ServerOptions* options) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return InvalidArgument("listen address '" + text + "' must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (*end != '\0' || p < 0 || p > 65535) {
    return InvalidArgument("listen address '" + text + "': port must be 0..65535");
  }
  options->host = host;
  options->port = static_cast<int>(p);
  return Status::OK();
}

}  // namespace tarn::server
