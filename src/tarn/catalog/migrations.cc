#include "tarn/catalog/migrations.h"

#include <string>
#include <vector>

namespace tarn::catalog {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;           // both dialects, with placeholders
  const char* postgres_sql;  // extra statements for PostgreSQL only (may be "")
};

// The seed's entities plus tarn's additions: partitions carry a status and a parsed key;
// schema versions carry a fingerprint so identical registrations are idempotent; datasets are
// unique by (zone, name) so `zone.dataset` names a table. The datasets <-> schema_versions
// cycle: SQLite accepts the forward reference inline; PostgreSQL adds it after both tables
// exist, deferred so the pair can be written in one transaction.
const Migration kMigrations[] = {
    {1, "control-plane catalog",
     R"sql(
CREATE TABLE data_sources (
  id {uuid} PRIMARY KEY,
  name VARCHAR(255) NOT NULL UNIQUE,
  type VARCHAR(50) NOT NULL CHECK (type IN ('batch', 'streaming', 'cdc')),
  connection_config {json} NOT NULL DEFAULT '{}',
  owner VARCHAR(255) NOT NULL,
  created_at {ts} NOT NULL
);
CREATE TABLE datasets (
  id {uuid} PRIMARY KEY,
  source_id {uuid} NOT NULL REFERENCES data_sources(id),
  name VARCHAR(255) NOT NULL,
  zone VARCHAR(20) NOT NULL CHECK (zone IN ('raw', 'curated', 'serving')),
  schema_version_id {uuid} {schema_version_fk},
  owner VARCHAR(255) NOT NULL,
  sla_hours INT NOT NULL DEFAULT 24 CHECK (sla_hours > 0),
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  UNIQUE (zone, name)
);
CREATE INDEX idx_datasets_zone ON datasets(zone);
CREATE INDEX idx_datasets_source ON datasets(source_id);
CREATE TABLE schema_versions (
  id {uuid} PRIMARY KEY,
  dataset_id {uuid} NOT NULL REFERENCES datasets(id),
  version INT NOT NULL CHECK (version > 0),
  schema_json {json} NOT NULL,
  fingerprint CHAR(64) NOT NULL,
  is_current {bool} NOT NULL DEFAULT {false},
  created_at {ts} NOT NULL,
  UNIQUE (dataset_id, version)
);
CREATE INDEX idx_schema_versions_fingerprint ON schema_versions(dataset_id, fingerprint);
CREATE UNIQUE INDEX idx_schema_versions_one_current ON schema_versions(dataset_id)
  WHERE is_current = {true};
CREATE TABLE partitions (
  id {uuid} PRIMARY KEY,
  dataset_id {uuid} NOT NULL REFERENCES datasets(id),
  partition_key VARCHAR(255) {collate_c} NOT NULL,
  file_path TEXT NOT NULL CHECK (length(file_path) BETWEEN 1 AND 1024),
  format VARCHAR(20) NOT NULL CHECK (format IN ('parquet', 'avro', 'json')),
  row_count BIGINT NOT NULL DEFAULT 0 CHECK (row_count >= 0),
  size_bytes BIGINT NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
  status VARCHAR(20) NOT NULL DEFAULT 'landed'
    CHECK (status IN ('landed', 'passed', 'quarantined', 'promoted')),
  created_at {ts} NOT NULL,
  UNIQUE (dataset_id, file_path)
);
CREATE INDEX idx_partitions_dataset_key ON partitions(dataset_id, partition_key, id);
CREATE INDEX idx_partitions_dataset_status ON partitions(dataset_id, status, partition_key, id);
CREATE TABLE data_quality_runs (
  id {uuid} PRIMARY KEY,
  partition_id {uuid} NOT NULL REFERENCES partitions(id),
  dataset_id {uuid} NOT NULL REFERENCES datasets(id),
  status VARCHAR(20) NOT NULL CHECK (status IN ('passed', 'failed', 'skipped')),
  rules_passed INT NOT NULL DEFAULT 0 CHECK (rules_passed >= 0),
  rules_failed INT NOT NULL DEFAULT 0 CHECK (rules_failed >= 0),
  anomaly_score {float},
  run_at {ts} NOT NULL
);
CREATE INDEX idx_dq_runs_partition ON data_quality_runs(partition_id);
CREATE INDEX idx_dq_runs_dataset_status ON data_quality_runs(dataset_id, status, run_at DESC);
CREATE TABLE backfill_audit_log (
  id {uuid} PRIMARY KEY,
  dataset_id {uuid} NOT NULL REFERENCES datasets(id),
  dag_run_id VARCHAR(255) NOT NULL,
  partition_key VARCHAR(255) NOT NULL,
  triggered_by VARCHAR(255) NOT NULL,
  rows_affected BIGINT,
  started_at {ts} NOT NULL,
  completed_at {ts},
  status VARCHAR(20) NOT NULL CHECK (status IN ('running', 'success', 'failed'))
);
CREATE INDEX idx_backfill_dataset ON backfill_audit_log(dataset_id, started_at);
CREATE TABLE api_tokens (
  id {uuid} PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  token_hash CHAR(64) NOT NULL UNIQUE,
  grants TEXT NOT NULL,
  created_at {ts} NOT NULL,
  revoked_at {ts}
);
)sql",
     R"sql(
ALTER TABLE datasets ADD CONSTRAINT fk_datasets_schema_version
  FOREIGN KEY (schema_version_id) REFERENCES schema_versions(id) DEFERRABLE INITIALLY DEFERRED;
)sql"},
    // Raw-zone ingestion: runs, the schema each file was written with, and where incremental
    // sources continue.
    {2, "ingest runs and source cursors",
     R"sql(
ALTER TABLE partitions ADD COLUMN schema_version_id {uuid} REFERENCES schema_versions(id);
CREATE TABLE ingest_runs (
  id {uuid} PRIMARY KEY,
  dataset_id {uuid} NOT NULL REFERENCES datasets(id),
  window_key VARCHAR(255) NOT NULL,
  window_description TEXT NOT NULL,
  status VARCHAR(20) NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  files_written INT NOT NULL DEFAULT 0,
  records_accepted BIGINT NOT NULL DEFAULT 0,
  records_rejected BIGINT NOT NULL DEFAULT 0,
  bytes_read BIGINT NOT NULL DEFAULT 0,
  deadletter_path TEXT,
  end_cursor TEXT,
  error TEXT,
  started_at {ts} NOT NULL,
  finished_at {ts}
);
CREATE INDEX idx_ingest_runs_dataset ON ingest_runs(dataset_id, started_at);
CREATE INDEX idx_ingest_runs_window ON ingest_runs(dataset_id, window_key);
CREATE TABLE source_cursors (
  dataset_id {uuid} PRIMARY KEY REFERENCES datasets(id),
  cursor_value TEXT NOT NULL,
  updated_at {ts} NOT NULL
);
)sql",
     ""},
    // Schema registry: a compatibility mode per dataset, and when each version became current
    // (so "what was the schema at 2am on Tuesday" has an exact answer).
    {3, "schema compatibility and history",
     R"sql(
ALTER TABLE datasets ADD COLUMN compatibility VARCHAR(30) NOT NULL DEFAULT 'BACKWARD'
  CHECK (compatibility IN ('BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE',
                           'FULL', 'FULL_TRANSITIVE', 'NONE'));
CREATE TABLE schema_history (
  dataset_id {uuid} NOT NULL REFERENCES datasets(id),
  schema_version_id {uuid} NOT NULL REFERENCES schema_versions(id),
  became_current_at {ts} NOT NULL
);
CREATE INDEX idx_schema_history ON schema_history(dataset_id, became_current_at);
INSERT INTO schema_history (dataset_id, schema_version_id, became_current_at)
  SELECT dataset_id, id, created_at FROM schema_versions WHERE is_current = {true};
)sql",
     ""},
    // Iceberg tables of the curated and serving zones: the catalog holds each table's current
    // metadata location, swapped atomically on commit (compare-and-swap by expected location).
    {4, "iceberg table pointers",
     R"sql(
CREATE TABLE iceberg_tables (
  namespace VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL,
  metadata_location TEXT NOT NULL,
  previous_metadata_location TEXT,
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  PRIMARY KEY (namespace, name)
);
)sql",
     ""},
    // The quality gate and promotion: what each run found (details JSON), the versioned
    // promotion specs of raw datasets, and which raw partitions made which curated snapshot.
    {5, "quality gate and promotion lineage",
     R"sql(
ALTER TABLE data_quality_runs ADD COLUMN details TEXT;
CREATE TABLE promotion_specs (
  id {uuid} PRIMARY KEY,
  dataset_id {uuid} NOT NULL REFERENCES datasets(id),
  version INT NOT NULL CHECK (version > 0),
  spec TEXT NOT NULL,
  created_at {ts} NOT NULL,
  UNIQUE (dataset_id, version)
);
CREATE TABLE promotion_lineage (
  id {uuid} PRIMARY KEY,
  raw_dataset_id {uuid} NOT NULL REFERENCES datasets(id),
  partition_id {uuid} NOT NULL REFERENCES partitions(id),
  quality_run_id {uuid} REFERENCES data_quality_runs(id),
  target_table VARCHAR(512) NOT NULL,
  snapshot_id BIGINT NOT NULL,
  rows_in BIGINT NOT NULL CHECK (rows_in >= 0),
  rows_out BIGINT NOT NULL CHECK (rows_out >= 0),
  promoted_at {ts} NOT NULL
);
CREATE INDEX idx_lineage_dataset ON promotion_lineage(raw_dataset_id, promoted_at);
CREATE INDEX idx_lineage_partition ON promotion_lineage(partition_id);
)sql",
     ""},
    // PostgreSQL wire protocol logins: each token's SCRAM-SHA-256 verifier (hex StoredKey and
    // ServerKey under the lake-wide salt, see model.h). NULL for tokens issued before: their
    // secrets are not known here (the bootstrap admin token is backfilled at the next start).
    {6, "scram verifiers for api tokens",
     R"sql(
ALTER TABLE api_tokens ADD COLUMN scram_stored_key VARCHAR(64);
ALTER TABLE api_tokens ADD COLUMN scram_server_key VARCHAR(64);
)sql",
     ""},
    // Alert notifications of the quality gate: one row per delivery to one webhook, listed per
    // dataset newest first. The payload is TEXT, not JSON(B), so the stored document is the
    // bytes that were sent (JSONB would reorder keys on PostgreSQL only).
    {7, "alert deliveries",
     R"sql(
CREATE TABLE alert_deliveries (
  id {uuid} PRIMARY KEY,
  dataset_id {uuid} NOT NULL REFERENCES datasets(id),
  partition_id {uuid} REFERENCES partitions(id),
  kind VARCHAR(20) NOT NULL
    CHECK (kind IN ('quality_block', 'quarantine', 'anomaly_warn', 'anomaly_block', 'sla_breach')),
  severity VARCHAR(10) NOT NULL CHECK (severity IN ('warn', 'block', 'critical')),
  destination TEXT NOT NULL,
  format VARCHAR(20) NOT NULL CHECK (format IN ('slack', 'pagerduty')),
  payload TEXT NOT NULL,
  status VARCHAR(20) NOT NULL CHECK (status IN ('delivered', 'failed')),
  attempts INT NOT NULL CHECK (attempts >= 0),
  http_status INT,
  last_error TEXT,
  created_at {ts} NOT NULL,
  finished_at {ts} NOT NULL
);
CREATE INDEX idx_alert_deliveries_dataset ON alert_deliveries(dataset_id, created_at, id);
CREATE INDEX idx_alert_deliveries_partition ON alert_deliveries(partition_id)
  WHERE partition_id IS NOT NULL;
)sql",
     ""},
    // Streaming ingestion: per stream partition the first offset not landed (advanced in the
    // landing transaction, which is what makes landing exactly-once), one row per landed batch
    // file, the dataset's event-time watermark, and how far each event-time window is published.
    {8, "streaming positions, batches, watermarks and windows",
     R"sql(
CREATE TABLE stream_positions (
  dataset_id {uuid} NOT NULL REFERENCES datasets(id),
  stream VARCHAR(255) NOT NULL,
  stream_partition INT NOT NULL CHECK (stream_partition >= 0),
  next_offset BIGINT NOT NULL CHECK (next_offset >= 0),
  updated_at {ts} NOT NULL,
  PRIMARY KEY (dataset_id, stream, stream_partition)
);
CREATE TABLE stream_batches (
  id {uuid} PRIMARY KEY,
  dataset_id {uuid} NOT NULL REFERENCES datasets(id),
  ingest_run_id {uuid} NOT NULL REFERENCES ingest_runs(id),
  partition_id {uuid} NOT NULL REFERENCES partitions(id),
  stream VARCHAR(255) NOT NULL,
  stream_partition INT NOT NULL,
  first_offset BIGINT NOT NULL,
  last_offset BIGINT NOT NULL CHECK (last_offset >= first_offset),
  records BIGINT NOT NULL CHECK (records >= 0),
  late {bool} NOT NULL,
  min_event_time {ts},
  max_event_time {ts},
  landed_at {ts} NOT NULL,
  reconciled_at {ts}
);
CREATE INDEX idx_stream_batches_dataset ON stream_batches(dataset_id, landed_at);
CREATE INDEX idx_stream_batches_late ON stream_batches(dataset_id, landed_at)
  WHERE late = {true} AND reconciled_at IS NULL;
CREATE TABLE stream_watermarks (
  dataset_id {uuid} PRIMARY KEY REFERENCES datasets(id),
  min_event_time {ts},
  max_event_time {ts},
  watermark {ts},
  allowed_lateness_us BIGINT NOT NULL CHECK (allowed_lateness_us >= 0),
  events BIGINT NOT NULL CHECK (events >= 0),
  late_events BIGINT NOT NULL CHECK (late_events >= 0),
  updated_at {ts} NOT NULL
);
CREATE TABLE stream_windows (
  dataset_id {uuid} NOT NULL REFERENCES datasets(id),
  window_name VARCHAR(255) NOT NULL,
  published_until {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  PRIMARY KEY (dataset_id, window_name)
);
)sql",
     ""},
};

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
}

