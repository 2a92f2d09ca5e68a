// The embedded analytical engine (DuckDB through its stable C API). For now this module only
// proves the engine is linked and reports its version; query execution builds on it.
#pragma once

#include <string>

namespace tarn::engine {

// The linked DuckDB library's version, e.g. "v1.5.6".
std::string DuckDbVersion();

}  // namespace tarn::engine
