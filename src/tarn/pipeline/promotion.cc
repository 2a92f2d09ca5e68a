#include "tarn/pipeline/promotion.h"

#include <fcntl.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tarn/base/ids.h"
#include "tarn/base/time.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/engine/iceberg_read.h"
#include "tarn/engine/table_writer.h"
#include "tarn/format/avro_reader.h"
#include "tarn/iceberg/scan.h"
#include "tarn/iceberg/table_update.h"
#include "tarn/lake/lake.h"
#include "tarn/pipeline/change_events.h"
#include "tarn/pipeline/raw_stage.h"
#include "tarn/pipeline/zone_tables.h"
#include "tarn/quality/alerts.h"
#include "tarn/quality/profile.h"
#include "tarn/quality/rules.h"
#include "tarn/storage/file_sync.h"

namespace tarn::pipeline {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using quality::QuoteIdent;
using quality::QuoteString;

// The raw dataset's current schema and every version's, by version id.
struct RawSchemas {
  schema::Schema current;
  std::map<std::string, schema::Schema> by_version;
};

Result<RawSchemas> LoadRawSchemas(catalog::CatalogService& cat, const catalog::Dataset& ds) {
  TARN_ASSIGN_OR_RETURN(auto versions, cat.ListSchemas(ds.id));
  RawSchemas out;
  bool found = false;
  for (const auto& v : versions) {
    TARN_ASSIGN_OR_RETURN(auto parsed, schema::SchemaFromAvro(v.schema_json));
    if (v.is_current) {
      out.current = parsed;
      found = true;
    }
    out.by_version.emplace(v.id, std::move(parsed));
  }
  if (!found) return FailedPrecondition("raw dataset " + ds.name + " has no schema yet");
  return out;
}

// A spec type name ("long", "decimal(12,2)", "timestamptz", or a DuckDB type) as DuckDB's.
std::string DuckType(const std::string& t) {
  static const std::map<std::string, std::string> kNames = {
      {"long", "BIGINT"}, {"int", "INTEGER"}, {"integer", "INTEGER"}, {"string", "VARCHAR"},
      {"timestamptz", "TIMESTAMPTZ"}, {"timestamp", "TIMESTAMP"}, {"date", "DATE"},
      {"double", "DOUBLE"}, {"float", "FLOAT"}, {"boolean", "BOOLEAN"}, {"bool", "BOOLEAN"},
      {"uuid", "UUID"}, {"binary", "BLOB"}};
  auto it = kNames.find(t);
  return it != kNames.end() ? it->second : t;
}


// Writes `text` to `path` atomically (temp file, fsync, rename).
Status WriteFileAtomic(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return IOError("creating " + path.parent_path().string() + ": " + ec.message());
  fs::path tmp = path;
  tmp += ".tmp-" + NewUuid();
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.flush();
    if (!out) return IOError("writing " + tmp.string());
  }
  TARN_RETURN_IF_ERROR(storage::FsyncPath(tmp.string(), O_RDONLY));
  fs::rename(tmp, path, ec);
  if (ec) return IOError("renaming " + tmp.string() + ": " + ec.message());
  return storage::FsyncDir(path.parent_path().string());
}

// Whether two partition keys name the same hour of day (daily keys: always).
bool SameHour(const std::string& key, const std::string& other) {
  size_t h = key.find("/hour=");
  if (h == std::string::npos) return true;
  size_t oh = other.find("/hour=");
  return oh != std::string::npos && key.substr(h) == other.substr(oh);
}

class Promotion {
 public:
  Promotion(lake::Lake& lake, catalog::Dataset dataset, quality::PromotionSpec spec, int version,
            RawSchemas schemas, RawStager stager, std::unique_ptr<engine::DuckDb> db,
            lake::LakeTables& tables)
      : lake_(lake),
        cat_(lake.catalog()),
        ds_(std::move(dataset)),
        spec_(std::move(spec)),
        version_(version),
        schemas_(std::move(schemas)),
        stager_(std::move(stager)),
        db_(std::move(db)),
        tables_(tables) {
    // Checked when the spec was stored; a destination that no longer parses sends nothing.
    auto parsed = quality::ParseAlertDestinations(spec_.alerts_json);
    if (parsed.ok()) destinations_ = std::move(*parsed);
  }

