// Opens the RecordSource a source's connection_config names:
//   {"connector": "file", "path", "format": "jsonl|csv|parquet", "header", "delimiter", "quote"}
//   {"connector": "postgres", "dsn": "env:PG_DSN", "table" | "query", "cursor_column",
//   "batch_rows"}
//   {"connector": "http", "url", "pagination": {...}, "auth_header": "env:API_TOKEN"}
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "tarn/ingest/record_source.h"

namespace tarn::ingest {

// `config_json` is the effective configuration (the source's, with run overrides applied);
// `after_cursor` is where an incremental source continues. Errors: kFailedPrecondition naming
// the bad or missing option, kUnavailable (source unreachable).
Result<std::unique_ptr<RecordSource>> OpenSource(const std::string& source_name,
                                                 const std::string& config_json,
                                                 const std::optional<std::string>& after_cursor);

// `base` with the top-level keys of `overrides` replaced. Errors: kInvalidArgument if either
// is not a JSON object.
Result<std::string> ApplyOverrides(const std::string& base, const std::string& overrides);

}  // namespace tarn::ingest
