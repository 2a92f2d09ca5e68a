// Change events from PostgreSQL logical decoding: wal2json (format-version 2, with include-lsn,
// include-timestamp and include-type-oids) messages turned into the JSON envelopes of
// schema/cdc_envelope.h:
//   {"op": "c|u|d", "before": {...}|null, "after": {...}|null,
//    "source": {"lsn": <the change's LSN>, "ts_ms": <commit time>, "table": "public.orders",
//               "txId": <xid>}, "ts_ms": <when the event was made>}
// Row images hold the columns as JSON (pg_util.h AppendValue, numerics as strings). `before`
// is the old row as the table's REPLICA IDENTITY logs it: the whole row with FULL, the key
// columns otherwise (and, for updates under DEFAULT, only when the key changed). An update
// that changes the primary key becomes a delete of the old key and a create of the new one;
// a column an update leaves unchanged but omits (a TOASTed value) is taken from the old row
// when it is logged. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::ingest {

// An LSN "X/Y" (hex) as the integer X << 32 | Y, and back. Errors: kInvalidArgument.
Result<int64_t> ParseLsn(std::string_view text);
std::string FormatLsn(int64_t lsn);

struct WalMessage {
  char action = 0;         // 'B' begin, 'C' commit, 'I' / 'U' / 'D' changes; others: ignore
  int64_t commit_lsn = 0;  // B, C: the end of the transaction's commit record ("nextlsn")
  std::vector<std::string> events;  // I, U, D: the change events
};

// Decodes one wal2json message. `key`: the table's primary-key columns; `xid`: the
// transaction id; `now_ms`: the envelopes' ts_ms.
// Errors: kInvalidArgument (not JSON, a message lacking what its action needs).
Result<WalMessage> DecodeWalMessage(std::string_view json, const std::vector<std::string>& key,
                                    int64_t xid, int64_t now_ms);

// A row of a table snapshot as a change event: op "r", source.lsn 0 (before every change).
// `row`: the row as a JSON object.
std::string SnapshotEvent(const std::string& row, const std::string& table, int64_t now_ms);

}  // namespace tarn::ingest
