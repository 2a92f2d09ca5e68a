// How promotion stages raw Avro records in DuckDB: which columns, with which types, and each
// record's values. A plain raw dataset stages its top-level fields; a change-event (CDC)
// dataset stages each event's row image (`after` for c/u/r, `before` for d) plus the event's
// op and source LSN. Fields are matched by id to the schema a file was written with, so files
// of older schema versions stage under the current one. Immutable; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/schema/cdc_envelope.h"
#include "tarn/schema/schema.h"

namespace tarn::pipeline {

// Staged change events carry these columns besides the row's.
inline constexpr char kOpColumn[] = "_tarn_op";    // VARCHAR: c | u | d | r
inline constexpr char kLsnColumn[] = "_tarn_lsn";  // BIGINT: source.lsn

class RawStager {
 public:
  // `current`: the raw dataset's current schema; `cdc`: stage change events.
  // Errors: FindCdcEnvelope's (cdc).
  static Result<RawStager> Make(const schema::Schema& current, bool cdc);

  // The staged row columns: the schema's top-level fields, or the row image's.
  const std::vector<schema::NestedField>& row_fields() const { return row_fields_; }
  bool cdc() const { return cdc_; }

  // Column definitions of the input table: _tarn_seq BIGINT (the record's 1-based position in
  // its file), then (cdc) _tarn_op, _tarn_lsn, then the row columns as read from Avro.
  std::string InputColumns() const;
  // The select list turning input columns into typed ones (dates, timestamps, decimals; blank
  // strings to NULL), same order and names.
  std::string TypedColumns() const;

  // Appends each record of the Avro file at `path`, written with schema `written`, as one row
  // of the input table. Errors: kFailedPrecondition (cdc: `written` is not an envelope),
  // kCorruption / kIOError (reading), the appender's.
  Status Append(const std::string& path, const schema::Schema& written, engine::Appender& out,
                int64_t* rows) const;

 private:
  RawStager(std::vector<schema::NestedField> row_fields, bool cdc)
      : row_fields_(std::move(row_fields)), cdc_(cdc) {}
  Status AppendEvents(const std::string& path, const schema::Schema& written, engine::Appender& out,
                      int64_t* rows) const;

  std::vector<schema::NestedField> row_fields_;
  bool cdc_ = false;
};

}  // namespace tarn::pipeline
