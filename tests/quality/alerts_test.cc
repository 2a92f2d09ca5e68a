// Alert notifications against a local receiver (an httplib::Server on 127.0.0.1): destination
// parsing, routing by severity and SLA tier, the exact Slack and PagerDuty payloads, retries,
// redaction, and the delivery records in the catalog.
#include "tarn/quality/alerts.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "catalog/store_fixture.h"
#include "tarn/base/ids.h"
#include "tarn/catalog/catalog_store.h"
#include "tarn/quality/alert_payloads.h"

namespace tarn::quality {
namespace {

using catalog::AlertDelivery;
using catalog::AlertDeliveryStatus;
using nlohmann::json;

constexpr char kRoutingKey[] = "R0UTINGKEY0123456789abcdef";

struct Received {
  std::string path;
  std::string body;
  std::string content_type;
  std::string authorization;
};

// A webhook receiver on 127.0.0.1 with one endpoint per behaviour:
//   /hook            200 "ok" (Slack answers like this)
//   /pd              202 {"status": "success", ...} (PagerDuty)
//   /flaky           503 for the first `flaky_failures` requests, then 200
//   /bad             400 with a body echoing the request (to prove error texts are redacted)
//   /ratelimited     429 with Retry-After: `retry_after` once, then 200
//   /moved           301 to /hook
class Receiver {
 public:
  Receiver() {
    auto record = [this](const httplib::Request& req) {
      std::lock_guard lock(mu_);
      received_.push_back({req.path, req.body, req.get_header_value("Content-Type"),
                           req.get_header_value("Authorization")});
    };
    server_.Post("/hook", [record](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.set_content("ok", "text/plain");
    });
    server_.Post("/pd", [record](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.status = 202;
      json body = json::parse(req.body);
      res.set_content(json{{"status", "success"},
                           {"message", "Event processed"},
                           {"dedup_key", body["dedup_key"]}}
                          .dump(),
                      "application/json");
    });
    server_.Post("/flaky", [this, record](const httplib::Request& req, httplib::Response& res) {
      record(req);
      if (flaky_hits_++ < flaky_failures) {
        res.status = 503;
        res.set_content("upstream unavailable", "text/plain");
        return;
      }
      res.set_content("ok", "text/plain");
    });
    server_.Post("/bad", [record](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.status = 400;
      res.set_content("invalid_payload: " + req.body, "text/plain");
    });
    server_.Post("/ratelimited",
                 [this, record](const httplib::Request& req, httplib::Response& res) {
                   record(req);
                   if (limited_hits_++ == 0) {
                     res.status = 429;
                     res.set_header("Retry-After", retry_after);
                     return;
                   }
                   res.set_content("ok", "text/plain");
                 });
    server_.Post("/moved", [record](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.set_redirect("/hook", 301);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  ~Receiver() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  size_t Count(const std::string& path) {
    size_t n = 0;
    for (const auto& r : received()) n += r.path == path;
    return n;
  }

  int flaky_failures = 2;
  std::string retry_after = "2";

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<Received> received_;
  std::atomic<int> flaky_hits_{0}, limited_hits_{0};
};

// A loopback port nothing listens on (bound without listening, then released): connecting to
// it is refused.
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class AlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    auto opened = catalog::CatalogStore::Open("sqlite:" + dir_ + "/catalog.db");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    auto src =
        store_->CreateSource({"", "orders-src", catalog::SourceType::kBatch, "{}", "eng", 0});
    ASSERT_TRUE(src.ok());
    catalog::Dataset d;
    d.source_id = src->id;
    d.name = "orders";
    d.owner = "payments";
    d.sla_hours = 2;
    dataset_id_ = store_->UpsertDataset(d)->dataset.id;
    auto parts = store_->RegisterPartitions(
        dataset_id_,
        {{"dt=2024-01-15", "raw/orders/p1.avro", catalog::FileFormat::kAvro, 9, 90, {}}});
    ASSERT_TRUE(parts.ok());
    partition_id_ = (*parts)[0].partition.id;
    options_.max_attempts = 4;
    options_.timeout_seconds = 5;
    options_.initial_backoff_ms = 100;
    options_.max_backoff_ms = 1500;
    options_.sleep = [this](std::chrono::milliseconds ms) {
      std::lock_guard lock(waits_mu_);
      waits_.push_back(ms.count());
    };
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Alert Quarantine() const {
    Alert a;
    a.dataset_id = dataset_id_;
    a.dataset_name = "raw.orders";
    a.partition_id = partition_id_;
    a.partition_key = "dt=2024-01-15";
    a.kind = AlertKind::kQuarantine;
    a.severity = AlertSeverity::kBlock;
    a.summary = "2 of 6 rules failed: not_null(user_id), range(amount)";
    a.details_json = R"({"failed_rules":[{"rule":"not_null","column":"user_id","null_rate":0.2}],)"
                     R"("report":"quarantine/orders/dt=2024-01-15/report.json"})";
    a.sla_hours = 2;
    return a;
  }

  static AlertDestination Slack(const std::string& url) {
    AlertDestination d;
    d.url = url;
    d.format = AlertFormat::kSlack;
    return d;
  }
  static AlertDestination PagerDuty(const std::string& url) {
    AlertDestination d;
    d.url = url;
    d.format = AlertFormat::kPagerDuty;
    d.routing_key = kRoutingKey;
    d.min_severity = AlertSeverity::kBlock;
    return d;
  }

  std::vector<AlertDelivery> Stored() {
    auto page = store_->ListAlertDeliveries({dataset_id_, std::nullopt, 100});
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->deliveries : std::vector<AlertDelivery>{};
  }
  std::vector<int64_t> waits() {
    std::lock_guard lock(waits_mu_);
    return waits_;
  }

  std::string dir_;
  std::unique_ptr<catalog::CatalogStore> store_;
  std::string dataset_id_, partition_id_;
  DeliveryOptions options_;
  std::mutex waits_mu_;
  std::vector<int64_t> waits_;
  Receiver receiver_;
};

// --- destinations, tiers, routing ------------------------------------------------------------

TEST_F(AlertsTest, ParsesTheDestinationsOfAPromotionSpec) {
  auto parsed = ParseAlertDestinations(R"([
    {"url": "http://127.0.0.1:9999/hook", "format": "slack", "min_severity": "warn"},
    {"url": "https://events.pagerduty.com/v2/enqueue", "format": "pagerduty",
     "routing_key": "abc123", "min_severity": "block", "sla_tiers": ["tier1", "tier2"]},
    {"url": "env:SLACK_WEBHOOK_URL", "format": "slack"}])");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0].format, AlertFormat::kSlack);
  EXPECT_EQ((*parsed)[0].min_severity, AlertSeverity::kWarn);
  EXPECT_TRUE((*parsed)[0].sla_tiers.empty());
  EXPECT_EQ((*parsed)[1].format, AlertFormat::kPagerDuty);
  EXPECT_EQ((*parsed)[1].routing_key, "abc123");
  EXPECT_EQ((*parsed)[1].min_severity, AlertSeverity::kBlock);
  EXPECT_EQ((*parsed)[1].sla_tiers, (std::vector<SlaTier>{SlaTier::kTier1, SlaTier::kTier2}));
  EXPECT_EQ((*parsed)[2].url, "env:SLACK_WEBHOOK_URL");
  EXPECT_EQ((*parsed)[2].min_severity, AlertSeverity::kWarn);
  EXPECT_TRUE(ParseAlertDestinations("null")->empty());
  EXPECT_TRUE(ParseAlertDestinations("[]")->empty());
}

TEST_F(AlertsTest, DestinationErrorsNameTheField) {
  struct Case {
    std::string json;
    ErrorCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"([{"url": "http://h/x", "format": "teams"}])", ErrorCode::kFailedPrecondition,
       "alerts[0].format: 'teams' is not one of slack, pagerduty"},
      {R"([{"url": "http://h/x", "format": "slack"}, {"url": "ftp://h/x", "format": "slack"}])",
       ErrorCode::kFailedPrecondition, "alerts[1].url: 'ftp://h/x' is not a usable webhook URL"},
      {R"([{"url": "http://h:99999/x", "format": "slack"}])", ErrorCode::kFailedPrecondition,
       "alerts[0].url: 'http://h:99999/x' is not a usable webhook URL: invalid port"},
      {R"([{"url": "http://h/x", "format": "slack", "min_severity": "high"}])",
       ErrorCode::kFailedPrecondition,
       "alerts[0].min_severity: 'high' is not one of warn, block, critical"},
      {R"([{"url": "http://h/x", "format": "pagerduty"}])", ErrorCode::kFailedPrecondition,
       "alerts[0].routing_key: required for format pagerduty"},
      {R"([{"url": "http://h/x", "format": "slack", "routing_key": "k"}])",
       ErrorCode::kFailedPrecondition, "alerts[0].routing_key: only used with format pagerduty"},
      {R"([{"url": "http://h/x", "format": "slack", "sla_tiers": ["tier1", "gold"]}])",
       ErrorCode::kFailedPrecondition,
       "alerts[0].sla_tiers[1]: 'gold' is not one of tier1, tier2, tier3"},
      {R"([{"url": "http://h/x", "format": "slack", "channel": "#data"}])",
       ErrorCode::kInvalidArgument, "alerts[0]: unknown field 'channel'"},
      {R"([{"format": "slack"}])", ErrorCode::kInvalidArgument, "alerts[0].url: required"},
      {R"([{"url": "http://h/x"}])", ErrorCode::kInvalidArgument,
       "alerts[0].format: required (one of slack, pagerduty)"},
      {R"([{"url": 7, "format": "slack"}])", ErrorCode::kInvalidArgument,
       "alerts[0].url: must be a string"},
      {R"([{"url": "env:", "format": "slack"}])", ErrorCode::kFailedPrecondition,
       "alerts[0].url: a reference must be env:NAME or file:/absolute/path"},
      {R"({"url": "http://h/x"})", ErrorCode::kInvalidArgument,
       "alerts: must be a list of destinations"},
      {R"([{"url": )", ErrorCode::kInvalidArgument, "alerts: not valid JSON"},
      {R"(["http://h/x"])", ErrorCode::kInvalidArgument, "alerts[0]: must be an object"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseAlertDestinations(c.json);
    ASSERT_FALSE(parsed.ok()) << c.json;
    EXPECT_EQ(parsed.status().code(), c.code) << c.json << " -> " << parsed.status().ToString();
    EXPECT_EQ(parsed.status().message().rfind(c.message, 0), 0u)
        << c.json << " -> " << parsed.status().message();
  }
  // A URL's credentials are not repeated in the error.
  auto bad = ParseAlertDestinations(
      R"([{"url": "gopher://u:pa55word@h/x?token=s3cret", "format": "slack"}])");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("pa55word"), std::string::npos) << bad.status().message();
  EXPECT_EQ(bad.status().message().find("s3cret"), std::string::npos) << bad.status().message();
}

TEST_F(AlertsTest, SlaTiersFollowSlaHours) {
  EXPECT_EQ(TierForSlaHours(1), SlaTier::kTier1);
  EXPECT_EQ(TierForSlaHours(2), SlaTier::kTier1);
  EXPECT_EQ(TierForSlaHours(3), SlaTier::kTier2);
  EXPECT_EQ(TierForSlaHours(24), SlaTier::kTier2);
  EXPECT_EQ(TierForSlaHours(25), SlaTier::kTier3);
  EXPECT_EQ(TierForSlaHours(168), SlaTier::kTier3);
}

TEST_F(AlertsTest, RoutesBySeverityAndTier) {
  AlertDestination any = Slack("http://h/any");
  AlertDestination blocks = Slack("http://h/blocks");
  blocks.min_severity = AlertSeverity::kBlock;
  AlertDestination tier1_critical = PagerDuty("http://h/pd");
  tier1_critical.min_severity = AlertSeverity::kCritical;
  tier1_critical.sla_tiers = {SlaTier::kTier1};
  AlertDestination tier3 = Slack("http://h/t3");
  tier3.sla_tiers = {SlaTier::kTier3};

  Alert a = Quarantine();
  a.severity = AlertSeverity::kWarn;
  EXPECT_TRUE(Routes(any, a));
  EXPECT_FALSE(Routes(blocks, a));
  a.severity = AlertSeverity::kBlock;
  EXPECT_TRUE(Routes(blocks, a));
  EXPECT_FALSE(Routes(tier1_critical, a));
  a.severity = AlertSeverity::kCritical;
  EXPECT_TRUE(Routes(tier1_critical, a));
  EXPECT_FALSE(Routes(tier3, a));
  a.sla_hours = 48;
  EXPECT_FALSE(Routes(tier1_critical, a));
  EXPECT_TRUE(Routes(tier3, a));
}

TEST_F(AlertsTest, NotifierSendsOnlyToRoutedDestinations) {
  AlertDestination warn_all = Slack(receiver_.Url("/hook"));
  AlertDestination tier3_only = Slack(receiver_.Url("/hook?channel=tier3"));
  tier3_only.sla_tiers = {SlaTier::kTier3};
  AlertDestination pd_critical = PagerDuty(receiver_.Url("/pd"));
  pd_critical.min_severity = AlertSeverity::kCritical;
  AlertDestination pd_tier1 = PagerDuty(receiver_.Url("/pd"));
  pd_tier1.sla_tiers = {SlaTier::kTier1, SlaTier::kTier2};

  Notifier notifier(*store_, options_);
  Alert a = Quarantine();  // block, sla 2 h: tier1
  auto out = notifier.Deliver(a, {warn_all, tier3_only, pd_critical, pd_tier1});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].format, "slack");
  EXPECT_EQ(out[1].format, "pagerduty");
  for (const auto& d : out) {
    EXPECT_EQ(d.status, AlertDeliveryStatus::kDelivered) << d.last_error.value_or("");
    EXPECT_TRUE(IsUuid(d.id));
  }
  EXPECT_EQ(receiver_.Count("/hook"), 1u);
  EXPECT_EQ(receiver_.Count("/pd"), 1u);
  EXPECT_EQ(Stored().size(), 2u);

