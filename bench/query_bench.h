// What query_bench.cc and query_planning.cc share: options, the benchmark's statements, the
// opened lake and engines, timing and table printing.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query_data.h"
#include "query_pg_bench.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/iceberg/expression.h"
#include "tarn/iceberg/table.h"
#include "tarn/lake/lake.h"
#include "tarn/query/query_service.h"

namespace tarn::bench {

struct Options {
  std::string out_dir = "bench/out";
  QueryScale scale;
  std::string window_start = "2024-03-01";
  int window_days = 90;
  int repeat = 5;
  int describe_repeat = 20;
  int threads = 0;      // 0 = DuckDB's default, one per core, for tarn and the baselines alike
  std::string profile;  // comma-separated describe, tarn, direct: only run those, for perf
  int profile_count = 50;
  WireOptions wire;
};

// Exits the benchmark with the error, unless `st` is OK.
void Check(const Status& st, const char* what);

struct Series {
  std::vector<double> ms;
  double Min() const;
  double Median() const;
};

// Times `fn` n times (exiting on an error).
Series Repeat(int n, const std::function<Status()>& fn, const char* what);

// "| what | min | median | ratio | target |", milliseconds with one decimal.
void PrintRow(const std::string& what, double min, double median, const std::string& ratio,
              const std::string& target);
std::string Fixed(double v, int digits = 2);

// The benchmark's statements: one aggregate over the window, read by every variant.
struct Query {
  std::string name;
  std::string select;  // the select list, grouped by country and event_type
  int columns = 0;
};
const std::vector<Query>& Queries();

// The query over `source` (a table reference or a table function call) and [from, to).
std::string QuerySql(const Query& q, const std::string& source, const std::string& from,
                     const std::string& to);

// The lake, a query session on it, and the engines of the baselines.
struct Setup {
  std::unique_ptr<lake::Lake> lake;
  std::unique_ptr<query::QueryService> service;
  std::unique_ptr<query::Session> session;
  std::unique_ptr<iceberg::Table> table;
  std::unique_ptr<engine::DuckDb> plain;
  std::unique_ptr<engine::DuckDb> sandboxed;  // as a session's, without tarn's rewrite
  std::string from, to;                       // the window's dates, [from, to)
  iceberg::Filter filter;                     // the window as an Iceberg filter
};

// The plain-DuckDB sources of the baselines.
struct Sources {
  std::string files;     // read_parquet([the planned files])
  std::string same_sql;  // the SQL tarn generates for the table reference, as a subquery
  std::string glob;      // the whole table, hive-style
  size_t planned = 0;
};

// Prints tarn's planning overhead on the statement of `q` (warm Session::Describe calls, the
// first call of a new session with the manifest cache empty) and its parts timed alone;
// `when` says at which point of the run.
void MeasurePlanning(const Options& o, Setup& s, const Sources& src, const Query& q,
                     const std::string& when);

}  // namespace tarn::bench
