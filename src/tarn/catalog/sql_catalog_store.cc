// CatalogStore over SqlPool: every method is one transaction with '?'-parameterized SQL that
// both SQLite and PostgreSQL accept.
#include <algorithm>
#include <string>

#include "tarn/base/ids.h"
#include "tarn/catalog/catalog_store.h"
#include "tarn/catalog/migrations.h"
#include "tarn/catalog/sql_alerts.h"
#include "tarn/catalog/sql_db.h"
#include "tarn/catalog/sql_partitions.h"
#include "tarn/catalog/sql_rows.h"
#include "tarn/catalog/sql_promotion.h"
#include "tarn/catalog/sql_streams.h"
#include "tarn/catalog/sql_tables.h"

namespace tarn::catalog {
namespace {

SqlValue Str(std::string_view s) { return std::string(s); }
SqlValue Ts(UnixMicros t) { return FormatIsoTimestamp(t); }
SqlValue NullIfEmpty(const std::string& s) { return s.empty() ? SqlValue() : SqlValue(s); }

class SqlCatalogStore final : public CatalogStore {
 public:
  explicit SqlCatalogStore(std::unique_ptr<SqlPool> pool) : pool_(std::move(pool)) {}

  Status Ping() override {
    return pool_->Read([](SqlConnection& c) { return c.Query("SELECT 1", {}).status(); });
  }

  Result<DataSource> CreateSource(const DataSource& in) override {
    DataSource s = in;
    s.id = NewUuid();
    s.created_at = Now();
    Status st = Write([&](SqlConnection& c) {
      return c.Query("INSERT INTO data_sources (id, name, type, connection_config, owner, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                     {s.id, s.name, Str(ToString(s.type)), s.connection_config, s.owner,
                      Ts(s.created_at)})
          .status();
    });
    if (st.code() == ErrorCode::kAlreadyExists) {
      return AlreadyExists("a source named '" + s.name + "' already exists");
    }
    TARN_RETURN_IF_ERROR(st);
    return GetSource(s.id);
  }

  Result<DataSource> SetSourceConfig(const std::string& id, const std::string& config) override {
    TARN_RETURN_IF_ERROR(Write([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto res, c.Query("UPDATE data_sources SET connection_config = ? WHERE id = ?",
                                              {config, id}));
      if (res.affected == 0) return NotFound("no source with id " + id);
      return Status::OK();
    }));
    return GetSource(id);
  }

  Result<DataSource> GetSource(const std::string& id) override {
    return ReadOne<DataSource>(std::string("SELECT ") + kSourceCols + " FROM data_sources WHERE id = ?",
                               {id}, ToSource, "source " + id);
  }

  Result<std::optional<DataSource>> FindSourceByName(const std::string& name) override {
    TARN_ASSIGN_OR_RETURN(auto rows, ReadAll<DataSource>(std::string("SELECT ") + kSourceCols +
                                                             " FROM data_sources WHERE name = ?",
                                                         {name}, ToSource));
    if (rows.empty()) return std::optional<DataSource>();
    return std::optional<DataSource>(std::move(rows[0]));
  }

  Result<std::vector<DataSource>> ListSources() override {
    return ReadAll<DataSource>(
        std::string("SELECT ") + kSourceCols + " FROM data_sources ORDER BY name", {}, ToSource);
  }