  Alert warn = Quarantine();
  warn.kind = AlertKind::kAnomalyWarn;
  warn.severity = AlertSeverity::kWarn;
  warn.sla_hours = 72;  // tier3
  out = notifier.Deliver(warn, {warn_all, tier3_only, pd_critical, pd_tier1});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(receiver_.Count("/hook"), 3u);
  EXPECT_EQ(receiver_.Count("/pd"), 1u);
  EXPECT_TRUE(notifier.Deliver(warn, {pd_critical, pd_tier1}).empty());
  EXPECT_EQ(Stored().size(), 4u);
}

// --- payloads -------------------------------------------------------------------------------

TEST_F(AlertsTest, SlackPayloadHasTheExactShape) {
  Notifier notifier(*store_, options_);
  Alert a = Quarantine();
  a.summary = "amount < 0 & country > 'ZZ'";
  auto out = notifier.Deliver(a, {Slack(receiver_.Url("/hook"))});
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].status, AlertDeliveryStatus::kDelivered);
  auto got = receiver_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].content_type, "application/json");
  json expected = {
      {"text",
       ":no_entry: [block] quarantine: raw.orders dt=2024-01-15: amount &lt; 0 &amp; country &gt; "
       "'ZZ'"},
      {"blocks",
       {{{"type", "header"},
         {"text",
          {{"type", "plain_text"},
           {"text", "tarn quarantine (block): raw.orders dt=2024-01-15"},
           {"emoji", true}}}},
        {{"type", "section"},
         {"text", {{"type", "mrkdwn"}, {"text", "amount &lt; 0 &amp; country &gt; 'ZZ'"}}}},
        {{"type", "section"},
         {"fields",
          {{{"type", "mrkdwn"}, {"text", "*Dataset*\nraw.orders"}},
           {{"type", "mrkdwn"}, {"text", "*Partition*\ndt=2024-01-15"}},
           {{"type", "mrkdwn"}, {"text", "*Kind*\nquarantine"}},
           {{"type", "mrkdwn"}, {"text", "*Severity*\nblock"}},
           {{"type", "mrkdwn"}, {"text", "*SLA*\n2 h (tier1)"}}}}},
        {{"type", "section"},
         {"text",
          {{"type", "mrkdwn"},
           {"text",
            "*Details*\n```" + nlohmann::ordered_json::parse(a.details_json).dump(2) + "```"}}}},
        {{"type", "context"},
         {"elements",
          {{{"type", "mrkdwn"},
            {"text", "tarn · dataset " + dataset_id_ + " · partition " + partition_id_}}}}}}}};
  EXPECT_EQ(json::parse(got[0].body), expected) << json::parse(got[0].body).dump(2);
  // The record holds exactly what was sent.
  EXPECT_EQ(out[0].payload, got[0].body);
  EXPECT_EQ(Stored().at(0).payload, got[0].body);
}

