// A real `tarn serve` for the Iceberg REST catalog tests (iceberg_rest_*_test.cc), on SQLite
// and PostgreSQL, with helpers that speak the catalog's JSON.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "catalog/store_fixture.h"
#include "server/test_server.h"

namespace tarn::server {

using nlohmann::json;
using testing::HttpReply;
using testing::TestServer;

class IcebergRestTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    srv_ = std::make_unique<TestServer>(GetParam());
  }
  void TearDown() override {
    srv_.reset();
    BackendTest::TearDown();
  }

  // `path` is relative to the catalog's uri, http://host:port/iceberg.
  HttpReply Ice(const std::string& method, const std::string& path, const json& body = nullptr,
                const std::string& token = "") {
    return srv_->Send(method, "/iceberg" + path, body.is_null() ? "" : body.dump(),
                      token.empty() ? srv_->admin_token() : token);
  }

  std::string LakeDir() const { return srv_->lake_dir() + "/lake"; }

  // id long, ts timestamptz, country string (ids 1..3).
  static json EventsSchema() {
    return {
        {"type", "struct"},
        {"schema-id", 0},
        {"fields", json::array({
                       {{"id", 1}, {"name", "id"}, {"required", true}, {"type", "long"}},
                       {{"id", 2}, {"name", "ts"}, {"required", true}, {"type", "timestamptz"}},
                       {{"id", 3}, {"name", "country"}, {"required", false}, {"type", "string"}},
                   })}};
  }

  // Creates curated.<name> partitioned by day(ts); fails the test unless it answers 200.
  json CreateEvents(const std::string& name, const std::string& ns = "curated") {
    json spec = {
        {"fields", json::array({{{"source-id", 2}, {"name", "ts_day"}, {"transform", "day"}}})}};
    auto r = Ice("POST", "/v1/namespaces/" + ns + "/tables",
                 {{"name", name}, {"schema", EventsSchema()}, {"partition-spec", spec}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }

  json Commit(const std::string& table, const json& requirements, const json& updates,
              int expect_status = 200) {
    auto r = Ice("POST", "/v1/namespaces/curated/tables/" + table,
                 {{"requirements", requirements}, {"updates", updates}});
    EXPECT_EQ(r.status, expect_status) << r.body;
    return r.body;
  }

  // The Iceberg error shape: {"error": {"message", "type", "code"}}.
  static void ExpectError(const HttpReply& r, int status, const std::string& type,
                          const std::string& message_part = "") {
    EXPECT_EQ(r.status, status) << r.body;
    ASSERT_TRUE(r.body.contains("error")) << r.body;
    EXPECT_EQ(r.body["error"]["type"], type) << r.body;
    EXPECT_EQ(r.body["error"]["code"], status) << r.body;
    ASSERT_TRUE(r.body["error"]["message"].is_string()) << r.body;
    EXPECT_NE(r.body["error"]["message"].get<std::string>().find(message_part), std::string::npos)
        << r.body;
  }

  std::unique_ptr<TestServer> srv_;
};

}  // namespace tarn::server