  Result<PromotionResult> Run(const std::vector<catalog::Partition>& partitions) {
    PromotionResult result;
    result.raw_dataset = "raw." + ds_.name;
    result.target_table = "curated." + spec_.target;
    result.spec_version = version_;
    std::vector<catalog::Partition> passed;
    std::vector<PartitionOutcome*> passed_outcomes;
    result.partitions.reserve(partitions.size());
    for (const catalog::Partition& p : partitions) {
      result.partitions.push_back({p.id, p.partition_key});
      PartitionOutcome& out = result.partitions.back();
      if (p.format != catalog::FileFormat::kAvro) {
        out.outcome = "skipped";
        out.reason = "not an Avro file: raw partitions are promoted from Avro";
        continue;
      }
      TARN_RETURN_IF_ERROR(Gate(p, &out));
      if (out.outcome == "passed") {
        passed.push_back(p);
        passed_outcomes.push_back(&out);
      }
    }
    if (!passed.empty()) TARN_RETURN_IF_ERROR(Publish(passed, passed_outcomes, &result));
    return result;
  }

 private:
  // Reads the partition into the table "p_raw" (typed as the raw schema), then "p" (cast,
  // normalized, cleaned). Records go from avro-c values straight into DuckDB's appender,
  // projected by field id from the schema the file was written with.
  Status Stage(const catalog::Partition& p, int64_t* rows_in) {
    const schema::Schema* written = p.schema_version_id && schemas_.by_version.count(*p.schema_version_id)
                                        ? &schemas_.by_version.at(*p.schema_version_id)
                                        : nullptr;
    std::optional<schema::Schema> embedded;
    std::string path = cat_.lake().Resolve(p.file_path);
    if (!written) {
      TARN_ASSIGN_OR_RETURN(auto summary, format::ReadAvroSummary(path));
      TARN_ASSIGN_OR_RETURN(embedded, schema::SchemaFromAvro(summary.schema_json));
      written = &*embedded;
    }
    TARN_RETURN_IF_ERROR(
        db_->Exec("CREATE OR REPLACE TABLE p_in (" + stager_.InputColumns() + ")"));
    {
      TARN_ASSIGN_OR_RETURN(auto appender, db_->Append("p_in"));
      *rows_in = 0;
      TARN_RETURN_IF_ERROR(
          stager_.Append(path, *written, *appender, rows_in).WithContext(p.file_path));
      TARN_RETURN_IF_ERROR(appender->Close());
    }
    TARN_RETURN_IF_ERROR(db_->Exec("CREATE OR REPLACE TEMP TABLE p_raw AS SELECT " +
                                   stager_.TypedColumns() + " FROM p_in"));
    TARN_RETURN_IF_ERROR(db_->Exec("DROP TABLE p_in"));
    // Casts (TRY_CAST: a value that does not cast becomes NULL and is counted by a rule),
    // then the event time as a timestamp, then cleaning expressions over the cast columns.
    std::string replace;
    std::set<std::string> cast_columns;
    for (const auto& [column, type] : spec_.cast) {
      replace += (replace.empty() ? "" : ", ") + std::string("TRY_CAST(") + QuoteIdent(column) + " AS " +
                 DuckType(type) + ") AS " + QuoteIdent(column);
      cast_columns.insert(column);
    }
    std::string stage1 = "SELECT * " + (replace.empty() ? "" : "REPLACE (" + replace + ") ") + "FROM p_raw";
    std::string clean;
    for (const auto& [column, expr] : spec_.clean) {
      clean += (clean.empty() ? "" : ", ") + std::string("(") + expr + ") AS " + QuoteIdent(column);
    }
    std::string stage2 = "SELECT * " + (clean.empty() ? "" : "REPLACE (" + clean + ") ") + "FROM (" + stage1 + ")";
    return db_->Exec("CREATE OR REPLACE TEMP TABLE p AS " + stage2);
  }

  // The spec's rules plus the implicit ones every promotion needs.
  std::vector<quality::Rule> ImplicitRules() const {
    std::vector<quality::Rule> rules;
    for (const auto& [column, type] : spec_.cast) {
      quality::Rule r;
      r.kind = quality::RuleKind::kSql;
      r.name = "cast(" + column + " as " + type + ")";
      r.expression = QuoteIdent(column) + " IS NULL OR TRY_CAST(" + QuoteIdent(column) + " AS " +
                     DuckType(type) + ") IS NOT NULL";
      rules.push_back(std::move(r));
    }
    return rules;
  }

