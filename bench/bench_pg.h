// PostgreSQL for the benchmarks: a throwaway server (scripts/pg-tmp.sh) stopped on exit and on
// SIGINT/SIGTERM/SIGHUP, and a small libpq connection used to load tables and to read them
// with COPY ... TO STDOUT (the ingestion baseline).
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>

#include "tarn/base/status.h"

namespace tarn::bench {

// Blocks the termination signals and starts a thread that, on one, runs the cleanup command
// registered by the running ThrowawayPostgres and exits. Call before starting other threads.
void StartPgSignalWatcher();

class ThrowawayPostgres {
 public:
  ~ThrowawayPostgres() { Stop(); }
  // Starts a server in a new directory under `parent` with `script`.
  Status Start(const std::string& script, const std::string& parent);
  void Stop();
  const std::string& url() const { return url_; }
  // The server's temp directory (removed by Stop).
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, url_, stop_command_;
};

class PgConn {
 public:
  // Errors: kUnavailable.
  static Result<std::unique_ptr<PgConn>> Connect(const std::string& url);
  ~PgConn() { PQfinish(conn_); }

  // Runs one statement. Errors: kIOError with the server's message.
  Status Exec(const std::string& sql);
  // The first column of the first row of `sql`, as text ("" when NULL or no row).
  Result<std::string> QueryText(const std::string& sql);

  struct CopyStats {
    int64_t rows = 0;
    int64_t bytes = 0;
  };
  // Runs `COPY (<select>) TO STDOUT` and reads every row with PQgetCopyData, as a client
  // that consumes the stream would (the rows are counted, not parsed).
  Result<CopyStats> CopyOut(const std::string& select);

 private:
  explicit PgConn(PGconn* conn) : conn_(conn) {}
  PGconn* conn_;
};

}  // namespace tarn::bench
