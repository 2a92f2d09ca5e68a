// Partition profiles and anomaly scores. A profile summarizes one partition's rows (row count;
// per column the null rate and approximate distinct count; for numeric columns min, max, p50,
// p99), computed in one DuckDB aggregate. The anomaly score compares a profile with a baseline
// of comparable earlier profiles: z-scores of the row count, each column's null rate and each
// numeric column's p99, combined as the largest |z|. Plain values; thread-safe (ComputeProfile
// uses the caller's DuckDb).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/quality/promotion_spec.h"

namespace tarn::quality {

struct ColumnProfile {
  std::string name;
  double null_rate = 0;
  int64_t distinct = 0;  // approximate
  bool numeric = false;
  std::optional<double> min, max, p50, p99;  // numeric columns with values
};

struct Profile {
  int64_t rows = 0;
  std::vector<ColumnProfile> columns;
};

std::string ProfileToJson(const Profile& p);
// Errors: kInvalidArgument (not a profile).
Result<Profile> ProfileFromJson(const std::string& text);

// Profiles the rows of `relation` (a table name or a parenthesized SELECT).
// Errors: kInvalidArgument (DuckDB's).
Result<Profile> ComputeProfile(engine::DuckDb& db, const std::string& relation);

struct Deviation {
  std::string metric;  // "row_count", "null_rate(user_id)", "p99(amount)"
  double value = 0, mean = 0, stddev = 0, z = 0;
};

struct AnomalyScore {
  std::optional<double> score;  // none without enough history
  int baseline = 0;             // comparable partitions used
  std::vector<Deviation> deviations;  // every metric, largest |z| first
  Severity verdict = Severity::kWarn;  // meaningful when flagged
  bool flagged = false;         // score above spec.warn
  std::string detail;           // "row_count 600 vs 1000 ± 8.2 (z = -48.8)"
};

// Scores `current` against `baseline` (oldest first; the last spec.window are used).
AnomalyScore ScoreAnomaly(const Profile& current, const std::vector<Profile>& baseline,
                          const AnomalySpec& spec);

}  // namespace tarn::quality