  Result<UpsertedDataset> UpsertDataset(const Dataset& in) override {
    UpsertedDataset out;
    Status st = Write([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto src, c.Query("SELECT id FROM data_sources WHERE id = ?",
                                              {in.source_id}));
      if (src.rows.empty()) return NotFound("no source with id " + in.source_id);
      TARN_ASSIGN_OR_RETURN(auto existing,
                            c.Query("SELECT id, source_id FROM datasets WHERE zone = ? AND name = ?",
                                    {Str(ToString(in.zone)), in.name}));
      UnixMicros now = Now();
      std::string id;
      if (!existing.rows.empty()) {
        id = existing.rows[0].Text(0);
        if (existing.rows[0].Text(1) != in.source_id) {
          return AlreadyExists("dataset " + std::string(ToString(in.zone)) + "." + in.name +
                               " already exists for source " + existing.rows[0].Text(1));
        }
        TARN_RETURN_IF_ERROR(c.Query("UPDATE datasets SET owner = ?, sla_hours = ?, "
                                     "updated_at = ? WHERE id = ?",
                                     {in.owner, int64_t{in.sla_hours}, Ts(now), id})
                                 .status());
      } else {
        id = NewUuid();
        out.created = true;
        TARN_RETURN_IF_ERROR(c.Query("INSERT INTO datasets (id, source_id, name, zone, owner, "
                                     "sla_hours, created_at, updated_at) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                     {id, in.source_id, in.name, Str(ToString(in.zone)), in.owner,
                                      int64_t{in.sla_hours}, Ts(now), Ts(now)})
                                 .status());
      }
      TARN_ASSIGN_OR_RETURN(out.dataset, GetDatasetIn(c, id));
      return Status::OK();
    });
    TARN_RETURN_IF_ERROR(st);
    return out;
  }

  Result<Dataset> GetDataset(const std::string& id) override {
    return ReadOne<Dataset>(std::string("SELECT ") + kDatasetCols + kDatasetFrom + " WHERE d.id = ?",
                            {id}, ToDataset, "dataset " + id);
  }

  Result<std::vector<Dataset>> ListDatasets(const DatasetFilter& f) override {
    std::string sql = std::string("SELECT ") + kDatasetCols + kDatasetFrom + " WHERE 1 = 1";
    SqlParams params;
    if (f.zone) {
      sql += " AND d.zone = ?";
      params.push_back(Str(ToString(*f.zone)));
    }
    if (f.source_id) {
      sql += " AND d.source_id = ?";
      params.push_back(*f.source_id);
    }
    if (f.name) {
      sql += " AND d.name = ?";
      params.push_back(*f.name);
    }
    sql += " ORDER BY d.zone, d.name";
    return ReadAll<Dataset>(sql, params, ToDataset);
  }

  Result<RegisteredSchema> AddSchemaVersion(const std::string& dataset_id,
                                            const std::string& schema_json,
                                            const std::string& fingerprint,
                                            bool set_current) override {
    RegisteredSchema out;
    Status st = Write([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto ds, c.Query("SELECT id FROM datasets WHERE id = ?" +
                                                 LockSuffix(c),
                                             {dataset_id}));
      if (ds.rows.empty()) return NotFound("no dataset with id " + dataset_id);
      TARN_ASSIGN_OR_RETURN(auto same, c.Query(std::string("SELECT ") + kSchemaCols +
                                                   " FROM schema_versions WHERE dataset_id = ? "
                                                   "AND fingerprint = ? ORDER BY version LIMIT 1",
                                               {dataset_id, fingerprint}));
      std::string id;
      if (!same.rows.empty()) {
        id = same.rows[0].Text(0);
        if (set_current && !same.rows[0].Bool(5)) {
          TARN_RETURN_IF_ERROR(MakeCurrent(c, dataset_id, id, Now()));
        }
      } else {
        TARN_ASSIGN_OR_RETURN(auto maxv, c.Query("SELECT COALESCE(MAX(version), 0) FROM "
                                                 "schema_versions WHERE dataset_id = ?",
                                                 {dataset_id}));
        id = NewUuid();
        out.created = true;
        UnixMicros now = Now();  // registered and (if so) current at the same instant
        TARN_RETURN_IF_ERROR(c.Query("INSERT INTO schema_versions (id, dataset_id, version, "
                                     "schema_json, fingerprint, is_current, created_at) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                     {id, dataset_id, maxv.rows[0].Int(0) + 1, schema_json,
                                      fingerprint, false, Ts(now)})
                                 .status());
        if (set_current) TARN_RETURN_IF_ERROR(MakeCurrent(c, dataset_id, id, now));
      }
      TARN_ASSIGN_OR_RETURN(auto row, c.Query(std::string("SELECT ") + kSchemaCols +
                                                  " FROM schema_versions WHERE id = ?",
                                              {id}));
      out.version = ToSchema(row.rows.at(0));
      return Status::OK();
    });
    TARN_RETURN_IF_ERROR(st);
    return out;
  }

  Result<std::vector<SchemaVersion>> ListSchemaVersions(const std::string& dataset_id) override {
    return ReadAll<SchemaVersion>(std::string("SELECT ") + kSchemaCols +
                                      " FROM schema_versions WHERE dataset_id = ? ORDER BY version",
                                  {dataset_id}, ToSchema);
  }

  Result<std::optional<SchemaVersion>> SchemaVersionAsOf(const std::string& dataset_id,
                                                          UnixMicros at) override {
    std::optional<SchemaVersion> out;
    TARN_RETURN_IF_ERROR(pool_->Read([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto ds, c.Query("SELECT id FROM datasets WHERE id = ?", {dataset_id}));
      if (ds.rows.empty()) return NotFound("no dataset with id " + dataset_id);
      TARN_ASSIGN_OR_RETURN(
          auto res, c.Query("SELECT v.id, v.dataset_id, v.version, v.schema_json, v.fingerprint, "
                            "v.is_current, v.created_at FROM schema_history h JOIN schema_versions v "
                            "ON v.id = h.schema_version_id WHERE h.dataset_id = ? AND "
                            "h.became_current_at <= ? ORDER BY h.became_current_at DESC LIMIT 1",
                            {dataset_id, Ts(at)}));
      if (!res.rows.empty()) out = ToSchema(res.rows[0]);
      return Status::OK();
    }));
    return out;
  }

  Status SetCompatibility(const std::string& dataset_id, const std::string& mode) override {
    return Write([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto res, c.Query("UPDATE datasets SET compatibility = ?, updated_at = ? "
                                              "WHERE id = ?",
                                              {mode, Ts(Now()), dataset_id}));
      if (res.affected == 0) return NotFound("no dataset with id " + dataset_id);
      return Status::OK();
    });
  }

  Result<std::vector<RegisteredPartition>> RegisterPartitions(
      const std::string& dataset_id, const std::vector<PartitionInput>& inputs) override {
    std::vector<RegisteredPartition> out;
    TARN_RETURN_IF_ERROR(Write([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto ds, c.Query("SELECT id FROM datasets WHERE id = ?", {dataset_id}));
      if (ds.rows.empty()) return NotFound("no dataset with id " + dataset_id);
      return InsertPartitions(c, dataset_id, inputs, Now(), &out);
    }));
    return out;
  }

  Result<Partition> GetPartition(const std::string& id) override {
    return ReadOne<Partition>(std::string("SELECT ") + kPartitionCols +
                                  " FROM partitions WHERE id = ?",
                              {id}, ToPartition, "partition " + id);
  }

  Result<PartitionPage> ListPartitions(const PartitionQuery& q) override {
    PartitionPage page;
    page.partitions.reserve(std::min(q.limit, 5000));
    TARN_ASSIGN_OR_RETURN(page.has_more, VisitPartitions(q, [&](const PartitionRow& r) {
      page.partitions.push_back(ToOwnedPartition(r));
      return Status::OK();
    }));
    return page;
  }

  Result<bool> VisitPartitions(const PartitionQuery& q,
                               const std::function<Status(const PartitionRow&)>& fn) override {
    std::string sql = std::string("SELECT ") + kPartitionCols + " FROM partitions WHERE dataset_id = ?";
    SqlParams params{q.dataset_id};
    if (q.status) {
      sql += " AND status = ?";
      params.push_back(Str(ToString(*q.status)));
    }
    if (q.key_from) {
      sql += " AND partition_key >= ?";
      params.push_back(*q.key_from);
    }
    if (q.key_to) {
      sql += " AND partition_key < ?";
      params.push_back(*q.key_to);
    }
    if (q.after) {
      sql += " AND (partition_key, id) > (?, ?)";
      params.push_back(q.after->first);
      params.push_back(q.after->second);
    }
    sql += " ORDER BY partition_key, id LIMIT ?";
    params.push_back(int64_t{q.limit} + 1);
    int seen = 0;
    TARN_RETURN_IF_ERROR(pool_->Read([&](SqlConnection& c) {
      return c.QueryEach(sql, params, [&](const SqlRowView& r) {
        return ++seen > q.limit ? Status::OK() : fn(PartitionRowFromView(r));
      });
    }));
    return seen > q.limit;
  }


  Status SetPartitionStatus(const std::string& id, PartitionStatus status) override {
    return Write([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto cur, c.Query("SELECT status FROM partitions WHERE id = ?" +
                                                  LockSuffix(c),
                                              {id}));
      if (cur.rows.empty()) return NotFound("no partition with id " + id);
      if (status == PartitionStatus::kPromoted && cur.rows[0].Text(0) != "passed" &&
          cur.rows[0].Text(0) != "promoted") {
        return FailedPrecondition("partition " + id + " is " + cur.rows[0].Text(0) +
                                  "; only a partition whose quality run passed can be promoted");
      }
      return c.Query("UPDATE partitions SET status = ? WHERE id = ?", {Str(ToString(status)), id})
          .status();
    });
  }

  Result<RecordedQualityRun> RecordQualityRun(const QualityRun& in) override {
    RecordedQualityRun out;
    Status st = Write([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto cur, c.Query("SELECT dataset_id, status FROM partitions "
                                              "WHERE id = ?" + LockSuffix(c),
                                              {in.partition_id}));
      if (cur.rows.empty()) return NotFound("no partition with id " + in.partition_id);
      out.run = in;
      out.run.id = NewUuid();
      out.run.dataset_id = cur.rows[0].Text(0);
      out.run.run_at = Now();
      PartitionStatus before = ParseOr(cur.rows[0].Text(1), PartitionStatus::kLanded);
      out.partition_status = before;
      if (in.status == QualityStatus::kFailed) {
        out.partition_status = PartitionStatus::kQuarantined;
      } else if (in.status == QualityStatus::kPassed && before != PartitionStatus::kPromoted) {
        out.partition_status = PartitionStatus::kPassed;
      }
      SqlValue score = in.anomaly_score ? SqlValue(*in.anomaly_score) : SqlValue();
      TARN_RETURN_IF_ERROR(c.Query("INSERT INTO data_quality_runs (id, partition_id, dataset_id, "
                                   "status, rules_passed, rules_failed, anomaly_score, run_at, "
                                   "details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   {out.run.id, in.partition_id, out.run.dataset_id,
                                    Str(ToString(in.status)), int64_t{in.rules_passed},
                                    int64_t{in.rules_failed}, score, Ts(out.run.run_at),
                                    in.details ? SqlValue(*in.details) : SqlValue()})
                               .status());
      if (out.partition_status != before) {
        TARN_RETURN_IF_ERROR(c.Query("UPDATE partitions SET status = ? WHERE id = ?",
                                     {Str(ToString(out.partition_status)), in.partition_id})
                                 .status());
      }
      return Status::OK();
    });
    TARN_RETURN_IF_ERROR(st);
    return out;
  }

  Result<std::vector<QualityRun>> ListQualityRuns(const std::string& partition_id) override {
    return ReadAll<QualityRun>(std::string("SELECT ") + kRunCols +
                                   " FROM data_quality_runs WHERE partition_id = ? "
                                   "ORDER BY run_at, id",
                               {partition_id}, ToRun);
  }

  Result<std::vector<KeyedQualityRun>> RecentPassedRuns(const Partition& before, int limit) override {
    return SqlRecentPassedRuns(*pool_, before, limit);
  }
  Result<PromotionSpecVersion> PutPromotionSpec(const std::string& dataset_id,
                                                const std::string& spec_json) override {
    return SqlPutPromotionSpec(*pool_, dataset_id, spec_json);
  }
  Result<std::optional<PromotionSpecVersion>> GetPromotionSpec(const std::string& dataset_id) override {
    return SqlGetPromotionSpec(*pool_, dataset_id);
  }
  Status RecordPromotion(const std::vector<LineageRecord>& records) override {
    return SqlRecordPromotion(*pool_, records);
  }
  Result<std::vector<LineageRecord>> ListLineage(const std::string& raw_dataset_id, int limit) override {
    return SqlListLineage(*pool_, raw_dataset_id, limit);
  }

  Result<BackfillRecord> StartBackfill(const BackfillRecord& in) override {
    BackfillRecord b = in;
    b.id = NewUuid();
    b.started_at = Now();
    b.status = BackfillStatus::kRunning;
    Status st = Write([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto ds, c.Query("SELECT id FROM datasets WHERE id = ?", {b.dataset_id}));
      if (ds.rows.empty()) return NotFound("no dataset with id " + b.dataset_id);
      return c.Query("INSERT INTO backfill_audit_log (id, dataset_id, dag_run_id, partition_key, "
                     "triggered_by, started_at, status) VALUES (?, ?, ?, ?, ?, ?, 'running')",
                     {b.id, b.dataset_id, b.dag_run_id, b.partition_key, b.triggered_by,
                      Ts(b.started_at)})
          .status();
    });
    TARN_RETURN_IF_ERROR(st);
    return b;
  }

  Result<BackfillRecord> FinishBackfill(const std::string& id, BackfillStatus status,
                                        std::optional<int64_t> rows) override {
    Status st = Write([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto res, c.Query("UPDATE backfill_audit_log SET status = ?, "
                                              "completed_at = ?, rows_affected = ? WHERE id = ?",
                                              {Str(ToString(status)), Ts(Now()),
                                               rows ? SqlValue(*rows) : SqlValue(), id}));
      if (res.affected == 0) return NotFound("no backfill record with id " + id);
      return Status::OK();
    });
    TARN_RETURN_IF_ERROR(st);
    return ReadOne<BackfillRecord>(std::string("SELECT ") + kBackfillCols +
                                       " FROM backfill_audit_log WHERE id = ?",
                                   {id}, ToBackfill, "backfill " + id);
  }

  Result<std::vector<BackfillRecord>> ListBackfills(const std::string& dataset_id) override {
    return ReadAll<BackfillRecord>(std::string("SELECT ") + kBackfillCols +
                                       " FROM backfill_audit_log WHERE dataset_id = ? "
                                       "ORDER BY started_at, id",
                                   {dataset_id}, ToBackfill);
  }

  Result<IngestRun> StartIngestRun(const IngestRun& in) override {
    IngestRun run = in;
    run.id = NewUuid();
    run.started_at = Now();
    run.status = IngestStatus::kRunning;
    TARN_RETURN_IF_ERROR(Write([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto ds, c.Query("SELECT id FROM datasets WHERE id = ?", {run.dataset_id}));
      if (ds.rows.empty()) return NotFound("no dataset with id " + run.dataset_id);
      return c.Query("INSERT INTO ingest_runs (id, dataset_id, window_key, window_description, "
                     "status, started_at) VALUES (?, ?, ?, ?, 'running', ?)",
                     {run.id, run.dataset_id, run.window_key, run.window_description,
                      Ts(run.started_at)})
          .status();
    }));
    return run;
  }

  Result<std::optional<IngestRun>> FindIngestRun(const std::string& dataset_id,
                                                 const std::string& window_key) override {
    TARN_ASSIGN_OR_RETURN(auto runs, ReadAll<IngestRun>(
                                         std::string("SELECT ") + kIngestCols +
                                             " FROM ingest_runs WHERE dataset_id = ? AND "
                                             "window_key = ? ORDER BY started_at DESC, id DESC "
                                             "LIMIT 1",
                                         {dataset_id, window_key}, ToIngestRun));
    if (runs.empty()) return std::optional<IngestRun>();
    return std::optional<IngestRun>(std::move(runs[0]));
  }

  Result<IngestRun> GetIngestRun(const std::string& id) override {
    return ReadOne<IngestRun>(std::string("SELECT ") + kIngestCols + " FROM ingest_runs WHERE id = ?",
                              {id}, ToIngestRun, "ingest run " + id);
  }

  Result<std::vector<IngestRun>> ListIngestRuns(const std::string& dataset_id, int limit) override {
    return ReadAll<IngestRun>(std::string("SELECT ") + kIngestCols +
                                  " FROM ingest_runs WHERE dataset_id = ? "
                                  "ORDER BY started_at DESC, id DESC LIMIT ?",
                              {dataset_id, int64_t{limit}}, ToIngestRun);
  }

  Result<IngestRun> CompleteIngestRun(const IngestRun& run,
                                      const std::vector<PartitionInput>& partitions) override {
    TARN_RETURN_IF_ERROR(Write([&](SqlConnection& c) -> Status {
      std::vector<RegisteredPartition> regs;
      TARN_RETURN_IF_ERROR(InsertPartitions(c, run.dataset_id, partitions, Now(), &regs));
      TARN_RETURN_IF_ERROR(FinishRun(c, run, IngestStatus::kSucceeded));
      if (!run.end_cursor) return Status::OK();
      std::string now = FormatIsoTimestamp(Now());
      return c.Query("INSERT INTO source_cursors (dataset_id, cursor_value, updated_at) "
                     "VALUES (?, ?, ?) ON CONFLICT (dataset_id) DO UPDATE SET "
                     "cursor_value = excluded.cursor_value, updated_at = excluded.updated_at",
                     {run.dataset_id, *run.end_cursor, now})
          .status();
    }));
    return GetIngestRun(run.id);
  }

  Status FailIngestRun(const IngestRun& run) override {
    return Write([&](SqlConnection& c) { return FinishRun(c, run, IngestStatus::kFailed); });
  }

  Result<std::optional<std::string>> GetSourceCursor(const std::string& dataset_id) override {
    std::optional<std::string> out;
    TARN_RETURN_IF_ERROR(pool_->Read([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto res, c.Query("SELECT cursor_value FROM source_cursors "
                                              "WHERE dataset_id = ?",
                                              {dataset_id}));
      if (!res.rows.empty()) out = res.rows[0].Text(0);
      return Status::OK();
    }));
    return out;
  }

  Result<std::vector<StreamBatch>> CompleteStreamLanding(const StreamLanding& landing) override {
    return SqlCompleteStreamLanding(*pool_, landing);
  }
  Result<std::vector<StreamPosition>> ListStreamPositions(const std::string& dataset_id) override {
    return SqlListStreamPositions(*pool_, dataset_id);
  }
  Result<std::optional<StreamWatermark>> GetWatermark(const std::string& dataset_id) override {
    return SqlGetWatermark(*pool_, dataset_id);
  }
  Result<std::vector<StreamBatch>> ListUnreconciledLateBatches(const std::string& dataset_id) override {
    return SqlListUnreconciledLateBatches(*pool_, dataset_id);
  }
  Status MarkBatchesReconciled(const std::vector<std::string>& batch_ids) override {
    return SqlMarkBatchesReconciled(*pool_, batch_ids);
  }
  Result<std::optional<UnixMicros>> GetWindowPublished(const std::string& dataset_id,
                                                       const std::string& window) override {
    return SqlGetWindowPublished(*pool_, dataset_id, window);
  }
  Status SetWindowPublished(const std::string& dataset_id, const std::string& window,
                            UnixMicros until) override {
    return SqlSetWindowPublished(*pool_, dataset_id, window, until);
  }

  Result<AlertDelivery> RecordAlertDelivery(const AlertDelivery& delivery) override {
    return SqlRecordAlertDelivery(*pool_, delivery);
  }
  Result<AlertDeliveryPage> ListAlertDeliveries(const AlertDeliveryQuery& query) override {
    return SqlListAlertDeliveries(*pool_, query);
  }

  Result<ApiToken> CreateToken(const ApiToken& in) override {
    ApiToken t = in;
    t.id = NewUuid();
    t.created_at = Now();
    TARN_RETURN_IF_ERROR(Write([&](SqlConnection& c) {
      return c.Query("INSERT INTO api_tokens (id, name, token_hash, grants, created_at, "
                     "scram_stored_key, scram_server_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     {t.id, t.name, t.token_hash, t.grants, Ts(t.created_at),
                      NullIfEmpty(t.scram_stored_key), NullIfEmpty(t.scram_server_key)})
          .status();
    }));
    return t;
  }

  Result<std::optional<ApiToken>> FindToken(const std::string& token_hash) override {
    TARN_ASSIGN_OR_RETURN(auto rows, ReadAll<ApiToken>(std::string("SELECT ") + kTokenCols +
                                                           " FROM api_tokens WHERE token_hash = ? "
                                                           "AND revoked_at IS NULL",
                                                       {token_hash}, ToToken));
    if (rows.empty()) return std::optional<ApiToken>();
    return std::optional<ApiToken>(std::move(rows[0]));
  }

  Result<std::vector<ApiToken>> ListTokens() override {
    return ReadAll<ApiToken>(
        std::string("SELECT ") + kTokenCols + " FROM api_tokens ORDER BY created_at, id", {},
        ToToken);
  }

  Status RevokeToken(const std::string& id) override {
    return Write([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto res, c.Query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? "
                                              "AND revoked_at IS NULL",
                                              {Ts(Now()), id}));
      if (res.affected == 0) return NotFound("no live token with id " + id);
      return Status::OK();
    });
  }

  Status SetTokenScramKeys(const std::string& id, const std::string& stored_key,
                           const std::string& server_key) override {
    return Write([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto res, c.Query("UPDATE api_tokens SET scram_stored_key = ?, "
                                              "scram_server_key = ? WHERE id = ?",
                                              {stored_key, server_key, id}));
      if (res.affected == 0) return NotFound("no token with id " + id);
      return Status::OK();
    });
  }

  Result<TableRecord> CreateTable(const std::string& ns, const std::string& name,
                                  const std::string& metadata_location) override {
    return SqlCreateTable(*pool_, ns, name, metadata_location);
  }
  Result<TableRecord> GetTable(const std::string& ns, const std::string& name) override {
    return SqlGetTable(*pool_, ns, name);
  }
  Result<std::vector<TableRecord>> ListTables(const std::string& ns) override {
    return SqlListTables(*pool_, ns);
  }
  Status SwapTableMetadata(const std::string& ns, const std::string& name,
                           const std::string& expected, const std::string& next) override {
    return SqlSwapTableMetadata(*pool_, ns, name, expected, next);
  }
  Status DropTable(const std::string& ns, const std::string& name) override {
    return SqlDropTable(*pool_, ns, name);
  }

 private:
  static UnixMicros Now() { return Clock::System().Now(); }

  static std::string LockSuffix(SqlConnection& c) {
    return c.dialect() == SqlDialect::kPostgres ? " FOR UPDATE" : "";
  }

  Status Write(const std::function<Status(SqlConnection&)>& fn) {
    return pool_->Transaction(fn);
  }

  Result<Dataset> GetDatasetIn(SqlConnection& c, const std::string& id) {
    TARN_ASSIGN_OR_RETURN(auto res, c.Query(std::string("SELECT ") + kDatasetCols + kDatasetFrom +
                                                " WHERE d.id = ?",
                                            {id}));
    if (res.rows.empty()) return NotFound("no dataset with id " + id);
    return ToDataset(res.rows[0]);
  }

  Status FinishRun(SqlConnection& c, const IngestRun& run, IngestStatus status) {
    SqlValue error = run.error ? SqlValue(*run.error) : SqlValue();
    SqlValue dead = run.deadletter_path ? SqlValue(*run.deadletter_path) : SqlValue();
    SqlValue cursor = run.end_cursor ? SqlValue(*run.end_cursor) : SqlValue();
    TARN_ASSIGN_OR_RETURN(
        auto res, c.Query("UPDATE ingest_runs SET status = ?, files_written = ?, "
                          "records_accepted = ?, records_rejected = ?, bytes_read = ?, "
                          "deadletter_path = ?, end_cursor = ?, error = ?, finished_at = ? "
                          "WHERE id = ?",
                          {Str(ToString(status)), int64_t{run.files_written}, run.records_accepted,
                           run.records_rejected, run.bytes_read, dead, cursor, error, Ts(Now()),
                           run.id}));
    if (res.affected == 0) return NotFound("no ingest run with id " + run.id);
    return Status::OK();
  }

  Status MakeCurrent(SqlConnection& c, const std::string& dataset_id, const std::string& id,
                     UnixMicros now) {
    TARN_RETURN_IF_ERROR(c.Query("UPDATE schema_versions SET is_current = ? WHERE dataset_id = ? "
                                 "AND is_current = ?",
                                 {false, dataset_id, true})
                             .status());
    TARN_RETURN_IF_ERROR(
        c.Query("UPDATE schema_versions SET is_current = ? WHERE id = ?", {true, id}).status());
    TARN_RETURN_IF_ERROR(c.Query("INSERT INTO schema_history (dataset_id, schema_version_id, "
                                 "became_current_at) VALUES (?, ?, ?)",
                                 {dataset_id, id, Ts(now)})
                             .status());
    return c.Query("UPDATE datasets SET schema_version_id = ?, updated_at = ? WHERE id = ?",
                   {id, Ts(now), dataset_id})
        .status();
  }

  template <typename T, typename F>
  Result<std::vector<T>> ReadAll(const std::string& sql, const SqlParams& params, F convert) {
    std::vector<T> out;
    TARN_RETURN_IF_ERROR(pool_->Read([&](SqlConnection& c) -> Status {
      TARN_ASSIGN_OR_RETURN(auto res, c.Query(sql, params));
      out.reserve(res.rows.size());
      for (const SqlRow& r : res.rows) out.push_back(convert(r));
      return Status::OK();
    }));
    return out;
  }

  template <typename T, typename F>
  Result<T> ReadOne(const std::string& sql, const SqlParams& params, F convert,
                    const std::string& what) {
    TARN_ASSIGN_OR_RETURN(auto rows, ReadAll<T>(sql, params, convert));
    if (rows.empty()) return NotFound("no " + what);
    return std::move(rows[0]);
  }

  std::unique_ptr<SqlPool> pool_;

};

}  // namespace

Result<std::unique_ptr<CatalogStore>> CatalogStore::Open(const std::string& url, int pool_size) {
  TARN_ASSIGN_OR_RETURN(auto pool, SqlPool::Open(url, pool_size));
  TARN_RETURN_IF_ERROR(Migrate(*pool));
  return std::unique_ptr<CatalogStore>(new SqlCatalogStore(std::move(pool)));
}

}  // namespace tarn::catalog
