// Decoding pgoutput, PostgreSQL's built-in output plugin (protocol version 1, values in text),
// one binary message per row: Relation messages announce a table's columns and types before
// its changes; Begin carries the commit record's LSN, Commit its end; Insert/Update/Delete
// carry tuples (new 'N', old 'O' under REPLICA IDENTITY FULL, key 'K' otherwise; a column
// marked 'u' is an unchanged TOASTed value, left out).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tarn/ingest/pg_cdc_events.h"

namespace tarn::ingest {

// `key`: the table's primary-key columns.
std::unique_ptr<WalDecoder> MakePgOutputDecoder(std::vector<std::string> key);

}  // namespace tarn::ingest
