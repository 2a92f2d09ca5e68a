// Iceberg table pointers over SqlPool (the iceberg_tables table), behind CatalogStore.
// Private to the catalog module.
#pragma once

#include <string>
#include <vector>

#include "tarn/catalog/model.h"
#include "tarn/catalog/sql_db.h"

namespace tarn::catalog {

Result<TableRecord> SqlCreateTable(SqlPool& pool, const std::string& ns, const std::string& name,
                                   const std::string& metadata_location);
Result<TableRecord> SqlGetTable(SqlPool& pool, const std::string& ns, const std::string& name);
Result<std::vector<TableRecord>> SqlListTables(SqlPool& pool, const std::string& ns);
Status SqlSwapTableMetadata(SqlPool& pool, const std::string& ns, const std::string& name,
                            const std::string& expected, const std::string& next);
Status SqlDropTable(SqlPool& pool, const std::string& ns, const std::string& name);

}  // namespace tarn::catalog
