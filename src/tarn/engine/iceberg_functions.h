// SQL functions that give DuckDB queries Iceberg's own partition transforms where SQL has no
// equivalent; registered on every connection tarn opens (engine-internal header: it needs
// duckdb.h). The functions are stateless and safe to run on DuckDB's worker threads.
//
//   tarn_iceberg_bucket(v BIGINT, n INTEGER) -> INTEGER   ints, longs, dates as days, times
//                                                         and timestamps as micros
//   tarn_iceberg_bucket(v BLOB, n INTEGER) -> INTEGER     strings as UTF-8 bytes (encode()),
//                                                         binary, fixed, uuids as 16 bytes
//   tarn_iceberg_bucket_decimal(v VARCHAR, n INTEGER)     a decimal's exact text ("-12.50")
//       -> INTEGER
//
// Each is iceberg::Apply(bucket[n]) of the value: NULL in, NULL out; n <= 0 is an error.
#pragma once

#include <duckdb.h>

#include "tarn/base/status.h"

namespace tarn::engine {

// Errors: kInternal (DuckDB refused a registration).
Status RegisterIcebergFunctions(duckdb_connection conn);

}  // namespace tarn::engine
