// The promotion contract a user writes for a raw dataset (YAML or JSON): which curated table it
// feeds, the dedup key, the event-time column and partitioning, casts and cleaning
// expressions, the quality rules with their severities, the anomaly thresholds and where
// alerts go. Parsing checks shapes and names every bad field; checks against the dataset's
// schema happen where the schema is known (CheckAgainst). Plain values; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/schema/schema.h"

namespace tarn::quality {

enum class Severity { kWarn, kBlock };
std::string_view SeverityName(Severity s);

enum class RuleKind {
  kNotNull,         // column; max_null_rate (default 0)
  kRange,           // column; min and/or max (inclusive)
  kAcceptedValues,  // column; values
  kRegex,           // column; pattern (full match)
  kUnique,          // column or columns
  kRowCount,        // min and/or max rows
  kFreshness,       // column (default: the event time); max_age_hours: newest event no older
  kReferential,     // column; ref: "zone.dataset.column" whose values it must be among
  kSql,             // expression: true for every good row
};
std::string_view RuleKindName(RuleKind k);

struct Rule {
  RuleKind kind = RuleKind::kNotNull;
  Severity severity = Severity::kBlock;
  std::string name;                  // "not_null(user_id)" unless given
  std::vector<std::string> columns;  // one, except unique may take several
  std::optional<double> max_null_rate, min, max, max_age_hours;
  std::vector<std::string> values;   // accepted_values, as text
  std::string pattern, expression, ref;
};

struct AnomalySpec {
  bool enabled = true;
  int window = 14;     // comparable partitions in the baseline
  double warn = 3.0;   // anomaly_score above this warns
  double block = 5.0;  // and above this blocks
  int min_history = 5;  // fewer comparable partitions: no score
};

// Streaming datasets: watermark = max event time seen - allowed_lateness; an event behind it
// is late. An alert goes out when a batch's late fraction exceeds late_alert_rate.
struct WatermarkSpec {
  int64_t allowed_lateness_us = 5ll * 60 * 1'000'000;
  double late_alert_rate = 0.05;
};

// An event-time windowed aggregate of the curated table, published to serving.<name> once the
// watermark passes each window's end: window_start, window_end, the group_by columns and one
// column per measure (a SQL aggregate over curated columns).
struct WindowSpec {
  std::string name;
  int64_t size_us = 0;
  std::vector<std::string> group_by;
  std::vector<std::pair<std::string, std::string>> measures;  // column -> aggregate, in order
};

// Change data capture: the raw records are change events (schema/cdc_envelope.h), promoted by
// applying each key's last event to curated (docs/promotion.md, "Change events").
struct CdcSpec {
  std::string format = "debezium";  // the only format so far
};

struct PromotionSpec {
  std::string target;                // curated dataset / table name
  std::vector<std::string> key;      // dedup key columns
  std::string event_time;            // column parsed to a timestamp ("": none, cdc only)
  std::vector<std::string> partition_by = {};  // "days(event_ts)", "hours(ts)", "identity(c)", ...
  std::vector<std::pair<std::string, std::string>> cast;   // column -> type, in order
  std::vector<std::pair<std::string, std::string>> clean;  // column -> SQL expression
  std::vector<Rule> rules;
  AnomalySpec anomaly;
  std::string alerts_json = "[]";    // the alerts list, as JSON (see alerts.h)
  WatermarkSpec watermark;
  std::vector<WindowSpec> windows;
  std::optional<CdcSpec> cdc;
};

// Parses YAML (or JSON, which is YAML). Errors: kInvalidArgument naming the field (unknown
// fields, wrong types, an unknown rule or severity, a rule missing what it needs, thresholds
// out of order).
Result<PromotionSpec> ParsePromotionSpec(const std::string& text);

// The spec as canonical JSON (what the catalog stores and the API returns).
std::string PromotionSpecToJson(const PromotionSpec& spec);

// Checks every column the spec names exists in `raw` (the raw dataset's current schema; with
// `cdc`, the row image of its change events) or is produced by a cast/clean entry.
// Errors: kFailedPrecondition naming the column, or (cdc) what the schema lacks.
Status CheckAgainst(const PromotionSpec& spec, const schema::Schema& raw);

}  // namespace tarn::quality