std::string ForDialect(std::string sql, SqlDialect dialect) {
  bool pg = dialect == SqlDialect::kPostgres;
  ReplaceAll(sql, "{uuid}", pg ? "UUID" : "TEXT");
  ReplaceAll(sql, "{json}", pg ? "JSONB" : "TEXT");
  ReplaceAll(sql, "{ts}", pg ? "TIMESTAMPTZ" : "TEXT");
  ReplaceAll(sql, "{bool}", pg ? "BOOLEAN" : "INTEGER");
  ReplaceAll(sql, "{true}", pg ? "TRUE" : "1");
  ReplaceAll(sql, "{false}", pg ? "FALSE" : "0");
  ReplaceAll(sql, "{float}", pg ? "DOUBLE PRECISION" : "REAL");
  // Partition keys sort bytewise, so key order is time order whatever the server's locale.
  ReplaceAll(sql, "{collate_c}", pg ? "COLLATE \"C\"" : "");
  ReplaceAll(sql, "{schema_version_fk}",
             pg ? "" : "REFERENCES schema_versions(id) DEFERRABLE INITIALLY DEFERRED");
  return sql;
}

}  // namespace

int LatestMigrationVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

Status Migrate(SqlPool& pool) {
  return pool.Transaction([&](SqlConnection& c) -> Status {
    if (c.dialect() == SqlDialect::kPostgres) {
      // One migrator at a time across processes; released at commit.
      TARN_RETURN_IF_ERROR(c.Execute("SELECT pg_advisory_xact_lock(1952543342)"));
    }
    TARN_RETURN_IF_ERROR(c.Execute(ForDialect(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at {ts} NOT NULL)",
        c.dialect())));
    TARN_ASSIGN_OR_RETURN(auto res,
                          c.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}));
    int current = static_cast<int>(res.rows.at(0).Int(0));
    if (current > LatestMigrationVersion()) {
      return FailedPrecondition("catalog schema version " + std::to_string(current) +
                                " is newer than this tarn binary supports (" +
                                std::to_string(LatestMigrationVersion()) + "); upgrade tarn");
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= current) continue;
      std::string sql = ForDialect(m.sql, c.dialect());
      if (c.dialect() == SqlDialect::kPostgres) sql += m.postgres_sql;
      TARN_RETURN_IF_ERROR(c.Execute(sql).WithContext("catalog migration " +
                                                      std::to_string(m.version)));
      TARN_RETURN_IF_ERROR(c.Query("INSERT INTO schema_migrations (version, name, applied_at) "
                                   "VALUES (?, ?, ?)",
                                   {int64_t{m.version}, std::string(m.name),
                                    FormatIsoTimestamp(Clock::System().Now())})
                               .status());
    }
    return Status::OK();
  });
}

}  // namespace tarn::catalog
