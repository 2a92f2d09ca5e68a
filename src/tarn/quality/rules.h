// Running a promotion spec's quality rules over one raw partition loaded in DuckDB: every
// rule's measure comes from one vectorized aggregate over the rows (plus one anti-join per
// referential rule), then up to `sample_rows` offending rows per failed rule for the
// quarantine report. Not thread-safe (uses the caller's DuckDb).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/base/time.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/quality/promotion_spec.h"

namespace tarn::quality {

struct RuleResult {
  std::string name;
  RuleKind kind = RuleKind::kNotNull;
  Severity severity = Severity::kBlock;
  bool passed = true;
  int64_t rows = 0;        // rows checked
  int64_t violations = 0;  // offending rows (duplicates beyond the first, for unique)
  std::optional<double> observed;  // null rate, row count, age in hours: what was compared
  std::string detail;      // "null rate 0.034 above max_null_rate 0.01"
  std::vector<std::string> samples;  // offending rows as JSON objects
};

struct RuleContext {
  UnixMicros now = 0;
  std::string event_time;  // the default column of freshness rules
  // A relation (a table name or a parenthesized SELECT) holding the referenced column, for
  // "zone.dataset.column". Errors: kNotFound and the like, reported as the rule's failure.
  std::function<Result<std::string>(const std::string& ref)> reference;
  int sample_rows = 5;
};

// `relation`: a table name or a parenthesized SELECT over the partition's rows, with the
// spec's casts and cleaning applied. Errors: kInvalidArgument when DuckDB rejects a rule (an
// unknown column, a bad SQL expression or regex), naming the rule.
Result<std::vector<RuleResult>> EvaluateRules(engine::DuckDb& db, const std::string& relation,
                                              const std::vector<Rule>& rules,
                                              const RuleContext& context);

// SQL helpers shared with profiles: a quoted identifier and a string literal.
std::string QuoteIdent(const std::string& name);
std::string QuoteString(const std::string& text);

}  // namespace tarn::quality
