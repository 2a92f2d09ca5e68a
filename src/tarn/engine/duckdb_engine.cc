#include "tarn/engine/duckdb_engine.h"

#include <duckdb.h>

namespace tarn::engine {

std::string DuckDbVersion() { return duckdb_library_version(); }

}  // namespace tarn::engine