TEST_F(AlertsTest, PagerDutyPayloadHasTheExactShape) {
  Notifier notifier(*store_, options_);
  Alert a = Quarantine();
  a.severity = AlertSeverity::kCritical;
  auto out = notifier.Deliver(a, {PagerDuty(receiver_.Url("/pd"))});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, AlertDeliveryStatus::kDelivered);
  EXPECT_EQ(out[0].http_status, 202);
  auto got = receiver_.received();
  ASSERT_EQ(got.size(), 1u);
  std::string dedup = "tarn:" + dataset_id_ + ":" + partition_id_ + ":quarantine";
  json expected = {{"routing_key", kRoutingKey},
                   {"event_action", "trigger"},
                   {"dedup_key", dedup},
                   {"payload",
                    {{"summary",
                      "[critical] quarantine: raw.orders dt=2024-01-15: 2 of 6 rules failed: "
                      "not_null(user_id), range(amount)"},
                     {"source", "tarn"},
                     {"severity", "critical"},
                     {"component", "raw.orders"},
                     {"group", "tier1"},
                     {"class", "quarantine"},
                     {"custom_details",
                      {{"dataset_id", dataset_id_},
                       {"dataset", "raw.orders"},
                       {"partition_id", partition_id_},
                       {"partition_key", "dt=2024-01-15"},
                       {"kind", "quarantine"},
                       {"severity", "critical"},
                       {"sla_hours", 2},
                       {"sla_tier", "tier1"},
                       {"details", json::parse(a.details_json)}}}}}};
  EXPECT_EQ(json::parse(got[0].body), expected) << json::parse(got[0].body).dump(2);
  // Keys in the documented order.
  EXPECT_EQ(got[0].body.rfind(R"({"routing_key":)", 0), 0u);

  // Our severities map to PagerDuty's.
  EXPECT_EQ(PagerDutySeverity(AlertSeverity::kCritical), "critical");
  EXPECT_EQ(PagerDutySeverity(AlertSeverity::kBlock), "error");
  EXPECT_EQ(PagerDutySeverity(AlertSeverity::kWarn), "warning");
}

