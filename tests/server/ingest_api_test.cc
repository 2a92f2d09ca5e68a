// Ingestion over the REST API: synchronous and asynchronous runs, reading them back, grants.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "catalog/store_fixture.h"
#include "server/test_server.h"

namespace tarn::server {
namespace {

using nlohmann::json;

class IngestApiTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    srv_ = std::make_unique<testing::TestServer>(GetParam());
    input_ = srv_->lake_dir() + "/events.jsonl";
    std::ofstream(input_) << "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n{\"id\": \"x\"}\n";
    auto src = srv_->Post("/sources", {{"name", "files"}, {"type", "batch"}, {"owner", "eng"},
                                       {"connection_config",
                                        {{"connector", "file"}, {"path", input_}, {"format", "jsonl"}}}});
    auto ds = srv_->Post("/datasets", {{"source_id", src.body["source_id"]}, {"name", "events"},
                                       {"zone", "raw"}, {"owner", "eng"}});
    dataset_ = ds.body["dataset_id"];
    auto schema = srv_->Post("/datasets/" + dataset_ + "/schemas",
                             {{"schema_json", {{"type", "record"}, {"name", "E"},
                                               {"fields", json::array({{{"name", "id"}, {"type", "long"}},
                                                                       {{"name", "name"}, {"type", "string"}}})}}}});
    ASSERT_EQ(schema.status, 201) << schema.body;
  }
  void TearDown() override {
    srv_.reset();
    BackendTest::TearDown();
  }

  std::unique_ptr<testing::TestServer> srv_;
  std::string input_, dataset_;
};

TEST_P(IngestApiTest, SynchronousRunAnswersWithTheRunRecord) {
  auto run = srv_->Post("/datasets/" + dataset_ + "/ingest-runs", json::object());
  ASSERT_EQ(run.status, 201) << run.body;
  EXPECT_EQ(run.body["status"], "succeeded");
  EXPECT_EQ(run.body["records_accepted"], 2);
  EXPECT_EQ(run.body["records_rejected"], 1);
  EXPECT_EQ(run.body["files_written"], 1);
  EXPECT_TRUE(run.body["deadletter_path"].is_string());
  std::string id = run.body["id"];

  auto parts = srv_->Get("/datasets/" + dataset_ + "/partitions");
  ASSERT_EQ(parts.body["partitions"].size(), 1u);
  EXPECT_EQ(parts.body["partitions"][0]["row_count"], 2);
  EXPECT_EQ(parts.body["partitions"][0]["format"], "avro");

  EXPECT_EQ(srv_->Get("/datasets/" + dataset_ + "/ingest-runs/" + id).body["id"], id);
  EXPECT_EQ(srv_->Get("/datasets/" + dataset_ + "/ingest-runs").body["ingest_runs"].size(), 1u);
  EXPECT_EQ(srv_->Get("/datasets/" + dataset_ + "/ingest-runs/01900000-0000-7000-8000-000000000000").status,
            404);
  // The same window again: the same run, nothing new.
  auto again = srv_->Post("/datasets/" + dataset_ + "/ingest-runs", json::object());
  EXPECT_EQ(again.body["id"], id);
  EXPECT_EQ(srv_->Get("/datasets/" + dataset_ + "/partitions").body["partitions"].size(), 1u);
}

TEST_P(IngestApiTest, AsynchronousRunIsPolled) {
  auto started = srv_->Post("/datasets/" + dataset_ + "/ingest-runs?async=true", json::object());
  ASSERT_EQ(started.status, 202) << started.body;
  std::string url = "/datasets/" + dataset_ + "/ingest-runs/" + started.body["id"].get<std::string>();
  testing::HttpReply run;
  for (int i = 0; i < 500; ++i) {
    run = srv_->Get(url);
    if (run.body["status"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(run.body["status"], "succeeded") << run.body;
  EXPECT_EQ(run.body["records_accepted"], 2);
}

TEST_P(IngestApiTest, OverridesBadConfigurationAndGrants) {
  auto missing = srv_->Post("/datasets/" + dataset_ + "/ingest-runs", {{"path", "/nonexistent.jsonl"}});
  EXPECT_EQ(missing.status, 422) << missing.body;
  EXPECT_NE(missing.body["error"]["message"].get<std::string>().find("no file matches"),
            std::string::npos);
  auto bad = srv_->Send("POST", "/datasets/" + dataset_ + "/ingest-runs", "[1]", srv_->admin_token());
  EXPECT_EQ(bad.status, 400);
  std::string reader = srv_->Token("raw:read");
  EXPECT_EQ(srv_->Send("POST", "/datasets/" + dataset_ + "/ingest-runs", "{}", reader).status, 403);
  EXPECT_EQ(srv_->Send("GET", "/datasets/" + dataset_ + "/ingest-runs", "", reader).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, IngestApiTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace tarn::server
