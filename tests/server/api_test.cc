// The REST API end to end over real HTTP, on SQLite and PostgreSQL: the seed's walk-through,
// authentication and zone grants, idempotency, paging, and refusal of oversized bodies.
#include <gtest/gtest.h>

#include "catalog/store_fixture.h"
#include "server/test_server.h"

namespace tarn::server {
namespace {

using nlohmann::json;
using testing::HttpReply;
using testing::TestServer;

class ApiTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    srv_ = std::make_unique<TestServer>(GetParam());
  }
  void TearDown() override {
    srv_.reset();
    BackendTest::TearDown();
  }

  // source -> raw dataset; returns the dataset id.
  std::string MakeRawDataset(const std::string& name = "user_events_raw") {
    auto src = srv_->Post("/sources", {{"name", "src-" + name}, {"type", "batch"},
                                       {"connection_config", {{"host", "db"}, {"port", 5432}}},
                                       {"owner", "data-eng-team"}});
    EXPECT_EQ(src.status, 201) << src.body;
    auto ds = srv_->Post("/datasets", {{"source_id", src.body["source_id"]}, {"name", name},
                                       {"zone", "raw"}, {"owner", "data-eng-team"},
                                       {"sla_hours", 4}});
    EXPECT_EQ(ds.status, 201) << ds.body;
    return ds.body["dataset_id"];
  }

  std::unique_ptr<TestServer> srv_;
};

TEST_P(ApiTest, HealthNeedsNoToken) {
  auto h = srv_->Send("GET", "/health", "", "");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body["status"], "ok");
  EXPECT_EQ(h.body["catalog"], GetParam() == "postgres" ? "postgresql" : "sqlite");
}

