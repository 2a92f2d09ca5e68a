// The configuration of a postgres_cdc source (see pg_cdc_stream.h for its fields) and the
// change-event schema of its table. Plain functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "tarn/base/status.h"
#include "tarn/catalog/catalog_service.h"

namespace tarn::ingest {

struct PgCdcConfig {
  std::string dsn;  // resolved
  std::string slot;
  std::string schema, table;        // of the one table
  std::string plugin = "pgoutput";  // or wal2json
  std::string publication;          // pgoutput's; default: the slot's name
  int batch_changes = 10000;
  int64_t poll_interval_ms = 500;
};

// Errors: kFailedPrecondition naming the missing or bad option (also: the dsn reference does
// not resolve, a dsn with a password, a plugin other than pgoutput or wal2json, several
// tables).
Result<PgCdcConfig> ParsePgCdcConfig(const std::string& connection_config);

// Registers the change-event schema of the source's table as the dataset's current schema,
// unless it has one: op, before/after records of the table's columns (all optional; types from
// information_schema.columns: smallint/integer int, bigint long, real float, double precision
// double, numeric(p,s) decimal, boolean, date, timestamp[tz], other types string), source
// {lsn, ts_ms, table, txId}, ts_ms. Returns the current schema's version.
// Errors: ParsePgCdcConfig's, kUnavailable (cannot connect), kNotFound (no such table),
// RegisterSchema's.
Result<int> RegisterCdcSchema(catalog::CatalogService& catalog, const std::string& dataset_id);

}  // namespace tarn::ingest
