// SQLite driver: WAL journal, synchronous=FULL (an acknowledged commit survives power loss),
// foreign keys on, a busy timeout so a CLI and a server can share one catalog file.
#include <sqlite3.h>

#include <string>
#include <unordered_map>

#include "tarn/catalog/sql_db.h"

namespace tarn::catalog {
namespace {

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExists(msg);
      }
      return FailedPrecondition(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(msg);
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return IOError(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status(ErrorCode::kCorruption, msg);
    default:
      return Internal(msg);
  }
}

// The current row of a stepping statement, read in place.
class StatementRowView final : public SqlRowView {
 public:
  explicit StatementRowView(sqlite3_stmt* stmt) : stmt_(stmt) {}
  bool IsNull(size_t i) const override {
    return sqlite3_column_type(stmt_, static_cast<int>(i)) == SQLITE_NULL;
  }
  std::string_view Text(size_t i) const override {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, static_cast<int>(i)));
    if (text == nullptr) return {};
    return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, static_cast<int>(i)))};
  }
  int64_t Int(size_t i) const override { return sqlite3_column_int64(stmt_, static_cast<int>(i)); }

 private:
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }

  Status Execute(std::string_view script) override {
    std::string s(script);
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "sqlite exec");
    return Status::OK();
  }

  Result<SqlResult> Query(std::string_view sql, const SqlParams& params) override {
    TARN_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) Bind(stmt, static_cast<int>(i + 1), params[i]);
    SqlResult result;
    int ncols = sqlite3_column_count(stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::optional<std::string>> cells(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) continue;
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        cells[c].emplace(text, sqlite3_column_bytes(stmt, c));
      }
      result.rows.emplace_back(std::move(cells));
    }
    Status st = rc == SQLITE_DONE ? Status::OK() : SqliteError(db_, rc, "sqlite step");
    sqlite3_reset(stmt);
    if (!st.ok()) return st;
    result.affected = sqlite3_changes(db_);
    return result;
  }

  Status QueryEach(std::string_view sql, const SqlParams& params,
                   const std::function<Status(const SqlRowView&)>& fn) override {
    TARN_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) Bind(stmt, static_cast<int>(i + 1), params[i]);
    StatementRowView view(stmt);
    int rc;
    Status st;
    while (st.ok() && (rc = sqlite3_step(stmt)) == SQLITE_ROW) st = fn(view);
    if (st.ok() && rc != SQLITE_DONE) st = SqliteError(db_, rc, "sqlite step");
    sqlite3_reset(stmt);
    return st;
  }

  Status Begin() override { return Execute("BEGIN IMMEDIATE"); }
  Status Commit() override { return Execute("COMMIT"); }
  Status Rollback() override { return Execute("ROLLBACK"); }

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    std::string key(sql);
    auto it = stmts_.find(key);
    if (it != stmts_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "sqlite prepare");
    stmts_.emplace(std::move(key), stmt);
    return stmt;
  }

  static void Bind(sqlite3_stmt* stmt, int idx, const SqlValue& v) {
    if (std::holds_alternative<int64_t>(v)) {
      sqlite3_bind_int64(stmt, idx, std::get<int64_t>(v));
    } else if (std::holds_alternative<double>(v)) {
      sqlite3_bind_double(stmt, idx, std::get<double>(v));
    } else if (std::holds_alternative<bool>(v)) {
      sqlite3_bind_int(stmt, idx, std::get<bool>(v) ? 1 : 0);
    } else if (std::holds_alternative<std::string>(v)) {
      const auto& s = std::get<std::string>(v);
      sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(stmt, idx);
    }
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> stmts_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    Status st = SqliteError(db, rc, "opening sqlite catalog " + path);
    sqlite3_close_v2(db);
    return st;
  }
  auto conn = std::make_unique<SqliteConnection>(db);
  sqlite3_extended_result_codes(db, 1);  // tell unique from other constraint violations
  sqlite3_busy_timeout(db, 10000);
  TARN_RETURN_IF_ERROR(conn->Execute(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  return std::unique_ptr<SqlConnection>(std::move(conn));
}

}  // namespace tarn::catalog
