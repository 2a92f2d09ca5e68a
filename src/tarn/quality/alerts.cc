#include "tarn/quality/alerts.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <system_error>
#include <thread>
#include <utility>

#include "tarn/base/encoding.h"
#include "tarn/base/ids.h"
#include "tarn/base/log.h"
#include "tarn/catalog/catalog_store.h"
#include "tarn/ingest/credentials.h"
#include "tarn/quality/alert_payloads.h"

namespace tarn::quality {
namespace {

using nlohmann::json;

template <typename E, size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<AlertKind, 5> kKinds{{{AlertKind::kQualityBlock, "quality_block"},
                                      {AlertKind::kQuarantine, "quarantine"},
                                      {AlertKind::kAnomalyWarn, "anomaly_warn"},
                                      {AlertKind::kAnomalyBlock, "anomaly_block"},
                                      {AlertKind::kSlaBreach, "sla_breach"}}};
constexpr Names<AlertSeverity, 3> kSeverities{{{AlertSeverity::kWarn, "warn"},
                                               {AlertSeverity::kBlock, "block"},
                                               {AlertSeverity::kCritical, "critical"}}};
constexpr Names<AlertFormat, 2> kFormats{
    {{AlertFormat::kSlack, "slack"}, {AlertFormat::kPagerDuty, "pagerduty"}}};
constexpr Names<SlaTier, 3> kTiers{
    {{SlaTier::kTier1, "tier1"}, {SlaTier::kTier2, "tier2"}, {SlaTier::kTier3, "tier3"}}};

template <typename E, size_t N>
std::string_view NameOf(const Names<E, N>& names, E v) {
  for (const auto& [e, name] : names) {
    if (e == v) return name;
  }
  return "?";
}

template <typename E, size_t N>
bool ValueOf(const Names<E, N>& names, std::string_view s, E* out) {
  for (const auto& [e, name] : names) {
    if (name == s) {
      *out = e;
      return true;
    }
  }
  return false;
}

template <typename E, size_t N>
std::string Choices(const Names<E, N>& names) {
  std::string out;
  for (const auto& [e, name] : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

bool IsReference(std::string_view s) { return s.starts_with("env:") || s.starts_with("file:"); }

// An env:/file: reference is checked for form only; its target is read when delivering.
Status CheckReference(const std::string& where, std::string_view ref) {
  std::string_view rest = ref.substr(ref.find(':') + 1);
  if (ref.starts_with("env:") && !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      })) {
    return Status::OK();
  }
  if (ref.starts_with("file:") && rest.starts_with("/")) return Status::OK();
  return FailedPrecondition(where + ": a reference must be env:NAME or file:/absolute/path");
}

template <typename E, size_t N>
Result<E> EnumField(const json& obj, const std::string& where, const char* field,
                    const Names<E, N>& names, std::optional<E> fallback) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) {
    if (fallback) return *fallback;
    return InvalidArgument(where + "." + field + ": required (one of " + Choices(names) + ")");
  }
  if (!it->is_string()) return InvalidArgument(where + "." + field + ": must be a string");
  E out;
  if (!ValueOf(names, it->get<std::string>(), &out)) {
    return FailedPrecondition(where + "." + field + ": '" + it->get<std::string>() +
                              "' is not one of " + Choices(names));
  }
  return out;
}

