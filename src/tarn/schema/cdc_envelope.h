// The shape of a change event (CDC), Debezium style, as a raw dataset's schema holds it:
//   op      string: c (create), u (update), d (delete), r (read by a snapshot)
//   before  optional record: the row image before the change (d, u)
//   after   optional record: the row image after the change (c, u, r); its fields are the
//           table's columns
//   source  record with at least lsn (long: the change's position in the source's log)
//   ts_ms   optional long: when the event was produced, epoch milliseconds
// Other fields are allowed and ignored. Plain values; thread-safe.
#pragma once

#include "tarn/base/status.h"
#include "tarn/schema/schema.h"

namespace tarn::schema {

// Where the envelope's parts are in a schema. Indexes are positions among the fields of the
// top-level record (lsn: among source's); the pointers borrow from the schema's type tree.
struct CdcEnvelope {
  int op = -1, before = -1, after = -1, source = -1, ts_ms = -1;  // ts_ms: -1 when absent
  int lsn = -1;
  const Type* before_row = nullptr;
  const Type* row = nullptr;  // the after record: the table's columns
};

// Errors: kFailedPrecondition naming the part that is missing or of the wrong type.
Result<CdcEnvelope> FindCdcEnvelope(const Schema& schema);

}  // namespace tarn::schema