TEST_F(AlertsTest, DedupKeyIsStablePerDatasetPartitionAndKind) {
  Alert a = Quarantine();
  Alert again = Quarantine();
  again.summary = "3 of 6 rules failed";  // a re-run with other numbers
  again.severity = AlertSeverity::kCritical;
  EXPECT_EQ(PagerDutyDedupKey(a), PagerDutyDedupKey(again));
  Alert other_kind = Quarantine();
  other_kind.kind = AlertKind::kAnomalyBlock;
  EXPECT_NE(PagerDutyDedupKey(a), PagerDutyDedupKey(other_kind));
  Alert other_partition = Quarantine();
  other_partition.partition_id = NewUuid();
  EXPECT_NE(PagerDutyDedupKey(a), PagerDutyDedupKey(other_partition));
  Alert sla = Quarantine();
  sla.kind = AlertKind::kSlaBreach;
  sla.partition_id.reset();
  sla.partition_key.reset();
  EXPECT_EQ(PagerDutyDedupKey(sla), "tarn:" + dataset_id_ + ":-:sla_breach");
  Alert long_key = Quarantine();
  long_key.partition_id.reset();
  long_key.partition_key = std::string(300, 'k');
  EXPECT_LE(PagerDutyDedupKey(long_key).size(), 255u);
  EXPECT_EQ(PagerDutyDedupKey(long_key), PagerDutyDedupKey(long_key));

  // Two deliveries of the same alert (a retry of the gate) carry the same key.
  Notifier notifier(*store_, options_);
  notifier.Deliver(a, {PagerDuty(receiver_.Url("/pd"))});
  notifier.Deliver(again, {PagerDuty(receiver_.Url("/pd"))});
  auto got = receiver_.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(json::parse(got[0].body)["dedup_key"], json::parse(got[1].body)["dedup_key"]);
}

