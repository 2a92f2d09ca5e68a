// Rewrites of the catalog queries PostgreSQL clients send (psql's \d commands, JDBC's
// DatabaseMetaData, psycopg2, BI tools) into SQL that DuckDB answers. DuckDB offers
// pg_catalog and information_schema views, but not every function, cast, operator and
// relation clients use, and its pg_attribute.atttypid holds DuckDB's type ids rather than
// PostgreSQL's OIDs. The rewrite works on tokens (never inside string literals), only for
// statements that mention catalog objects, and replaces:
//   OPERATOR(pg_catalog.~) -> ~; COLLATE pg_catalog.default -> (nothing);
//   x ~ 'p' / !~ / ~* / !~*  -> DuckDB's full-match ~ with the pattern made a partial match;
//   'name'::regclass, ::regtype, ::regproc, ::pg_catalog.text, ::name ... -> DuckDB casts;
//   pg_get_userbyid(), pg_encoding_to_char(), format_type(), pg_*_size(), version(),
//     current_database(), current_user, array_upper() ... -> equivalents;
//   pg_attribute, pg_type, pg_namespace, pg_database, pg_class, pg_roles, pg_user and the
//     relations DuckDB lacks (pg_inherits, pg_policy, pg_trigger, ...) -> derived tables with
//     PostgreSQL's OIDs and columns.
// Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tarn::pgwire {

struct CompatContext {
  std::string user = "tarn";      // the startup packet's user name
  std::string database = "tarn";  // the startup packet's database name
  int32_t process_id = 0;
};

// `sql` rewritten for DuckDB, or unchanged when it needs nothing.
std::string RewriteCatalogQuery(std::string_view sql, const CompatContext& context = {});

}  // namespace tarn::pgwire
