#include "tarn/pgwire/statement_timer.h"

namespace tarn::pgwire {

StatementTimer::~StatementTimer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StatementTimer::Start(int64_t timeout_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  armed_ = true;
  fired_ = false;
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  cv_.notify_all();
}

bool StatementTimer::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = false;
  cv_.notify_all();
  return fired_;
}

void StatementTimer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!quit_) {
    if (!armed_) {
      cv_.wait(lock);
      continue;
    }
    if (cv_.wait_until(lock, deadline_) == std::cv_status::timeout && armed_ &&
        std::chrono::steady_clock::now() >= deadline_) {
      armed_ = false;
      fired_ = true;
      // The callback interrupts the statement; the lock is not held so Stop never waits on it.
      lock.unlock();
      on_expiry_();
      lock.lock();
    }
  }
}

}  // namespace tarn::pgwire
