// GET /datasets/{id}/alerts over the REST API, on SQLite and PostgreSQL: deliveries recorded by
// the Notifier (against a local receiver) listed newest first, paged, with read grants.
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "catalog/store_fixture.h"
#include "server/test_server.h"
#include "tarn/quality/alerts.h"

namespace tarn::server {
namespace {

using nlohmann::json;

class AlertsApiTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    srv_ = std::make_unique<testing::TestServer>(GetParam());
    auto src =
        srv_->Post("/sources", {{"name", "orders-src"}, {"type", "batch"}, {"owner", "eng"}});
    auto ds = srv_->Post("/datasets", {{"source_id", src.body["source_id"]},
                                       {"name", "orders"},
                                       {"zone", "raw"},
                                       {"owner", "eng"},
                                       {"sla_hours", 2}});
    ASSERT_EQ(ds.status, 201) << ds.body;
    dataset_ = ds.body["dataset_id"];
    auto part =
        srv_->Post("/datasets/" + dataset_ + "/partitions", {{"partition_key", "dt=2024-01-15"},
                                                             {"file_path", "raw/orders/a.avro"},
                                                             {"format", "avro"}});
    ASSERT_EQ(part.status, 201) << part.body;
    partition_ = part.body["partition_id"];

    receiver_.Post("/hook", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    receiver_.Post("/bad", [](const httplib::Request&, httplib::Response& res) {
      res.status = 400;
      res.set_content("invalid_payload", "text/plain");
    });
    port_ = receiver_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { receiver_.listen_after_bind(); });
    for (int i = 0; i < 500 && !receiver_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  void TearDown() override {
    receiver_.stop();
    if (thread_.joinable()) thread_.join();
    srv_.reset();
    BackendTest::TearDown();
  }

  quality::Alert Alert(quality::AlertKind kind) const {
    quality::Alert a;
    a.dataset_id = dataset_;
    a.dataset_name = "raw.orders";
    a.partition_id = partition_;
    a.partition_key = "dt=2024-01-15";
    a.kind = kind;
    a.severity = quality::AlertSeverity::kBlock;
    a.summary = "row_count below 1";
    a.details_json = R"({"failed_rules":["row_count"]})";
    a.sla_hours = 2;
    return a;
  }

  std::vector<quality::AlertDestination> Destinations() const {
    auto parsed = quality::ParseAlertDestinations(
        json::array({{{"url", Url("/hook?secret=abc123xyz")}, {"format", "slack"}},
                     {{"url", Url("/bad")},
                      {"format", "pagerduty"},
                      {"routing_key", "PDKEY0123456789"},
                      {"min_severity", "block"}}})
            .dump());
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return parsed.ok() ? *parsed : std::vector<quality::AlertDestination>{};
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::unique_ptr<testing::TestServer> srv_;
  std::string dataset_, partition_;
  httplib::Server receiver_;
  std::thread thread_;
  int port_ = 0;
};

TEST_P(AlertsApiTest, ListsDeliveriesNewestFirstInPages) {
  quality::DeliveryOptions options;
  options.sleep = [](std::chrono::milliseconds) {};
  quality::Notifier notifier(srv_->lake().catalog().store(), options);
  auto first = notifier.Deliver(Alert(quality::AlertKind::kQuarantine), Destinations());
  ASSERT_EQ(first.size(), 2u);
  auto second = notifier.Deliver(Alert(quality::AlertKind::kAnomalyBlock), Destinations());
  ASSERT_EQ(second.size(), 2u);

  auto all = srv_->Get("/datasets/" + dataset_ + "/alerts");
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.body["alerts"].size(), 4u);
  EXPECT_TRUE(all.body["next_cursor"].is_null());
  std::string previous = "9999";
  for (const json& a : all.body["alerts"]) {
    EXPECT_LE(a["created_at"].get<std::string>(), previous);
    previous = a["created_at"];
  }
  // The newest two are the anomaly's; the Slack one delivered, the PagerDuty one refused.
  std::map<std::string, json> newest;
  for (int i = 0; i < 2; ++i) newest[all.body["alerts"][i]["format"]] = all.body["alerts"][i];
  const json& slack = newest["slack"];
  EXPECT_EQ(slack["kind"], "anomaly_block");
  EXPECT_EQ(slack["severity"], "block");
  EXPECT_EQ(slack["status"], "delivered");
  EXPECT_EQ(slack["attempts"], 1);
  EXPECT_EQ(slack["http_status"], 200);
  EXPECT_TRUE(slack["last_error"].is_null());
  EXPECT_EQ(slack["dataset_id"], dataset_);
  EXPECT_EQ(slack["partition_id"], partition_);
  EXPECT_EQ(slack["destination"], Url("/hook") + "?***");
  EXPECT_TRUE(slack["payload"]["blocks"].is_array());
  EXPECT_TRUE(slack["finished_at"].is_string());
  const json& pd = newest["pagerduty"];
  EXPECT_EQ(pd["status"], "failed");
  EXPECT_EQ(pd["attempts"], 1);
  EXPECT_EQ(pd["http_status"], 400);
  EXPECT_EQ(pd["last_error"], "HTTP 400: invalid_payload");
  EXPECT_EQ(pd["payload"]["routing_key"], "***");
  EXPECT_EQ(pd["payload"]["event_action"], "trigger");
  EXPECT_EQ(all.body.dump().find("PDKEY0123456789"), std::string::npos);
  EXPECT_EQ(all.body.dump().find("abc123xyz"), std::string::npos);

  // Pages of one, continued by cursor, give the same order.
  std::vector<std::string> paged;
  std::string path = "/datasets/" + dataset_ + "/alerts?limit=1";
  for (int i = 0; i < 10; ++i) {
    auto page = srv_->Get(path);
    ASSERT_EQ(page.status, 200) << page.body;
    for (const json& a : page.body["alerts"]) paged.push_back(a["id"]);
    if (page.body["next_cursor"].is_null()) break;
    path = "/datasets/" + dataset_ +
           "/alerts?limit=1&cursor=" + page.body["next_cursor"].get<std::string>();
  }
  std::vector<std::string> ids;
  for (const json& a : all.body["alerts"]) ids.push_back(a["id"]);
  EXPECT_EQ(paged, ids);
}

TEST_P(AlertsApiTest, NeedsReadOnTheDatasetsZone) {
  quality::Notifier notifier(srv_->lake().catalog().store());
  ASSERT_EQ(notifier.Deliver(Alert(quality::AlertKind::kQuarantine), {Destinations()[0]}).size(),
            1u);
  std::string path = "/datasets/" + dataset_ + "/alerts";
  auto reader = srv_->Send("GET", path, "", srv_->Token("raw:read"));
  EXPECT_EQ(reader.status, 200) << reader.body;
  EXPECT_EQ(reader.body["alerts"].size(), 1u);
  auto outsider = srv_->Send("GET", path, "", srv_->Token("curated:read,serving:read"));
  EXPECT_EQ(outsider.status, 403) << outsider.body;
  EXPECT_EQ(srv_->Send("GET", path, "", "").status, 401);
}

INSTANTIATE_TEST_SUITE_P(Backends, AlertsApiTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace tarn::server
