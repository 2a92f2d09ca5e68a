// The demo a newcomer sees after `make run`: a clickstream source, raw/curated/serving
// datasets, a registered schema, two days of hourly raw partitions with quality runs (one
// failed and quarantined). Idempotent: seeding twice changes nothing.
#pragma once

#include <string>

#include "tarn/base/status.h"
#include "tarn/lake/lake.h"

namespace tarn::cli {

// Returns a short human summary of what the demo holds.
Result<std::string> SeedDemo(lake::Lake& lake);

}  // namespace tarn::cli
