// The demo a newcomer sees after `make run`: a clickstream source whose landing files are
// ingested into raw.user_events (real Avro files, dead letters for the malformed events),
// quality runs on the landed partitions (one quarantined), and the curated and serving
// datasets the later stages fill. Idempotent: seeding again lands nothing new.
#pragma once

#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/lake/lake.h"

namespace tarn::cli {

// Returns a short human summary of what the demo holds.
Result<std::string> SeedDemo(lake::Lake& lake);

// Creates and fills the demo's Iceberg tables from the landing files of the batches that passed
// their quality runs, once. Returns a summary fragment ("" when they existed already).
Result<std::string> SeedDemoTables(lake::Lake& lake, const std::vector<std::string>& passed_files);

}  // namespace tarn::cli
