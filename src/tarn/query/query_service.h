// The query service: SQL over the lake's curated and serving Iceberg tables, on embedded DuckDB.
// One Session per client (a `tarn sql` run, an HTTP request, a PostgreSQL connection) owns one
// sandboxed in-memory DuckDB: it reads only the zones its grants allow, cannot load extensions,
// change settings, attach databases or reach the network, and runs each statement under a
// memory and a time limit.
//
// Tables are named zone.dataset. Before DuckDB sees a statement, every table reference is
// planned from its Iceberg metadata with the statement's predicates on that reference (scan.h)
// and replaced by a read of the surviving files by field id with deletes applied
// (iceberg_read.h). `FOR SYSTEM_TIME AS OF <timestamp>` and `FOR SYSTEM_VERSION AS OF
// <snapshot id | 'ref name'>` after a table name read an earlier snapshot. EXPLAIN shows, per
// table reference, the snapshot and the files considered and scanned, then DuckDB's plan.
//
// Statements allowed: SELECT (with WITH, VALUES, set operations, DESCRIBE, SHOW), EXPLAIN.
// Everything else is refused with kPermissionDenied. The catalog views DuckDB offers
// (information_schema, pg_catalog) list the session's readable tables with their columns.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/catalog/grants.h"
#include "tarn/engine/duckdb_engine.h"

namespace tarn::lake {
class Lake;
}

namespace tarn::query {

// A result column and its type, as DuckDB reports them.
using ColumnType = engine::ColumnType;
using Column = engine::Column;

// Values as text, one per column; nullopt is SQL NULL. The text is DuckDB's VARCHAR cast of
// the value (1, 2.5, true, 2024-01-15, 2024-01-15 10:00:00+00, [1, 2], {'a': 1}), except BLOB
// values, which are lowercase hex digits without a prefix ("01ff").
using Row = std::vector<std::optional<std::string>>;

// A running statement's rows, streamed (never materialized whole). Not thread-safe; lives no
// longer than its Session.
class ResultStream {
 public:
  virtual ~ResultStream() = default;
  virtual const std::vector<Column>& columns() const = 0;
  // Fills `row`; false at the end. Errors: as Session::Execute (the statement can fail while
  // it streams, e.g. a limit hit or an interrupt).
  virtual Result<bool> Next(Row* row) = 0;
};

// What a statement needs and returns, without running it (PostgreSQL's Describe).
struct StatementInfo {
  int parameter_count = 0;               // $1..$n or ?
  std::vector<ColumnType> parameter_types;  // kVarchar where DuckDB cannot tell
  std::vector<Column> columns;
};

struct QueryLimits {
  int64_t memory_bytes = int64_t{2} << 30;  // per session (DuckDB memory_limit)
  double timeout_seconds = 300;              // per statement
  int threads = 0;                           // 0 = DuckDB's default (one per core)
};

// A client's connection to the query service. Not thread-safe, except Interrupt. One result
// at a time: starting a statement ends the stream of the previous one (read it to the end, or
// buffer it, first). The time limit runs from Execute until the stream ends or is destroyed,
// so a stream held open unread counts against it.
class Session {
 public:
  virtual ~Session() = default;

  // Parameters and result columns of one statement. Errors: as Execute.
  virtual Result<StatementInfo> Describe(const std::string& sql) = 0;

  // Runs one statement; `params` bind to $1..$n (or ?) in order, as text that DuckDB casts to
  // the parameter's type (nullopt = NULL).
  // Errors: kInvalidArgument (syntax, unknown column or function, bad parameter: DuckDB's
  // message), kNotFound (an unknown zone.dataset), kPermissionDenied (a zone the grants do not
  // allow, a statement that is not a read, a file outside the readable zones, a setting or an
  // extension), kResourceExhausted (the memory limit), kUnavailable (the time limit, or
  // Interrupt: the message says which), kInternal.
  virtual Result<std::unique_ptr<ResultStream>> Execute(
      const std::string& sql, const std::vector<std::optional<std::string>>& params) = 0;

  // Writes the statement's rows to a Parquet file at `path`, streamed. `path` must lie in the
  // session's export directory (QueryService::OpenSession). Errors: as Execute; kIOError.
  virtual Status ExportParquet(const std::string& sql, const std::string& path) = 0;

  // Cancels the statement running now, if any (from any thread); its stream then fails with
  // kUnavailable "canceled".
  virtual void Interrupt() = 0;
};

class QueryService {
 public:
  // `lake` must outlive the service and its sessions.
  QueryService(lake::Lake& lake, QueryLimits limits = {});

  // A session that reads the zones `grants` allow (admin: curated and serving).
  // Errors: kInternal (DuckDB cannot start), kIOError.
  Result<std::unique_ptr<Session>> OpenSession(const catalog::Grants& grants) const;
  // Also writable by ExportParquet: `export_directory` (absolute; for the CLI's --out).
  Result<std::unique_ptr<Session>> OpenSession(const catalog::Grants& grants,
                                               const std::string& export_directory) const;

  const QueryLimits& limits() const { return limits_; }

 private:
  lake::Lake& lake_;
  QueryLimits limits_;
};

// Splits a script into statements at top-level semicolons (not inside strings, quoted
// identifiers, comments or dollar quotes); empty statements are dropped.
std::vector<std::string> SplitStatements(const std::string& sql);

}  // namespace tarn::query
