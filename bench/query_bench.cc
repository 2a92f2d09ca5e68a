// query_bench: the query service's reproducible benchmark (`make bench-query`). On a curated
// Iceberg table of --days x 24 hourly partitions (query_data.h; generated once, cached under
// --out) it runs a 90-day aggregate filtered on event time and measures, in this process:
//   - tarn: QueryService session, Execute and drain the stream (end to end);
//   - tarn's planning overhead: Session::Describe of the same statement (catalog sync, table
//     reference analysis, Iceberg planning, DuckDB bind), warm and first-in-a-cold-session,
//     with its parts timed alone;
//   - (a) plain DuckDB over the files Iceberg planning keeps (read_parquet of the list), and
//     (a') the very SQL tarn hands DuckDB, run on a plain DuckDB;
//   - (b) plain DuckDB over a hive-style glob of the whole table;
// and prints files scanned against the table's total (EXPLAIN). Then, through the PostgreSQL
// wire protocol, psql fetching a 1M-row result (query_pg_bench.h; skipped when `tarn serve`
// has no --pg-listen). Repetitions alternate the order of the variants; min and median are
// reported. Results of all variants are checked to be equal; nothing asserts on time.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>

#include "query_data.h"
#include "query_pg_bench.h"
#include "tarn/base/time.h"
#include "tarn/engine/iceberg_read.h"
#include "tarn/iceberg/manifest_cache.h"
#include "tarn/iceberg/scan.h"
#include "tarn/lake/lake.h"
#include "tarn/query/query_service.h"

