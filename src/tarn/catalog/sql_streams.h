// Streaming ingestion's tables over SqlPool (stream_positions, stream_batches,
// stream_watermarks, stream_windows), behind CatalogStore. Private to the catalog module.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tarn/catalog/catalog_store.h"
#include "tarn/catalog/sql_db.h"

namespace tarn::catalog {

Result<std::vector<StreamBatch>> SqlCompleteStreamLanding(SqlPool& pool, const StreamLanding& landing);
Result<std::vector<StreamPosition>> SqlListStreamPositions(SqlPool& pool, const std::string& dataset_id);
Result<std::optional<StreamWatermark>> SqlGetWatermark(SqlPool& pool, const std::string& dataset_id);
Result<std::vector<StreamBatch>> SqlListUnreconciledLateBatches(SqlPool& pool,
                                                                const std::string& dataset_id);
Status SqlMarkBatchesReconciled(SqlPool& pool, const std::vector<std::string>& batch_ids);
Result<std::optional<UnixMicros>> SqlGetWindowPublished(SqlPool& pool, const std::string& dataset_id,
                                                        const std::string& window);
Status SqlSetWindowPublished(SqlPool& pool, const std::string& dataset_id, const std::string& window,
                             UnixMicros until);

}  // namespace tarn::catalog
