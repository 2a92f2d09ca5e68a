// A scripted query::Session for protocol tests: it recognizes a handful of statements by
// their text and answers with fixed columns and rows, so the wire protocol is tested without
// DuckDB or a lake.
//   SELECT * FROM numbers(N)  one BIGINT column n, rows 0..N-1 (fails once the session ran
//                             another statement, as a DuckDB result does)
//   SELECT types              one row with a column of every type
//   SELECT echo $1, $2 ...    one row: the parameters as VARCHAR columns p1, p2, ...
//   SELECT sleep              blocks until Interrupt, then fails "canceled"
//   SELECT fail_midway        two rows, then kResourceExhausted
//   SELECT * FROM serving.x   kPermissionDenied;  curated.missing: kNotFound
//   anything else             kInvalidArgument with a DuckDB-style message
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tarn/query/query_service.h"

namespace tarn::pgwire::testing {

// What every session of a test saw, shared across connection threads.
struct FakeLog {
  std::mutex mu;
  std::vector<std::string> executed;                            // SQL given to Execute
  std::vector<std::string> described;                           // SQL given to Describe
  std::vector<std::vector<std::optional<std::string>>> params;  // per Execute
  std::atomic<int> sessions{0};
  std::atomic<int> interrupts{0};
  std::atomic<int> sleeping{0};  // statements blocked in SELECT sleep

  std::vector<std::string> Executed() {
    std::lock_guard<std::mutex> lock(mu);
    return executed;
  }
};

class FakeSession : public query::Session {
 public:
  explicit FakeSession(std::shared_ptr<FakeLog> log) : log_(std::move(log)) { ++log_->sessions; }
  Result<query::StatementInfo> Describe(const std::string& sql) override;
  Result<std::unique_ptr<query::ResultStream>> Execute(
      const std::string& sql, const std::vector<std::optional<std::string>>& params) override;
  Status ExportParquet(const std::string& sql, const std::string& path) override {
    return Unimplemented("fake");
  }
  void Interrupt() override;

 private:
  std::shared_ptr<FakeLog> log_;
  // Like DuckDB, a session runs one statement: running another breaks an open numbers() result.
  std::shared_ptr<int> generation_ = std::make_shared<int>(0);
  struct Interrupts {
    std::mutex mu;
    std::condition_variable cv;
    bool interrupted = false;
  };
  std::shared_ptr<Interrupts> interrupts_ = std::make_shared<Interrupts>();
};

}  // namespace tarn::pgwire::testing
