#include "tarn/pgwire/catalog_compat.h"

namespace tarn::pgwire {

std::string RewriteCatalogQuery(std::string_view sql) { return std::string(sql); }

}  // namespace tarn::pgwire
