// query_bench: the query service's reproducible benchmark (`make bench-query`). On a curated
// Iceberg table of --days x 24 hourly partitions (query_data.h; generated once, cached under
// --out) it runs a 90-day aggregate filtered on event time and measures, in this process:
//   - tarn: QueryService session, Execute and drain the stream (end to end);
//   - tarn's planning overhead: Session::Describe of the same statement (catalog sync, table
//     reference analysis, Iceberg planning, DuckDB bind), warm and first-in-a-cold-session,
//     with its parts timed alone, before and after the queries (query_planning.cc);
//   - (a) plain DuckDB over the files Iceberg planning keeps (read_parquet of the list), and
//     (a') the very SQL tarn hands DuckDB, run on a plain DuckDB, and (a'') on a DuckDB
//     sandboxed as a session's is (engine::DuckDb::OpenSandboxed): the steps from (a) to tarn;
//   - (b) plain DuckDB over a hive-style glob of the whole table;
// and prints files scanned against the table's total (EXPLAIN). Then, through the PostgreSQL
// wire protocol, psql fetching a 1M-row result (query_pg_bench.h; skipped when `tarn serve`
// has no --pg-listen). Two statements: Q1 (counts, sums, averages) and Q2 (Q1 with a count
// of distinct users). Repetitions alternate the order of the variants; min and median wall
// times and the process's CPU time are reported. Results of all variants are checked to be
// equal; nothing asserts on time. --profile runs one part in a loop, for perf record.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <sys/resource.h>
#include <thread>

#include "query_bench.h"
#include "tarn/base/time.h"
#include "tarn/engine/iceberg_read.h"
#include "tarn/iceberg/scan.h"

