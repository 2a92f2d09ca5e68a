// The query benchmark's table (`make bench-query`): curated.bench_events, a year of
// clickstream events in a lake under --out, partitioned by hour(event_ts), generated once and
// cached between runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "tarn/base/status.h"

namespace tarn::bench {

using SteadyClock = std::chrono::steady_clock;

inline double SecondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}
inline double MsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
}

inline constexpr char kZone[] = "curated";
inline constexpr char kTableName[] = "bench_events";
inline constexpr int64_t kFirstDay = 19723;  // 2024-01-01, days since 1970-01-01

struct QueryScale {
  int days = 365;            // from 2024-01-01
  int rows_per_hour = 6000;  // every hourly partition holds this many events
  int64_t rows() const { return int64_t{days} * 24 * rows_per_hour; }
  std::string Name() const;  // "365d-6000rph"
};

// The generated (or cached) lake and what it took to make.
struct BenchLake {
  std::string dir;  // absolute; SQLite catalog under dir/_tarn
  double generation_seconds = 0;
  bool cached = false;
  int commits = 0;
  int64_t data_files = 0, rows = 0, bytes = 0;
};

// The lake at <out_dir>/query-<scale>: reused when its COMPLETE marker is there and the table
// opens with the expected row count, else (re)generated: the table is created through
// lake::LakeTables and filled with engine::LoadIntoTable, one commit per calendar month.
// Errors: those of Lake::Open, LakeTables and LoadIntoTable; kIOError.
Result<BenchLake> EnsureBenchLake(const std::string& out_dir, const QueryScale& scale);

// "2024-03-01", the date `day` days after 1970-01-01.
std::string DateOf(int64_t day);

}  // namespace tarn::bench
