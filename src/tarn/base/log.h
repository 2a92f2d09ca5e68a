// Minimal leveled logging to stderr: one line per call, "<iso-time> <LEVEL> <message>".
// Thread-safe. Callers must never pass secrets (tokens, passwords, DSNs with passwords).
#pragma once

#include <string_view>

namespace tarn {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError };

void SetLogLevel(LogLevel level);
void Log(LogLevel level, std::string_view message);
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarn(std::string_view m) { Log(LogLevel::kWarn, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }

}  // namespace tarn
