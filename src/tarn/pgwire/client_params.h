// A connection's run-time parameters as PostgreSQL clients see them (SET, SHOW, RESET and the
// startup packet): the server's fixed facts (server_version, server_encoding, ...) and the
// client's settings, checked where tarn supports only one value (client_encoding UTF8,
// TimeZone UTC, DateStyle ISO, IntervalStyle postgres). Unknown names are stored and shown
// back, as custom settings are in PostgreSQL. One per connection; not thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::pgwire {

class ClientParams {
 public:
  ClientParams();

  // Errors: kInvalidArgument (a value tarn does not support, saying which it does),
  // kPermissionDenied (a read-only parameter such as server_version).
  Status Set(std::string_view name, std::string_view value);
  // Set, and make `value` what RESET returns to (for the startup packet's settings).
  Status SetDefault(std::string_view name, std::string_view value);
  void Reset(std::string_view name);
  void ResetAll();
  // The value, or nullopt for a name neither known nor set.
  std::optional<std::string> Get(std::string_view name) const;
  // Every parameter (canonical name, value), sorted by name, for SHOW ALL.
  std::vector<std::pair<std::string, std::string>> All() const;
  // The parameters PostgreSQL reports to clients (ParameterStatus): all of them at startup,
  // then those changed since the last call.
  std::vector<std::pair<std::string, std::string>> TakeReported(bool all);
  // The canonical spelling ("DateStyle" for "datestyle").
  static std::string CanonicalName(std::string_view name);
  // True for PostgreSQL's run-time parameters that clients set (those tarn models, and
  // planner and resource settings tools send, which are accepted without effect) and custom
  // settings (a dotted name); false for anything else, e.g. DuckDB's settings.
  static bool IsClientParameter(std::string_view name);
  // statement_timeout in milliseconds (0: none).
  int64_t statement_timeout_ms() const;

 private:
  std::map<std::string, std::string> values_;    // by lowercase name
  std::map<std::string, std::string> defaults_;  // what RESET restores, by lowercase name
  std::map<std::string, std::string> reported_;  // last values sent, by lowercase name
};

}  // namespace tarn::pgwire