  static quality::Rule Required(const std::string& column, const std::string& shown) {
    quality::Rule r;
    r.kind = quality::RuleKind::kNotNull;
    r.name = "required(" + shown + ")";
    r.columns = {column};
    return r;
  }

  // Rules on every event (Events()): keys present; change events well formed.
  std::vector<quality::Rule> EventRules() const {
    std::vector<quality::Rule> rules;
    for (const std::string& c : spec_.key) rules.push_back(Required(c, c));
    if (!stager_.cdc()) return rules;
    rules.push_back(Required(kOpColumn, "op"));
    rules.push_back(Required(kLsnColumn, "source.lsn"));
    quality::Rule op;
    op.kind = quality::RuleKind::kAcceptedValues;
    op.name = "cdc(op)";
    op.columns = {kOpColumn};
    op.values = {"c", "u", "d", "r"};
    rules.push_back(std::move(op));
    return rules;
  }

  // The staged events, with the op and LSN columns of change events.
  std::string Events() const { return "(SELECT * EXCLUDE (_tarn_seq) FROM p)"; }
  // The row images the promotion writes: all rows, or the change events that are not deletes.
  std::string Rows() const {
    if (!stager_.cdc()) return Events();
    return std::string("(SELECT * EXCLUDE (_tarn_seq, ") + kOpColumn + ", " + kLsnColumn +
           ") FROM p WHERE " + kOpColumn + " IS DISTINCT FROM 'd')";
  }

