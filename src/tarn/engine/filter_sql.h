// An iceberg::Filter as a DuckDB condition over the columns IcebergScanSql reads (the top-level
// fields of the read schema, by their current names), so that a query can apply exactly the
// predicates scan planning pruned with. Stateless; thread-safe.
#pragma once

#include <string>

#include "tarn/base/status.h"
#include "tarn/iceberg/expression.h"
#include "tarn/iceberg/literal.h"
#include "tarn/schema/schema.h"

namespace tarn::engine {

// A SQL literal of the value's DuckDB type (DuckDbType): TRUE, CAST(42 AS BIGINT),
// CAST('12.50' AS DECIMAL(12,2)), make_timestamptz(<micros>), CAST('\x01\xFF' AS BLOB), ...;
// CAST(NULL AS <type>) for a null literal.
std::string LiteralSql(const iceberg::Literal& value);

// The conjunction of `filter`'s predicates ("TRUE" when empty), each bound against `schema`
// as PlanScan binds it (iceberg::BindFilter: the same columns, the same literal conversions)
// and rendered as `col op literal` ("=", "<", "<=", ">", ">=", "IN (...)", "IS NULL",
// "IS NOT NULL"); struct fields as struct_extract("col", 'field'). SQL semantics: a
// comparison with a NULL column value is not true, so such rows do not match.
// Errors: kInvalidArgument (BindFilter's: an unknown or nested column, a mistyped literal).
Result<std::string> FilterSql(const iceberg::Filter& filter, const schema::Schema& schema);

}  // namespace tarn::engine