Result<AlertDestination> ParseDestination(const json& obj, const std::string& where) {
  static constexpr std::array<const char*, 5> kKnown = {"url", "format", "routing_key",
                                                        "min_severity", "sla_tiers"};
  if (!obj.is_object()) return InvalidArgument(where + ": must be an object with url and format");
  for (const auto& [key, value] : obj.items()) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      return InvalidArgument(where + ": unknown field '" + key +
                             "' (known: url, format, routing_key, min_severity, sla_tiers)");
    }
  }
  AlertDestination d;
  auto url = obj.find("url");
  if (url == obj.end() || url->is_null()) return InvalidArgument(where + ".url: required");
  if (!url->is_string()) return InvalidArgument(where + ".url: must be a string");
  d.url = url->get<std::string>();
  if (IsReference(d.url)) {
    TARN_RETURN_IF_ERROR(CheckReference(where + ".url", d.url));
  } else {
    auto parsed = ParseWebhookUrl(d.url);
    if (!parsed.ok()) return parsed.status().WithContext(where + ".url");
  }
  TARN_ASSIGN_OR_RETURN(d.format,
                        EnumField(obj, where, "format", kFormats, std::optional<AlertFormat>()));
  TARN_ASSIGN_OR_RETURN(d.min_severity,
                        EnumField(obj, where, "min_severity", kSeverities,
                                  std::optional<AlertSeverity>(AlertSeverity::kWarn)));
  auto key = obj.find("routing_key");
  bool has_key = key != obj.end() && !key->is_null();
  if (has_key && !key->is_string())
    return InvalidArgument(where + ".routing_key: must be a string");
  if (has_key) d.routing_key = key->get<std::string>();
  if (d.format == AlertFormat::kPagerDuty && d.routing_key.empty()) {
    return FailedPrecondition(where +
                              ".routing_key: required for format pagerduty (the "
                              "integration key, or an env:NAME / file:/path reference)");
  }
  if (d.format != AlertFormat::kPagerDuty && has_key) {
    return FailedPrecondition(where + ".routing_key: only used with format pagerduty");
  }
  if (IsReference(d.routing_key)) {
    TARN_RETURN_IF_ERROR(CheckReference(where + ".routing_key", d.routing_key));
  }
  auto tiers = obj.find("sla_tiers");
  if (tiers != obj.end() && !tiers->is_null()) {
    if (!tiers->is_array()) return InvalidArgument(where + ".sla_tiers: must be a list");
    for (size_t i = 0; i < tiers->size(); ++i) {
      const json& t = (*tiers)[i];
      std::string at = where + ".sla_tiers[" + std::to_string(i) + "]";
      SlaTier tier;
      if (!t.is_string()) return InvalidArgument(at + ": must be a string");
      if (!ValueOf(kTiers, t.get<std::string>(), &tier)) {
        return FailedPrecondition(at + ": '" + t.get<std::string>() + "' is not one of " +
                                  Choices(kTiers));
      }
      d.sla_tiers.push_back(tier);
    }
  }
  return d;
}

std::string Where(const Alert& a) {
  return a.dataset_name + (a.partition_key ? " " + *a.partition_key : "");
}

}  // namespace

std::string_view ToString(AlertKind v) { return NameOf(kKinds, v); }
std::string_view ToString(AlertSeverity v) { return NameOf(kSeverities, v); }
std::string_view ToString(AlertFormat v) { return NameOf(kFormats, v); }
std::string_view ToString(SlaTier v) { return NameOf(kTiers, v); }
bool Parse(std::string_view s, AlertKind* out) { return ValueOf(kKinds, s, out); }
bool Parse(std::string_view s, AlertSeverity* out) { return ValueOf(kSeverities, s, out); }
bool Parse(std::string_view s, AlertFormat* out) { return ValueOf(kFormats, s, out); }
bool Parse(std::string_view s, SlaTier* out) { return ValueOf(kTiers, s, out); }

SlaTier TierForSlaHours(int sla_hours) {
  if (sla_hours <= 2) return SlaTier::kTier1;
  if (sla_hours <= 24) return SlaTier::kTier2;
  return SlaTier::kTier3;
}

Result<std::vector<AlertDestination>> ParseAlertDestinations(std::string_view json_text) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgument("alerts: not valid JSON");
  std::vector<AlertDestination> out;
  if (doc.is_null()) return out;
  if (!doc.is_array()) return InvalidArgument("alerts: must be a list of destinations");
  for (size_t i = 0; i < doc.size(); ++i) {
    TARN_ASSIGN_OR_RETURN(auto d, ParseDestination(doc[i], "alerts[" + std::to_string(i) + "]"));
    out.push_back(std::move(d));
  }
  return out;
}

bool Routes(const AlertDestination& d, const Alert& alert) {
  if (alert.severity < d.min_severity) return false;
  if (d.sla_tiers.empty()) return true;
  return std::find(d.sla_tiers.begin(), d.sla_tiers.end(), TierForSlaHours(alert.sla_hours)) !=
         d.sla_tiers.end();
}

std::vector<catalog::AlertDelivery> Notifier::Deliver(
    const Alert& alert, const std::vector<AlertDestination>& destinations) {
  std::vector<const AlertDestination*> routed;
  for (const AlertDestination& d : destinations) {
    if (Routes(d, alert)) routed.push_back(&d);
  }
  std::vector<catalog::AlertDelivery> out(routed.size());
  if (routed.size() == 1) {
    out[0] = DeliverOne(alert, *routed[0]);
    return out;
  }
  // One thread per destination: a receiver that is down (retries, timeouts) delays no other.
  std::vector<std::thread> threads;
  threads.reserve(routed.size());
  for (size_t i = 0; i < routed.size(); ++i) {
    try {
      threads.emplace_back([&, i] { out[i] = DeliverOne(alert, *routed[i]); });
    } catch (const std::system_error&) {  // no thread to be had: deliver on this one
      out[i] = DeliverOne(alert, *routed[i]);
    }
  }
  for (std::thread& t : threads) t.join();
  return out;
}

