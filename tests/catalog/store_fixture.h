// Runs a test suite against both catalog backends: SQLite (a temp file) and PostgreSQL (a
// fresh database on the throwaway server of this test binary).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "support/temp_postgres.h"
#include "tarn/catalog/catalog_store.h"

namespace tarn::testing {

inline std::string MakeTempDir() {
  char tmpl[] = "/tmp/tarn-test-XXXXXX";
  return mkdtemp(tmpl);
}

// The catalog URL for a fresh catalog on `backend` ("sqlite" or "postgres").
inline std::string FreshCatalogUrl(const std::string& backend, const std::string& dir) {
  if (backend == "postgres") return TempPostgres::Shared().NewDatabaseUrl();
  return "sqlite:" + dir + "/catalog.db";
}

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    url_ = FreshCatalogUrl(GetParam(), dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::string url_;
};

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace tarn::testing
