// CatalogStore: the typed persistence interface of the control-plane catalog. One
// implementation over SQL serves both backends (SQLite and PostgreSQL); callers never see SQL.
// Inputs are assumed validated (see catalog/catalog.h); the store enforces integrity
// (uniqueness, references, one current schema) and transactional atomicity.
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/catalog/model.h"

namespace tarn::catalog {

class SqlPool;

struct DatasetFilter {
  std::optional<Zone> zone;
  std::optional<std::string> source_id;
  std::optional<std::string> name;
};

struct UpsertedDataset {
  Dataset dataset;
  bool created = false;  // false: an existing (zone, name) dataset was updated
};

struct RegisteredSchema {
  SchemaVersion version;
  bool created = false;  // false: an identical schema was already registered
};

struct PartitionInput {
  std::string partition_key;
  std::string file_path;  // normalized, relative to the lake root
  FileFormat format = FileFormat::kParquet;
  int64_t row_count = 0;
  int64_t size_bytes = 0;
  std::optional<std::string> schema_version_id;
};

struct RegisteredPartition {
  Partition partition;
  bool created = false;  // false: the same (dataset, file_path) was registered before
};

// Selects a dataset's partitions in (partition_key, id) order.
struct PartitionQuery {
  std::string dataset_id;
  std::optional<std::string> key_from;  // inclusive lower bound on partition_key
  std::optional<std::string> key_to;    // exclusive upper bound on partition_key
  std::optional<PartitionStatus> status;
  // Resume strictly after this (partition_key, id) position.
  std::optional<std::pair<std::string, std::string>> after;
  int limit = 1000;
};

struct PartitionPage {
  std::vector<Partition> partitions;
  bool has_more = false;  // more rows follow the last one returned
};

struct RecordedQualityRun {
  QualityRun run;
  PartitionStatus partition_status;  // the partition's status after this run
};

// Selects a dataset's alert deliveries newest first, in (created_at, id) descending order.
struct AlertDeliveryQuery {
  std::string dataset_id;
  // Resume strictly before this (created_at, id) position.
  std::optional<std::pair<UnixMicros, std::string>> before;
  int limit = 100;
};

struct AlertDeliveryPage {
  std::vector<AlertDelivery> deliveries;
  bool has_more = false;  // older rows follow the last one returned
};

// A batch to land in one transaction: its run record (stored as succeeded), its files (each
// StreamBatch's partition is partitions[i]), the offsets it consumed, and the watermark after it.
struct StreamLanding {
  IngestRun run;
  std::vector<PartitionInput> partitions;
  std::vector<StreamBatch> batches;  // batches[i] describes partitions[i]
  std::vector<StreamAdvance> advances;
  std::optional<StreamWatermark> watermark;
};

class CatalogStore {
 public:
  virtual ~CatalogStore() = default;

  // Opens the catalog at `url` ("sqlite:PATH" or "postgresql://...") and migrates it.
  // Errors: kUnavailable (cannot connect), kIOError, kFailedPrecondition (newer schema).
  static Result<std::unique_ptr<CatalogStore>> Open(const std::string& url, int pool_size = 8);

  // Checks the database answers. Errors: kUnavailable and other driver errors.
  virtual Status Ping() = 0;

  // Errors: kAlreadyExists if the name is taken.
  virtual Result<DataSource> CreateSource(const DataSource& source) = 0;
  // Errors: kNotFound.
  virtual Result<DataSource> GetSource(const std::string& id) = 0;
  virtual Result<std::optional<DataSource>> FindSourceByName(const std::string& name) = 0;
  virtual Result<std::vector<DataSource>> ListSources() = 0;
  // Replaces a source's connection config (e.g. a moved broker). Errors: kNotFound.
  virtual Result<DataSource> SetSourceConfig(const std::string& id, const std::string& connection_config) = 0;

  // Creates the dataset, or updates owner and sla_hours of the one with the same (zone, name).
  // Errors: kNotFound (source), kAlreadyExists ((zone, name) belongs to another source).
  virtual Result<UpsertedDataset> UpsertDataset(const Dataset& dataset) = 0;
  // Errors: kNotFound.
  virtual Result<Dataset> GetDataset(const std::string& id) = 0;
  virtual Result<std::vector<Dataset>> ListDatasets(const DatasetFilter& filter) = 0;

