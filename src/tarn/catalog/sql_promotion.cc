#include "tarn/catalog/sql_promotion.h"

#include <set>

#include "tarn/base/ids.h"
#include "tarn/base/time.h"
#include "tarn/catalog/sql_rows.h"

namespace tarn::catalog {
namespace {

std::string Now() { return FormatIsoTimestamp(Clock::System().Now()); }

// The dataset's latest promotion spec, if any.
Result<std::optional<PromotionSpecVersion>> LatestSpec(SqlConnection& c, const std::string& dataset_id) {
  TARN_ASSIGN_OR_RETURN(auto res, c.Query("SELECT id, dataset_id, version, spec, created_at "
                                          "FROM promotion_specs WHERE dataset_id = ? "
                                          "ORDER BY version DESC LIMIT 1",
                                          {dataset_id}));
  if (res.rows.empty()) return std::optional<PromotionSpecVersion>();
  const SqlRow& r = res.rows[0];
  return std::optional<PromotionSpecVersion>(
      PromotionSpecVersion{r.Text(0), r.Text(1), static_cast<int>(r.Int(2)), r.Text(3), r.Time(4)});
}

Status CheckDataset(SqlConnection& c, const std::string& dataset_id) {
  TARN_ASSIGN_OR_RETURN(auto ds, c.Query("SELECT id FROM datasets WHERE id = ?", {dataset_id}));
  if (ds.rows.empty()) return NotFound("no dataset with id " + dataset_id);
  return Status::OK();
}

}  // namespace

Result<std::vector<KeyedQualityRun>> SqlRecentPassedRuns(SqlPool& pool, const Partition& before,
                                                         int limit) {
  std::vector<KeyedQualityRun> out;
  TARN_RETURN_IF_ERROR(pool.Read([&](SqlConnection& c) -> Status {
    std::string cols;
    for (std::string col : {"id", "partition_id", "dataset_id", "status", "rules_passed",
                            "rules_failed", "anomaly_score", "run_at", "details"}) {
      cols += (cols.empty() ? "r." : ", r.") + col;
    }
    TARN_ASSIGN_OR_RETURN(
        auto res, c.Query("SELECT p.partition_key, " + cols +
                              " FROM data_quality_runs r JOIN partitions p ON p.id = r.partition_id "
                              "WHERE r.dataset_id = ? AND r.status = 'passed' AND r.details IS NOT NULL "
                              "AND (p.partition_key < ? OR (p.partition_key = ? AND p.created_at < ?)) "
                              "ORDER BY p.partition_key DESC, p.created_at DESC, r.run_at DESC LIMIT ?",
                          {before.dataset_id, before.partition_key, before.partition_key,
                           FormatIsoTimestamp(before.created_at), int64_t{limit} * 4}));
    std::set<std::string> seen;  // partitions: their latest run only
    for (const SqlRow& r : res.rows) {
      if (static_cast<int>(out.size()) >= limit) break;
      if (!seen.insert(r.Text(2)).second) continue;
      QualityRun run{r.Text(1), r.Text(2), r.Text(3), ParseOr(r.Text(4), QualityStatus::kSkipped),
                     static_cast<int>(r.Int(5)), static_cast<int>(r.Int(6)), r.OptDouble(7),
                     r.Time(8), r.OptText(9)};
      out.push_back({r.Text(0), std::move(run)});
    }
    return Status::OK();
  }));
  return out;
}

Result<PromotionSpecVersion> SqlPutPromotionSpec(SqlPool& pool, const std::string& dataset_id,
                                                 const std::string& spec_json) {
  PromotionSpecVersion out;
  TARN_RETURN_IF_ERROR(pool.Transaction([&](SqlConnection& c) -> Status {
    TARN_RETURN_IF_ERROR(CheckDataset(c, dataset_id));
    TARN_ASSIGN_OR_RETURN(auto latest, LatestSpec(c, dataset_id));
    if (latest && latest->spec_json == spec_json) {
      out = *latest;
      return Status::OK();
    }
    out = {NewUuid(), dataset_id, latest ? latest->version + 1 : 1, spec_json, Clock::System().Now()};
    return c.Query("INSERT INTO promotion_specs (id, dataset_id, version, spec, created_at) "
                   "VALUES (?, ?, ?, ?, ?)",
                   {out.id, dataset_id, int64_t{out.version}, spec_json, FormatIsoTimestamp(out.created_at)})
        .status();
  }));
  return out;
}

Result<std::optional<PromotionSpecVersion>> SqlGetPromotionSpec(SqlPool& pool,
                                                                const std::string& dataset_id) {
  std::optional<PromotionSpecVersion> out;
  TARN_RETURN_IF_ERROR(pool.Read([&](SqlConnection& c) -> Status {
    TARN_RETURN_IF_ERROR(CheckDataset(c, dataset_id));
    TARN_ASSIGN_OR_RETURN(out, LatestSpec(c, dataset_id));
    return Status::OK();
  }));
  return out;
}

Status SqlRecordPromotion(SqlPool& pool, const std::vector<LineageRecord>& records) {
  if (records.empty()) return Status::OK();
  std::string now = Now();
  return pool.Transaction([&](SqlConnection& c) -> Status {
    for (const LineageRecord& l : records) {
      TARN_RETURN_IF_ERROR(
          c.Query("INSERT INTO promotion_lineage (id, raw_dataset_id, partition_id, quality_run_id, "
                  "target_table, snapshot_id, rows_in, rows_out, promoted_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  {NewUuid(), l.raw_dataset_id, l.partition_id,
                   l.quality_run_id ? SqlValue(*l.quality_run_id) : SqlValue(), l.target_table,
                   l.snapshot_id, l.rows_in, l.rows_out, now})
              .status());
      TARN_RETURN_IF_ERROR(
          c.Query("UPDATE partitions SET status = 'promoted' WHERE id = ?", {l.partition_id}).status());
    }
    return Status::OK();
  });
}

Result<std::vector<LineageRecord>> SqlListLineage(SqlPool& pool, const std::string& raw_dataset_id,
                                                  int limit) {
  std::vector<LineageRecord> out;
  TARN_RETURN_IF_ERROR(pool.Read([&](SqlConnection& c) -> Status {
    TARN_RETURN_IF_ERROR(CheckDataset(c, raw_dataset_id));
    TARN_ASSIGN_OR_RETURN(
        auto res, c.Query("SELECT l.id, l.raw_dataset_id, l.partition_id, p.partition_key, "
                          "l.quality_run_id, l.target_table, l.snapshot_id, l.rows_in, l.rows_out, "
                          "l.promoted_at FROM promotion_lineage l JOIN partitions p ON p.id = "
                          "l.partition_id WHERE l.raw_dataset_id = ? "
                          "ORDER BY l.promoted_at DESC, p.partition_key LIMIT ?",
                          {raw_dataset_id, int64_t{limit}}));
    for (const SqlRow& r : res.rows) {
      out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.OptText(4), r.Text(5), r.Int(6),
                     r.Int(7), r.Int(8), r.Time(9)});
    }
    return Status::OK();
  }));
  return out;
}

}  // namespace tarn::catalog