TEST_P(ApiTest, SeedWalkThrough) {
  auto src = srv_->Post("/sources", {{"name", "postgres-events-prod"}, {"type", "batch"},
                                     {"connection_config", {{"host", "db.internal"}, {"port", 5432}}},
                                     {"owner", "data-eng-team"}});
  ASSERT_EQ(src.status, 201) << src.body;
  ASSERT_TRUE(src.body["source_id"].is_string());
  ASSERT_TRUE(src.body["created_at"].is_string());
  std::string source_id = src.body["source_id"];

  auto ds = srv_->Post("/datasets", {{"source_id", source_id}, {"name", "user_events_raw"},
                                     {"zone", "raw"}, {"owner", "data-eng-team"}, {"sla_hours", 4}});
  ASSERT_EQ(ds.status, 201) << ds.body;
  std::string dataset_id = ds.body["dataset_id"];

  json schema = {{"type", "record"}, {"name", "UserEvent"},
                 {"fields", json::array({{{"name", "event_id"}, {"type", "string"}}})}};
  auto sv = srv_->Post("/datasets/" + dataset_id + "/schemas",
                       {{"schema_json", schema}, {"set_current", true}});
  ASSERT_EQ(sv.status, 201) << sv.body;
  EXPECT_EQ(sv.body["version"], 1);
  auto d = srv_->Get("/datasets/" + dataset_id);
  EXPECT_EQ(d.body["schema_version_id"], sv.body["schema_version_id"]);
  EXPECT_EQ(d.body["schema_version"], 1);

  std::vector<std::string> ids;
  for (int h = 0; h < 3; ++h) {
    char key[32];
    std::snprintf(key, sizeof key, "dt=2024-01-15/hour=%02d", h);
    auto p = srv_->Post("/datasets/" + dataset_id + "/partitions",
                        {{"partition_key", key},
                         {"file_path", srv_->lake_dir() + "/lake/raw/user_events/" + key +
                                           "/part-0001.parquet"},
                         {"format", "parquet"},
                         {"row_count", 482910},
                         {"size_bytes", 94371840}});
    ASSERT_EQ(p.status, 201) << p.body;
    ids.push_back(p.body["partition_id"]);
  }
  auto next_day = srv_->Post("/datasets/" + dataset_id + "/partitions",
                             {{"partition_key", "dt=2024-01-16/hour=00"},
                              {"file_path", "raw/user_events/dt=2024-01-16/hour=00/p.avro"},
                              {"format", "avro"}, {"row_count", 10}, {"size_bytes", 100}});
  ASSERT_EQ(next_day.status, 201);

  auto failed = srv_->Post("/partitions/" + ids[1] + "/quality-runs",
                           {{"rules_passed", 12}, {"rules_failed", 1}, {"anomaly_score", 0.73},
                            {"status", "failed"}});
  ASSERT_EQ(failed.status, 201) << failed.body;
  EXPECT_EQ(failed.body["promotion_blocked"], true);
  EXPECT_TRUE(failed.body["run_id"].is_string());
  auto passed = srv_->Post("/partitions/" + ids[0] + "/quality-runs",
                           {{"rules_passed", 13}, {"rules_failed", 0}, {"anomaly_score", 0.1},
                            {"status", "passed"}});
  EXPECT_EQ(passed.body["promotion_blocked"], false);

  auto listed = srv_->Get("/datasets/" + dataset_id + "/partitions?from=2024-01-15&to=2024-01-16");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body["partitions"].size(), 3u);
  EXPECT_EQ(listed.body["partitions"][0]["partition_key"], "dt=2024-01-15/hour=00");
  EXPECT_EQ(listed.body["partitions"][0]["row_count"], 482910);
  EXPECT_EQ(listed.body["partitions"][0]["file_path"],
            "raw/user_events/dt=2024-01-15/hour=00/part-0001.parquet");
  EXPECT_TRUE(listed.body["next_cursor"].is_null());

  auto good = srv_->Get("/datasets/" + dataset_id + "/partitions?from=2024-01-15&to=2024-01-16&status=passed");
  ASSERT_EQ(good.body["partitions"].size(), 1u);
  EXPECT_EQ(good.body["partitions"][0]["id"], ids[0]);
  auto bad = srv_->Get("/datasets/" + dataset_id + "/partitions?status=quarantined");
  ASSERT_EQ(bad.body["partitions"].size(), 1u);
  EXPECT_EQ(bad.body["partitions"][0]["id"], ids[1]);

  auto runs = srv_->Get("/partitions/" + ids[1] + "/quality-runs");
  ASSERT_EQ(runs.body["quality_runs"].size(), 1u);
  EXPECT_EQ(runs.body["quality_runs"][0]["rules_failed"], 1);
  EXPECT_EQ(srv_->Get("/partitions/" + ids[1]).body["status"], "quarantined");
  EXPECT_EQ(srv_->Get("/sources/" + source_id).body["name"], "postgres-events-prod");
  EXPECT_EQ(srv_->Get("/sources").body["sources"].size(), 1u);
  EXPECT_EQ(srv_->Get("/datasets?zone=raw").body["datasets"].size(), 1u);
  EXPECT_EQ(srv_->Get("/datasets?zone=curated").body["datasets"].size(), 0u);
  EXPECT_EQ(srv_->Get("/datasets?source=postgres-events-prod").body["datasets"].size(), 1u);
  EXPECT_EQ(srv_->Get("/datasets/" + dataset_id + "/schemas").body["schemas"].size(), 1u);
}

TEST_P(ApiTest, RegisteringTheSameFileTwiceReturnsTheSameId) {
  std::string ds = MakeRawDataset();
  json body = {{"partition_key", "dt=2024-01-15/hour=03"},
               {"file_path", "raw/user_events/dt=2024-01-15/hour=03/a.avro"},
               {"format", "avro"}, {"row_count", 5}, {"size_bytes", 50}};
  auto first = srv_->Post("/datasets/" + ds + "/partitions", body);
  auto second = srv_->Post("/datasets/" + ds + "/partitions", body);
  EXPECT_EQ(first.status, 201);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(first.body["partition_id"], second.body["partition_id"]);
  EXPECT_EQ(srv_->Get("/datasets/" + ds + "/partitions").body["partitions"].size(), 1u);
  body["row_count"] = 6;
  auto conflict = srv_->Post("/datasets/" + ds + "/partitions", body);
  EXPECT_EQ(conflict.status, 409) << conflict.body;
}