  Status Gate(const catalog::Partition& p, PartitionOutcome* out) {
    TARN_RETURN_IF_ERROR(Stage(p, &out->rows_in));
    quality::RuleContext ctx;
    ctx.now = Clock::System().Now();
    ctx.event_time = spec_.event_time;
    ctx.reference = [this](const std::string& ref) { return ReferenceRelation(ref); };
    // Casts are judged on the raw values; everything else on the staged rows.
    TARN_ASSIGN_OR_RETURN(auto results, quality::EvaluateRules(*db_, "p_raw", ImplicitRules(), ctx));
    std::vector<quality::Rule> on_events = EventRules();
    std::vector<quality::Rule> on_rows;
    if (!spec_.event_time.empty()) on_rows.push_back(Required(spec_.event_time, spec_.event_time));
    on_rows.insert(on_rows.end(), spec_.rules.begin(), spec_.rules.end());
    if (!stager_.cdc()) {  // the same relation: one pass
      on_events.insert(on_events.end(), on_rows.begin(), on_rows.end());
      on_rows.clear();
    }
    for (const auto& [relation, rules] : {std::pair{Events(), &on_events}, {Rows(), &on_rows}}) {
      if (rules->empty()) continue;
      TARN_ASSIGN_OR_RETURN(auto measured, quality::EvaluateRules(*db_, relation, *rules, ctx));
      results.insert(results.end(), measured.begin(), measured.end());
    }
    TARN_ASSIGN_OR_RETURN(quality::Profile profile, quality::ComputeProfile(*db_, Rows()));
    TARN_ASSIGN_OR_RETURN(auto baseline_runs,
                          cat_.store().RecentPassedRuns(p, spec_.anomaly.window * 4));
    // Comparable partitions: the same hour of day when there are enough of them, else all.
    std::vector<quality::Profile> same_hour, any;  // oldest first
    for (auto it = baseline_runs.rbegin(); it != baseline_runs.rend(); ++it) {
      json details = json::parse(*it->run.details, nullptr, false);
      if (!details.is_object() || !details.contains("profile")) continue;
      auto prof = quality::ProfileFromJson(details["profile"].dump());
      if (!prof.ok()) continue;
      if (SameHour(p.partition_key, it->partition_key)) same_hour.push_back(*prof);
      any.push_back(std::move(*prof));
    }
    const auto& baseline = static_cast<int>(same_hour.size()) >= spec_.anomaly.min_history ? same_hour : any;
    quality::AnomalyScore anomaly = quality::ScoreAnomaly(profile, baseline, spec_.anomaly);

    int blocking = 0, passed_rules = 0;
    json rule_json = json::array(), failed_json = json::array();
    for (const quality::RuleResult& r : results) {
      bool blocks = !r.passed && r.severity == quality::Severity::kBlock;
      blocking += blocks;
      passed_rules += !blocks;
      if (!r.passed && !blocks) out->warnings.push_back(r.name + ": " + r.detail);
      json j = {{"rule", r.name}, {"kind", std::string(quality::RuleKindName(r.kind))},
                {"severity", std::string(quality::SeverityName(r.severity))}, {"passed", r.passed},
                {"rows", r.rows}, {"violations", r.violations}};
      if (r.observed) j["observed"] = *r.observed;
      if (!r.detail.empty()) j["detail"] = r.detail;
      rule_json.push_back(j);
      if (!r.passed) {
        j["samples"] = json::array();
        for (const std::string& s : r.samples) j["samples"].push_back(json::parse(s, nullptr, false));
        failed_json.push_back(std::move(j));
      }
    }
    bool anomaly_blocks = anomaly.flagged && anomaly.verdict == quality::Severity::kBlock;
    if (anomaly.flagged && !anomaly_blocks) out->warnings.push_back("anomaly: " + anomaly.detail);
    out->anomaly_score = anomaly.score;
    json anomaly_json = {{"baseline_partitions", anomaly.baseline}, {"detail", anomaly.detail},
                         {"warn", spec_.anomaly.warn}, {"block", spec_.anomaly.block}};
    if (anomaly.score) anomaly_json["score"] = *anomaly.score;
    json deviations = json::array();
    for (size_t i = 0; i < anomaly.deviations.size() && i < 5; ++i) {
      const auto& d = anomaly.deviations[i];
      deviations.push_back({{"metric", d.metric}, {"value", d.value}, {"mean", d.mean},
                            {"stddev", d.stddev}, {"z", d.z}});
    }
    anomaly_json["deviations"] = deviations;

    if (blocking > 0) {
      out->outcome = "quarantined";
      out->reason = std::to_string(blocking) + " blocking rule(s) failed";
    } else if (anomaly_blocks) {
      out->outcome = "blocked_by_anomaly";
      out->reason = "anomaly score " + std::to_string(*anomaly.score) + " above " +
                    std::to_string(spec_.anomaly.block) + ": " + anomaly.detail;
    } else {
      out->outcome = "passed";
    }
    json details = {{"spec_version", version_}, {"verdict", out->outcome}, {"rules", rule_json},
                    {"profile", json::parse(quality::ProfileToJson(profile))}, {"anomaly", anomaly_json},
                    {"warnings", out->warnings}};
    if (!out->reason.empty()) details["reason"] = out->reason;
    catalog::QualityRunSpec run;
    run.status = out->outcome == "passed" ? "passed" : "failed";
    run.rules_passed = passed_rules;
    run.rules_failed = blocking + (anomaly_blocks ? 1 : 0);
    if (anomaly.score) run.anomaly_score = *anomaly.score;
    run.details = details.dump();
    if (out->outcome != "passed") {
      // The report first: a quarantined status always has its report.
      std::string rel = "quarantine/" + ds_.name + "/" + p.partition_key + "/" + p.id + "/report.json";
      json report = {{"dataset", "raw." + ds_.name}, {"partition_id", p.id},
                     {"partition_key", p.partition_key}, {"file", p.file_path},
                     {"verdict", out->outcome}, {"reason", out->reason}, {"rows", out->rows_in},
                     {"failed_rules", failed_json}, {"anomaly", anomaly_json},
                     {"spec_version", version_},
                     {"created_at", FormatIsoTimestamp(Clock::System().Now())}};
      TARN_RETURN_IF_ERROR(WriteFileAtomic(fs::path(tables_.root()) / rel, report.dump(2) + "\n"));
      out->report_path = rel;
    }
    TARN_ASSIGN_OR_RETURN(auto recorded, cat_.RecordQualityRun(p.id, run));
    out->quality_run_id = recorded.run.id;
    Alert(p, *out, anomaly.flagged, json{{"failed_rules", failed_json}, {"anomaly", anomaly_json},
                                        {"quality_run_id", out->quality_run_id},
                                        {"report", out->report_path}, {"warnings", out->warnings}});
    if (out->outcome == "passed") {
      // Keep the staged rows for the batch.
      TARN_RETURN_IF_ERROR(db_->Exec(
          std::string(batch_started_ ? "INSERT INTO batch " : "CREATE OR REPLACE TEMP TABLE batch AS ") +
          "SELECT * EXCLUDE (_tarn_seq), " + QuoteString(p.id) + " AS _tarn_partition, " +
          std::to_string(batch_seq_) + " * 10000000000 + _tarn_seq AS _tarn_order FROM p"));
      batch_started_ = true;
      ++batch_seq_;
    }
    return Status::OK();
  }

