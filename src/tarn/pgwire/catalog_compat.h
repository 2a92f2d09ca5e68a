// Rewrites of the catalog queries PostgreSQL clients send (psql's \d commands, JDBC's
// DatabaseMetaData, psycopg2) into SQL DuckDB answers: DuckDB offers pg_catalog and
// information_schema views, but not every function, cast and operator clients use, and its
// pg_attribute.atttypid holds DuckDB's type ids rather than PostgreSQL's OIDs. Only
// statements that mention pg_catalog objects are touched. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tarn::pgwire {

// `sql` rewritten for DuckDB, or unchanged when it needs nothing.
std::string RewriteCatalogQuery(std::string_view sql);

}  // namespace tarn::pgwire
