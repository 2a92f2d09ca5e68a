// PgServer over the lake's QueryService (kept apart so the protocol can be tested with fake
// sessions without linking the query service).
#include "tarn/pgwire/pg_server.h"

namespace tarn::pgwire {

PgServer::PgServer(query::QueryService& queries, catalog::CatalogService& catalog,
                   PgServerOptions options)
    : PgServer([&queries](const catalog::Grants& grants) { return queries.OpenSession(grants); },
               catalog, std::move(options)) {}

}  // namespace tarn::pgwire