  // Notifies the spec's alert destinations of a quarantine, an anomaly block or an anomaly
  // warning (deliveries are recorded; a failed delivery never fails the gate).
  void Alert(const catalog::Partition& p, const PartitionOutcome& out, bool anomaly_flagged, const json& details) {
    if (destinations_.empty()) return;
    quality::Alert alert;
    alert.dataset_id = ds_.id;
    alert.dataset_name = "raw." + ds_.name;
    alert.partition_id = p.id;
    alert.partition_key = p.partition_key;
    alert.sla_hours = ds_.sla_hours;
    alert.details_json = details.dump();
    if (out.outcome == "quarantined") {
      alert.kind = quality::AlertKind::kQuarantine;
      alert.severity = quality::AlertSeverity::kBlock;
    } else if (out.outcome == "blocked_by_anomaly") {
      alert.kind = quality::AlertKind::kAnomalyBlock;
      alert.severity = quality::AlertSeverity::kBlock;
    } else if (anomaly_flagged) {
      alert.kind = quality::AlertKind::kAnomalyWarn;
      alert.severity = quality::AlertSeverity::kWarn;
    } else {
      return;
    }
    alert.summary = alert.dataset_name + " " + p.partition_key + ": " +
                    (out.reason.empty() ? "anomaly warning" : out.reason);
    notifier_.Deliver(alert, destinations_);
  }

  Result<std::string> ReferenceRelation(const std::string& ref) {
    size_t first = ref.find('.'), last = ref.rfind('.');
    if (first == std::string::npos || first == last) {
      return FailedPrecondition("ref '" + ref + "' must be zone.dataset.column");
    }
    TARN_ASSIGN_OR_RETURN(auto table, tables_.Load(ref.substr(0, first), ref.substr(first + 1, last - first - 1)));
    const iceberg::TableMetadata& md = table->metadata();
    TARN_ASSIGN_OR_RETURN(auto plan, iceberg::PlanScan(md, md.CurrentSnapshot(), {}, *tables_.io()));
    TARN_ASSIGN_OR_RETURN(std::string scan, engine::IcebergScanSql(plan, *md.CurrentSchema(), *tables_.io()));
    return "(" + scan + ")";
  }

  Result<std::unique_ptr<iceberg::Table>> TargetTable() {
    // Change events keep their LSN in the table: the version of each row (change_events.h).
    std::string columns = std::string("SELECT * EXCLUDE (_tarn_partition, _tarn_order") +
                          (stager_.cdc() ? std::string(", ") + kOpColumn : "") + ") FROM batch";
    TARN_ASSIGN_OR_RETURN(
        auto target,
        LoadOrCreateTable(tables_, *db_, "curated", spec_.target, columns, spec_.partition_by,
                          {{"tarn.promoted-from", "raw." + ds_.name}}));
    if (target.created) {
      // The curated dataset in the control plane, beside its table.
      catalog::DatasetSpec d{ds_.source_id, spec_.target, "curated", ds_.owner, ds_.sla_hours};
      TARN_RETURN_IF_ERROR(cat_.UpsertDataset(d).status());
    }
    return std::move(target.table);
  }

  // Upserts the batch, deduplicated by key (the latest event time of a key wins, then the
  // latest landed row), into the target; leaves the written rows in `deduped`.
  Result<engine::WriteResult> Upsert(iceberg::Table& table, const iceberg::SummaryProps& props) {
    std::string key;
    for (const std::string& k : spec_.key) key += (key.empty() ? "" : ", ") + QuoteIdent(k);
    TARN_RETURN_IF_ERROR(db_->Exec("CREATE OR REPLACE TEMP TABLE deduped AS SELECT * FROM batch QUALIFY "
                                   "row_number() OVER (PARTITION BY " + key + " ORDER BY " +
                                   QuoteIdent(spec_.event_time) + " DESC NULLS LAST, _tarn_order DESC) = 1"));
    return engine::UpsertIntoTable(*db_, table,
                                   "SELECT * EXCLUDE (_tarn_partition, _tarn_order) FROM deduped",
                                   spec_.key, props);
  }

