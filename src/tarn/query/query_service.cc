#include "tarn/query/query_service.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "tarn/engine/iceberg_read.h"
#include "tarn/iceberg/scan.h"
#include "tarn/lake/lake.h"
#include "tarn/query/sql_text.h"
#include "tarn/query/table_refs.h"

namespace tarn::query {
namespace {

using Clock = std::chrono::steady_clock;

std::string Quote(const std::string& ident) {
  std::string out = "\"";
  for (char c : ident) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Bytes(int64_t n) {
  std::ostringstream out;
  out.precision(3);
  out << static_cast<double>(n) / (1 << 20) << " MiB";
  return out.str();
}

// Interrupts the session's statement when its deadline passes. One thread per session.
class Watchdog {
 public:
  explicit Watchdog(std::function<void()> on_expire)
      : on_expire_(std::move(on_expire)), thread_([this] { Run(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Arm(double seconds) {
    std::lock_guard<std::mutex> lock(mu_);
    deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(seconds));
    expired_ = false;
    cv_.notify_all();
  }
  void Disarm() {
    std::lock_guard<std::mutex> lock(mu_);
    deadline_.reset();
  }
  bool expired() {
    std::lock_guard<std::mutex> lock(mu_);
    return expired_;
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (!deadline_) {
        cv_.wait(lock);
      } else if (cv_.wait_until(lock, *deadline_) == std::cv_status::timeout && deadline_ &&
                 Clock::now() >= *deadline_) {
        deadline_.reset();
        expired_ = true;
        on_expire_();
      }
    }
  }

  std::function<void()> on_expire_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Clock::time_point> deadline_;
  bool expired_ = false;
  bool stop_ = false;
  std::thread thread_;
};

// One table reference as planned, for EXPLAIN.
struct RefPlan {
  std::string table;  // zone.name
  int64_t snapshot_id = 0;
  iceberg::Filter filter;
  iceberg::ScanMetrics metrics;
  size_t files_scanned = 0;
};

// A statement ready for DuckDB: the text with every lake table replaced by a read of its
// planned files.
struct Rewritten {
  std::string sql;
  bool explain = false, analyze = false;
  std::vector<RefPlan> plans;
};

class VectorStream final : public ResultStream {
 public:
  VectorStream(std::vector<Column> columns, std::vector<Row> rows)
      : columns_(std::move(columns)), rows_(std::move(rows)) {}
  const std::vector<Column>& columns() const override { return columns_; }
  Result<bool> Next(Row* row) override {
    if (next_ >= rows_.size()) return false;
    *row = std::move(rows_[next_++]);
    return true;
  }

 private:
  std::vector<Column> columns_;
  std::vector<Row> rows_;
  size_t next_ = 0;
};

class SessionImpl;

class CursorStream final : public ResultStream {
 public:
  CursorStream(SessionImpl* session, std::vector<Column> columns,
               std::unique_ptr<engine::QueryCursor> cursor)
      : session_(session), columns_(std::move(columns)), cursor_(std::move(cursor)) {}
  ~CursorStream() override;
  const std::vector<Column>& columns() const override { return columns_; }
  Result<bool> Next(Row* row) override;

 private:
  SessionImpl* session_;
  std::vector<Column> columns_;
  std::unique_ptr<engine::QueryCursor> cursor_;
  bool done_ = false;
};

struct LoadedTable {
  std::string metadata_location;
  std::unique_ptr<iceberg::Table> table;
};

class SessionImpl final : public Session {
 public:
  SessionImpl(lake::LakeTables& tables, QueryLimits limits, std::vector<std::string> zones,
              std::unique_ptr<engine::DuckDb> db)
      : tables_(tables), limits_(limits), zones_(std::move(zones)), db_(std::move(db)),
        watchdog_([this] { db_->Interrupt(); }) {}

  Result<StatementInfo> Describe(const std::string& sql) override {
    TARN_ASSIGN_OR_RETURN(Rewritten r, Rewrite(sql));
    StatementInfo info;
    if (r.explain) {
      info.columns.push_back(Column{"explain", ColumnType::kVarchar, "VARCHAR"});
      return info;
    }
    TARN_ASSIGN_OR_RETURN(engine::StatementShape shape, db_->Describe(r.sql));
    info.parameter_count = static_cast<int>(shape.parameter_types.size());
    info.parameter_types = std::move(shape.parameter_types);
    info.columns = std::move(shape.columns);
    return info;
  }

  Result<std::unique_ptr<ResultStream>> Execute(
      const std::string& sql, const std::vector<std::optional<std::string>>& params) override {
    watchdog_.Arm(limits_.timeout_seconds);
    auto result = Run(sql, params);
    if (!result.ok()) {
      watchdog_.Disarm();
      return Explain(result.status());
    }
    return result;
  }

  Status ExportParquet(const std::string& sql, const std::string& path) override {
    watchdog_.Arm(limits_.timeout_seconds);
    Status st = [&]() -> Status {
      TARN_ASSIGN_OR_RETURN(Rewritten r, Rewrite(sql));
      if (r.explain) return InvalidArgument("EXPLAIN cannot be exported");
      std::string quoted = "'";
      for (char c : path) quoted += c == '\'' ? std::string("''") : std::string(1, c);
      return db_->Exec("COPY (" + r.sql + "\n) TO " + quoted + "' (FORMAT parquet)");
    }();
    watchdog_.Disarm();
    return Explain(st);
  }

  void Interrupt() override { db_->Interrupt(); }

  // A statement's error, with the limit it hit named.
  Status Explain(const Status& st) {
    if (st.code() == ErrorCode::kUnavailable && watchdog_.expired()) {
      return Unavailable("canceled: the statement exceeded the time limit of " +
                         std::to_string(static_cast<int64_t>(std::ceil(limits_.timeout_seconds))) + " s");
    }
    if (st.code() == ErrorCode::kResourceExhausted) {
      return ResourceExhausted("the statement exceeded the memory limit of " +
                               Bytes(limits_.memory_bytes) + ": " + st.message());
    }
    return st;
  }
  void Finished() { watchdog_.Disarm(); }

 private:
  Result<std::unique_ptr<ResultStream>> Run(const std::string& sql,
                                            const std::vector<std::optional<std::string>>& params) {
    TARN_ASSIGN_OR_RETURN(Rewritten r, Rewrite(sql, params));
    if (r.explain) {
      std::vector<Row> rows = ExplainRows(r);
      std::string plan_sql = std::string(r.analyze ? "EXPLAIN ANALYZE " : "EXPLAIN ") + r.sql;
      TARN_ASSIGN_OR_RETURN(auto cursor, db_->ExecuteParams(plan_sql, params));
      engine::Row row;
      while (true) {
        TARN_ASSIGN_OR_RETURN(bool more, cursor->Next(&row));
        if (!more) break;
        std::istringstream lines(row.size() > 1 && row[1] ? *row[1] : "");
        for (std::string line; std::getline(lines, line);) rows.push_back(Row{line});
      }
      watchdog_.Disarm();
      return std::unique_ptr<ResultStream>(std::make_unique<VectorStream>(
          std::vector<Column>{Column{"explain", ColumnType::kVarchar, "VARCHAR"}}, std::move(rows)));
    }
    TARN_ASSIGN_OR_RETURN(engine::TextResult result, db_->ExecuteText(r.sql, params));
    return std::unique_ptr<ResultStream>(std::make_unique<CursorStream>(
        this, std::move(result.columns), std::move(result.cursor)));
  }

  std::vector<Row> ExplainRows(const Rewritten& r) {
    std::vector<Row> rows;
    for (const RefPlan& p : r.plans) {
      std::string filter;
      for (const iceberg::Predicate& pred : p.filter) {
        filter += (filter.empty() ? "" : " AND ") + pred.ToString();
      }
      rows.push_back(Row{"tarn: " + p.table + " snapshot " +
                         (p.snapshot_id ? std::to_string(p.snapshot_id) : std::string("none")) +
                         ": files considered " + std::to_string(p.metrics.data_files_considered) +
                         ", scanned " + std::to_string(p.files_scanned) + ", skipped " +
                         std::to_string(p.metrics.data_files_skipped) + "; manifests " +
                         std::to_string(p.metrics.manifests_total - p.metrics.manifests_skipped) +
                         " of " + std::to_string(p.metrics.manifests_total) + " read; delete files " +
                         std::to_string(p.metrics.delete_files)});
      rows.push_back(Row{"tarn:   pruned by: " + (filter.empty() ? std::string("(nothing)") : filter)});
    }
    return rows;
  }

  // Brings the session's copy of each readable table (its columns, as an empty DuckDB table
  // named zone.name that information_schema and pg_catalog list) up to date.
  Status Sync() {
    for (const std::string& zone : zones_) {
      TARN_ASSIGN_OR_RETURN(auto records, tables_.Records(zone));
      std::map<std::string, LoadedTable>& known = loaded_[zone];
      std::map<std::string, LoadedTable> next;
      for (const catalog::TableRecord& rec : records) {
        auto it = known.find(rec.name);
        if (it != known.end() && it->second.metadata_location == rec.metadata_location) {
          next[rec.name] = std::move(it->second);
          continue;
        }
        auto table = tables_.Load(zone, rec.name);
        if (!table.ok()) continue;  // dropped meanwhile, or unreadable: not listed
        const schema::Schema* schema = (*table)->metadata().CurrentSchema();
        std::string columns;
        for (const schema::NestedField& f : schema->fields()) {
          columns += (columns.empty() ? "" : ", ") + Quote(f.name) + " " + engine::DuckDbType(*f.type);
        }
        TARN_RETURN_IF_ERROR(db_->Exec("CREATE OR REPLACE TABLE " + Quote(zone) + "." +
                                       Quote(rec.name) + " (" + columns + ")"));
        next[rec.name] = LoadedTable{(*table)->metadata_location(), std::move(*table)};
      }
      for (const auto& [name, t] : known) {
        if (!next.count(name)) {
          TARN_RETURN_IF_ERROR(db_->Exec("DROP TABLE IF EXISTS " + Quote(zone) + "." + Quote(name)));
        }
      }
      known = std::move(next);
    }
    return Status::OK();
  }

  Result<KnownTable> Lookup(const std::string& zone, const std::string& name) {
    if (zone == "raw") {
      return PermissionDenied("raw." + name +
                              ": the raw zone is not queryable with SQL (raw partitions are "
                              "immutable Avro files); query its curated table instead");
    }
    auto zit = loaded_.find(zone);
    if (zit == loaded_.end()) {
      return PermissionDenied("permission denied for zone '" + zone + "': the token has no " +
                              zone + ":read grant");
    }
    for (const auto& [table_name, t] : zit->second) {
      if (Lower(table_name) == Lower(name)) {
        return KnownTable{table_name, t.table->metadata().CurrentSchema()};
      }
    }
    return NotFound("table " + zone + "." + name + " does not exist");
  }

  Result<const iceberg::Snapshot*> SnapshotFor(const std::string& table_name,
                                               const iceberg::TableMetadata& metadata,
                                               const std::optional<TimeTravel>& tt) {
    if (!tt) return metadata.CurrentSnapshot();
    std::string value;
    std::string sql = tt->kind == TimeTravel::kTimestamp
                          ? "SELECT CAST(epoch_ms(CAST((" + tt->expression + ") AS TIMESTAMPTZ)) AS VARCHAR)"
                          : "SELECT CAST((" + tt->expression + ") AS VARCHAR)";
    Status st = db_->Query(sql, {}, [&](const engine::Row& row) {
      if (row[0]) value = *row[0];
      return Status::OK();
    });
    if (!st.ok()) {
      return InvalidArgument("time travel on " + table_name + ": cannot evaluate '" +
                             tt->expression + "': " + st.message());
    }
    if (tt->kind == TimeTravel::kTimestamp) {
      const iceberg::Snapshot* s = metadata.SnapshotAsOf(std::stoll(value));
      if (!s) {
        return NotFound("table " + table_name + " has no snapshot at or before " + tt->expression);
      }
      return s;
    }
    char* end = nullptr;
    long long id = std::strtoll(value.c_str(), &end, 10);
    if (end != value.c_str() && *end == '\0') {
      if (const iceberg::Snapshot* s = metadata.SnapshotById(id)) return s;
      return NotFound("table " + table_name + " has no snapshot " + value);
    }
    auto ref = metadata.refs.find(value);
    if (ref == metadata.refs.end()) {
      return NotFound("table " + table_name + " has no snapshot, tag or branch '" + value + "'");
    }
    return metadata.SnapshotById(ref->second.snapshot_id);
  }

  Result<Rewritten> Rewrite(const std::string& statement, const engine::Params& params = {}) {
    Rewritten out;
    std::string sql = statement;
    size_t rest = 0;
    if (FirstKeyword(sql, &rest) == "EXPLAIN") {
      out.explain = true;
      sql = sql.substr(rest);
      if (FirstKeyword(sql, &rest) == "ANALYZE") {
        out.analyze = true;
        sql = sql.substr(rest);
      }
    }
    TARN_ASSIGN_OR_RETURN(auto time_travel, ExtractTimeTravel(&sql));
    TARN_RETURN_IF_ERROR(Sync());
    TARN_ASSIGN_OR_RETURN(
        auto refs, FindTableRefs(*db_, sql, time_travel,
                                 [this](const std::string& z, const std::string& n) { return Lookup(z, n); },
                                 params));
    // Replace from the last reference backwards, so earlier offsets stay valid.
    for (auto it = refs.rbegin(); it != refs.rend(); ++it) {
      const TableRef& ref = *it;
      if (ref.in_show) continue;
      const iceberg::Table& table = *loaded_[ref.zone][ref.name].table;
      const iceberg::TableMetadata& metadata = table.metadata();
      std::string full_name = ref.zone + "." + ref.name;
      TARN_ASSIGN_OR_RETURN(const iceberg::Snapshot* snapshot,
                            SnapshotFor(full_name, metadata, ref.time_travel));
      auto plan = iceberg::PlanScan(metadata, snapshot, ref.filter, *tables_.io(),
                                    {.column_stats = false});
      if (!plan.ok()) return plan.status().WithContext("planning " + full_name);
      TARN_ASSIGN_OR_RETURN(std::string scan,
                            engine::IcebergScanSql(*plan, *metadata.CurrentSchema(), *tables_.io()));
      out.plans.insert(out.plans.begin(), RefPlan{full_name, plan->snapshot_id, ref.filter,
                                                  plan->metrics, plan->tasks.size()});
      std::string replacement = "(" + scan + ")" + (ref.has_alias ? "" : " AS " + Quote(ref.name));
      sql.replace(ref.name_begin, ref.name_end - ref.name_begin, replacement);
    }
    out.sql = std::move(sql);
    return out;
  }

  lake::LakeTables& tables_;
  QueryLimits limits_;
  std::vector<std::string> zones_;  // readable table zones
  std::unique_ptr<engine::DuckDb> db_;
  std::map<std::string, std::map<std::string, LoadedTable>> loaded_;  // zone -> name -> table
  Watchdog watchdog_;
};

CursorStream::~CursorStream() { session_->Finished(); }

Result<bool> CursorStream::Next(Row* row) {
  if (done_) return false;
  auto more = cursor_->Next(row);
  if (!more.ok() || !*more) {
    done_ = true;
    session_->Finished();
    if (!more.ok()) return session_->Explain(more.status());
  }
  return more;
}

}  // namespace

QueryService::QueryService(lake::Lake& lake, QueryLimits limits) : lake_(lake), limits_(limits) {}

Result<std::unique_ptr<Session>> QueryService::OpenSession(const catalog::Grants& grants) const {
  return OpenSession(grants, "");
}

Result<std::unique_ptr<Session>> QueryService::OpenSession(const catalog::Grants& grants,
                                                           const std::string& export_directory) const {
  TARN_ASSIGN_OR_RETURN(lake::LakeTables * tables, lake_.tables());
  engine::SandboxOptions sandbox;
  sandbox.memory_limit_bytes = limits_.memory_bytes;
  sandbox.threads = limits_.threads;
  std::vector<std::string> zones;
  std::error_code ec;
  std::string canonical = std::filesystem::weakly_canonical(tables->root(), ec).string();
  for (const char* zone : {"curated", "serving"}) {
    catalog::Zone z;
    if (!catalog::Parse(zone, &z) || !grants.Allows(z, catalog::Access::kRead)) continue;
    zones.emplace_back(zone);
    sandbox.readable_directories.push_back(tables->root() + "/" + zone + "/");
    if (!ec && canonical != tables->root()) {
      sandbox.readable_directories.push_back(canonical + "/" + zone + "/");
    }
  }
  if (!export_directory.empty()) {
    sandbox.readable_directories.push_back(export_directory.back() == '/' ? export_directory
                                                                          : export_directory + "/");
  }
  TARN_ASSIGN_OR_RETURN(auto db, engine::DuckDb::OpenSandboxed(sandbox));
  for (const std::string& zone : zones) TARN_RETURN_IF_ERROR(db->Exec("CREATE SCHEMA " + Quote(zone)));
  return std::unique_ptr<Session>(
      std::make_unique<SessionImpl>(*tables, limits_, std::move(zones), std::move(db)));
}

}  // namespace tarn::query