  // Registers `schema_json` (canonical text with its fingerprint) as the next version, or
  // returns the version already holding an identical schema. With `set_current` the version
  // becomes the dataset's current one, in the same transaction.
  // Errors: kNotFound (dataset).
  virtual Result<RegisteredSchema> AddSchemaVersion(const std::string& dataset_id,
                                                    const std::string& schema_json,
                                                    const std::string& fingerprint,
                                                    bool set_current) = 0;
  virtual Result<std::vector<SchemaVersion>> ListSchemaVersions(const std::string& dataset_id) = 0;
  // The version that was current at `at`, if any was. Errors: kNotFound (dataset).
  virtual Result<std::optional<SchemaVersion>> SchemaVersionAsOf(const std::string& dataset_id,
                                                                  UnixMicros at) = 0;
  // Sets the dataset's compatibility mode (validated by the caller). Errors: kNotFound.
  virtual Status SetCompatibility(const std::string& dataset_id, const std::string& mode) = 0;

  // Registers all `inputs` in one transaction (all or nothing). Idempotent per
  // (dataset, file_path). Errors: kNotFound (dataset).
  virtual Result<std::vector<RegisteredPartition>> RegisterPartitions(
      const std::string& dataset_id, const std::vector<PartitionInput>& inputs) = 0;
  // Errors: kNotFound.
  virtual Result<Partition> GetPartition(const std::string& id) = 0;
  virtual Result<PartitionPage> ListPartitions(const PartitionQuery& query) = 0;
  // The same rows, handed to `fn` one by one as they are read (up to query.limit); returns
  // has_more. Errors: the store's, or fn's first.
  virtual Result<bool> VisitPartitions(const PartitionQuery& query,
                                       const std::function<Status(const PartitionRow&)>& fn) = 0;
  // Errors: kNotFound (partition). kFailedPrecondition if moving to/from promoted is refused.
  virtual Status SetPartitionStatus(const std::string& partition_id, PartitionStatus status) = 0;

  // Records the run and moves the partition's status in one transaction: failed =>
  // quarantined; passed => passed (a promoted partition stays promoted); skipped => unchanged.
  // Errors: kNotFound (partition).
  virtual Result<RecordedQualityRun> RecordQualityRun(const QualityRun& run) = 0;
  virtual Result<std::vector<QualityRun>> ListQualityRuns(const std::string& partition_id) = 0;
  // The dataset's latest passed runs with details on the partitions registered before
  // `before` (by key, then registration time), newest first (one run per partition: its
  // latest). For anomaly baselines.
  virtual Result<std::vector<KeyedQualityRun>> RecentPassedRuns(const Partition& before, int limit) = 0;

  // Promotion specs, versioned per raw dataset. Put stores a new version unless the spec
  // equals the latest (then returns that). Errors: kNotFound (dataset).
  virtual Result<PromotionSpecVersion> PutPromotionSpec(const std::string& dataset_id,
                                                        const std::string& spec_json) = 0;
  virtual Result<std::optional<PromotionSpecVersion>> GetPromotionSpec(const std::string& dataset_id) = 0;
  // Records lineage rows and marks their partitions promoted, in one transaction.
  virtual Status RecordPromotion(const std::vector<LineageRecord>& records) = 0;
  // The raw dataset's lineage, newest first.
  virtual Result<std::vector<LineageRecord>> ListLineage(const std::string& raw_dataset_id, int limit) = 0;

  // Backfill audit trail. Errors: kNotFound (dataset / record).
  virtual Result<BackfillRecord> StartBackfill(const BackfillRecord& record) = 0;
  virtual Result<BackfillRecord> FinishBackfill(const std::string& id, BackfillStatus status,
                                                std::optional<int64_t> rows_affected) = 0;
  virtual Result<std::vector<BackfillRecord>> ListBackfills(const std::string& dataset_id) = 0;

