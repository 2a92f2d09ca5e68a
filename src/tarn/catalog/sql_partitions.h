// Registers partitions inside a catalog transaction: multi-row INSERTs, idempotent per
// (dataset, file). Private to the catalog module.
#pragma once

#include <string>
#include <vector>

#include "tarn/catalog/catalog_store.h"
#include "tarn/catalog/sql_db.h"

namespace tarn::catalog {

// Registers `inputs` for `dataset_id` on `c` (inside the caller's transaction), appending one
// entry per input to `out`. Errors: kAlreadyExists (a file registered with other metadata),
// driver errors.
Status InsertPartitions(SqlConnection& c, const std::string& dataset_id,
                        const std::vector<PartitionInput>& inputs, UnixMicros now,
                        std::vector<RegisteredPartition>* out);

}  // namespace tarn::catalog