TEST_P(ApiTest, BatchRegistrationAndCursorPaging) {
  std::string ds = MakeRawDataset();
  json batch = json::array();
  for (int d = 1; d <= 5; ++d) {
    for (int h = 0; h < 24; ++h) {
      char key[32];
      std::snprintf(key, sizeof key, "dt=2024-02-%02d/hour=%02d", d, h);
      batch.push_back({{"partition_key", key}, {"file_path", std::string("raw/e/") + key + "/p.avro"},
                       {"format", "avro"}, {"row_count", d * 100 + h}, {"size_bytes", 1000}});
    }
  }
  auto reg = srv_->Post("/datasets/" + ds + "/partitions", {{"partitions", batch}});
  ASSERT_EQ(reg.status, 201) << reg.body;
  EXPECT_EQ(reg.body["created"], 120);
  EXPECT_EQ(reg.body["partitions"].size(), 120u);
  auto again = srv_->Post("/datasets/" + ds + "/partitions", {{"partitions", batch}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["created"], 0);

  std::vector<std::string> keys;
  std::string path = "/datasets/" + ds + "/partitions?from=2024-02-02&to=2024-02-05&limit=7";
  std::string url = path;
  int pages = 0;
  while (true) {
    auto page = srv_->Get(url);
    ASSERT_EQ(page.status, 200) << page.body;
    for (const auto& p : page.body["partitions"]) keys.push_back(p["partition_key"]);
    ++pages;
    if (page.body["next_cursor"].is_null()) break;
    url = path + "&cursor=" + page.body["next_cursor"].get<std::string>();
  }
  ASSERT_EQ(keys.size(), 72u);
  EXPECT_EQ(pages, 11);
  EXPECT_EQ(keys.front(), "dt=2024-02-02/hour=00");
  EXPECT_EQ(keys.back(), "dt=2024-02-04/hour=23");
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
}

TEST_P(ApiTest, TokensAndZoneGrants) {
  std::string ds = MakeRawDataset();
  EXPECT_EQ(srv_->Send("GET", "/datasets", "", "").status, 401);
  EXPECT_EQ(srv_->Send("GET", "/datasets", "", "tarn_not-a-real-token").status, 401);

  std::string curated_reader = srv_->Token("curated:read");
  auto listing = srv_->Send("GET", "/datasets", "", curated_reader);
  EXPECT_EQ(listing.status, 200);
  EXPECT_EQ(listing.body["datasets"].size(), 0u);  // raw is not theirs to see
  auto denied = srv_->Send("GET", "/datasets/" + ds + "/partitions", "", curated_reader);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.body["error"]["code"], "permission_denied");
  EXPECT_NE(denied.body["error"]["message"].get<std::string>().find("raw"), std::string::npos);

  std::string raw_reader = srv_->Token("raw:read");
  EXPECT_EQ(srv_->Send("GET", "/datasets/" + ds + "/partitions", "", raw_reader).status, 200);
  json part = {{"partition_key", "dt=2024-01-15"}, {"file_path", "raw/e/a.avro"},
               {"format", "avro"}};
  EXPECT_EQ(srv_->Send("POST", "/datasets/" + ds + "/partitions", part.dump(), raw_reader).status, 403);
  std::string raw_writer = srv_->Token("raw:write");
  auto written = srv_->Send("POST", "/datasets/" + ds + "/partitions", part.dump(), raw_writer);
  EXPECT_EQ(written.status, 201);
  EXPECT_EQ(srv_->Send("POST", "/datasets", json{{"source_id", "x"}, {"name", "c"}, {"zone", "curated"},
                                              {"owner", "o"}}.dump(), raw_writer).status, 403);

  // Token management is admin only; a revoked token stops working at once.
  EXPECT_EQ(srv_->Send("POST", "/tokens", R"({"name":"x","grants":"admin"})", raw_writer).status, 403);
  auto issued = srv_->Post("/tokens", {{"name", "bi"}, {"grants", "serving:read"}});
  ASSERT_EQ(issued.status, 201) << issued.body;
  std::string secret = issued.body["token"];
  EXPECT_EQ(srv_->Send("GET", "/datasets", "", secret).status, 200);
  auto tokens = srv_->Get("/tokens");
  for (const auto& t : tokens.body["tokens"]) EXPECT_FALSE(t.contains("token"));
  EXPECT_EQ(srv_->Send("DELETE", "/tokens/" + issued.body["id"].get<std::string>(), "",
                       srv_->admin_token()).status, 200);
  EXPECT_EQ(srv_->Send("GET", "/datasets", "", secret).status, 401);
}

TEST_P(ApiTest, OversizedBodiesAreRefused) {
  std::string big = R"({"name":")" + std::string(2 << 20, 'x') + R"("})";
  auto r = srv_->Send("POST", "/sources", big, srv_->admin_token());
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.body["error"]["code"], "payload_too_large");
  EXPECT_EQ(srv_->Get("/sources").body["sources"].size(), 0u);
}

TEST_P(ApiTest, UnknownEndpointsAnswerJson) {
  auto r = srv_->Get("/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body["error"]["code"], "not_found");
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace tarn::server
