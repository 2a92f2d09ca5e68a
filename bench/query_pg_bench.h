// The query benchmark's wire-protocol part: psql fetching a large result from `tarn serve
// --pg-listen`, against the same rows through `tarn sql --format csv` and through the query
// service in process. Skipped, with a message, when the tarn binary's `serve` has no
// --pg-listen (the PostgreSQL listener is not in every build yet) or psql is missing.
#pragma once

#include <cstdint>
#include <string>

#include "tarn/base/status.h"
#include "tarn/query/query_service.h"

namespace tarn::bench {

struct WireOptions {
  std::string tarn_binary;  // "" = skip
  int64_t rows = 1000000;   // the LIMIT of the fetched query
  int repeat = 3;
  bool skip = false;
};

// Serves the lake at `lake_dir` with `tarn serve --pg-listen` (a throwaway admin token as the
// password, stopped at the end) and times `psql -At -c <sql> > /dev/null`; the baselines run
// the same `sql`. Prints a table. Errors: kInternal / kIOError when a process cannot start,
// fails, or returns another row count than `session` does; a skip is not an error.
Status RunWireBench(const WireOptions& o, const std::string& lake_dir, query::Session& session,
                    const std::string& sql);

}  // namespace tarn::bench
