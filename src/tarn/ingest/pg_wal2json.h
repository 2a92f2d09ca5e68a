// Decoding wal2json's format-version 2 messages (options include-lsn, include-timestamp and
// include-type-oids), one JSON object per row: B and C carry "nextlsn" (the end of the commit
// record), I/U/D carry "columns" (the new row) and "identity" (the old row, as logged).
// Numbers that are not integers are kept digit for digit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tarn/ingest/pg_cdc_events.h"

namespace tarn::ingest {

// `key`: the table's primary-key columns.
std::unique_ptr<WalDecoder> MakeWal2JsonDecoder(std::vector<std::string> key);

}  // namespace tarn::ingest
