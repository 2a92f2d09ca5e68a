// A throwaway PostgreSQL server for tests (scripts/pg-tmp.sh: temp dir, loopback, free port).
// Tests that need it call TempPostgres::Shared(); the server lives until the test binary exits.
#pragma once

#include <string>

namespace tarn::testing {

class TempPostgres {
 public:
  // The shared server of this test binary, started on first use. Aborts the test binary with
  // a clear message if PostgreSQL cannot be started.
  static TempPostgres& Shared();
  ~TempPostgres();

  // A connection URL for a fresh, empty database (one per call).
  std::string NewDatabaseUrl();

 private:
  TempPostgres();
  std::string dir_;
  std::string base_url_;  // postgresql://tarn@127.0.0.1:PORT/
  int next_db_ = 0;
};

// The repository root (for scripts), from the TARN_SOURCE_DIR compile definition.
std::string SourceDir();

}  // namespace tarn::testing
