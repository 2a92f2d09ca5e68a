#include "tarn/engine/duckdb_engine.h"

#include <gtest/gtest.h>

namespace tarn::engine {
namespace {

// make setup pins DuckDB 1.5.6; a system install must be at least the 1.x C API.
TEST(DuckDbEngineTest, LinkedLibraryReportsItsVersion) {
  std::string v = DuckDbVersion();
  ASSERT_GE(v.size(), 2u);
  EXPECT_EQ(v.substr(0, 2), "v1");
}

}  // namespace
}  // namespace tarn::engine
