#include "tarn/quality/alert_payloads.h"

#include <nlohmann/json.hpp>

#include "tarn/base/ids.h"

namespace tarn::quality {
namespace {

// Insertion-ordered, so the documents read top-down as specified (and as stored).
using Doc = nlohmann::ordered_json;

constexpr size_t kSlackTextMax = 3000;   // section text limit
constexpr size_t kSlackHeaderMax = 150;  // header plain_text limit
constexpr size_t kPagerDutySummaryMax = 1024;
constexpr size_t kDedupKeyMax = 255;

std::string Dump(const Doc& d) { return d.dump(-1, ' ', false, Doc::error_handler_t::replace); }

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence, marking the cut.
std::string Cut(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max - 3;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "...";
}

// Slack mrkdwn reserves &, < and > (links, mentions); everything else is literal.
std::string EscapeMrkdwn(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The alert's details as JSON: {} when empty, the text under "text" when it is not JSON.
Doc Details(const Alert& a) {
  if (a.details_json.empty()) return Doc::object();
  Doc d = Doc::parse(a.details_json, nullptr, /*allow_exceptions=*/false);
  if (d.is_discarded()) return Doc{{"text", a.details_json}};
  return d;
}

std::string Where(const Alert& a) {
  return a.dataset_name + (a.partition_key ? " " + *a.partition_key : "");
}

std::string_view Emoji(AlertSeverity s) {
  switch (s) {
    case AlertSeverity::kWarn:
      return ":warning:";
    case AlertSeverity::kBlock:
      return ":no_entry:";
    case AlertSeverity::kCritical:
      return ":rotating_light:";
  }
  return "";
}

Doc Field(std::string_view label, std::string_view value) {
  return {{"type", "mrkdwn"}, {"text", "*" + std::string(label) + "*\n" + EscapeMrkdwn(value)}};
}

Doc Mrkdwn(std::string text) { return {{"type", "mrkdwn"}, {"text", std::move(text)}}; }

std::string SlaText(const Alert& a) {
  return std::to_string(a.sla_hours) + " h (" +
         std::string(ToString(TierForSlaHours(a.sla_hours))) + ")";
}

}  // namespace

std::string_view PagerDutySeverity(AlertSeverity severity) {
  switch (severity) {
    case AlertSeverity::kCritical:
      return "critical";
    case AlertSeverity::kBlock:
      return "error";
    case AlertSeverity::kWarn:
      return "warning";
  }
  return "info";
}

std::string PagerDutyDedupKey(const Alert& a) {
  std::string scope = a.partition_id ? *a.partition_id : a.partition_key ? *a.partition_key : "-";
  std::string key = "tarn:" + a.dataset_id + ":" + scope + ":" + std::string(ToString(a.kind));
  if (key.size() > kDedupKeyMax) key = "tarn:" + Sha256Hex(key);
  return key;
}

std::string SlackPayload(const Alert& a) {
  const std::string kind(ToString(a.kind)), severity(ToString(a.severity));
  std::string text = std::string(Emoji(a.severity)) + " [" + severity + "] " + kind + ": " +
                     EscapeMrkdwn(Where(a)) + ": " + EscapeMrkdwn(a.summary);
  Doc fields = Doc::array({Field("Dataset", a.dataset_name),
                           Field("Partition", a.partition_key.value_or("-")), Field("Kind", kind),
                           Field("Severity", severity), Field("SLA", SlaText(a))});
  std::string details = Details(a).dump(2, ' ', false, Doc::error_handler_t::replace);
  std::string details_text = "*Details*\n```" + EscapeMrkdwn(details) + "```";
  if (details_text.size() > kSlackTextMax) {
    details_text = "*Details* (cut)\n```" + Cut(EscapeMrkdwn(details), kSlackTextMax - 32) + "```";
  }
  std::string ids =
      "tarn · dataset " + a.dataset_id + (a.partition_id ? " · partition " + *a.partition_id : "");
  Doc blocks = Doc::array();
  blocks.push_back(
      {{"type", "header"},
       {"text",
        {{"type", "plain_text"},
         {"text", Cut("tarn " + kind + " (" + severity + "): " + Where(a), kSlackHeaderMax)},
         {"emoji", true}}}});
  blocks.push_back(
      {{"type", "section"},
       {"text", Mrkdwn(Cut(EscapeMrkdwn(a.summary.empty() ? kind : a.summary), kSlackTextMax))}});
  blocks.push_back({{"type", "section"}, {"fields", std::move(fields)}});
  blocks.push_back({{"type", "section"}, {"text", Mrkdwn(std::move(details_text))}});
  blocks.push_back({{"type", "context"}, {"elements", Doc::array({Mrkdwn(ids)})}});
  return Dump(Doc{{"text", Cut(text, kSlackTextMax)}, {"blocks", std::move(blocks)}});
}

std::string PagerDutyPayload(const Alert& a, std::string_view routing_key) {
  const std::string kind(ToString(a.kind)), severity(ToString(a.severity));
  auto opt = [](const std::optional<std::string>& v) { return v ? Doc(*v) : Doc(); };
  Doc custom = {{"dataset_id", a.dataset_id},
                {"dataset", a.dataset_name},
                {"partition_id", opt(a.partition_id)},
                {"partition_key", opt(a.partition_key)},
                {"kind", kind},
                {"severity", severity},
                {"sla_hours", a.sla_hours},
                {"sla_tier", std::string(ToString(TierForSlaHours(a.sla_hours)))},
                {"details", Details(a)}};
  Doc payload = {{"summary", Cut("[" + severity + "] " + kind + ": " + Where(a) + ": " + a.summary,
                                 kPagerDutySummaryMax)},
                 {"source", "tarn"},
                 {"severity", std::string(PagerDutySeverity(a.severity))},
                 {"component", a.dataset_name},
                 {"group", std::string(ToString(TierForSlaHours(a.sla_hours)))},
                 {"class", kind},
                 {"custom_details", std::move(custom)}};
  return Dump(Doc{{"routing_key", std::string(routing_key)},
                  {"event_action", "trigger"},
                  {"dedup_key", PagerDutyDedupKey(a)},
                  {"payload", std::move(payload)}});
}

}  // namespace tarn::quality
