// SQL text for writing Iceberg Parquet through DuckDB (engine-internal): quoting, the
// FIELD_IDS option, the projection of a query onto a schema,
// partition values computed in SQL, and the text exchange of typed values with DuckDB. Values
// cross as "normalized text": integers for ints, longs, dates (days), times and timestamps
// (micros since 1970 / midnight), DuckDB's exact text for booleans, floats and decimals, and
// for strings, binary, fixed and uuids either the raw text or upper-case hex of the bytes.
// Stateless functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/engine/duckdb_engine.h"
#include "tarn/iceberg/literal.h"
#include "tarn/iceberg/table_metadata.h"
#include "tarn/schema/schema.h"

namespace tarn::engine::parquet_sql {

std::string QuoteIdent(std::string_view name);  // "a""b"
std::string QuoteText(std::string_view text);   // 'it''s'

// DuckDB's type for a primitive (DuckDbType of iceberg_read.h).
std::string DuckDbPrimitiveType(const iceberg::PrimitiveType& type);

// FIELD_IDS {'a': 1, 's': {'__duckdb_field_id': 2, 'x': 3}, 'l': {..., 'element': 5}, ...}.
std::string FieldIdsOption(const std::vector<schema::NestedField>& fields);

// A query over `select_sql` whose columns are the schema's top-level fields in schema order,
// each cast to its DuckDB type (absent optional fields as typed NULLs; required fields fail
// the query when NULL), then the `pass_through` columns of the query as they are.
// Errors: kInvalidArgument (a column not in the schema, a required field absent, DuckDB
// rejecting the query).
Result<std::string> ProjectOntoSchema(DuckDb& db, const std::string& select_sql,
                                      const schema::Schema& schema,
                                      const std::vector<std::string>& pass_through = {});

// One partition field: SQL over the projected columns that computes its value as normalized
// text (hex for byte-like values); none for a void transform, whose value is always null.
struct PartitionColumn {
  std::optional<std::string> sql;  // over the projected columns
  iceberg::PrimitiveType type;     // the transform's result type
};
// Errors: kInvalidArgument (a source id not in the schema or inside a list or map, a
// transform that does not apply to its source type).
Result<std::vector<PartitionColumn>> PartitionColumns(const iceberg::PartitionSpec& spec,
                                                      const schema::Schema& schema);

// The SQL that turns `expr` (of `type`) into normalized text; byte-like values as hex when
// `hex_bytes`.
std::string NormalizedText(const iceberg::PrimitiveType& type, const std::string& expr,
                           bool hex_bytes);

// The Literal of normalized text (hex for byte-like values when `hex_bytes`).
// Errors: kInvalidArgument (text that is not a value of the type).
Result<iceberg::Literal> LiteralFromText(const iceberg::PrimitiveType& type, std::string_view text,
                                         bool hex_bytes);

}  // namespace tarn::engine::parquet_sql