TEST_F(AlertsTest, SlackDetailsAreCutToSlacksLimit) {
  Alert a = Quarantine();
  json rows = json::array();
  for (int i = 0; i < 400; ++i) rows.push_back({{"row", i}, {"user_id", nullptr}});
  a.details_json = json{{"sample", rows}}.dump();
  json doc = json::parse(SlackPayload(a));
  for (const json& block : doc["blocks"]) {
    if (block.contains("text")) {
      EXPECT_LE(block["text"]["text"].get<std::string>().size(), 3000u);
    }
  }
  EXPECT_NE(doc["blocks"][3]["text"]["text"].get<std::string>().find("(cut)"), std::string::npos);
  // Details that are not JSON are carried as text.
  a.details_json = "not json";
  EXPECT_EQ(json::parse(PagerDutyPayload(a, "k"))["payload"]["custom_details"]["details"],
            json({{"text", "not json"}}));
}

// --- delivery: retries, failures, records ---------------------------------------------------

TEST_F(AlertsTest, ServerErrorsAreRetriedWithBackoffThenDelivered) {
  Notifier notifier(*store_, options_);
  auto out = notifier.Deliver(Quarantine(), {Slack(receiver_.Url("/flaky"))});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, AlertDeliveryStatus::kDelivered);
  EXPECT_EQ(out[0].attempts, 3);
  EXPECT_EQ(out[0].http_status, 200);
  EXPECT_EQ(out[0].last_error, "HTTP 503: upstream unavailable");
  EXPECT_EQ(receiver_.Count("/flaky"), 3u);
  // Exponential with jitter: 100 ms * 2^(n-1) * [0.5, 1].
  auto w = waits();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_GE(w[0], 50);
  EXPECT_LE(w[0], 100);
  EXPECT_GE(w[1], 100);
  EXPECT_LE(w[1], 200);
  auto stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].id, out[0].id);
  EXPECT_EQ(stored[0].status, AlertDeliveryStatus::kDelivered);
  EXPECT_EQ(stored[0].attempts, 3);
  EXPECT_EQ(stored[0].http_status, 200);
  EXPECT_EQ(stored[0].kind, "quarantine");
  EXPECT_EQ(stored[0].severity, "block");
  EXPECT_EQ(stored[0].partition_id, partition_id_);
  EXPECT_EQ(stored[0].destination, receiver_.Url("/flaky"));
  EXPECT_GE(stored[0].finished_at, stored[0].created_at);
}

