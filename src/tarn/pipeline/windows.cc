#include "tarn/pipeline/windows.h"

#include <set>

#include "tarn/engine/duckdb_engine.h"
#include "tarn/engine/iceberg_read.h"
#include "tarn/engine/table_writer.h"
#include "tarn/iceberg/scan.h"
#include "tarn/lake/lake.h"
#include "tarn/pipeline/zone_tables.h"
#include "tarn/quality/promotion_spec.h"
#include "tarn/quality/rules.h"

namespace tarn::pipeline {
namespace {

using quality::QuoteIdent;
using quality::QuoteString;

// floor(t / size) for any sign of t.
int64_t Bucket(UnixMicros t, int64_t size) { return t >= 0 ? t / size : -((-t + size - 1) / size); }

Result<std::string> CurrentScan(lake::LakeTables& tables, const iceberg::Table& table) {
  const iceberg::TableMetadata& md = table.metadata();
  TARN_ASSIGN_OR_RETURN(auto plan, iceberg::PlanScan(md, md.CurrentSnapshot(), {}, *tables.io()));
  TARN_ASSIGN_OR_RETURN(std::string scan, engine::IcebergScanSql(plan, *md.CurrentSchema(), *tables.io()));
  return "(" + scan + ")";
}

Result<int64_t> Count(engine::DuckDb& db, const std::string& sql) {
  int64_t n = 0;
  TARN_RETURN_IF_ERROR(db.Query("SELECT CAST((" + sql + ") AS VARCHAR)", {}, [&](const engine::Row& r) {
    n = r[0] ? std::stoll(*r[0]) : 0;
    return Status::OK();
  }));
  return n;
}

std::string BucketList(const std::set<int64_t>& buckets) {
  std::string out;
  for (int64_t b : buckets) out += (out.empty() ? "" : ", ") + std::to_string(b);
  return out;
}

// Publishes one window spec; `corrected` are the buckets of already-published windows to
// recompute.
class WindowPublisher {
 public:
  WindowPublisher(lake::LakeTables& tables, engine::DuckDb& db, const quality::PromotionSpec& spec,
                  const quality::WindowSpec& w, const std::string& curated_scan)
      : tables_(tables), db_(db), spec_(spec), w_(w), scan_(curated_scan) {}

  Status Publish(std::optional<int64_t> published_bucket, int64_t end_bucket, const std::set<int64_t>& touched,
                 WindowPublication* out) {
    std::set<int64_t> corrected;
    for (int64_t b : touched) {
      if (published_bucket && b < *published_bucket) corrected.insert(b);
    }
    std::string lo = published_bucket ? std::to_string(*published_bucket) : "-9223372036854775807";
    std::string cond = "(_tarn_bucket >= " + lo + " AND _tarn_bucket < " + std::to_string(end_bucket) + ")";
    if (!corrected.empty()) cond += " OR _tarn_bucket IN (" + BucketList(corrected) + ")";
    TARN_RETURN_IF_ERROR(db_.Exec("CREATE OR REPLACE TEMP TABLE w_new AS " + Aggregate(cond)));
    TARN_ASSIGN_OR_RETURN(int64_t rows, Count(db_, "SELECT count(*) FROM w_new"));
    if (rows == 0) return Status::OK();
    TARN_ASSIGN_OR_RETURN(auto target, LoadOrCreateTable(tables_, db_, "serving", w_.name,
                                                         "SELECT * EXCLUDE (_tarn_bucket) FROM w_new", {},
                                                         {{"tarn.window-of", "curated." + spec_.target}}));
    if (!corrected.empty() && !target.created) {
      TARN_ASSIGN_OR_RETURN(int64_t n, WriteCorrections(*target.table, corrected));
      out->windows_corrected += n;
    }
    TARN_ASSIGN_OR_RETURN(int64_t fresh,
                          Count(db_, "SELECT count(*) FROM w_new WHERE _tarn_bucket >= " + lo));
    out->windows_published += fresh;
    return engine::UpsertIntoTable(db_, *target.table, "SELECT * EXCLUDE (_tarn_bucket) FROM w_new",
                                   {"window_start", "group_key"},
                                   {{"tarn.operation", "publish-windows"}})
        .status();
  }

