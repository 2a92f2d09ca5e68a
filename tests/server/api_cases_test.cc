// Data-driven API cases: every file in tests/server/cases/*.http is a list of requests and the
// status and message each must get (see the header of malformed_requests.http; requests to
// /iceberg also name the Iceberg error type). Each case runs on a fresh server, on SQLite and on
// PostgreSQL.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "catalog/store_fixture.h"
#include "server/test_server.h"

namespace tarn::server {
namespace {

struct ApiCase {
  std::string file, title, method, path, grants, body, expect_message;
  int expect_status = 0;
};

std::vector<ApiCase> LoadCases() {
  std::vector<ApiCase> out;
  for (const auto& entry : std::filesystem::directory_iterator(TARN_API_CASES)) {
    if (entry.path().extension() != ".http") continue;
    std::ifstream in(entry.path());
    std::string line;
    ApiCase* c = nullptr;
    while (std::getline(in, line)) {
      if (line.rfind("### ", 0) == 0) {
        ApiCase fresh;
        fresh.file = entry.path().filename().string();
        fresh.title = line.substr(4);
        out.push_back(std::move(fresh));
        c = &out.back();
      } else if (!c || (line.empty() && c->method.empty()) || line[0] == '#') {
        continue;
      } else if (c->method.empty()) {
        std::istringstream req(line);
        std::string as;
        req >> c->method >> c->path >> as >> c->grants;
      } else if (line.rfind("=> ", 0) == 0) {
        std::istringstream exp(line.substr(3));
        exp >> c->expect_status;
        std::getline(exp >> std::ws, c->expect_message);
      } else {
        c->body += line + "\n";
      }
    }
  }
  return out;
}

void Replace(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos; (pos = s.find(from)) != std::string::npos;) s.replace(pos, from.size(), to);
}

class ApiCasesTest : public testing::BackendTest {};

TEST_P(ApiCasesTest, EveryCaseGetsItsStatusAndMessage) {
  auto cases = LoadCases();
  ASSERT_GT(cases.size(), 40u);
  testing::TestServer srv(GetParam());
  auto src = srv.Post("/sources", {{"name", "src-a"}, {"type", "batch"}, {"owner", "eng"}});
  auto other = srv.Post("/sources", {{"name", "src-b"}, {"type", "batch"}, {"owner", "eng"}});
  auto ds = srv.Post("/datasets", {{"source_id", src.body["source_id"]}, {"name", "events"},
                                   {"zone", "raw"}, {"owner", "eng"}});
  auto part = srv.Post("/datasets/" + ds.body["dataset_id"].get<std::string>() + "/partitions",
                       {{"partition_key", "dt=2024-01-15"}, {"file_path", "raw/events/seed.avro"},
                        {"format", "avro"}});
  ASSERT_EQ(part.status, 201) << part.body;
  std::map<std::string, std::string> vars = {
      {"{source_id}", src.body["source_id"]},
      {"{other_source_id}", other.body["source_id"]},
      {"{dataset_id}", ds.body["dataset_id"]},
      {"{partition_id}", part.body["partition_id"]},
      {"{unknown_id}", "01900000-0000-7000-8000-000000000000"},
      {"{lake}", srv.lake_dir() + "/lake"}};
  std::map<std::string, std::string> tokens = {{"", srv.admin_token()}, {"nobody", ""}};

  for (ApiCase c : cases) {
    SCOPED_TRACE(c.file + ": " + c.title);
    for (const auto& [k, v] : vars) {
      Replace(c.path, k, v);
      Replace(c.body, k, v);
    }
    if (!tokens.count(c.grants)) tokens[c.grants] = srv.Token(c.grants);
    auto reply = srv.Send(c.method, c.path, c.body, tokens[c.grants]);
    EXPECT_EQ(reply.status, c.expect_status) << reply.body;
    ASSERT_TRUE(reply.body.contains("error")) << reply.body;
    if (c.path.rfind("/iceberg/", 0) == 0) {
      // The Iceberg shape: {"error": {"message", "type", "code": <status>}}.
      std::istringstream exp(c.expect_message);
      std::string type;
      exp >> type;
      std::getline(exp >> std::ws, c.expect_message);
      EXPECT_EQ(reply.body["error"]["type"], type) << reply.body;
      EXPECT_EQ(reply.body["error"]["code"], c.expect_status) << reply.body;
    } else {
      EXPECT_TRUE(reply.body["error"]["code"].is_string());
    }
    std::string message = reply.body["error"]["message"];
    EXPECT_NE(message.find(c.expect_message), std::string::npos)
        << "message '" << message << "' lacks '" << c.expect_message << "'";
  }
  // None of the rejected requests left anything behind.
  EXPECT_EQ(srv.Get("/sources").body["sources"].size(), 2u);
  EXPECT_EQ(srv.Get("/datasets").body["datasets"].size(), 1u);
  auto parts = srv.Get("/datasets/" + ds.body["dataset_id"].get<std::string>() + "/partitions");
  EXPECT_EQ(parts.body["partitions"].size(), 1u);
  EXPECT_EQ(srv.Get("/partitions/" + part.body["partition_id"].get<std::string>() + "/quality-runs")
                .body["quality_runs"]
                .size(),
            0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiCasesTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace tarn::server
