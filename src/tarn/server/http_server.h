// The REST API server of `tarn serve`. Binds on construction (127.0.0.1 unless told
// otherwise), serves until Stop(). Every route but /health requires a bearer token.
// Thread-safe: Stop() may be called from any thread, e.g. a signal watcher.
#pragma once

#include <memory>
#include <string>

#include "tarn/base/status.h"
#include "tarn/query/query_service.h"

namespace tarn::lake {
class Lake;
}
namespace tarn::pipeline {
class StreamRunner;
}

namespace tarn::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port
  int threads = 16;
  size_t max_body_bytes = 32u << 20;
  query::QueryLimits query_limits;  // POST /query
  const pipeline::StreamRunner* streams = nullptr;  // streams running in this process, if any
};

class HttpServer {
 public:
  // Errors: kUnavailable if the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Bind(lake::Lake& lake, const ServerOptions& options);
  ~HttpServer();

  int port() const;
  // Serves requests until Stop(); in-flight requests finish first.
  Status Serve();
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "host:port" -> options fields. Errors: kInvalidArgument.
Status ParseListenAddress(const std::string& text, ServerOptions* options);

}  // namespace tarn::server