namespace tarn::bench {

void Check(const Status& st, const char* what) {
  if (st.ok()) return;
  std::fprintf(stderr, "query_bench: %s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

double Series::Min() const { return ms.empty() ? 0 : *std::min_element(ms.begin(), ms.end()); }

double Series::Median() const {
  if (ms.empty()) return 0;
  std::vector<double> v = ms;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

Series Repeat(int n, const std::function<Status()>& fn, const char* what) {
  Series s;
  for (int i = 0; i < n; ++i) {
    auto t0 = SteadyClock::now();
    Check(fn(), what);
    s.ms.push_back(MsSince(t0));
  }
  return s;
}

void PrintRow(const std::string& what, double min, double median, const std::string& ratio,
              const std::string& target) {
  std::printf("| %s | %.1f | %.1f | %s | %s |\n", what.c_str(), min, median, ratio.c_str(),
              target.c_str());
}

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

const std::vector<Query>& Queries() {
  static const std::vector<Query> kQueries = {
      {"Q1 events, revenue, avg duration by country x event type",
       "country, event_type, count(*) AS events, sum(amount) AS revenue, "
       "avg(duration_ms) AS avg_duration_ms",
       5},
      {"Q2 = Q1 + count(DISTINCT user_id)",
       "country, event_type, count(*) AS events, sum(amount) AS revenue, "
       "count(DISTINCT user_id) AS users, avg(duration_ms) AS avg_duration_ms",
       6},
  };
  return kQueries;
}

std::string QuerySql(const Query& q, const std::string& source, const std::string& from,
                     const std::string& to) {
  return "SELECT " + q.select + " FROM " + source + " WHERE event_ts >= TIMESTAMPTZ '" + from +
         " 00:00:00+00' AND event_ts < TIMESTAMPTZ '" + to +
         " 00:00:00+00' AND NOT is_bot GROUP BY country, event_type ORDER BY country, event_type";
}

namespace {

using Rows = std::vector<std::string>;  // each row's values joined with '|'

std::string Join(const std::vector<std::optional<std::string>>& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) out += (i ? "|" : "") + row[i].value_or("NULL");
  return out;
}

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

// A baseline runs on a thread of its own, as another client would: what its DuckDB keeps
// allocated (the file cache's entries) then fragments that thread's heap (glibc arena), not
// the one tarn's session plans and runs on.
Result<Rows> RunDuckDb(engine::DuckDb& db, const std::string& sql, int columns) {
  Rows rows;
  Status st;
  std::thread client([&] {
    st = db.Query(AsText(sql, columns), {}, [&](const engine::Row& row) {
      rows.push_back(Join(row));
      return Status::OK();
    });
  });
  client.join();
  TARN_RETURN_IF_ERROR(st);
  return rows;
}

struct Variant {
  std::string name;
  std::function<Result<Rows>()> run;
  Series time;  // wall
  Series cpu;   // this process's CPU time (all threads): less swayed by other work on the cores
  Rows first;
};

double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

// One row of a query's table: the variant's times and tarn's ratio to it (wall median / min).
void PrintVariant(const Variant& v, const Variant& tarn, const std::string& target) {
  std::string ratio;
  if (&v != &tarn) {
    ratio = Fixed(tarn.time.Median() / v.time.Median()) + " / " +
            Fixed(tarn.time.Min() / v.time.Min());
  }
  std::printf("| %s | %.0f | %.0f | %.0f | %s | %s |\n", v.name.c_str(), v.time.Min(),
              v.time.Median(), v.cpu.Median(), ratio.c_str(), target.c_str());
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
  engine::SandboxOptions sandbox;
  sandbox.readable_directories = {bl.dir + "/" + kZone + "/"};
  sandbox.memory_limit_bytes = limits.memory_bytes;
  sandbox.threads = o.threads;
  auto sandboxed = engine::DuckDb::OpenSandboxed(sandbox);
  Check(sandboxed.status(), "open sandboxed DuckDB");
  s.sandboxed = std::move(*sandboxed);
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

Sources MakeSources(Setup& s) {
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
  return {"read_parquet([" + list + "])", "(" + *scan + ") AS bench_events",
          "read_parquet(" + Quote(io.LocalPath(md.location) + "/data/**/*.parquet") +
              ", hive_partitioning = true)",
          plan->tasks.size()};
}

// tarn against the baselines on one query; prints its table.
void MeasureQuery(const Options& o, Setup& s, const Sources& src, const BenchLake& bl,
                  const Query& q) {
  std::string tarn_sql = QuerySql(q, std::string(kZone) + "." + kTableName, s.from, s.to);
  std::string files_sql = QuerySql(q, src.files, s.from, s.to);
  std::string same_sql = QuerySql(q, src.same_sql, s.from, s.to);
  std::string glob_sql = QuerySql(q, src.glob, s.from, s.to);
  int n = q.columns;
  std::vector<Variant> variants = {
      {"tarn: Session::Execute + drain", [&] { return RunTarn(*s.session, tarn_sql); }, {}, {}},
      {"(a) DuckDB, read_parquet([" + std::to_string(src.planned) + " planned files])",
       [&] { return RunDuckDb(*s.plain, files_sql, n); }, {}, {}},
      {"(a') DuckDB, the SQL tarn generates (field-id schema map)",
       [&] { return RunDuckDb(*s.plain, same_sql, n); }, {}, {}},
      {"(a'') same as (a'), DuckDB sandboxed as a session's",
       [&] { return RunDuckDb(*s.sandboxed, same_sql, n); }, {}, {}},
      {"(b) DuckDB, hive glob of all " + std::to_string(bl.data_files) + " files",
       [&] { return RunDuckDb(*s.plain, glob_sql, n); }, {}, {}},
  };
  // One untimed run each (first touch), which also checks that all agree.
  for (Variant& v : variants) {
    auto t0 = SteadyClock::now();
    auto rows = v.run();
    Check(rows.status(), v.name.c_str());
    std::fprintf(stderr, "query_bench: %s: %s: %zu rows, first run %.0f ms\n", q.name.c_str(),
                 v.name.c_str(), rows->size(), MsSince(t0));
    v.first = std::move(*rows);
    if (v.first != variants[0].first) {
      std::fprintf(stderr, "query_bench: %s returns other rows than tarn\n", v.name.c_str());
      std::exit(1);
    }
  }
  for (int r = 0; r < o.repeat; ++r) {
    for (size_t k = 0; k < variants.size(); ++k) {
      Variant& v = variants[(k + r) % variants.size()];
      double cpu0 = CpuMs();
      auto t0 = SteadyClock::now();
      Check(v.run().status(), v.name.c_str());
      v.time.ms.push_back(MsSince(t0));
      v.cpu.ms.push_back(CpuMs() - cpu0);
    }
  }
  const Variant& tarn = variants[0];
  double ratio_a = tarn.time.Median() / variants[1].time.Median();
  double ratio_b = variants.back().time.Median() / tarn.time.Median();
  std::printf("\n%s: %zu result rows, %d repetitions (order rotated)\n\n", q.name.c_str(),
              variants[0].first.size(), o.repeat);
  std::printf("| measurement | min ms | median ms | CPU ms (median) | tarn / this (median / min) "
              "| target |\n|---|---|---|---|---|---|\n");
  PrintVariant(tarn, tarn,
               std::string("<= 2000 ms: ") + (tarn.time.Median() <= 2000 ? "met" : "MISSED"));
  PrintVariant(variants[1], tarn,
               std::string("tarn / (a) <= 1.1: ") + (ratio_a <= 1.1 ? "met" : "MISSED"));
  PrintVariant(variants[2], tarn, "");
  PrintVariant(variants[3], tarn, "");
  PrintVariant(variants.back(), tarn,
               "tarn faster: " + std::string(ratio_b > 1 ? "met" : "MISSED") + " ((b) / tarn = " +
                   Fixed(ratio_b) + ")");
  std::fflush(stdout);
}

void Run(const Options& o) {
  auto bl = EnsureBenchLake(o.out_dir, o.scale);
  Check(bl.status(), "bench lake");
  Setup s = Open(o, *bl);
  const std::vector<Query>& queries = Queries();
  std::string first_sql = QuerySql(queries[0], std::string(kZone) + "." + kTableName, s.from, s.to);
  if (!o.profile.empty()) {  // one thing in a loop, for perf record
    Sources src = MakeSources(s);
    std::string direct_sql = AsText(QuerySql(queries[0], src.files, s.from, s.to), queries[0].columns);
    std::stringstream what(o.profile);
    for (std::string item; std::getline(what, item, ',');) {
      std::function<Status()> fn;
      if (item == "describe") fn = [&] { return s.session->Describe(first_sql).status(); };
      if (item == "tarn") fn = [&] { return RunTarn(*s.session, first_sql).status(); };
      if (item == "direct") {
        fn = [&] { return s.plain->Query(direct_sql, {}, [](auto&) { return Status::OK(); }); };
      }
      if (!fn) Check(InvalidArgument("--profile takes describe, tarn or direct"), "--profile");
      Check(fn(), "first run");
      Series t = Repeat(o.profile_count, fn, item.c_str());
      std::printf("%s (Q1): min %.1f ms, median %.1f ms\n", item.c_str(), t.Min(), t.Median());
    }
    return;
  }
  auto explained = ExplainFiles(*s.session, first_sql);
  Check(explained.status(), "EXPLAIN");
  Sources src = MakeSources(s);
  std::printf("\nquery_bench: %s.%s: %d days x 24 hourly partitions x %d = %lld events, %lld "
              "files, %.2f GiB, %d commits; generated in %.0f s%s\n",
              kZone, kTableName, o.scale.days, o.scale.rows_per_hour,
              static_cast<long long>(bl->rows), static_cast<long long>(bl->data_files),
              bl->bytes / double(1 << 30), bl->commits, bl->generation_seconds,
              bl->cached ? " (cached)" : "");
  std::printf("DuckDB %s, threads %s; window: event_ts in [%s, %s), %d days\n",
              engine::DuckDbVersion().c_str(),
              o.threads ? std::to_string(o.threads).c_str() : "default (one per core)",
              s.from.c_str(), s.to.c_str(), o.window_days);
  std::printf("files scanned %lld of %lld; EXPLAIN: %s\n",
              static_cast<long long>(explained->scanned), static_cast<long long>(bl->data_files),
              explained->line.c_str());
  if (static_cast<size_t>(explained->scanned) != src.planned) {
    std::fprintf(stderr, "query_bench: EXPLAIN and PlanScan disagree on the files\n");
    std::exit(1);
  }
  MeasurePlanning(o, s, src, queries[0], "before any query ran");
  for (const Query& q : queries) MeasureQuery(o, s, src, *bl, q);
  MeasurePlanning(o, s, src, queries[0], "again after the queries above");

  std::string wire_sql = "SELECT event_id, event_ts, user_id, event_type, country, amount FROM " +
                         std::string(kZone) + "." + kTableName +
                         " WHERE event_ts >= TIMESTAMPTZ '" + s.from +
                         " 00:00:00+00' AND event_ts < TIMESTAMPTZ '" +
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
  app.add_option("--profile", o.profile,
                 "only run these of Q1, in loops: describe, tarn, direct (comma-separated; for perf)");
  app.add_option("--profile-count", o.profile_count, "calls in the --profile loop")
      ->default_val(50);
  app.add_option("--tarn", o.wire.tarn_binary, "the tarn binary, for the wire-protocol run");
  app.add_option("--wire-rows", o.wire.rows, "rows psql fetches")->default_val(1000000);
  app.add_option("--wire-repeat", o.wire.repeat, "timed psql fetches")->default_val(3);
  app.add_flag("--no-wire", o.wire.skip, "skip the wire-protocol run");
  CLI11_PARSE(app, argc, argv);
  tarn::bench::Run(o);
  return 0;
}
