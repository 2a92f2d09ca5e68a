// The control-plane catalog's entities, as plain values. JSON documents (connection configs,
// schemas) are carried as serialized text; the catalog stores them but does not interpret them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/time.h"

namespace tarn::catalog {

enum class Zone { kRaw, kCurated, kServing };
enum class SourceType { kBatch, kStreaming, kCdc };
enum class FileFormat { kParquet, kAvro, kJson };
// Where a partition stands: landed (registered, not yet checked), passed (latest quality run
// passed), quarantined (latest run failed; never promoted), promoted (its data is in curated).
enum class PartitionStatus { kLanded, kPassed, kQuarantined, kPromoted };
enum class QualityStatus { kPassed, kFailed, kSkipped };
enum class BackfillStatus { kRunning, kSuccess, kFailed };
enum class IngestStatus { kRunning, kSucceeded, kFailed };
// How a webhook notification ended: the receiver accepted it (2xx), or tarn gave up on it.
enum class AlertDeliveryStatus { kDelivered, kFailed };

// Names as stored and shown ("raw", "batch", "parquet", ...); Parse* return false on anything else.
std::string_view ToString(Zone v);
std::string_view ToString(SourceType v);
std::string_view ToString(FileFormat v);
std::string_view ToString(PartitionStatus v);
std::string_view ToString(QualityStatus v);
std::string_view ToString(BackfillStatus v);
std::string_view ToString(IngestStatus v);
std::string_view ToString(AlertDeliveryStatus v);
bool Parse(std::string_view s, Zone* out);
bool Parse(std::string_view s, SourceType* out);
bool Parse(std::string_view s, FileFormat* out);
bool Parse(std::string_view s, PartitionStatus* out);
bool Parse(std::string_view s, QualityStatus* out);
bool Parse(std::string_view s, BackfillStatus* out);
bool Parse(std::string_view s, IngestStatus* out);
bool Parse(std::string_view s, AlertDeliveryStatus* out);

struct DataSource {
  std::string id;
  std::string name;
  SourceType type = SourceType::kBatch;
  std::string connection_config = "{}";  // JSON object
  std::string owner;
  UnixMicros created_at = 0;
};

struct Dataset {
  std::string id;
  std::string source_id;
  std::string name;
  Zone zone = Zone::kRaw;
  std::optional<std::string> schema_version_id;  // the current schema version, if any
  std::optional<int> schema_version;             // its version number
  std::string owner;
  int sla_hours = 24;
  std::string compatibility = "BACKWARD";  // schema compatibility mode (Confluent's names)
  UnixMicros created_at = 0;
  UnixMicros updated_at = 0;
};

struct SchemaVersion {
  std::string id;
  std::string dataset_id;
  int version = 0;
  std::string schema_json;  // Avro schema document
  std::string fingerprint;  // SHA-256 of the canonical JSON; equal schemas, equal fingerprints
  bool is_current = false;
  UnixMicros created_at = 0;
};

struct Partition {
  std::string id;
  std::string dataset_id;
  std::string partition_key;  // "dt=YYYY-MM-DD[/hour=HH]"
  std::string file_path;      // relative to the lake root
  FileFormat format = FileFormat::kParquet;
  int64_t row_count = 0;
  int64_t size_bytes = 0;
  PartitionStatus status = PartitionStatus::kLanded;
  UnixMicros created_at = 0;
  std::optional<std::string> schema_version_id;  // the schema the file was written with
};

struct QualityRun {
  std::string id;
  std::string partition_id;
  std::string dataset_id;
  QualityStatus status = QualityStatus::kPassed;
  int rules_passed = 0;
  int rules_failed = 0;
  std::optional<double> anomaly_score;
  UnixMicros run_at = 0;
  // JSON written by the quality gate: spec version, per-rule results, profile, anomaly score.
  std::optional<std::string> details;
};

// A version of a raw dataset's promotion spec (quality/promotion_spec.h), as canonical JSON.
struct PromotionSpecVersion {
  std::string id;
  std::string dataset_id;
  int version = 0;
  std::string spec_json;
  UnixMicros created_at = 0;
};

// One raw partition's contribution to a curated snapshot.
struct LineageRecord {
  std::string id;
  std::string raw_dataset_id;
  std::string partition_id;
  std::string partition_key;  // filled when read back
  std::optional<std::string> quality_run_id;
  std::string target_table;   // "curated.orders"
  int64_t snapshot_id = 0;
  int64_t rows_in = 0;        // rows read from the raw partition
  int64_t rows_out = 0;       // rows it contributed after dedup
  UnixMicros promoted_at = 0;
};

// Streaming ingestion (Kafka topics, PostgreSQL replication slots). A stream is named by its
// topic or slot; offsets are Kafka offsets or LSNs. Every landed batch file is a partition.

// Where one partition of a stream continues: the first offset not landed yet.
struct StreamPosition {
  std::string stream;
  int32_t partition = 0;
  int64_t next_offset = 0;
  UnixMicros updated_at = 0;
};

// Moves a stream partition's position from `expected` (nullopt: no stored position yet) to
// `next` — refused when another consumer moved it first.
struct StreamAdvance {
  std::string stream;
  int32_t partition = 0;
  std::optional<int64_t> expected;
  int64_t next = 0;
};

// One landed file of a stream batch: the records of one stream partition in [first, last].
// `late` files hold the events whose event time was behind the watermark when they arrived.
struct StreamBatch {
  std::string id;
  std::string dataset_id;
  std::string ingest_run_id;
  std::string partition_id;  // the registered raw partition
  std::string stream;
  int32_t partition = 0;
  int64_t first_offset = 0, last_offset = 0;
  int64_t records = 0;
  bool late = false;
  std::optional<UnixMicros> min_event_time, max_event_time;
  UnixMicros landed_at = 0;
  std::optional<UnixMicros> reconciled_at;  // late files: when their windows were re-published
};

// A dataset's event-time progress: watermark = max event time seen - allowed lateness.
struct StreamWatermark {
  std::string dataset_id;
  std::optional<UnixMicros> min_event_time, max_event_time, watermark;
  int64_t allowed_lateness_us = 0;
  int64_t events = 0, late_events = 0;
  UnixMicros updated_at = 0;
};

// A quality run with the key of the partition it judged (for anomaly baselines).
struct KeyedQualityRun {
  std::string partition_key;
  QualityRun run;
};

struct BackfillRecord {
  std::string id;
  std::string dataset_id;
  std::string dag_run_id;
  std::string partition_key;
  std::string triggered_by;  // "manual", "quality_failure", "bug_fix", ...
  std::optional<int64_t> rows_affected;
  UnixMicros started_at = 0;
  std::optional<UnixMicros> completed_at;
  BackfillStatus status = BackfillStatus::kRunning;
};

// One webhook notification of an alert to one destination (see quality/alerts.h), written once
// the delivery has finished. The catalog stores the alert's kind and severity as the quality
// module names them; secrets (routing keys, URL credentials and query strings) are redacted
// before a record is made.
struct AlertDelivery {
  std::string id;
  std::string dataset_id;
  std::optional<std::string> partition_id;
  std::string kind;      // quality_block | quarantine | anomaly_warn | anomaly_block | sla_breach
  std::string severity;  // warn | block | critical
  std::string destination;  // the URL, redacted
  std::string format;       // slack | pagerduty
  std::string payload;      // the JSON document sent, byte for byte, redacted
  AlertDeliveryStatus status = AlertDeliveryStatus::kFailed;
  int attempts = 0;                       // HTTP requests made (0: none could be made)
  std::optional<int> http_status;         // of the last response, if one came
  std::optional<std::string> last_error;  // of the last failed attempt, if any failed
  UnixMicros created_at = 0;              // when the first attempt started
  UnixMicros finished_at = 0;
};

// One ingestion of one window of a source into the raw zone.
struct IngestRun {
  std::string id;
  std::string dataset_id;
  std::string window_key;          // stable id of the window; names the raw files
  std::string window_description;  // human description of the window
  IngestStatus status = IngestStatus::kRunning;
  int files_written = 0;
  int64_t records_accepted = 0;
  int64_t records_rejected = 0;
  int64_t bytes_read = 0;
  std::optional<std::string> deadletter_path;  // relative to the lake, when records were rejected
  std::optional<std::string> end_cursor;       // incremental sources: where the next run starts
  std::optional<std::string> error;
  UnixMicros started_at = 0;
  std::optional<UnixMicros> finished_at;
};

// A partition row borrowed from the store while a listing is visited: the views are valid only
// inside the visitor's callback.
struct PartitionRow {
  std::string_view id, dataset_id, partition_key, file_path;
  FileFormat format = FileFormat::kParquet;
  int64_t row_count = 0, size_bytes = 0;
  PartitionStatus status = PartitionStatus::kLanded;
  UnixMicros created_at = 0;
  std::optional<std::string_view> schema_version_id;
};

// Copies a borrowed row into an owned Partition, and borrows a Partition as a row.
Partition ToOwnedPartition(const PartitionRow& r);
PartitionRow AsPartitionRow(const Partition& p);

// An Iceberg table of the curated or serving zone: where its current metadata file is.
struct TableRecord {
  std::string ns;  // the zone: "curated" or "serving"
  std::string name;
  std::string metadata_location;
  std::optional<std::string> previous_metadata_location;
  UnixMicros created_at = 0;
  UnixMicros updated_at = 0;
};

struct ApiToken {
  std::string id;
  std::string name;
  std::string token_hash;  // SHA-256 hex of the secret; the secret itself is never stored
  std::string grants;      // canonical grant list, see auth/grants.h
  UnixMicros created_at = 0;
  std::optional<UnixMicros> revoked_at;
  // SCRAM-SHA-256 verifier of the secret (hex StoredKey and ServerKey, derived with
  // kTokenScramSalt and kTokenScramIterations), so PostgreSQL clients can log in without
  // sending the token. Empty for tokens issued before catalog migration 6 (their secret is
  // not known to the catalog; such tokens log in with cleartext passwords only).
  std::string scram_stored_key;
  std::string scram_server_key;
};

// Every token's SCRAM verifier uses one lake-wide salt and iteration count. A SCRAM server
// sends the salt before it knows which token the client holds (PostgreSQL clients send no
// user name that would identify it), so the salt cannot be per token. Per-password salts
// exist to stop precomputed attacks on low-entropy passwords; tokens are 256-bit random
// secrets, against which dictionaries and rainbow tables are useless, so nothing is lost.
inline constexpr char kTokenScramSalt[] = "tarn-scram-v1";
inline constexpr int kTokenScramIterations = 4096;

}  // namespace tarn::catalog
