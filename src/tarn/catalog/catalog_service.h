// CatalogService: the control plane's operations as users see them, shared by the REST API
// and the CLI. It validates input (naming the offending field), normalizes file paths against
// the lake, and calls the CatalogStore. Errors follow one convention:
//   kInvalidArgument    malformed input (wrong type, bad JSON)       -> HTTP 400
//   kFailedPrecondition well-formed input that breaks a rule         -> HTTP 422
//   kNotFound / kAlreadyExists                                       -> HTTP 404 / 409
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/catalog/catalog_store.h"
#include "tarn/catalog/grants.h"
#include "tarn/schema/compatibility.h"
#include "tarn/schema/evolution.h"
#include "tarn/storage/lake_location.h"

namespace tarn::catalog {

struct SourceSpec {
  std::string name;
  std::string type;               // batch | streaming | cdc
  std::string connection_config;  // JSON object text; "" means {}
  std::string owner;
};

struct DatasetSpec {
  std::string source_id;
  std::string name;
  std::string zone;  // raw | curated | serving
  std::string owner;
  int64_t sla_hours = 24;
};

struct PartitionSpec {
  std::string partition_key;
  std::string file_path;
  std::string format;  // parquet | avro | json
  int64_t row_count = 0;
  int64_t size_bytes = 0;
};

struct QualityRunSpec {
  std::string status;  // passed | failed | skipped
  int64_t rules_passed = 0;
  int64_t rules_failed = 0;
  std::optional<double> anomaly_score;
  std::optional<std::string> details;  // JSON from the quality gate
};

struct PartitionListSpec {
  std::optional<std::string> from;    // date or hour, inclusive
  std::optional<std::string> to;      // date or hour, exclusive
  std::optional<std::string> status;  // landed | passed | quarantined | promoted
  std::optional<std::string> cursor;  // from a previous page's next_cursor
  int64_t limit = 1000;
};

struct PartitionListing {
  std::vector<Partition> partitions;
  std::optional<std::string> next_cursor;
};

struct QualityRunOutcome {
  QualityRun run;
  PartitionStatus partition_status;
  bool promotion_blocked = false;
};

// The verdict on a candidate schema under the dataset's compatibility mode.
struct SchemaCheck {
  std::string mode;
  std::vector<schema::Incompatibility> incompatibilities;
  bool compatible() const { return incompatibilities.empty(); }
};

struct IssuedToken {
  ApiToken token;
  std::string secret;  // shown once; only its hash is stored
};

// A live token's SCRAM-SHA-256 verifier (raw 32-byte keys) and the grants it carries.
struct TokenScramVerifier {
  std::string token_id;
  std::string stored_key;
  std::string server_key;
  Grants grants;
};

class CatalogService {
 public:
  static constexpr int64_t kMaxPartitionPage = 10000;
  static constexpr size_t kMaxBatch = 100000;

  CatalogService(std::unique_ptr<CatalogStore> store, storage::LakeLocation lake)
      : store_(std::move(store)), lake_(std::move(lake)) {}

  CatalogStore& store() { return *store_; }
  const storage::LakeLocation& lake() const { return lake_; }

  Result<DataSource> CreateSource(const SourceSpec& spec);
  // Replaces the connection config of the source `ref` (id or name), validated as on create.
  // Errors: kNotFound, kInvalidArgument.
  Result<DataSource> SetSourceConfig(const std::string& ref, const std::string& connection_config);
  Result<DataSource> GetSource(const std::string& id);
  // Finds a source by id or by name.
  Result<DataSource> ResolveSource(const std::string& id_or_name);

  Result<UpsertedDataset> UpsertDataset(const DatasetSpec& spec);
  Result<Dataset> GetDataset(const std::string& id);
  // Finds a dataset by id, "zone.name", or a name unique across zones.
  Result<Dataset> ResolveDataset(const std::string& ref);
  // `zone` and `source` may be empty (no filter); `source` is an id or a name.
  Result<std::vector<Dataset>> ListDatasets(const std::string& zone, const std::string& source);

