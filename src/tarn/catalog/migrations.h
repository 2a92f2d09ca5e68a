// Versioned schema migrations of the catalog database. Each migration is written once with
// dialect placeholders ({uuid}, {json}, {ts}, {bool}, {true}, {false}, {float}) and applied in
// its own transaction; applied versions are recorded in `schema_migrations`.
#pragma once

#include "tarn/base/status.h"
#include "tarn/catalog/sql_db.h"

namespace tarn::catalog {

// Applies every migration newer than the database's version. Safe to run concurrently from
// several processes (the write transaction / advisory lock serializes them).
// Errors: kFailedPrecondition if the database is newer than this binary; driver errors.
Status Migrate(SqlPool& pool);

// The newest migration version this binary knows.
int LatestMigrationVersion();

}  // namespace tarn::catalog
