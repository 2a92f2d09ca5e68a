#include "tarn/catalog/sql_rows.h"

namespace tarn::catalog {

const char* const kSourceCols =
    "id, name, type, connection_config, owner, created_at";
const char* const kDatasetCols =
    "d.id, d.source_id, d.name, d.zone, d.schema_version_id, sv.version, d.owner, d.sla_hours, "
    "d.created_at, d.updated_at, d.compatibility";
const char* const kDatasetFrom =
    " FROM datasets d LEFT JOIN schema_versions sv ON sv.id = d.schema_version_id";
const char* const kSchemaCols =
    "id, dataset_id, version, schema_json, fingerprint, is_current, created_at";
const char* const kPartitionCols =
    "id, dataset_id, partition_key, file_path, format, row_count, size_bytes, status, created_at, "
    "schema_version_id";
const char* const kIngestCols =
    "id, dataset_id, window_key, window_description, status, files_written, records_accepted, "
    "records_rejected, bytes_read, deadletter_path, end_cursor, error, started_at, finished_at";
const char* const kRunCols =
    "id, partition_id, dataset_id, status, rules_passed, rules_failed, anomaly_score, run_at, "
    "details";
const char* const kBackfillCols =
    "id, dataset_id, dag_run_id, partition_key, triggered_by, rows_affected, started_at, "
    "completed_at, status";
const char* const kTokenCols = "id, name, token_hash, grants, created_at, revoked_at";

DataSource ToSource(const SqlRow& r) {
  return {r.Text(0), r.Text(1), ParseOr(r.Text(2), SourceType::kBatch), r.Text(3), r.Text(4),
          r.Time(5)};
}

Dataset ToDataset(const SqlRow& r) {
  Dataset d;
  d.id = r.Text(0);
  d.source_id = r.Text(1);
  d.name = r.Text(2);
  d.zone = ParseOr(r.Text(3), Zone::kRaw);
  d.schema_version_id = r.OptText(4);
  if (auto v = r.OptInt(5)) d.schema_version = static_cast<int>(*v);
  d.owner = r.Text(6);
  d.sla_hours = static_cast<int>(r.Int(7));
  d.created_at = r.Time(8);
  d.updated_at = r.Time(9);
  d.compatibility = r.Text(10);
  return d;
}

SchemaVersion ToSchema(const SqlRow& r) {
  return {r.Text(0), r.Text(1), static_cast<int>(r.Int(2)), r.Text(3), r.Text(4), r.Bool(5),
          r.Time(6)};
}

Partition ToPartition(const SqlRow& r) {
  return {r.Text(0), r.Text(1), r.Text(2), r.Text(3), ParseOr(r.Text(4), FileFormat::kParquet),
          r.Int(5),  r.Int(6),  ParseOr(r.Text(7), PartitionStatus::kLanded), r.Time(8),
          r.OptText(9)};
}

PartitionRow PartitionRowFromView(const SqlRowView& r) {
  PartitionRow p;
  p.id = r.Text(0);
  p.dataset_id = r.Text(1);
  p.partition_key = r.Text(2);
  p.file_path = r.Text(3);
  Parse(r.Text(4), &p.format);
  p.row_count = r.Int(5);
  p.size_bytes = r.Int(6);
  Parse(r.Text(7), &p.status);
  auto created = ParseIsoTimestamp(r.Text(8));
  p.created_at = created.ok() ? *created : 0;
  if (!r.IsNull(9)) p.schema_version_id = r.Text(9);
  return p;
}

IngestRun ToIngestRun(const SqlRow& r) {
  IngestRun run;
  run.id = r.Text(0);
  run.dataset_id = r.Text(1);
  run.window_key = r.Text(2);
  run.window_description = r.Text(3);
  run.status = ParseOr(r.Text(4), IngestStatus::kFailed);
  run.files_written = static_cast<int>(r.Int(5));
  run.records_accepted = r.Int(6);
  run.records_rejected = r.Int(7);
  run.bytes_read = r.Int(8);
  run.deadletter_path = r.OptText(9);
  run.end_cursor = r.OptText(10);
  run.error = r.OptText(11);
  run.started_at = r.Time(12);
  if (!r.IsNull(13)) run.finished_at = r.Time(13);
  return run;
}

QualityRun ToRun(const SqlRow& r) {
  return {r.Text(0), r.Text(1), r.Text(2), ParseOr(r.Text(3), QualityStatus::kSkipped),
          static_cast<int>(r.Int(4)), static_cast<int>(r.Int(5)), r.OptDouble(6), r.Time(7),
          r.OptText(8)};
}

BackfillRecord ToBackfill(const SqlRow& r) {
  BackfillRecord b{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.OptInt(5), r.Time(6),
                   std::nullopt, ParseOr(r.Text(8), BackfillStatus::kRunning)};
  if (!r.IsNull(7)) b.completed_at = r.Time(7);
  return b;
}

ApiToken ToToken(const SqlRow& r) {
  ApiToken t{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Time(4), std::nullopt};
  if (!r.IsNull(5)) t.revoked_at = r.Time(5);
  return t;
}

}  // namespace tarn::catalog