  // Registers `schema_json` (an Avro schema document) if it is compatible with the dataset's
  // versions under its mode, assigning field ids (kept across versions and renames, never
  // reused). An identical schema returns the existing version. Errors: kInvalidArgument (not
  // a valid Avro schema), kConflict (incompatible; CheckSchema lists why), kNotFound.
  Result<RegisteredSchema> RegisterSchema(const std::string& dataset_id,
                                          const std::string& schema_json, bool set_current);
  // The dry run of RegisterSchema. Errors: kInvalidArgument, kNotFound.
  Result<SchemaCheck> CheckSchema(const std::string& dataset_id, const std::string& schema_json);
  // Errors: kFailedPrecondition (unknown mode), kNotFound.
  Status SetCompatibility(const std::string& dataset_id, const std::string& mode);
  Result<std::vector<SchemaVersion>> ListSchemas(const std::string& dataset_id);
  // The version current at `as_of` (an ISO-8601 time). Errors: kFailedPrecondition (bad time),
  // kNotFound (dataset, or no version was current then).
  Result<SchemaVersion> SchemaAsOf(const std::string& dataset_id, const std::string& as_of);
  // What changed from version v1 to v2, by field id, as JSON. Errors: kNotFound.
  Result<std::string> DiffSchemas(const std::string& dataset_id, int v1, int v2);
  // Evolves a curated or serving dataset's schema without rewriting data (add, rename, widen,
  // make optional, drop, move); the result becomes the current version.
  // Errors: kFailedPrecondition (raw dataset, no schema, a rule broken), kNotFound.
  Result<RegisteredSchema> EvolveSchema(const std::string& dataset_id,
                                        const std::vector<schema::EvolutionOp>& ops);

  // Validates every spec first; registers all or nothing.
  Result<std::vector<RegisteredPartition>> RegisterPartitions(
      const std::string& dataset_id, const std::vector<PartitionSpec>& specs);
  Result<Partition> GetPartition(const std::string& id);
  Result<PartitionListing> ListPartitions(const std::string& dataset_id,
                                          const PartitionListSpec& spec);
  // The same for a dataset the caller has read already (saves the lookup).
  Result<PartitionListing> ListPartitions(const Dataset& dataset, const PartitionListSpec& spec);
  // The same page handed to `fn` row by row, without materializing it (for large listings);
  // returns the cursor of the next page, if any. Errors: as ListPartitions, or fn's.
  Result<std::optional<std::string>> VisitPartitions(
      const Dataset& dataset, const PartitionListSpec& spec,
      const std::function<Status(const PartitionRow&)>& fn);

  Result<QualityRunOutcome> RecordQualityRun(const std::string& partition_id,
                                             const QualityRunSpec& spec);
  Result<std::vector<QualityRun>> ListQualityRuns(const std::string& partition_id);

  // Errors: kNotFound.
  Result<IngestRun> GetIngestRun(const std::string& id);

  // Tokens. Authenticate errors: kUnauthenticated for unknown or revoked secrets.
  Result<IssuedToken> IssueToken(const std::string& name, const std::string& grants);
  Result<Grants> Authenticate(const std::string& secret);
  // Errors: kNotFound (unknown or already revoked).
  Status RevokeToken(const std::string& id);
  // Registers `secret` as an admin token named `name` unless it is already known; a known
  // token without a SCRAM verifier (issued before catalog migration 6) gets one.
  Status EnsureAdminToken(const std::string& name, const std::string& secret);
  // The SCRAM verifiers of all live tokens that have one (salt kTokenScramSalt, iterations
  // kTokenScramIterations). Errors: kUnavailable/kIOError from the store.
  Result<std::vector<TokenScramVerifier>> ScramVerifiers();

 private:
  Result<PartitionQuery> PartitionQueryFor(const Dataset& dataset, const PartitionListSpec& spec);
  std::unique_ptr<CatalogStore> store_;
  storage::LakeLocation lake_;
};

// The canonical text of a JSON document (sorted keys, no spaces), for fingerprints.
// Errors: kInvalidArgument if `json` does not parse.
Result<std::string> CanonicalJson(const std::string& json);

}  // namespace tarn::catalog
