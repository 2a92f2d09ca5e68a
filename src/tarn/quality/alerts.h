// Alert notifications of the quality gate. An Alert (a partition blocked or quarantined, an
// anomaly, an SLA breach) goes to the webhook destinations of the dataset's promotion spec
// whose severity threshold and SLA tiers it meets, as a Slack-style message or a PagerDuty
// Events v2 event; every delivery is retried as configured and recorded in the catalog
// (alert_deliveries), redacted. See docs/quality.md#alerts.
//
//   Alert + destinations ──Routes──► payload (alert_payloads.h) ──PostJson (webhook.h)──► receiver
//                                                    └──────────► CatalogStore::RecordAlertDelivery
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/base/time.h"
#include "tarn/catalog/model.h"
#include "tarn/quality/webhook.h"

namespace tarn::catalog {
class CatalogStore;
}

namespace tarn::quality {

// What the alert is about.
enum class AlertKind { kQualityBlock, kQuarantine, kAnomalyWarn, kAnomalyBlock, kSlaBreach };
// How bad it is; ordered (warn < block < critical).
enum class AlertSeverity { kWarn = 1, kBlock = 2, kCritical = 3 };
enum class AlertFormat { kSlack, kPagerDuty };
// A dataset's SLA tier, from its sla_hours (TierForSlaHours).
enum class SlaTier { kTier1 = 1, kTier2 = 2, kTier3 = 3 };

// Names as written in specs and stored ("quality_block", "warn", "pagerduty", "tier1");
// Parse returns false on anything else.
std::string_view ToString(AlertKind v);
std::string_view ToString(AlertSeverity v);
std::string_view ToString(AlertFormat v);
std::string_view ToString(SlaTier v);
bool Parse(std::string_view s, AlertKind* out);
bool Parse(std::string_view s, AlertSeverity* out);
bool Parse(std::string_view s, AlertFormat* out);
bool Parse(std::string_view s, SlaTier* out);

// tier1: sla_hours <= 2 (near real time); tier2: <= 24 (daily); tier3: anything longer.
SlaTier TierForSlaHours(int sla_hours);

struct Alert {
  std::string dataset_id;                    // must exist in the catalog
  std::string dataset_name;                  // as shown to people, e.g. "raw.orders"
  std::optional<std::string> partition_id;   // must exist when set
  std::optional<std::string> partition_key;  // e.g. "dt=2024-01-15"
  AlertKind kind = AlertKind::kQuarantine;
  AlertSeverity severity = AlertSeverity::kBlock;
  std::string summary;  // one line, e.g. "2 of 6 rules failed: not_null(user_id), range(amount)"
  std::string details_json;  // a JSON object: failed rules, scores, report path ("" = {})
  int sla_hours = 24;        // the dataset's; decides the SLA tier
};

// One webhook of a promotion spec's `alerts` list.
struct AlertDestination {
  // http(s) URL, or an "env:NAME" / "file:/path" reference resolved when delivering (for
  // webhook URLs that are themselves secrets, like Slack's).
  std::string url;
  AlertFormat format = AlertFormat::kSlack;
  // PagerDuty only (required there): the integration key, or an env:/file: reference.
  std::string routing_key;
  AlertSeverity min_severity = AlertSeverity::kWarn;
  std::vector<SlaTier> sla_tiers;  // empty: datasets of every tier
};

// Parses the `alerts` value of a promotion spec: a JSON array (or null) of objects
//   {"url", "format": "slack|pagerduty", "routing_key", "min_severity": "warn|block|critical",
//    "sla_tiers": ["tier1", ...]}
// Errors name the element and field ("alerts[1].format: 'teams' is not one of slack,
// pagerduty"): kInvalidArgument for text that is not JSON, wrong types, unknown or missing
// fields; kFailedPrecondition for bad values (format, URL, severity, tier, a routing_key on a
// Slack destination or none on a PagerDuty one).
Result<std::vector<AlertDestination>> ParseAlertDestinations(std::string_view json_text);

// True when `destination` takes `alert`: its severity is at least min_severity and, if the
// destination lists sla_tiers, the alert's tier is one of them.
bool Routes(const AlertDestination& destination, const Alert& alert);

// Sends alerts and records every delivery. Holds a reference to the store, which must outlive
// it. Thread-safe (Deliver may run concurrently).
class Notifier {
 public:
  explicit Notifier(catalog::CatalogStore& store, DeliveryOptions options = {},
                    const Clock& clock = Clock::System())
      : store_(store), options_(std::move(options)), clock_(clock) {}

  // Sends `alert` to every destination that Routes it (in parallel), records each delivery in
  // the catalog, and returns the records in destination order (only routed destinations have
  // one). Never fails: a delivery that could not be made is recorded with status failed and
  // its last_error; a record the catalog refused (e.g. an unknown dataset) is logged and
  // returned with an empty id.
  std::vector<catalog::AlertDelivery> Deliver(const Alert& alert,
                                              const std::vector<AlertDestination>& destinations);

 private:
  catalog::AlertDelivery DeliverOne(const Alert& alert, const AlertDestination& destination);

  catalog::CatalogStore& store_;
  DeliveryOptions options_;
  const Clock& clock_;
};

// One page of a dataset's deliveries, newest first.
struct AlertDeliveryListing {
  std::vector<catalog::AlertDelivery> deliveries;
  std::optional<std::string> next_cursor;  // pass back as `cursor` for the next page
};

constexpr int64_t kMaxAlertPage = 1000;

// Lists the deliveries of `dataset_id` (checked by the caller), `limit` per page (1..1000),
// continuing after `cursor` when given. Errors: kFailedPrecondition (limit out of range, a
// cursor this function did not return), the store's.
Result<AlertDeliveryListing> ListAlertDeliveries(catalog::CatalogStore& store,
                                                 const std::string& dataset_id, int64_t limit,
                                                 const std::optional<std::string>& cursor);

}  // namespace tarn::quality