catalog::AlertDelivery Notifier::DeliverOne(const Alert& alert, const AlertDestination& dest) {
  const std::string kind(ToString(alert.kind));
  const std::string what = "alert " + kind + " for " + Where(alert);
  catalog::AlertDelivery rec;
  rec.dataset_id = alert.dataset_id;
  rec.partition_id = alert.partition_id;
  rec.kind = kind;
  rec.severity = std::string(ToString(alert.severity));
  rec.format = std::string(ToString(dest.format));
  rec.status = catalog::AlertDeliveryStatus::kFailed;
  rec.created_at = clock_.Now();
  // Secrets: the routing key, and a referenced URL (Slack's carry their credential in the
  // path). Neither reaches the record, an error text or a log line.
  std::vector<std::string> secrets;
  auto resolve = [&](const std::string& value, const char* field) -> Result<std::string> {
    if (!IsReference(value)) return value;
    auto secret = ingest::ResolveSecret(value);
    if (!secret.ok()) return secret.status().WithContext(field);
    return secret;
  };
  rec.destination = IsReference(dest.url) ? dest.url : RedactUrl(dest.url);
  WebhookUrl url;
  std::string body;
  Status ready = [&]() -> Status {
    TARN_ASSIGN_OR_RETURN(std::string url_text, resolve(dest.url, "url"));
    if (IsReference(dest.url)) secrets.push_back(url_text);
    auto parsed = ParseWebhookUrl(url_text);
    if (!parsed.ok()) return parsed.status().WithContext("url");
    url = std::move(parsed).value();
    if (dest.format == AlertFormat::kSlack) {
      body = SlackPayload(alert);
      return Status::OK();
    }
    TARN_ASSIGN_OR_RETURN(std::string key, resolve(dest.routing_key, "routing_key"));
    secrets.push_back(key);
    body = PagerDutyPayload(alert, key);
    return Status::OK();
  }();
  // The record keeps what was sent, with "***" for the routing key.
  rec.payload = RedactSecrets(
      dest.format == AlertFormat::kSlack ? SlackPayload(alert) : PagerDutyPayload(alert, "***"),
      secrets);
  if (!ready.ok()) {
    rec.last_error = RedactSecrets(ready.message(), secrets);
    LogWarn(what + ": not sent to " + rec.destination + ": " + *rec.last_error);
  } else {
    WebhookOutcome o = PostJson(url, body, options_, secrets, what + ": POST " + rec.destination);
    rec.status = o.delivered ? catalog::AlertDeliveryStatus::kDelivered
                             : catalog::AlertDeliveryStatus::kFailed;
    rec.attempts = o.attempts;
    rec.http_status = o.http_status;
    rec.last_error = o.last_error;
  }
  rec.finished_at = clock_.Now();
  auto stored = store_.RecordAlertDelivery(rec);
  if (!stored.ok()) {
    LogError(what + ": the delivery to " + rec.destination +
             " could not be recorded: " + stored.status().ToString());
    return rec;
  }
  return std::move(stored).value();
}

Result<AlertDeliveryListing> ListAlertDeliveries(catalog::CatalogStore& store,
                                                 const std::string& dataset_id, int64_t limit,
                                                 const std::optional<std::string>& cursor) {
  if (limit < 1 || limit > kMaxAlertPage) {
    return FailedPrecondition("limit: must be between 1 and " + std::to_string(kMaxAlertPage));
  }
  catalog::AlertDeliveryQuery q{dataset_id, std::nullopt, static_cast<int>(limit)};
  if (cursor) {
    // A cursor is base64url("<created_at micros>\n<id>") of the last row of a page.
    auto raw = Base64UrlDecode(*cursor);
    size_t nl = raw ? raw->find('\n') : std::string::npos;
    std::string micros = nl == std::string::npos ? "" : raw->substr(0, nl);
    if (nl == std::string::npos || micros.empty() || micros.size() > 18 ||
        !std::all_of(micros.begin(), micros.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        !IsUuid(raw->substr(nl + 1))) {
      return FailedPrecondition("cursor: '" + *cursor +
                                "' is not a cursor returned by this listing");
    }
    q.before = std::make_pair(static_cast<UnixMicros>(std::stoll(micros)), raw->substr(nl + 1));
  }
  TARN_ASSIGN_OR_RETURN(auto page, store.ListAlertDeliveries(q));
  AlertDeliveryListing out;
  if (page.has_more && !page.deliveries.empty()) {
    const auto& last = page.deliveries.back();
    out.next_cursor = Base64UrlEncode(std::to_string(last.created_at) + "\n" + last.id);
  }
  out.deliveries = std::move(page.deliveries);
  return out;
}

}  // namespace tarn::quality
