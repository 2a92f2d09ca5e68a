// The embedded analytical engine: DuckDB through its stable C API.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::engine {

// The linked DuckDB library's version, e.g. "v1.5.6".
std::string DuckDbVersion();

using Row = std::vector<std::optional<std::string>>;  // VARCHAR columns; NULL = nullopt

// A streaming query result, read row by row without materializing it. Lives no longer than
// its DuckDb. Not thread-safe.
class QueryCursor {
 public:
  virtual ~QueryCursor() = default;
  // Fills `row`; false at the end. Errors: kInvalidArgument (DuckDB's execution error).
  virtual Result<bool> Next(Row* row) = 0;
};

// One in-memory DuckDB database with one connection. Not thread-safe: one user at a time.
class DuckDb {
 public:
  // With tarn's SQL functions registered (tarn_iceberg_bucket..., see iceberg_functions.h).
  // Errors: kInternal if DuckDB cannot start.
  static Result<std::unique_ptr<DuckDb>> Open();
  ~DuckDb();

  // Runs a statement whose result is not needed (DDL, COPY, SET).
  // Errors: kInvalidArgument with DuckDB's message.
  Status Exec(const std::string& sql);

  // Starts `sql`, whose columns must all be VARCHAR (cast in the query); `params` bind to `?`
  // as text. Errors: kInvalidArgument (DuckDB rejected the query, with its message).
  Result<std::unique_ptr<QueryCursor>> Execute(const std::string& sql,
                                               const std::vector<std::string>& params);
  // Execute, then `fn` for every row. Errors: as Execute and Next, or fn's error.
  Status Query(const std::string& sql, const std::vector<std::string>& params,
               const std::function<Status(const Row&)>& fn);

 private:
  struct Handles;
  explicit DuckDb(std::unique_ptr<Handles> h);
  std::unique_ptr<Handles> h_;
};

}  // namespace tarn::engine
