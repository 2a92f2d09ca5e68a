// Alert deliveries over SqlPool (the alert_deliveries table), behind CatalogStore.
// Private to the catalog module.
#pragma once

#include "tarn/catalog/catalog_store.h"
#include "tarn/catalog/sql_db.h"

namespace tarn::catalog {

Result<AlertDelivery> SqlRecordAlertDelivery(SqlPool& pool, const AlertDelivery& delivery);
Result<AlertDeliveryPage> SqlListAlertDeliveries(SqlPool& pool, const AlertDeliveryQuery& query);

}  // namespace tarn::catalog
