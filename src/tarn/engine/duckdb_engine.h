// The embedded analytical engine: DuckDB through its stable C API.
#pragma once

#include <functional>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::engine {

// The linked DuckDB library's version, e.g. "v1.5.6".
std::string DuckDbVersion();

using Row = std::vector<std::optional<std::string>>;  // VARCHAR columns; NULL = nullopt
using Params = std::vector<std::optional<std::string>>;  // text bound to $1..$n; NULL = nullopt

// A column's type as DuckDB reports it.
enum class ColumnType {
  kBoolean, kTinyInt, kSmallInt, kInteger, kBigInt, kHugeInt,
  kUTinyInt, kUSmallInt, kUInteger, kUBigInt,
  kFloat, kDouble, kDecimal,
  kVarchar, kBlob, kUuid,
  kDate, kTime, kTimestamp, kTimestampTz, kInterval,
  kList, kStruct, kMap, kOther
};

// True for the integer, floating-point and decimal types.
bool IsNumeric(ColumnType type);

struct Column {
  std::string name;
  ColumnType type = ColumnType::kVarchar;
  std::string type_sql;               // DuckDB's spelling: "DECIMAL(12,2)", "INTEGER[]", ...
  int precision = 0, scale = 0;       // kDecimal only
  std::optional<ColumnType> element;  // kList only: the element type when it is not nested
};

// A statement's parameters and result columns, known without running it.
struct StatementShape {
  std::vector<ColumnType> parameter_types;  // kVarchar where DuckDB cannot tell
  std::vector<Column> columns;
};

// Where a sandboxed database may read (and COPY may write: callers decide which statements
// run): nothing outside `readable_directories` (absolute paths
// ending in '/'), no extensions loaded or installed, no settings changed after opening (the
// configuration is locked), time zone UTC. It keeps no cache of file contents (DuckDB's
// external file cache is off).
struct SandboxOptions {
  std::vector<std::string> readable_directories;
  int64_t memory_limit_bytes = 0;  // 0 = DuckDB's default
  int threads = 0;                 // 0 = DuckDB's default
};

// A streaming query result, read row by row without materializing it. Lives no longer than
// its DuckDb. Not thread-safe.
class QueryCursor {
 public:
  virtual ~QueryCursor() = default;
  // Fills `row`; false at the end. Errors: kInvalidArgument (DuckDB's execution error).
  virtual Result<bool> Next(Row* row) = 0;
};

// A running statement's columns and its rows as text (DuckDb::ExecuteText).
struct TextResult {
  std::vector<Column> columns;
  std::unique_ptr<QueryCursor> cursor;
};

// Appends rows to a table (DuckDB's appender: far faster than INSERTs). One value per column
// in order, then EndRow. Values of another type are cast to the column's. Errors are sticky
// and reported by EndRow/Close. Not thread-safe; lives no longer than its DuckDb.
class Appender {
 public:
  virtual ~Appender() = default;
  virtual void Null() = 0;
  virtual void Bool(bool v) = 0;
  virtual void Int32(int32_t v) = 0;
  virtual void Int64(int64_t v) = 0;
  virtual void Float(float v) = 0;
  virtual void Double(double v) = 0;
  virtual void Varchar(std::string_view v) = 0;
  // Errors: kInvalidArgument (a wrong number of values, a value that does not cast).
  virtual Status EndRow() = 0;
  // Flushes what is appended. Errors: as EndRow.
  virtual Status Close() = 0;
};

// One in-memory DuckDB database with one connection. Not thread-safe (but for Interrupt): one
// user at a time. Errors carry DuckDB's message with a code by its kind: kPermissionDenied
// ("Permission Error", a locked setting), kResourceExhausted ("Out of Memory Error"),
// kUnavailable (interrupted: "canceled"), else kInvalidArgument.
class DuckDb {
 public:
  // With tarn's SQL functions registered (tarn_iceberg_bucket..., see iceberg_functions.h).
  // Errors: kInternal if DuckDB cannot start.
  static Result<std::unique_ptr<DuckDb>> Open();
  // A locked-down database (SandboxOptions), for running users' SQL. Errors: kInternal.
  static Result<std::unique_ptr<DuckDb>> OpenSandboxed(const SandboxOptions& options);
  ~DuckDb();

  // Runs a statement whose result is not needed (DDL, COPY, SET).
  // Errors: kInvalidArgument with DuckDB's message.
  Status Exec(const std::string& sql);

  // Starts `sql`, whose columns must all be VARCHAR (cast in the query); `params` bind to `?`
  // as text. Errors: kInvalidArgument (DuckDB rejected the query, with its message).
  Result<std::unique_ptr<QueryCursor>> Execute(const std::string& sql,
                                               const std::vector<std::string>& params);
  // Execute with NULLs among the parameters.
  Result<std::unique_ptr<QueryCursor>> ExecuteParams(const std::string& sql, const Params& params);
  // Starts `sql`, whatever its column types, preparing it once (Execute of a cast wrapper after
  // Describe would bind it twice): its columns, typed as `params` bind, and its rows as text,
  // each value as DuckDB's VARCHAR cast of it except BLOB values, which are lowercase hex
  // digits. Column names are Describe's, except that where the column types depend on the
  // parameters' values, duplicate names come back made unique (a, a_1). `params` bind as in
  // ExecuteParams. Errors: as Execute.
  Result<TextResult> ExecuteText(const std::string& sql, const Params& params);
  // An appender to the table main.`table`. Errors: kInvalidArgument (no such table).
  Result<std::unique_ptr<Appender>> Append(const std::string& table);
  // Prepares `sql` without running it. Errors: as Execute.
  Result<StatementShape> Describe(const std::string& sql);
  // Cancels the running statement, if any; callable from any thread. The statement fails with
  // kUnavailable "canceled".
  void Interrupt();
  // Execute, then `fn` for every row. Errors: as Execute and Next, or fn's error.
  Status Query(const std::string& sql, const std::vector<std::string>& params,
               const std::function<Status(const Row&)>& fn);

 private:
  struct Handles;
  explicit DuckDb(std::unique_ptr<Handles> h);
  static Result<std::unique_ptr<DuckDb>> OpenWith(
      const std::vector<std::pair<std::string, std::string>>& settings);
  std::unique_ptr<Handles> h_;
};

}  // namespace tarn::engine