  Status Publish(const std::vector<catalog::Partition>& partitions,
                 const std::vector<PartitionOutcome*>& outcomes, PromotionResult* result) {
    TARN_ASSIGN_OR_RETURN(auto table, TargetTable());
    std::string ids, runs;
    for (size_t i = 0; i < partitions.size(); ++i) {
      ids += (i ? "," : "") + partitions[i].id;
      runs += (i ? "," : "") + outcomes[i]->quality_run_id;
    }
    iceberg::SummaryProps props = {{"tarn.raw-dataset", "raw." + ds_.name},
                                   {"tarn.raw-partitions", ids},
                                   {"tarn.quality-runs", runs},
                                   {"tarn.promotion-spec-version", std::to_string(version_)}};
    TARN_ASSIGN_OR_RETURN(
        auto written, stager_.cdc()
                          ? ApplyChangeEvents(*db_, tables_, *table, spec_.target, spec_.key, props)
                          : Upsert(*table, props));
    std::map<std::string, int64_t> rows_out;
    TARN_RETURN_IF_ERROR(
        db_->Query("SELECT _tarn_partition, CAST(count(*) AS VARCHAR) FROM deduped GROUP BY 1", {},
                   [&](const engine::Row& r) {
                     rows_out[*r[0]] = std::stoll(*r[1]);
                     return Status::OK();
                   }));
    result->snapshot_id = table->metadata().current_snapshot_id.value_or(0);
    result->rows_written = written.rows_written;
    result->rows_replaced = written.rows_replaced;
    result->rows_deleted = written.rows_deleted - written.rows_replaced;
    std::vector<catalog::LineageRecord> lineage;
    for (size_t i = 0; i < partitions.size(); ++i) {
      PartitionOutcome* out = outcomes[i];
      out->outcome = "promoted";
      out->rows_out = rows_out[partitions[i].id];
      catalog::LineageRecord l;
      l.raw_dataset_id = ds_.id;
      l.partition_id = partitions[i].id;
      l.quality_run_id = out->quality_run_id;
      l.target_table = result->target_table;
      l.snapshot_id = result->snapshot_id;
      l.rows_in = out->rows_in;
      l.rows_out = out->rows_out;
      lineage.push_back(std::move(l));
    }
    return cat_.store().RecordPromotion(lineage);
  }

  lake::Lake& lake_;
  catalog::CatalogService& cat_;
  catalog::Dataset ds_;
  quality::PromotionSpec spec_;
  int version_;
  RawSchemas schemas_;
  RawStager stager_;
  std::unique_ptr<engine::DuckDb> db_;
  lake::LakeTables& tables_;
  std::vector<quality::AlertDestination> destinations_;
  quality::Notifier notifier_{cat_.store()};
  bool batch_started_ = false;
  int64_t batch_seq_ = 0;
};

Result<catalog::Dataset> RawDataset(catalog::CatalogService& cat, const std::string& id) {
  TARN_ASSIGN_OR_RETURN(auto ds, cat.GetDataset(id));
  if (ds.zone != catalog::Zone::kRaw) {
    return FailedPrecondition("dataset " + ds.name + " is not in the raw zone: only raw datasets are promoted");
  }
  return ds;
}

}  // namespace

Result<int> SetPromotionSpec(lake::Lake& lake, const std::string& raw_dataset_id, const std::string& text) {
  TARN_ASSIGN_OR_RETURN(auto ds, RawDataset(lake.catalog(), raw_dataset_id));
  TARN_ASSIGN_OR_RETURN(auto spec, quality::ParsePromotionSpec(text));
  TARN_RETURN_IF_ERROR(quality::ParseAlertDestinations(spec.alerts_json).status());
  TARN_ASSIGN_OR_RETURN(auto schemas, LoadRawSchemas(lake.catalog(), ds));
  TARN_RETURN_IF_ERROR(quality::CheckAgainst(spec, schemas.current));
  TARN_RETURN_IF_ERROR(lake::LakeTables::CheckName("curated", spec.target));
  TARN_ASSIGN_OR_RETURN(auto stored,
                        lake.catalog().store().PutPromotionSpec(ds.id, quality::PromotionSpecToJson(spec)));
  return stored.version;
}

