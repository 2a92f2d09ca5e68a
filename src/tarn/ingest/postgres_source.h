// PostgresSource: reads one window of a PostgreSQL table or query as JSON records.
//
// With a cursor column the window is (after_cursor, max(cursor_column) at open time]: rows that
// arrive or change later belong to the next run. Without one the window is the whole relation.
// The window is read through a server-side cursor inside one REPEATABLE READ READ ONLY
// transaction, so it is a consistent snapshot however long the read takes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/ingest/record_source.h"

namespace tarn::ingest {

struct PostgresSourceOptions {
  // A resolved libpq connection string or URL (the caller resolves env:/file: references).
  std::string dsn;
  // Exactly one of `table` and `query`. `table` is "schema.table" or "table", names exactly as
  // stored (case-sensitive; they are quoted here). `query` is a SELECT, read as
  // `SELECT * FROM (<query>) AS ...`; a trailing ';' is dropped.
  std::string table;
  std::string query;
  // Optional. When set the read is incremental and ordered by this column; rows whose cursor
  // value is NULL are never read.
  std::string cursor_column;
  // The last landed cursor value (exclusive lower bound); nullopt = from the start.
  std::optional<std::string> after_cursor;
  // Names the source in WindowKey.
  std::string source_name;
  // Rows fetched from the server per round trip.
  size_t batch_rows = 10000;
};

// Each row becomes a SourceRecord whose `json` and `payload` are a JSON object of column name ->
// value: NULL -> null; bool -> true/false; int2/4/8, float4/8, numeric -> JSON numbers (numeric
// digits kept exactly; NaN and infinities as strings); json/jsonb -> embedded JSON (compacted);
// timestamps as ISO-8601 in UTC with 'T' ("2024-01-15T03:00:00+00"); anything else -> the
// string PostgreSQL prints for it. `position` is "<table or 'query'> <cursor_column>=<value>",
// or "<table or 'query'> row N" without a cursor column.
//
// Lifetime: owns one connection, closed on destruction (an unfinished transaction is rolled
// back; it only ever reads). Not thread-safe; one reader at a time.
class PostgresSource : public RecordSource {
 public:
  // Connects and fixes the window (see above); the cursor value comparison is done by
  // PostgreSQL in the column's own type, with bound parameters.
  // Errors: kUnavailable (cannot connect; the message never contains the password),
  // kInvalidArgument (malformed DSN, unknown table or column, both or neither of table/query,
  // unsafe identifiers, a query PostgreSQL rejects, a bad after_cursor value),
  // kPermissionDenied (no SELECT privilege), kIOError (other server errors).
  static Result<std::unique_ptr<PostgresSource>> Open(const PostgresSourceOptions& options);

  ~PostgresSource() override;
  PostgresSource(const PostgresSource&) = delete;
  PostgresSource& operator=(const PostgresSource&) = delete;

  // "<source_name>-<12 hex of a hash of (table or query, cursor column, after_cursor, upper
  // bound)>", limited to [A-Za-z0-9_.-] and 120 chars.
  std::string WindowKey() const override;
  // e.g. "public.orders: updated_at in (2024-01-01 00:00:00+00, 2024-01-03 00:00:00+00]".
  std::string WindowDescription() const override;
  format::ValueMode value_mode() const override { return format::ValueMode::kTyped; }
  // Errors: kUnavailable (connection lost), kInvalidArgument / kPermissionDenied / kIOError
  // (the server failed the query while reading).
  Result<bool> Next(std::vector<format::SourceRecord>* batch, size_t max_records) override;
  // Approximate: bytes of row text received so far.
  int64_t bytes_read() const override { return bytes_read_; }
  // The window's upper bound as PostgreSQL prints it; nullopt without a cursor column or when
  // the window holds no rows (keep the previous cursor then).
  std::optional<std::string> EndCursor() const override { return upper_bound_; }

  // The output column names, in order.
  const std::vector<std::string>& columns() const { return column_names_; }

 private:
  struct Impl;
  explicit PostgresSource(std::unique_ptr<Impl> impl);
  Status Fetch();
  void AppendRow(int row, std::vector<format::SourceRecord>* batch);

  std::unique_ptr<Impl> impl_;
  PostgresSourceOptions options_;
  std::string label_;  // the table as given, or "query"
  std::vector<std::string> column_names_;
  std::optional<std::string> upper_bound_;
  int64_t bytes_read_ = 0;
  int64_t rows_read_ = 0;
};

}  // namespace tarn::ingest
