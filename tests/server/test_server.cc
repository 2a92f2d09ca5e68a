#include "server/test_server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "catalog/store_fixture.h"

namespace tarn::testing {

TestServer::TestServer(const std::string& backend) {
  dir_ = MakeTempDir();
  lake::LakeOptions opts;
  opts.root = dir_ + "/lake";
  if (backend == "postgres") opts.catalog_url = FreshCatalogUrl(backend, dir_);
  auto lake = lake::Lake::Open(opts);
  if (!lake.ok()) {
    ADD_FAILURE() << lake.status().ToString();
    return;
  }
  lake_ = std::move(lake).value();
  auto source = lake_->BootstrapAdminToken();
  EXPECT_TRUE(source.ok() && *source == "generated") << source.status().ToString();
  std::ifstream(lake_->admin_token_path()) >> admin_token_;
  server::ServerOptions so;
  so.port = 0;
  so.threads = 8;
  so.max_body_bytes = 1 << 20;
  auto srv = server::HttpServer::Bind(*lake_, so);
  if (!srv.ok()) {
    ADD_FAILURE() << srv.status().ToString();
    return;
  }
  server_ = std::move(srv).value();
  thread_ = std::thread([this] { (void)server_->Serve(); });
  client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  client_->set_tcp_nodelay(true);
  // Wait until the listener answers.
  for (int i = 0; i < 200 && !client_->Get("/health"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TestServer::~TestServer() {
  if (server_) server_->Stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  lake_.reset();
  std::filesystem::remove_all(dir_);
}

std::string TestServer::Token(const std::string& grants) {
  auto issued = lake_->catalog().IssueToken("test " + grants, grants);
  EXPECT_TRUE(issued.ok()) << issued.status().ToString();
  return issued.ok() ? issued->secret : "";
}

HttpReply TestServer::Send(const std::string& method, const std::string& path,
                           const std::string& body, const std::string& token) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  httplib::Result res =
      method == "GET"    ? client_->Get(path, headers)
      : method == "HEAD" ? client_->Head(path, headers)
      : method == "POST" ? client_->Post(path, headers, body, "application/json")
      : method == "PUT"  ? client_->Put(path, headers, body, "application/json")
                         : client_->Delete(path, headers);
  HttpReply out;
  if (!res) {
    ADD_FAILURE() << method << " " << path << ": no response (" << httplib::to_string(res.error()) << ")";
    return out;
  }
  out.status = res->status;
  if (res->body.empty() && (method == "HEAD" || res->status == 204)) return out;  // body: null
  out.body = nlohmann::json::parse(res->body, nullptr, false);
  EXPECT_FALSE(out.body.is_discarded()) << method << " " << path << " answered non-JSON: " << res->body;
  return out;
}

}  // namespace tarn::testing
