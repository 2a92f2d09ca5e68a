// The demo a newcomer sees after `make run`: a clickstream source whose landing files are
// ingested into raw.user_events (real Avro files, dead letters for the malformed events),
// quality runs on the landed partitions (one quarantined), and the curated and serving
// datasets the later stages fill. Idempotent: seeding again lands nothing new.
#pragma once

#include <string>

#include "tarn/base/status.h"
#include "tarn/lake/lake.h"

namespace tarn::cli {

// Returns a short human summary of what the demo holds.
Result<std::string> SeedDemo(lake::Lake& lake);

}  // namespace tarn::cli
