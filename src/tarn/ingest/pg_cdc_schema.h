// The change-event schema of a PostgreSQL table (schema/cdc_envelope.h), derived from
// information_schema.columns; see RegisterCdcSchema (pg_cdc_stream.h) for the type mapping.
#pragma once

#include <libpq-fe.h>

#include <string>

#include "tarn/base/status.h"

namespace tarn::ingest {

// An Avro schema document. Column names that are not Avro names are sanitized and keep their
// name in "tarn.json_name". Errors: kNotFound (no such table or no columns), pg::Error's.
Result<std::string> CdcEnvelopeSchema(PGconn* conn, const std::string& schema,
                                      const std::string& table);

}  // namespace tarn::ingest
