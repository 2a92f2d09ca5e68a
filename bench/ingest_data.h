// The ingestion benchmark's data: deterministic clickstream events as JSON lines (~500 bytes
// each: ids, ints, doubles, strings, an ISO and an integer timestamp, a nullable referrer, a
// long URL and user agent) with the Avro schema registered for them, and the PostgreSQL table
// (built with generate_series) with its Avro schema. Both are deterministic: the same flags give
// the same bytes and rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::bench {

// The Avro schema of the generated events (fields in the order the lines hold them).
extern const char kEventSchema[];

struct JsonlFile {
  int64_t bytes = 0;
  int64_t records = 0;
};

// Writes events to `path` until it holds at least `target_bytes` (whole lines), replacing it.
// Errors: kIOError.
Result<JsonlFile> WriteEventsJsonl(const std::string& path, int64_t target_bytes, uint64_t seed);

// The benchmark table in PostgreSQL: public.<kPgTable> (id, user_id, name, email, amount
// numeric(12,2), score float8, status, created_at, updated_at timestamptz NOT NULL and indexed:
// the cursor column, attrs jsonb). Rows are a function of id; updated_at grows with id.
inline constexpr const char* kPgTable = "ingest_bench_events";
inline constexpr const char* kPgCursorColumn = "updated_at";
// The statements that (re)create and fill the table with `rows` rows, to run in order, each on
// its own (VACUUM cannot share a query string).
std::vector<std::string> PgCreateTableStatements(int64_t rows);
// The Avro schema matching the table's rows as the postgres connector renders them.
extern const char kPgRowSchema[];

}  // namespace tarn::bench