  // Ingest runs. StartIngestRun inserts `run` as running (id and started_at assigned).
  // Errors: kNotFound (dataset).
  virtual Result<IngestRun> StartIngestRun(const IngestRun& run) = 0;
  // The latest run of the dataset for `window_key`, if any.
  virtual Result<std::optional<IngestRun>> FindIngestRun(const std::string& dataset_id,
                                                         const std::string& window_key) = 0;
  // Errors: kNotFound.
  virtual Result<IngestRun> GetIngestRun(const std::string& id) = 0;
  // Newest first.
  virtual Result<std::vector<IngestRun>> ListIngestRuns(const std::string& dataset_id,
                                                        int limit) = 0;
  // Lands a run in one transaction: registers `partitions`, records the run's counters as
  // succeeded, and advances the dataset's source cursor to run.end_cursor when set. Either all
  // of it is committed or none. Errors: kNotFound (run), kAlreadyExists (a file registered
  // with other metadata).
  virtual Result<IngestRun> CompleteIngestRun(const IngestRun& run,
                                              const std::vector<PartitionInput>& partitions) = 0;
  // Marks a run failed with `error` and its counters so far. Errors: kNotFound.
  virtual Status FailIngestRun(const IngestRun& run) = 0;
  // Where the dataset's incremental source continues, if it has run before.
  virtual Result<std::optional<std::string>> GetSourceCursor(const std::string& dataset_id) = 0;

  // Streaming. CompleteStreamLanding commits a batch in one transaction: the run (as
  // succeeded), its files as partitions, one stream_batches row per file, the stream positions
  // and the watermark (max event time and watermark only move forward; counters add up).
  // Returns the batches with ids and partition ids. Errors: kNotFound (dataset), kConflict (a
  // position is no longer `expected`: another consumer landed those offsets; nothing is
  // committed), kAlreadyExists (a file registered with other metadata).
  virtual Result<std::vector<StreamBatch>> CompleteStreamLanding(const StreamLanding& landing) = 0;
  virtual Result<std::vector<StreamPosition>> ListStreamPositions(const std::string& dataset_id) = 0;
  virtual Result<std::optional<StreamWatermark>> GetWatermark(const std::string& dataset_id) = 0;
  // The dataset's late batch files not reconciled yet, oldest first.
  virtual Result<std::vector<StreamBatch>> ListUnreconciledLateBatches(const std::string& dataset_id) = 0;
  // Errors: kNotFound (a batch id).
  virtual Status MarkBatchesReconciled(const std::vector<std::string>& batch_ids) = 0;
  // Event-time windows: how far each window of a dataset is published (end of the last
  // published window), nullopt when none is. SetWindowPublished only moves forward.
  virtual Result<std::optional<UnixMicros>> GetWindowPublished(const std::string& dataset_id,
                                                               const std::string& window) = 0;
  virtual Status SetWindowPublished(const std::string& dataset_id, const std::string& window,
                                    UnixMicros until) = 0;

  // Iceberg table pointers. CreateTable errors: kAlreadyExists. GetTable/DropTable errors:
  // kNotFound. SwapTableMetadata replaces `expected` with `next` atomically. Errors:
  // kConflict (the table's pointer is no longer `expected`), kNotFound, kCommitStateUnknown
  // (the database failed mid-swap and a re-read could not tell whether it happened).
  virtual Result<TableRecord> CreateTable(const std::string& ns, const std::string& name,
                                          const std::string& metadata_location) = 0;
  virtual Result<TableRecord> GetTable(const std::string& ns, const std::string& name) = 0;
  virtual Result<std::vector<TableRecord>> ListTables(const std::string& ns) = 0;
  virtual Status SwapTableMetadata(const std::string& ns, const std::string& name,
                                   const std::string& expected, const std::string& next) = 0;
  virtual Status DropTable(const std::string& ns, const std::string& name) = 0;

  // Alert deliveries. RecordAlertDelivery stores a finished delivery as given (id assigned when
  // empty) and returns it. Errors: kNotFound (dataset, or partition when set),
  // kFailedPrecondition (the partition is another dataset's; a kind, severity, format or
  // status the schema does not allow).
  virtual Result<AlertDelivery> RecordAlertDelivery(const AlertDelivery& delivery) = 0;
  virtual Result<AlertDeliveryPage> ListAlertDeliveries(const AlertDeliveryQuery& query) = 0;

  // API tokens, stored hashed. Errors: kAlreadyExists (hash collision), kNotFound.
  virtual Result<ApiToken> CreateToken(const ApiToken& token) = 0;
  // Finds a live (not revoked) token by hash.
  virtual Result<std::optional<ApiToken>> FindToken(const std::string& token_hash) = 0;
  virtual Result<std::vector<ApiToken>> ListTokens() = 0;
  virtual Status RevokeToken(const std::string& id) = 0;
  // Sets a token's SCRAM verifier (hex keys). Errors: kNotFound.
  virtual Status SetTokenScramKeys(const std::string& id, const std::string& stored_key,
                                   const std::string& server_key) = 0;
};

}  // namespace tarn::catalog
