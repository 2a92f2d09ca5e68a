// A real `tarn serve` in-process for API tests: a lake in a temp dir, the catalog on the
// chosen backend, the HTTP server on a free loopback port, and an admin token.
#pragma once

#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tarn/lake/lake.h"
#include "tarn/server/http_server.h"

namespace tarn::testing {

struct HttpReply {
  int status = 0;
  nlohmann::json body;
};

class TestServer {
 public:
  // `backend` is "sqlite" or "postgres". Fails the current test on error.
  explicit TestServer(const std::string& backend);
  ~TestServer();

  const std::string& lake_dir() const { return dir_; }
  const std::string& admin_token() const { return admin_token_; }
  lake::Lake& lake() { return *lake_; }
  int port() const { return server_->port(); }

  // Issues a token with `grants` (e.g. "raw:write").
  std::string Token(const std::string& grants);

  // Sends a request (GET, HEAD, POST, PUT, DELETE); `token` "" sends no Authorization header.
  // A HEAD or 204 reply without a body has a null `body`.
  HttpReply Send(const std::string& method, const std::string& path, const std::string& body,
                 const std::string& token);
  HttpReply Get(const std::string& path) { return Send("GET", path, "", admin_token_); }
  HttpReply Post(const std::string& path, const nlohmann::json& body) {
    return Send("POST", path, body.dump(), admin_token_);
  }

 private:
  std::string dir_;
  std::unique_ptr<lake::Lake> lake_;
  std::unique_ptr<server::HttpServer> server_;
  std::thread thread_;
  std::string admin_token_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace tarn::testing
