// Rendering query results as text: aligned tables (for terminals), CSV and JSON lines, all
// streamed row by row (a table buffers its first rows to size the columns). Used by the CLI
// and the HTTP query endpoint.
#pragma once

#include <iosfwd>
#include <string>

#include "tarn/base/status.h"
#include "tarn/query/query_service.h"

namespace tarn::query {

enum class OutputFormat { kTable, kCsv, kJsonLines };

// Errors: kInvalidArgument for a name other than "table", "csv", "json".
Result<OutputFormat> ParseOutputFormat(const std::string& name);

// Writes every row of `stream` to `out`; returns the number of rows. Errors: the stream's.
Result<int64_t> WriteResult(ResultStream& stream, OutputFormat format, std::ostream& out);

// One row as a JSON object keyed by column name: numbers and booleans as JSON numbers and
// booleans (non-finite floats as strings), NULL as null, everything else as strings.
std::string RowToJson(const std::vector<Column>& columns, const Row& row);
// The row's values as RowToJson renders them, comma-separated (the inside of a JSON array).
void AppendJsonValues(const std::vector<Column>& columns, const Row& row, std::string* out);

}  // namespace tarn::query