TEST_F(AlertsTest, ServerErrorsUntilTheLastAttemptAreRecordedFailed) {
  receiver_.flaky_failures = 100;
  options_.max_attempts = 3;
  Notifier notifier(*store_, options_);
  auto out = notifier.Deliver(Quarantine(), {Slack(receiver_.Url("/flaky"))});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, AlertDeliveryStatus::kFailed);
  EXPECT_EQ(out[0].attempts, 3);
  EXPECT_EQ(out[0].http_status, 503);
  EXPECT_EQ(receiver_.Count("/flaky"), 3u);
  EXPECT_EQ(waits().size(), 2u);
}

TEST_F(AlertsTest, ClientErrorsAreNotRetried) {
  Notifier notifier(*store_, options_);
  auto out = notifier.Deliver(Quarantine(), {Slack(receiver_.Url("/bad"))});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, AlertDeliveryStatus::kFailed);
  EXPECT_EQ(out[0].attempts, 1);
  EXPECT_EQ(out[0].http_status, 400);
  ASSERT_TRUE(out[0].last_error.has_value());
  EXPECT_EQ(out[0].last_error->rfind("HTTP 400: invalid_payload", 0), 0u) << *out[0].last_error;
  EXPECT_EQ(receiver_.Count("/bad"), 1u);
  EXPECT_TRUE(waits().empty());
  EXPECT_EQ(Stored().at(0).status, AlertDeliveryStatus::kFailed);

  // Redirects are not followed (a webhook that moved is a configuration to fix).
  out = notifier.Deliver(Quarantine(), {Slack(receiver_.Url("/moved"))});
  EXPECT_EQ(out[0].status, AlertDeliveryStatus::kFailed);
  EXPECT_EQ(out[0].attempts, 1);
  EXPECT_EQ(out[0].http_status, 301);
  EXPECT_EQ(receiver_.Count("/hook"), 0u);
}

TEST_F(AlertsTest, AReceiverThatIsDownIsRetriedThenRecordedFailed) {
  Notifier notifier(*store_, options_);
  std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/hook";
  auto out = notifier.Deliver(Quarantine(), {Slack(url)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, AlertDeliveryStatus::kFailed);
  EXPECT_EQ(out[0].attempts, 4);
  EXPECT_FALSE(out[0].http_status.has_value());
  ASSERT_TRUE(out[0].last_error.has_value());
  EXPECT_EQ(out[0].last_error->rfind("network error", 0), 0u) << *out[0].last_error;
  auto w = waits();
  ASSERT_EQ(w.size(), 3u);
  EXPECT_LE(w[2], 400);
  EXPECT_GE(w[2], 200);
  auto stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].status, AlertDeliveryStatus::kFailed);
  EXPECT_EQ(stored[0].attempts, 4);
  EXPECT_FALSE(stored[0].http_status.has_value());
}

TEST_F(AlertsTest, HttpsIsSpokenAndAFailedHandshakeIsRetried) {
  // An https:// URL to a plain-HTTP port: the TLS handshake fails like a connection error.
  Notifier notifier(*store_, options_);
  std::string url = "https://" + receiver_.Url("/hook").substr(7);
  auto out = notifier.Deliver(Quarantine(), {Slack(url)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, AlertDeliveryStatus::kFailed);
  EXPECT_EQ(out[0].attempts, 4);
  EXPECT_FALSE(out[0].http_status.has_value());
  ASSERT_TRUE(out[0].last_error.has_value());
  EXPECT_EQ(out[0].last_error->rfind("network error", 0), 0u) << *out[0].last_error;
  EXPECT_EQ(out[0].destination, url);
}

TEST_F(AlertsTest, RetryAfterIsHonouredAndCapped) {
  Notifier notifier(*store_, options_);
  receiver_.retry_after = "1";
  auto out = notifier.Deliver(Quarantine(), {Slack(receiver_.Url("/ratelimited"))});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, AlertDeliveryStatus::kDelivered);
  EXPECT_EQ(out[0].attempts, 2);
  EXPECT_EQ(waits(), std::vector<int64_t>{1000});
}