 private:
  std::string Aggregate(const std::string& cond) const {
    std::string secs = std::to_string(w_.size_us / 1'000'000);
    std::string groups, group_json;
    for (const std::string& g : w_.group_by) {
      groups += ", " + QuoteIdent(g);
      group_json += (group_json.empty() ? "" : ", ") + QuoteString(g) + ": " + QuoteIdent(g);
    }
    std::string key = w_.group_by.empty() ? "''" : "CAST(to_json({" + group_json + "}) AS VARCHAR)";
    std::string measures;
    for (const auto& [name, expr] : w_.measures) measures += ", " + expr + " AS " + QuoteIdent(name);
    return "SELECT to_timestamp(_tarn_bucket * " + secs + ") AS window_start, to_timestamp((_tarn_bucket + 1) * " +
           secs + ") AS window_end" + groups + ", " + key + " AS group_key" + measures +
           ", _tarn_bucket FROM (SELECT *, epoch_us(CAST(" + QuoteIdent(spec_.event_time) +
           " AS TIMESTAMPTZ)) // " + std::to_string(w_.size_us) + " AS _tarn_bucket FROM " + scan_ +
           ") WHERE " + cond + " GROUP BY _tarn_bucket" + groups;
  }

  // Appends to serving.<name>_corrections the re-published windows whose values changed.
  Result<int64_t> WriteCorrections(const iceberg::Table& published, const std::set<int64_t>& corrected) {
    TARN_ASSIGN_OR_RETURN(std::string old_scan, CurrentScan(tables_, published));
    std::string secs = std::to_string(w_.size_us / 1'000'000);
    std::string changed, previous;
    for (const auto& [name, _] : w_.measures) {
      std::string c = QuoteIdent(name);
      changed += " OR n." + c + " IS DISTINCT FROM o." + c;
      previous += ", o." + c + " AS " + QuoteIdent("previous_" + name);
    }
    TARN_RETURN_IF_ERROR(db_.Exec(
        "CREATE OR REPLACE TEMP TABLE w_corr AS SELECT n.* EXCLUDE (_tarn_bucket)" + previous +
        ", now() AS corrected_at, 'late data' AS reason FROM w_new n LEFT JOIN " + old_scan +
        " o ON n.window_start = o.window_start AND n.group_key = o.group_key WHERE n._tarn_bucket IN (" +
        BucketList(corrected) + ") AND (o.group_key IS NULL" + changed + ")"));
    TARN_ASSIGN_OR_RETURN(int64_t n, Count(db_, "SELECT count(*) FROM w_corr"));
    if (n == 0) return n;
    TARN_ASSIGN_OR_RETURN(auto table, LoadOrCreateTable(tables_, db_, "serving", w_.name + "_corrections",
                                                        "SELECT * FROM w_corr", {},
                                                        {{"tarn.corrections-of", "serving." + w_.name}}));
    TARN_RETURN_IF_ERROR(engine::LoadIntoTable(db_, *table.table, "SELECT * FROM w_corr",
                                               engine::LoadMode::kAppend,
                                               {{"tarn.operation", "window-corrections"}})
                             .status());
    return n;
  }