namespace tarn::bench {
namespace {

struct Options {
  std::string out_dir = "bench/out";
  QueryScale scale;
  std::string window_start = "2024-03-01";
  int window_days = 90;
  int repeat = 5;
  int describe_repeat = 20;
  int threads = 0;  // 0 = DuckDB's default, one per core, for tarn and the baselines alike
  WireOptions wire;
};

void Check(const Status& st, const char* what) {
  if (st.ok()) return;
  std::fprintf(stderr, "query_bench: %s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

struct Series {
  std::vector<double> ms;
  double Min() const { return ms.empty() ? 0 : *std::min_element(ms.begin(), ms.end()); }
  double Median() const {
    if (ms.empty()) return 0;
    std::vector<double> v = ms;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  }
};

using Rows = std::vector<std::string>;  // each row's values joined with '|'

std::string Join(const std::vector<std::optional<std::string>>& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) out += (i ? "|" : "") + row[i].value_or("NULL");
  return out;
}

// The window's aggregate over `source` (a table reference or a table function call).
std::string AggregateSql(const std::string& source, const std::string& from,
                         const std::string& to) {
  return "SELECT country, event_type, count(*) AS events, sum(amount) AS revenue, "
         "count(DISTINCT user_id) AS users, avg(duration_ms) AS avg_duration_ms FROM " +
         source + " WHERE event_ts >= TIMESTAMPTZ '" + from +
         " 00:00:00+00' AND event_ts < TIMESTAMPTZ '" + to +
         " 00:00:00+00' AND NOT is_bot GROUP BY country, event_type ORDER BY country, event_type";
}
constexpr int kResultColumns = 6;

// A query's columns cast to text, as the query service does for its streams.
std::string AsText(const std::string& sql, int columns) {
  std::string outputs, names;
  for (int i = 0; i < columns; ++i) {
    std::string c = "c" + std::to_string(i);
    outputs += (i ? ", " : "") + ("CAST(" + c + " AS VARCHAR)");
    names += (i ? ", " : "") + c;
  }
  return "SELECT " + outputs + " FROM (" + sql + "\n) AS q(" + names + ")";
}

Result<Rows> RunTarn(query::Session& session, const std::string& sql) {
  TARN_ASSIGN_OR_RETURN(auto stream, session.Execute(sql, {}));
  Rows rows;
  query::Row row;
  while (true) {
    TARN_ASSIGN_OR_RETURN(bool more, stream->Next(&row));
    if (!more) break;
    rows.push_back(Join(row));
  }
  return rows;
}

Result<Rows> RunDuckDb(engine::DuckDb& db, const std::string& sql) {
  Rows rows;
  TARN_RETURN_IF_ERROR(db.Query(AsText(sql, kResultColumns), {}, [&](const engine::Row& row) {
    rows.push_back(Join(row));
    return Status::OK();
  }));
  return rows;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// The first "tarn:" line of EXPLAIN, and the files it says were scanned.
struct Explained {
  std::string line;
  int64_t considered = 0, scanned = 0;
};

Result<Explained> ExplainFiles(query::Session& session, const std::string& sql) {
  TARN_ASSIGN_OR_RETURN(auto stream, session.Execute("EXPLAIN " + sql, {}));
  Explained out;
  query::Row row;
  while (true) {
    TARN_ASSIGN_OR_RETURN(bool more, stream->Next(&row));
    if (!more) break;
    if (out.line.empty() && row[0] && row[0]->rfind("tarn:", 0) == 0) out.line = *row[0];
  }
  size_t c = out.line.find("considered "), s = out.line.find("scanned ");
  if (c == std::string::npos || s == std::string::npos) {
    return Internal("no file counts in EXPLAIN: '" + out.line + "'");
  }
  out.considered = std::stoll(out.line.substr(c + 11));
  out.scanned = std::stoll(out.line.substr(s + 8));
  return out;
}

struct Setup {
  std::unique_ptr<lake::Lake> lake;
  std::unique_ptr<query::QueryService> service;
  std::unique_ptr<query::Session> session;
  std::unique_ptr<iceberg::Table> table;
  std::unique_ptr<engine::DuckDb> plain;
  std::string from, to;  // the window's dates, [from, to)
  iceberg::Filter filter;
};

Setup Open(const Options& o, const BenchLake& bl) {
  Setup s;
  auto lake = lake::Lake::Open({bl.dir, ""});
  Check(lake.status(), "open lake");
  s.lake = std::move(*lake);
  query::QueryLimits limits;
  limits.threads = o.threads;
  s.service = std::make_unique<query::QueryService>(*s.lake, limits);
  auto session = s.service->OpenSession(catalog::Grants::Admin());
  Check(session.status(), "open session");
  s.session = std::move(*session);
  auto tables = s.lake->tables();
  Check(tables.status(), "tables");
  auto table = (*tables)->Load(kZone, kTableName);
  Check(table.status(), "load table");
  s.table = std::move(*table);
  auto plain = engine::DuckDb::Open();
  Check(plain.status(), "open DuckDB");
  s.plain = std::move(*plain);
  if (o.threads > 0) Check(s.plain->Exec("SET threads = " + std::to_string(o.threads)), "threads");
  auto start = ParseIsoTimestamp(o.window_start);
  Check(start.status(), "--window-start");
  int64_t day = *start / (int64_t{86400} * 1000000);
  s.from = DateOf(day);
  s.to = DateOf(day + o.window_days);
  auto us = [](const std::string& date) { return *ParseIsoTimestamp(date); };
  s.filter = {{"event_ts", 0, iceberg::Op::kGtEq, {iceberg::Literal::TimestampTz(us(s.from))}},
              {"event_ts", 0, iceberg::Op::kLt, {iceberg::Literal::TimestampTz(us(s.to))}}};
  return s;
}

struct Variant {
  std::string name;
  std::function<Result<Rows>()> run;
  Series time;
  Rows first;
};

void PrintRow(const std::string& what, double min, double median, const std::string& ratio,
              const std::string& target) {
  std::printf("| %s | %.1f | %.1f | %s | %s |\n", what.c_str(), min, median, ratio.c_str(),
              target.c_str());
}

std::string Fixed(double v, int digits = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Times `fn` n times; returns the series.
Series Repeat(int n, const std::function<Status()>& fn, const char* what) {
  Series s;
  for (int i = 0; i < n; ++i) {
    auto t0 = SteadyClock::now();
    Check(fn(), what);
    s.ms.push_back(MsSince(t0));
  }
  return s;
}

void Run(const Options& o) {
  auto bl = EnsureBenchLake(o.out_dir, o.scale);
  Check(bl.status(), "bench lake");
  Setup s = Open(o, *bl);
  std::string tarn_sql = AggregateSql(std::string(kZone) + "." + kTableName, s.from, s.to);

  auto explained = ExplainFiles(*s.session, tarn_sql);
  Check(explained.status(), "EXPLAIN");
  iceberg::FileIO& io = s.table->io();
  const iceberg::TableMetadata& md = s.table->metadata();
  auto plan = iceberg::PlanScan(md, md.CurrentSnapshot(), s.filter, io);
  Check(plan.status(), "plan");
  std::string list;
  for (const auto& task : plan->tasks) {
    list += (list.empty() ? "" : ", ") + Quote(io.LocalPath(task.data_file.file_path));
  }
  auto scan = engine::IcebergScanSql(*plan, *md.CurrentSchema(), io);
  Check(scan.status(), "scan SQL");
  std::string same_sql = AggregateSql("(" + *scan + ") AS bench_events", s.from, s.to);
  std::string direct_sql = AggregateSql("read_parquet([" + list + "])", s.from, s.to);
  std::string glob = io.LocalPath(md.location) + "/data/**/*.parquet";
  std::string glob_sql =
      AggregateSql("read_parquet(" + Quote(glob) + ", hive_partitioning = true)", s.from, s.to);

  std::printf("\nquery_bench: %s.%s: %d days x 24 hourly partitions x %d = %lld events, %lld "
              "files, %.2f GiB, %d commits; generated in %.0f s%s\n",
              kZone, kTableName, o.scale.days, o.scale.rows_per_hour,
              static_cast<long long>(bl->rows), static_cast<long long>(bl->data_files),
              bl->bytes / double(1 << 30), bl->commits, bl->generation_seconds,
              bl->cached ? " (cached)" : "");
  std::printf("window: event_ts in [%s, %s), %d days; files scanned %lld of %lld (planning: "
              "%zu)\n  %s\n",
              s.from.c_str(), s.to.c_str(), o.window_days,
              static_cast<long long>(explained->scanned),
              static_cast<long long>(bl->data_files), plan->tasks.size(),
              explained->line.c_str());
  if (static_cast<size_t>(explained->scanned) != plan->tasks.size()) {
    std::fprintf(stderr, "query_bench: EXPLAIN and PlanScan disagree on the files\n");
    std::exit(1);
  }

  std::vector<Variant> variants = {
      {"tarn: Session::Execute + drain", [&] { return RunTarn(*s.session, tarn_sql); }, {}, {}},
      {"(a) DuckDB, read_parquet([pruned files])", [&] { return RunDuckDb(*s.plain, direct_sql); },
       {}, {}},
      {"(a') DuckDB, the SQL tarn generates (schema map by field id)",
       [&] { return RunDuckDb(*s.plain, same_sql); }, {}, {}},
      {"(b) DuckDB, hive glob of the whole table", [&] { return RunDuckDb(*s.plain, glob_sql); },
       {}, {}},
  };
  // One untimed run each (first touch), which also checks that all agree.
  for (Variant& v : variants) {
    auto t0 = SteadyClock::now();
    auto rows = v.run();
    Check(rows.status(), v.name.c_str());
    std::fprintf(stderr, "query_bench: %s: %zu rows, first run %.0f ms\n", v.name.c_str(),
                 rows->size(), MsSince(t0));
    v.first = std::move(*rows);
    if (v.first != variants[0].first) {
      std::fprintf(stderr, "query_bench: %s returns other rows than tarn\n", v.name.c_str());
      std::exit(1);
    }
  }
  for (int r = 0; r < o.repeat; ++r) {
    for (size_t k = 0; k < variants.size(); ++k) {
      Variant& v = variants[(k + r) % variants.size()];
      auto t0 = SteadyClock::now();
      Check(v.run().status(), v.name.c_str());
      v.time.ms.push_back(MsSince(t0));
    }
  }

  // Planning: Describe warm, then first in a fresh session with the manifest cache emptied.
  Series describe = Repeat(o.describe_repeat, [&] { return s.session->Describe(tarn_sql).status(); },
                           "Describe");
  Series open_session, cold_describe;
  for (int i = 0; i < std::max(3, o.describe_repeat / 4); ++i) {
    iceberg::ClearManifestCache();
    auto t0 = SteadyClock::now();
    auto session = s.service->OpenSession(catalog::Grants::Admin());
    Check(session.status(), "open session");
    open_session.ms.push_back(MsSince(t0));
    t0 = SteadyClock::now();
    Check((*session)->Describe(tarn_sql).status(), "Describe (cold)");
    cold_describe.ms.push_back(MsSince(t0));
  }
  // Its parts, alone: Iceberg planning (warm cache), the scan SQL, DuckDB's bind.
  Series plan_only = Repeat(o.describe_repeat, [&] {
    return iceberg::PlanScan(md, md.CurrentSnapshot(), s.filter, io).status();
  }, "PlanScan");
  Series scan_sql = Repeat(o.describe_repeat, [&] {
    return engine::IcebergScanSql(*plan, *md.CurrentSchema(), io).status();
  }, "IcebergScanSql");
  Series bind = Repeat(o.describe_repeat, [&] { return s.plain->Describe(same_sql).status(); },
                       "DuckDB Describe");

  const Series& tarn = variants[0].time;
  double ratio_a = tarn.Median() / variants[1].time.Median();
  double ratio_b = variants[3].time.Median() / tarn.Median();
  std::printf("\n%d repetitions (order rotated), %zu result rows; DuckDB %s, threads %s\n\n",
              o.repeat, variants[0].first.size(), engine::DuckDbVersion().c_str(),
              o.threads ? std::to_string(o.threads).c_str() : "default");
  std::printf("| measurement | min ms | median ms | ratio (median) | target |\n");
  std::printf("|---|---|---|---|---|\n");
  PrintRow(variants[0].name, tarn.Min(), tarn.Median(), "",
           "<= 2000 ms: " + std::string(tarn.Median() <= 2000 ? "met" : "MISSED"));
  PrintRow(variants[1].name + ", " + std::to_string(plan->tasks.size()) + " files",
           variants[1].time.Min(), variants[1].time.Median(),
           "tarn / (a) = " + Fixed(ratio_a), std::string("<= 1.1: ") + (ratio_a <= 1.1 ? "met" : "MISSED"));
  PrintRow(variants[2].name, variants[2].time.Min(), variants[2].time.Median(),
           "tarn / (a') = " + Fixed(tarn.Median() / variants[2].time.Median()), "");
  PrintRow(variants[3].name + ", " + std::to_string(bl->data_files) + " files",
           variants[3].time.Min(), variants[3].time.Median(), "(b) / tarn = " + Fixed(ratio_b),
           std::string("> 1 (tarn faster): ") + (ratio_b > 1 ? "met" : "MISSED"));
  PrintRow("tarn planning: Session::Describe, warm", describe.Min(), describe.Median(), "",
           std::string("<= 30 ms: ") + (describe.Median() <= 30 ? "met" : "MISSED"));
  PrintRow("  first Describe in a new session, manifest cache empty", cold_describe.Min(),
           cold_describe.Median(), "", "");
  PrintRow("  (opening that session)", open_session.Min(), open_session.Median(), "", "");
  PrintRow("  part: iceberg::PlanScan, warm", plan_only.Min(), plan_only.Median(), "", "");
  PrintRow("  part: engine::IcebergScanSql", scan_sql.Min(), scan_sql.Median(), "", "");
  PrintRow("  part: DuckDB Describe (bind) of the rewritten SQL", bind.Min(), bind.Median(), "", "");
  std::printf("\nrewritten SQL: %zu bytes\n", same_sql.size());
  std::fflush(stdout);

  std::string wire_sql = "SELECT event_id, event_ts, user_id, event_type, country, amount FROM " +
                         std::string(kZone) + "." + kTableName + " WHERE event_ts >= TIMESTAMPTZ '" +
                         s.from + " 00:00:00+00' AND event_ts < TIMESTAMPTZ '" +
                         DateOf(*ParseIsoTimestamp(s.from) / (int64_t{86400} * 1000000) + 8) +
                         " 00:00:00+00' LIMIT " + std::to_string(o.wire.rows);
  Check(RunWireBench(o.wire, bl->dir, *s.session, wire_sql), "wire protocol");
}

}  // namespace
}  // namespace tarn::bench

int main(int argc, char** argv) {
  tarn::bench::Options o;
  CLI::App app{"query_bench: the query service over a year of hourly partitions (make bench-query)"};
  app.add_option("--out", o.out_dir, "where the generated lake is cached")->default_val(o.out_dir);
  app.add_option("--days", o.scale.days, "days of events from 2024-01-01")->default_val(365);
  app.add_option("--rows-per-hour", o.scale.rows_per_hour, "events per hourly partition")
      ->default_val(6000);
  app.add_option("--window-start", o.window_start, "first day of the aggregate's window")
      ->default_val(o.window_start);
  app.add_option("--window-days", o.window_days, "days in the window")->default_val(90);
  app.add_option("--repeat", o.repeat, "timed runs of each variant")->default_val(5);
  app.add_option("--describe-repeat", o.describe_repeat, "timed Describe calls")->default_val(20);
  app.add_option("--threads", o.threads, "DuckDB threads (0 = one per core)")->default_val(0);
  app.add_option("--tarn", o.wire.tarn_binary, "the tarn binary, for the wire-protocol run");
  app.add_option("--wire-rows", o.wire.rows, "rows psql fetches")->default_val(1000000);
  app.add_option("--wire-repeat", o.wire.repeat, "timed psql fetches")->default_val(3);
  app.add_flag("--no-wire", o.wire.skip, "skip the wire-protocol run");
  CLI11_PARSE(app, argc, argv);
  tarn::bench::Run(o);
  return 0;
}