TEST_F(AlertsTest, RetryAfterAboveTheCapWaitsTheCap) {
  Notifier notifier(*store_, options_);
  receiver_.retry_after = "3600";
  auto out = notifier.Deliver(Quarantine(), {Slack(receiver_.Url("/ratelimited"))});
  EXPECT_EQ(out.at(0).status, AlertDeliveryStatus::kDelivered);
  EXPECT_EQ(waits(), std::vector<int64_t>{1500});
}

TEST_F(AlertsTest, RealSleepsWhenNoSleeperIsGiven) {
  options_.sleep = nullptr;
  options_.initial_backoff_ms = 20;
  Notifier notifier(*store_, options_);
  auto start = std::chrono::steady_clock::now();
  auto out = notifier.Deliver(Quarantine(), {Slack(receiver_.Url("/flaky"))});
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out.at(0).status, AlertDeliveryStatus::kDelivered);
  EXPECT_GE(elapsed, std::chrono::milliseconds(10 + 20));  // two waits, jitter >= half
}

TEST_F(AlertsTest, SeveralDestinationsAreDeliveredConcurrently) {
  // One destination down and retrying does not hold up the others, and each is recorded.
  options_.sleep = [](std::chrono::milliseconds) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  };
  Notifier notifier(*store_, options_);
  std::string down = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/hook";
  auto out = notifier.Deliver(
      Quarantine(), {Slack(down), Slack(receiver_.Url("/hook")), PagerDuty(receiver_.Url("/pd"))});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].status, AlertDeliveryStatus::kFailed);
  EXPECT_EQ(out[1].status, AlertDeliveryStatus::kDelivered);
  EXPECT_EQ(out[2].status, AlertDeliveryStatus::kDelivered);
  std::set<std::string> ids;
  for (const auto& d : Stored()) ids.insert(d.id);
  EXPECT_EQ(ids, (std::set<std::string>{out[0].id, out[1].id, out[2].id}));
}

TEST_F(AlertsTest, ARecordTheCatalogRefusesDoesNotFailTheDelivery) {
  Notifier notifier(*store_, options_);
  Alert a = Quarantine();
  a.dataset_id = NewUuid();
  a.partition_id.reset();
  ::testing::internal::CaptureStderr();
  auto out = notifier.Deliver(a, {Slack(receiver_.Url("/hook"))});
  std::string logs = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, AlertDeliveryStatus::kDelivered);
  EXPECT_TRUE(out[0].id.empty());
  EXPECT_NE(logs.find("could not be recorded"), std::string::npos) << logs;
}

// --- secrets ----------------------------------------------------------------------------------

TEST_F(AlertsTest, TheRoutingKeyIsNeverStoredOrLogged) {
  Notifier notifier(*store_, options_);
  AlertDestination pd = PagerDuty(receiver_.Url("/bad"));  // echoes the request in its error
  AlertDestination down = PagerDuty("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/pd");
  AlertDestination ok = PagerDuty(receiver_.Url("/pd"));
  ::testing::internal::CaptureStderr();
  auto out = notifier.Deliver(Quarantine(), {pd, down, ok});
  std::string logs = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].status, AlertDeliveryStatus::kDelivered);
  // The receivers got the real key...
  for (const auto& r : receiver_.received()) {
    EXPECT_EQ(json::parse(r.body)["routing_key"], kRoutingKey);
  }
  // ...the records and the logs never do.
  EXPECT_FALSE(logs.empty());
  EXPECT_EQ(logs.find(kRoutingKey), std::string::npos) << logs;
  for (const auto& d : Stored()) {
    EXPECT_EQ(json::parse(d.payload)["routing_key"], "***");
    for (const std::string& field :
         {d.payload, d.destination, d.last_error.value_or(""), d.kind, d.format}) {
      EXPECT_EQ(field.find(kRoutingKey), std::string::npos) << field;
    }
  }
  ASSERT_TRUE(out[0].last_error.has_value());
  EXPECT_NE(out[0].last_error->find("invalid_payload"), std::string::npos);
  EXPECT_NE(out[0].last_error->find("***"), std::string::npos) << *out[0].last_error;
}

