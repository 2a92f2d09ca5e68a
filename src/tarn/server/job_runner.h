// JobRunner: runs long requests (an ingestion answered with 202) on threads of their own and
// waits for all of them when destroyed, so a graceful shutdown never cuts a job in half.
// Thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tarn::server {

class JobRunner {
 public:
  ~JobRunner() { WaitAll(); }

  void Start(std::function<void()> job) {
    std::lock_guard lock(mu_);
    threads_.emplace_back(std::move(job));
  }

  void WaitAll() {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

}  // namespace tarn::server
