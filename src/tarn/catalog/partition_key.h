// Partition keys name the time a partition covers: "dt=YYYY-MM-DD" (a day) or
// "dt=YYYY-MM-DD/hour=HH" (an hour), zero-padded so that byte order is time order. Range
// filters on the catalog compare keys directly, which the (dataset_id, partition_key) index
// answers without parsing.
#pragma once

#include <string>
#include <string_view>

#include "tarn/base/status.h"
#include "tarn/base/time.h"

namespace tarn::catalog {

// The start of the period `key` names. Errors: kFailedPrecondition naming the key.
Result<UnixMicros> ParsePartitionKey(std::string_view key);

// The key a from/to bound stands for: "2024-01-15" -> "dt=2024-01-15",
// "2024-01-15T03" or "2024-01-15T03:00:00Z" -> "dt=2024-01-15/hour=03". Bounds must fall on an
// hour. `field` names the parameter in errors. Errors: kFailedPrecondition.
Result<std::string> PartitionKeyBound(std::string_view field, std::string_view bound);

}  // namespace tarn::catalog
