// Iceberg column metrics of Parquet files read from their footers through DuckDB's
// parquet_schema() and parquet_metadata() (engine-internal). Stateless functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/schema/schema.h"

namespace tarn::engine::parquet_metrics {

// For each of `paths` (Parquet files written with `schema`'s field ids), a DataFile with
// file_path = the path, record_count, file_size_in_bytes, split_offsets (row-group starts)
// and, by leaf field id, column_sizes, value_counts, null_value_counts and the bounds DuckDB
// recorded, as binary single values. Bounds are left out for binary and fixed columns, for
// fields inside lists and maps and wherever a row group has values but no statistics; string
// bounds are cut to `string_bound_chars` characters (0 = never).
// Errors: kInvalidArgument (DuckDB cannot read a footer), kCorruption (a file without the
// schema's field ids), kIOError.
Result<std::vector<iceberg::DataFile>> ReadMetrics(DuckDb& db,
                                                   const std::vector<std::string>& paths,
                                                   const schema::Schema& schema,
                                                   size_t string_bound_chars);

// Iceberg's truncated string bounds: the first `chars` code points of `s` (a lower bound), and
// those with the last one incremented (an upper bound; nullopt when every code point is the
// largest). Strings no longer than `chars` are returned whole.
std::string TruncateLowerBound(std::string_view s, size_t chars);
std::optional<std::string> TruncateUpperBound(std::string_view s, size_t chars);

}  // namespace tarn::engine::parquet_metrics
