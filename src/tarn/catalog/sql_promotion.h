// The quality gate's and promotion's tables over SqlPool (promotion_specs, promotion_lineage,
// quality-run baselines), behind CatalogStore. Private to the catalog module.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tarn/catalog/model.h"
#include "tarn/catalog/sql_db.h"

namespace tarn::catalog {

Result<std::vector<KeyedQualityRun>> SqlRecentPassedRuns(SqlPool& pool, const Partition& before,
                                                         int limit);
Result<PromotionSpecVersion> SqlPutPromotionSpec(SqlPool& pool, const std::string& dataset_id,
                                                 const std::string& spec_json);
Result<std::optional<PromotionSpecVersion>> SqlGetPromotionSpec(SqlPool& pool,
                                                                const std::string& dataset_id);
Status SqlRecordPromotion(SqlPool& pool, const std::vector<LineageRecord>& records);
Result<std::vector<LineageRecord>> SqlListLineage(SqlPool& pool, const std::string& raw_dataset_id,
                                                  int limit);

}  // namespace tarn::catalog