Result<PromotionResult> Promote(lake::Lake& lake, const std::string& raw_dataset_id,
                                const PromotionRequest& request) {
  catalog::CatalogService& cat = lake.catalog();
  TARN_ASSIGN_OR_RETURN(auto ds, RawDataset(cat, raw_dataset_id));
  TARN_ASSIGN_OR_RETURN(auto stored, cat.store().GetPromotionSpec(ds.id));
  if (!stored) {
    return FailedPrecondition("raw." + ds.name + " has no promotion spec: set one with `tarn promotion set` "
                              "or PUT /datasets/{id}/promotion");
  }
  TARN_ASSIGN_OR_RETURN(auto spec, quality::ParsePromotionSpec(stored->spec_json));
  TARN_ASSIGN_OR_RETURN(auto schemas, LoadRawSchemas(cat, ds));
  TARN_ASSIGN_OR_RETURN(auto* tables, lake.tables());

  std::vector<catalog::Partition> partitions;
  if (!request.partition_ids.empty()) {
    for (const std::string& id : request.partition_ids) {
      TARN_ASSIGN_OR_RETURN(auto p, cat.GetPartition(id));
      if (p.dataset_id != ds.id) {
        return FailedPrecondition("partition " + id + " belongs to another dataset");
      }
      partitions.push_back(std::move(p));
    }
  } else {
    catalog::PartitionListSpec list;
    list.from = request.from;
    list.to = request.to;
    list.limit = catalog::CatalogService::kMaxPartitionPage;
    while (true) {
      TARN_ASSIGN_OR_RETURN(auto page, cat.ListPartitions(ds, list));
      for (auto& p : page.partitions) {
        bool wanted = p.status == catalog::PartitionStatus::kLanded ||
                      p.status == catalog::PartitionStatus::kPassed ||
                      (request.rerun_quarantined && p.status == catalog::PartitionStatus::kQuarantined);
        if (wanted) partitions.push_back(std::move(p));
      }
      if (!page.next_cursor) break;
      list.cursor = page.next_cursor;
    }
  }
  std::sort(partitions.begin(), partitions.end(), [](const auto& a, const auto& b) {
    return std::tie(a.partition_key, a.created_at, a.id) < std::tie(b.partition_key, b.created_at, b.id);
  });
  engine::SandboxOptions sandbox;
  for (const char* dir : {"/raw/", "/curated/", "/serving/"}) {
    sandbox.readable_directories.push_back(tables->root() + dir);
  }
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::OpenSandboxed(sandbox));
  TARN_ASSIGN_OR_RETURN(RawStager stager, RawStager::Make(schemas.current, spec.cdc.has_value()));
  Promotion promotion(lake, ds, std::move(spec), stored->version, std::move(schemas),
                      std::move(stager), std::move(db), *tables);
  return promotion.Run(partitions);
}

std::string PromotionResultToJson(const PromotionResult& r) {
  json parts = json::array();
  for (const PartitionOutcome& p : r.partitions) {
    json j = {{"partition_id", p.partition_id}, {"partition_key", p.partition_key},
              {"outcome", p.outcome}, {"rows_in", p.rows_in}, {"rows_out", p.rows_out},
              {"warnings", p.warnings}};
    if (!p.reason.empty()) j["reason"] = p.reason;
    if (!p.quality_run_id.empty()) j["quality_run_id"] = p.quality_run_id;
    if (p.anomaly_score) j["anomaly_score"] = *p.anomaly_score;
    if (!p.report_path.empty()) j["report"] = p.report_path;
    parts.push_back(std::move(j));
  }
  json out = {{"raw_dataset", r.raw_dataset},
              {"target_table", r.target_table},
              {"spec_version", r.spec_version},
              {"rows_written", r.rows_written},
              {"rows_replaced", r.rows_replaced},
              {"rows_deleted", r.rows_deleted},
              {"partitions", parts}};
  out["snapshot_id"] = r.snapshot_id ? json(r.snapshot_id) : json(nullptr);
  return out.dump();
}

}  // namespace tarn::pipeline
