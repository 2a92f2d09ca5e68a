// The JSON documents tarn posts for an alert: a Slack incoming-webhook message and a PagerDuty
// Events API v2 trigger event. Pure functions of the alert; thread-safe. The shapes are
// specified in docs/quality.md#alerts.
#pragma once

#include <string>
#include <string_view>

#include "tarn/quality/alerts.h"

namespace tarn::quality {

// {"text": fallback line, "blocks": [header, summary, fields (dataset, partition, kind,
// severity, SLA), details, context (ids)]}. User text is escaped for Slack mrkdwn (&, <, >);
// details are pretty-printed JSON in a code block, cut to fit Slack's 3000-character limit.
std::string SlackPayload(const Alert& alert);

// {"routing_key", "event_action": "trigger", "dedup_key", "payload": {"summary", "source":
// "tarn", "severity", "component": dataset name, "group": SLA tier, "class": kind,
// "custom_details": {...}}}. Keys appear in that order.
std::string PagerDutyPayload(const Alert& alert, std::string_view routing_key);

// "tarn:<dataset_id>:<partition_id, else partition_key, else ->:<kind>" (a SHA-256 digest
// instead when over PagerDuty's 255 characters): the same alert of the same partition maps to
// one PagerDuty incident however often it is sent.
std::string PagerDutyDedupKey(const Alert& alert);

// PagerDuty's severity for ours: critical -> critical, block -> error, warn -> warning.
std::string_view PagerDutySeverity(AlertSeverity severity);

}  // namespace tarn::quality
