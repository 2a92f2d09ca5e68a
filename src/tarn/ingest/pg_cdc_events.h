// Change events from PostgreSQL logical decoding, in the envelope of schema/cdc_envelope.h:
//   {"op": "c|u|d|r", "before": {...}|null, "after": {...}|null,
//    "source": {"lsn": <the change's LSN>, "ts_ms": <commit time>, "table": "public.orders",
//               "txId": <xid>}, "ts_ms": <when the event was made>}
// Row images hold the columns as JSON (pg_util.h AppendValue, numerics as strings). `before`
// is the old row as the table's REPLICA IDENTITY logs it: the whole row with FULL, the key
// columns otherwise (and, for updates under DEFAULT, only when the key changed). An update
// that changes the primary key becomes a delete of the old key and a create of the new one;
// a column an update leaves unchanged but omits (a TOASTed value) is taken from the old row
// when it is logged. A WalDecoder turns one output plugin's messages (pg_wal2json.h,
// pg_pgoutput.h) into these events. Functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::ingest {

// An LSN "X/Y" (hex) as the integer X << 32 | Y, and back. Errors: kInvalidArgument.
Result<int64_t> ParseLsn(std::string_view text);
std::string FormatLsn(int64_t lsn);

// A row image: (column, value as JSON text), in column order.
using RowImage = std::vector<std::pair<std::string, std::string>>;

struct ChangeSource {
  int64_t lsn = 0;
  std::optional<int64_t> ts_ms;  // commit time
  std::string table;             // "schema.table"
  std::optional<int64_t> xid;
};

// The events of one decoded change: `action` 'I', 'U' or 'D' with the images the plugin
// logged (`key`: the table's primary-key columns; `now_ms`: the envelopes' ts_ms).
// Errors: kInvalidArgument (an insert or update without a new row, a delete without an old).
Result<std::vector<std::string>> ChangeEvents(char action, std::optional<RowImage> before,
                                              std::optional<RowImage> after,
                                              const ChangeSource& source,
                                              const std::vector<std::string>& key, int64_t now_ms);

// A row of a table snapshot as a change event: op "r", source.lsn 0 (before every change).
// `row`: the row as a JSON object.
std::string SnapshotEvent(const std::string& row, const std::string& table, int64_t now_ms);

struct WalMessage {
  char action = 0;  // 'B' begin, 'C' commit, 'I' / 'U' / 'D' changes, 'T' truncate; else 0
  // B: the transaction's offset, an LSN of its commit record (they grow in commit order);
  // C: the end of the commit record (the slot may advance to it).
  int64_t lsn = 0;
  std::vector<std::string> events;  // I, U, D: the change events
};

// Decodes the rows of pg_logical_slot_peek_[binary_]changes of one output plugin, in order.
// Not thread-safe (a decoder may remember relations announced earlier).
class WalDecoder {
 public:
  virtual ~WalDecoder() = default;
  // One row: its lsn and xid columns and its data. Errors: kInvalidArgument (a message that
  // is malformed or lacks what its action needs).
  virtual Result<WalMessage> Decode(int64_t lsn, int64_t xid, std::string_view data,
                                    int64_t now_ms) = 0;
};

}  // namespace tarn::ingest