TEST_F(AlertsTest, UrlCredentialsAndQueryStringsAreRedacted) {
  EXPECT_EQ(RedactUrl("https://hooks.slack.com/services/T0ABCDEF/B0ABCDEF/AbCdEf0123456789xyzWvUt"),
            "https://hooks.slack.com/services/T0ABCDEF/B0ABCDEF/***");
  EXPECT_EQ(RedactUrl("http://alice:pa55word@127.0.0.1:9999/hook?token=s3cret#frag"),
            "http://***@127.0.0.1:9999/hook?***");
  EXPECT_EQ(RedactUrl("http://127.0.0.1:9999/hook"), "http://127.0.0.1:9999/hook");
  EXPECT_EQ(RedactUrl("http://host"), "http://host");
  EXPECT_EQ(RedactUrl("http://host?k=v"), "http://host?***");
  EXPECT_EQ(RedactUrl("not a url"), "***");

  Notifier notifier(*store_, options_);
  std::string url =
      "http://alice:pa55word@127.0.0.1:" + receiver_.Url("/bad?token=s3cretvalue").substr(17);
  ::testing::internal::CaptureStderr();
  auto out = notifier.Deliver(Quarantine(), {Slack(url)});
  std::string logs = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(out.size(), 1u);
  auto got = receiver_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].authorization, "Basic YWxpY2U6cGE1NXdvcmQ=");  // alice:pa55word
  for (const std::string& text : {logs, out[0].destination, out[0].last_error.value_or("")}) {
    EXPECT_EQ(text.find("pa55word"), std::string::npos) << text;
    EXPECT_EQ(text.find("s3cretvalue"), std::string::npos) << text;
  }
  EXPECT_EQ(out[0].destination, "http://***@" + receiver_.Url("/bad").substr(7) + "?***");
}

TEST_F(AlertsTest, ReferencesAreResolvedWhenDelivering) {
  ::setenv("TARN_TEST_PD_KEY", kRoutingKey, 1);
  ::setenv("TARN_TEST_SLACK_URL", receiver_.Url("/hook").c_str(), 1);
  ::unsetenv("TARN_TEST_UNSET");
  AlertDestination pd = PagerDuty(receiver_.Url("/pd"));
  pd.routing_key = "env:TARN_TEST_PD_KEY";
  AlertDestination slack = Slack("env:TARN_TEST_SLACK_URL");
  AlertDestination missing = Slack("env:TARN_TEST_UNSET");
  Notifier notifier(*store_, options_);
  ::testing::internal::CaptureStderr();
  auto out = notifier.Deliver(Quarantine(), {pd, slack, missing});
  std::string logs = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(out.size(), 3u);
  // A referenced URL is a secret: logs name the reference, never the URL.
  EXPECT_NE(logs.find("POST env:TARN_TEST_SLACK_URL: delivered"), std::string::npos) << logs;
  EXPECT_EQ(logs.find(receiver_.Url("/hook")), std::string::npos) << logs;
  EXPECT_EQ(out[0].status, AlertDeliveryStatus::kDelivered);
  EXPECT_EQ(out[1].status, AlertDeliveryStatus::kDelivered);
  EXPECT_EQ(out[1].destination, "env:TARN_TEST_SLACK_URL");
  EXPECT_EQ(out[2].status, AlertDeliveryStatus::kFailed);
  EXPECT_EQ(out[2].attempts, 0);
  ASSERT_TRUE(out[2].last_error.has_value());
  EXPECT_NE(out[2].last_error->find("TARN_TEST_UNSET"), std::string::npos) << *out[2].last_error;
  EXPECT_EQ(receiver_.Count("/pd"), 1u);
  EXPECT_EQ(receiver_.Count("/hook"), 1u);
  for (const auto& r : receiver_.received()) {
    if (r.path == "/pd") {
      EXPECT_EQ(json::parse(r.body)["routing_key"], kRoutingKey);
    }
  }
  EXPECT_EQ(out[0].payload.find(kRoutingKey), std::string::npos);
  EXPECT_EQ(Stored().size(), 3u);
  ::unsetenv("TARN_TEST_PD_KEY");
  ::unsetenv("TARN_TEST_SLACK_URL");
}

// --- listing ----------------------------------------------------------------------------------

TEST_F(AlertsTest, ListingPagesNewestFirstWithCursors) {
  Notifier notifier(*store_, options_);
  for (int i = 0; i < 5; ++i) notifier.Deliver(Quarantine(), {Slack(receiver_.Url("/hook"))});
  std::vector<std::string> ids;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    auto page = ListAlertDeliveries(*store_, dataset_id_, 2, cursor);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& d : page->deliveries) ids.push_back(d.id);
    cursor = page->next_cursor;
    ++pages;
  } while (cursor && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(ids.size(), 5u);
  std::vector<std::string> newest_first;
  for (const auto& d : Stored()) newest_first.push_back(d.id);
  EXPECT_EQ(ids, newest_first);

  EXPECT_EQ(ListAlertDeliveries(*store_, dataset_id_, 0, std::nullopt).status().code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(ListAlertDeliveries(*store_, dataset_id_, 1001, std::nullopt).status().code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(ListAlertDeliveries(*store_, dataset_id_, 10, "bm90LWEtY3Vyc29y").status().code(),
            ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tarn::quality
