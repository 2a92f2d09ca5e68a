#include "tarn/base/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "tarn/base/time.h"

namespace tarn {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_mu;
constexpr const char* kNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};
}  // namespace

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

void Log(LogLevel level, std::string_view message) {
  if (static_cast<int>(level) < g_level) return;
  std::string line = FormatIsoTimestamp(Clock::System().Now());
  line += ' ';
  line += kNames[static_cast<int>(level)];
  line += ' ';
  line += message;
  line += '\n';
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace tarn
