// query_bench's planning measurement: Session::Describe (what every statement pays before
// DuckDB runs it) and its parts alone — Iceberg planning and freeing the plan, the scan SQL,
// DuckDB's prepare of the rewritten statement on a plain and on a sandboxed DuckDB.
#include <algorithm>
#include <cstdio>

#include "query_bench.h"
#include "tarn/engine/iceberg_read.h"
#include "tarn/iceberg/manifest_cache.h"
#include "tarn/iceberg/scan.h"

namespace tarn::bench {

void MeasurePlanning(const Options& o, Setup& s, const Sources& src, const Query& q,
                     const std::string& when) {
  std::string tarn_sql = QuerySql(q, std::string(kZone) + "." + kTableName, s.from, s.to);
  std::string same_sql = QuerySql(q, src.same_sql, s.from, s.to);
  Series describe = Repeat(o.describe_repeat,
                           [&] { return s.session->Describe(tarn_sql).status(); }, "Describe");
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
  iceberg::FileIO& io = s.table->io();
  const iceberg::TableMetadata& md = s.table->metadata();
  // Planned as the query service plans: without the data files' column metrics.
  const iceberg::ScanOptions options{.column_stats = false};
  Series plan_only, free_plan;
  for (int i = 0; i < o.describe_repeat; ++i) {
    auto t0 = SteadyClock::now();
    auto plan = std::make_unique<Result<iceberg::ScanPlan>>(
        iceberg::PlanScan(md, md.CurrentSnapshot(), s.filter, io, options));
    plan_only.ms.push_back(MsSince(t0));
    Check(plan->status(), "PlanScan");
    t0 = SteadyClock::now();
    plan.reset();
    free_plan.ms.push_back(MsSince(t0));
  }
  auto plan = iceberg::PlanScan(md, md.CurrentSnapshot(), s.filter, io, options);
  Check(plan.status(), "plan");
  Series scan_sql = Repeat(o.describe_repeat, [&] {
    return engine::IcebergScanSql(*plan, *md.CurrentSchema(), io).status();
  }, "IcebergScanSql");
  Series bind = Repeat(o.describe_repeat, [&] { return s.plain->Describe(same_sql).status(); },
                       "DuckDB Describe");
  Series bind_sandboxed = Repeat(
      o.describe_repeat, [&] { return s.sandboxed->Describe(same_sql).status(); },
      "DuckDB Describe");

  std::printf("\ntarn's planning overhead, %s (%s; %d calls each; rewritten SQL %zu bytes)\n\n",
              when.c_str(), q.name.substr(0, 2).c_str(), o.describe_repeat, same_sql.size());
  std::printf("| measurement | min ms | median ms | | target |\n|---|---|---|---|---|\n");
  PrintRow("Session::Describe, warm (same session)", describe.Min(), describe.Median(), "",
           std::string("<= 30 ms: ") + (describe.Median() <= 30 ? "met" : "MISSED"));
  PrintRow("first Describe in a new session, manifest cache empty", cold_describe.Min(),
           cold_describe.Median(), "", "");
  PrintRow("(opening that session)", open_session.Min(), open_session.Median(), "", "");
  PrintRow("part: iceberg::PlanScan, warm", plan_only.Min(), plan_only.Median(), "", "");
  PrintRow("part: freeing that ScanPlan", free_plan.Min(), free_plan.Median(), "", "");
  PrintRow("part: engine::IcebergScanSql", scan_sql.Min(), scan_sql.Median(), "", "");
  PrintRow("part: DuckDB Describe of the rewritten SQL, plain DuckDB", bind.Min(), bind.Median(),
           "", "");
  PrintRow("part: the same, sandboxed DuckDB (as in a session)", bind_sandboxed.Min(),
           bind_sandboxed.Median(), "", "");
  std::fflush(stdout);
}

}  // namespace tarn::bench
