// statement_timeout for one connection: Start arms a deadline, Stop disarms it; if the
// deadline passes first, `on_expiry` runs (the connection interrupts its statement) on the
// timer's own thread, started on first use and stopped by the destructor. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace tarn::pgwire {

class StatementTimer {
 public:
  explicit StatementTimer(std::function<void()> on_expiry) : on_expiry_(std::move(on_expiry)) {}
  ~StatementTimer();
  StatementTimer(const StatementTimer&) = delete;
  StatementTimer& operator=(const StatementTimer&) = delete;

  void Start(int64_t timeout_ms);
  // Disarms the timer; true if it fired since Start.
  bool Stop();

 private:
  void Loop();
  std::function<void()> on_expiry_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  bool armed_ = false;
  bool fired_ = false;
  bool quit_ = false;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace tarn::pgwire
