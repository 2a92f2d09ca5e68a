// PostgreSQL's catalog relations and type names as SQL over DuckDB's own views, for the
// catalog-query rewrites (catalog_compat.h): pg_attribute with PostgreSQL's OIDs, pg_type,
// pg_namespace, pg_class, pg_database, the role relations, and empty stand-ins for what DuckDB
// lacks. Internal to pgwire. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "tarn/pgwire/catalog_compat.h"

namespace tarn::pgwire {

// The SELECT that stands in for pg_catalog relation `name`, or "" when tarn keeps DuckDB's.
std::string CatalogRelationSql(const std::string& name, const CompatContext& context);
// format_type(type, typmod) as a SQL expression over the two argument expressions.
std::string FormatTypeSql(const std::string& type, const std::string& typmod);
// current_setting() of a server setting (lowercase name) as a SQL literal, "" if tarn does
// not report it.
std::string ServerSettingSql(const std::string& name);
// The OID of a PostgreSQL type name ("int4" or "integer"), 0 if tarn has no such type.
int32_t CompatTypeOid(const std::string& name);

}  // namespace tarn::pgwire
