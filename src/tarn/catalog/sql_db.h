// A narrow SQL driver layer under the catalog store: one interface, two drivers (SQLite and
// PostgreSQL via libpq). Statements use '?' placeholders in both dialects; the PostgreSQL driver
// rewrites them to $n. Results are materialized as text (NULL = nullopt), which is all the
// catalog needs and keeps both drivers identical to the code above them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <condition_variable>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/base/time.h"

namespace tarn::catalog {

enum class SqlDialect { kSqlite, kPostgres };

using SqlValue = std::variant<std::monostate, int64_t, double, std::string, bool>;
using SqlParams = std::vector<SqlValue>;

// One result row; columns are addressed by position in the SELECT list.
class SqlRow {
 public:
  explicit SqlRow(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}
  bool IsNull(size_t i) const { return !cells_.at(i).has_value(); }
  const std::string& Text(size_t i) const;  // "" for NULL
  std::optional<std::string> OptText(size_t i) const { return cells_.at(i); }
  int64_t Int(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;
  std::optional<double> OptDouble(size_t i) const;
  bool Bool(size_t i) const;  // accepts 1/0 and t/f
  UnixMicros Time(size_t i) const;

 private:
  std::vector<std::optional<std::string>> cells_;
};

// A result row borrowed from the driver inside SqlConnection::QueryEach: valid only during the
// callback, read without copying.
class SqlRowView {
 public:
  virtual ~SqlRowView() = default;
  virtual bool IsNull(size_t i) const = 0;
  virtual std::string_view Text(size_t i) const = 0;  // "" for NULL
  virtual int64_t Int(size_t i) const = 0;            // 0 for NULL
  std::optional<std::string> OptText(size_t i) const {
    if (IsNull(i)) return std::nullopt;
    return std::string(Text(i));
  }
};

struct SqlResult {
  std::vector<SqlRow> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

// One database connection. Not thread-safe: a connection is used by one thread at a time,
// handed out by SqlPool.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual SqlDialect dialect() const = 0;
  // Runs a script of one or more statements without parameters.
  virtual Status Execute(std::string_view script) = 0;
  // Runs one statement. Errors: kAlreadyExists on unique violations, kFailedPrecondition on
  // check/foreign-key violations, kUnavailable when the server is gone, kInternal otherwise.
  virtual Result<SqlResult> Query(std::string_view sql, const SqlParams& params) = 0;
  // Runs one query and calls `fn` for each row as it is read, without materializing the
  // result (the default materializes it with Query). Stops at fn's first error.
  // Errors: as Query, or fn's.
  virtual Status QueryEach(std::string_view sql, const SqlParams& params,
                           const std::function<Status(const SqlRowView&)>& fn);
  // Starts a write transaction (SQLite takes its write lock up front: no upgrade deadlocks).
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
};

// Opens a connection. URL forms: "sqlite:/path/to/catalog.db" and "postgresql://..." (libpq).
Result<std::unique_ptr<SqlConnection>> OpenSqlConnection(const std::string& url);
Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path);
Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& conninfo);

// A fixed-size pool of connections to one database. Thread-safe; lives as long as its users.
class SqlPool {
 public:
  // Errors: whatever opening the first connection reports (kUnavailable, kIOError).
  static Result<std::unique_ptr<SqlPool>> Open(const std::string& url, int size);

  SqlDialect dialect() const { return dialect_; }

  // Runs `fn` in a write transaction on a pooled connection: committed if `fn` returns OK,
  // rolled back otherwise (nothing half-written stays behind).
  Status Transaction(const std::function<Status(SqlConnection&)>& fn) { return Run(true, fn); }
  // Runs `fn` on a pooled connection in autocommit mode: for single-statement reads.
  Status Read(const std::function<Status(SqlConnection&)>& fn) { return Run(false, fn); }

 private:
  SqlPool(std::string url, SqlDialect dialect, int size) : url_(std::move(url)), dialect_(dialect), size_(size) {}
  Status Run(bool transaction, const std::function<Status(SqlConnection&)>& fn);
  Result<std::unique_ptr<SqlConnection>> Acquire();
  void Release(std::unique_ptr<SqlConnection> conn);

  std::string url_;
  SqlDialect dialect_;
  int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;
  int open_ = 0;
};

}  // namespace tarn::catalog
