// Query results on the wire: RowDescription from the result's columns and the client's format
// codes, then DataRow messages streamed from a ResultStream straight into the connection's
// write buffer (no result is held whole; a row costs no allocation beyond the Row the stream
// fills). Functions over one connection's writer; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/pgwire/value_codec.h"
#include "tarn/pgwire/wire_buffer.h"
#include "tarn/query/query_service.h"

namespace tarn::pgwire {

// One encoder per column for Bind's result format codes: none (all text), one (all columns),
// or one per column. Errors: kInvalidArgument (a count that fits neither, a bad code).
Result<std::vector<ColumnEncoder>> MakeEncoders(const std::vector<query::Column>& columns,
                                                const std::vector<int16_t>& formats);

void WriteRowDescription(const std::vector<query::Column>& columns,
                         const std::vector<ColumnEncoder>& encoders, WireWriter& out);

struct RowsSent {
  int64_t rows = 0;
  bool finished = false;  // the stream has no more rows
};

// Sends up to `limit` rows (0: all) of `stream` as DataRow messages, flushing as the buffer
// fills. `row` is scratch space reused across calls. Errors: the stream's, an encoding error
// (kInvalidArgument), kIOError (the client went away).
Result<RowsSent> SendRows(query::ResultStream& stream, const std::vector<ColumnEncoder>& encoders,
                          int64_t limit, query::Row& row, WireWriter& out);

// CommandComplete with `tag` ("SELECT 42", "SET", ...).
void WriteCommandComplete(const std::string& tag, WireWriter& out);

// A result held in memory (SHOW, EXECUTE of local answers), as a ResultStream.
class RowsInMemory final : public query::ResultStream {
 public:
  RowsInMemory(std::vector<query::Column> columns, std::vector<query::Row> rows)
      : columns_(std::move(columns)), rows_(std::move(rows)) {}
  const std::vector<query::Column>& columns() const override { return columns_; }
  Result<bool> Next(query::Row* row) override;

 private:
  std::vector<query::Column> columns_;
  std::vector<query::Row> rows_;
  size_t next_ = 0;
};

}  // namespace tarn::pgwire