  lake::LakeTables& tables_;
  engine::DuckDb& db_;
  const quality::PromotionSpec& spec_;
  const quality::WindowSpec& w_;
  std::string scan_;
};

}  // namespace

Result<WindowPublication> PublishWindows(lake::Lake& lake, const std::string& raw_dataset_id,
                                         const std::vector<std::pair<UnixMicros, UnixMicros>>& touched) {
  WindowPublication out;
  catalog::CatalogStore& store = lake.catalog().store();
  TARN_ASSIGN_OR_RETURN(auto stored, store.GetPromotionSpec(raw_dataset_id));
  if (!stored) return out;
  auto spec = quality::ParsePromotionSpec(stored->spec_json);
  if (!spec.ok()) return FailedPrecondition("the stored promotion spec: " + spec.status().message());
  if (spec->windows.empty()) return out;
  TARN_ASSIGN_OR_RETURN(auto wm, store.GetWatermark(raw_dataset_id));
  if (!wm || !wm->watermark) return out;
  TARN_ASSIGN_OR_RETURN(lake::LakeTables * tables, lake.tables());
  auto curated = tables->Load("curated", spec->target);
  if (curated.status().code() == ErrorCode::kNotFound) return out;
  TARN_RETURN_IF_ERROR(curated.status());

  // Late files count once promoted (or never will be: quarantined); the rest wait.
  TARN_ASSIGN_OR_RETURN(auto late, store.ListUnreconciledLateBatches(raw_dataset_id));
  std::vector<std::pair<UnixMicros, UnixMicros>> ranges = touched;
  std::vector<std::string> reconciled;
  for (const auto& b : late) {
    TARN_ASSIGN_OR_RETURN(auto p, store.GetPartition(b.partition_id));
    if (p.status == catalog::PartitionStatus::kPromoted && b.min_event_time && b.max_event_time) {
      ranges.push_back({*b.min_event_time, *b.max_event_time});
    } else if (p.status != catalog::PartitionStatus::kQuarantined) {
      continue;
    }
    reconciled.push_back(b.id);
  }

  engine::SandboxOptions sandbox;
  for (const char* dir : {"/curated/", "/serving/"}) sandbox.readable_directories.push_back(tables->root() + dir);
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::OpenSandboxed(sandbox));
  TARN_ASSIGN_OR_RETURN(std::string scan, CurrentScan(*tables, **curated));
  for (const quality::WindowSpec& w : spec->windows) {
    TARN_ASSIGN_OR_RETURN(auto published, store.GetWindowPublished(raw_dataset_id, w.name));
    std::optional<int64_t> published_bucket;
    if (published) published_bucket = Bucket(*published, w.size_us);
    int64_t end_bucket = Bucket(*wm->watermark, w.size_us);
    std::set<int64_t> buckets;
    for (auto [lo, hi] : ranges) {
      for (int64_t b = Bucket(lo, w.size_us); b <= Bucket(hi, w.size_us) && buckets.size() < 10000; ++b) {
        buckets.insert(b);
      }
    }
    if (published_bucket && end_bucket <= *published_bucket && buckets.empty()) continue;
    WindowPublisher publisher(*tables, *db, *spec, w, scan);
    Status st = publisher.Publish(published_bucket, end_bucket, buckets, &out);
    if (!st.ok()) return st.WithContext("publishing window " + w.name);
    if (!published_bucket || end_bucket > *published_bucket) {
      TARN_RETURN_IF_ERROR(store.SetWindowPublished(raw_dataset_id, w.name, end_bucket * w.size_us));
    }
  }
  if (!reconciled.empty() || out.windows_corrected > 0) {
    catalog::BackfillRecord audit;
    audit.dataset_id = raw_dataset_id;
    audit.dag_run_id = "stream-reconciliation";
    audit.partition_key = "late data: " + std::to_string(reconciled.size()) + " batch file(s)";
    audit.triggered_by = "late_data";
    TARN_ASSIGN_OR_RETURN(auto started, store.StartBackfill(audit));
    TARN_RETURN_IF_ERROR(store.FinishBackfill(started.id, catalog::BackfillStatus::kSuccess,
                                              out.windows_corrected).status());
    if (!reconciled.empty()) TARN_RETURN_IF_ERROR(store.MarkBatchesReconciled(reconciled));
  }
  return out;
}

}  // namespace tarn::pipeline
