// Shared helpers for the Iceberg metadata tests: the shared fixture directory (skipping when
// it is absent), file reading, and a field-by-field TableMetadata comparison.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tarn/iceberg/table_metadata.h"

namespace tarn::iceberg::testing {

// <shared fixtures>/iceberg, from the TARN_SHARED_FIXTURES compile definition.
inline std::filesystem::path IcebergFixtures() {
  return std::filesystem::path(TARN_SHARED_FIXTURES) / "iceberg";
}

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Tests that read the shared fixtures; skipped when the directory is not there.
class FixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(IcebergFixtures())) {
      GTEST_SKIP() << "the shared Iceberg fixtures are absent (" << IcebergFixtures().string()
                   << "); nothing to check";
    }
  }
  static std::string Fixture(const std::string& relative) {
    return ReadFile(IcebergFixtures() / relative);
  }
};

// Schemas have no operator==; their Iceberg JSON is their identity here.
inline void ExpectSameMetadata(const TableMetadata& a, const TableMetadata& b) {
  EXPECT_EQ(a.format_version, b.format_version);
  EXPECT_EQ(a.table_uuid, b.table_uuid);
  EXPECT_EQ(a.location, b.location);
  EXPECT_EQ(a.last_sequence_number, b.last_sequence_number);
  EXPECT_EQ(a.last_updated_ms, b.last_updated_ms);
  EXPECT_EQ(a.last_column_id, b.last_column_id);
  ASSERT_EQ(a.schemas.size(), b.schemas.size());
  for (size_t i = 0; i < a.schemas.size(); ++i) {
    EXPECT_EQ(a.schemas[i].first, b.schemas[i].first);
    EXPECT_EQ(schema::SchemaToIcebergJson(a.schemas[i].second, 0),
              schema::SchemaToIcebergJson(b.schemas[i].second, 0));
  }
  EXPECT_EQ(a.current_schema_id, b.current_schema_id);
  EXPECT_EQ(a.specs, b.specs);
  EXPECT_EQ(a.default_spec_id, b.default_spec_id);
  EXPECT_EQ(a.last_partition_id, b.last_partition_id);
  EXPECT_EQ(a.sort_orders, b.sort_orders);
  EXPECT_EQ(a.default_sort_order_id, b.default_sort_order_id);
  EXPECT_EQ(a.properties, b.properties);
  EXPECT_EQ(a.current_snapshot_id, b.current_snapshot_id);
  EXPECT_EQ(a.snapshots, b.snapshots);
  EXPECT_EQ(a.snapshot_log, b.snapshot_log);
  EXPECT_EQ(a.metadata_log, b.metadata_log);
  EXPECT_EQ(a.refs, b.refs);
  EXPECT_EQ(a.extra_json, b.extra_json);
}

}  // namespace tarn::iceberg::testing
