// The demo a newcomer sees after `make run`: a clickstream source whose landing files are
// ingested into raw.user_events (real Avro files, dead letters for the malformed events),
// promoted through the quality gate by a promotion spec (the second batch's out-of-range
// amounts quarantine it, with a report) into curated.user_events, and an aggregate of that in
// serving.daily_active_users. Idempotent: seeding again lands and promotes nothing new.
#pragma once

#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/lake/lake.h"

namespace tarn::cli {

// Returns a short human summary of what the demo holds.
Result<std::string> SeedDemo(lake::Lake& lake);

// Creates and fills serving.daily_active_users from curated.user_events, once. Returns a
// summary fragment ("" when it existed already).
Result<std::string> SeedDemoTables(lake::Lake& lake);

}  // namespace tarn::cli
