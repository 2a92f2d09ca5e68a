#include "tarn/pgwire/client_params.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tarn::pgwire {
namespace {

struct Known {
  const char* name;  // canonical spelling
  const char* value;
  bool reported;  // sent to the client in ParameterStatus
  bool read_only;
};

constexpr Known kKnown[] = {
    {"application_name", "", true, false},
    {"bytea_output", "hex", false, false},
    {"client_encoding", "UTF8", true, false},
    {"client_min_messages", "notice", false, false},
    {"DateStyle", "ISO, MDY", true, false},
    {"default_transaction_isolation", "read committed", false, false},
    {"default_transaction_read_only", "on", true, false},
    {"extra_float_digits", "1", false, false},
    {"idle_in_transaction_session_timeout", "0", false, false},
    {"in_hot_standby", "off", true, true},
    {"integer_datetimes", "on", true, true},
    {"IntervalStyle", "postgres", true, false},
    {"is_superuser", "off", true, true},
    {"lc_collate", "C", false, true},
    {"lc_ctype", "C", false, true},
    {"lc_messages", "C", false, false},
    {"lc_monetary", "C", false, false},
    {"lc_numeric", "C", false, false},
    {"lc_time", "C", false, false},
    {"lock_timeout", "0", false, false},
    {"max_identifier_length", "63", false, true},
    {"search_path", "\"$user\", public", false, false},
    {"server_encoding", "UTF8", true, true},
    {"server_version", "15.0 (tarn)", true, true},
    {"server_version_num", "150000", false, true},
    {"session_authorization", "tarn", true, false},
    {"standard_conforming_strings", "on", true, false},
    {"statement_timeout", "0", false, false},
    {"TimeZone", "UTC", true, false},
    {"transaction_isolation", "read committed", false, false},
    {"transaction_read_only", "on", false, false},
};

// PostgreSQL parameters that clients and BI tools set and tarn accepts without effect (the
// planner and executor are DuckDB's; roles are tokens).
constexpr const char* kAccepted[] = {"array_nulls",
                                     "backslash_quote",
                                     "constraint_exclusion",
                                     "cpu_index_tuple_cost",
                                     "cpu_operator_cost",
                                     "cpu_tuple_cost",
                                     "default_text_search_config",
                                     "default_transaction_deferrable",
                                     "effective_cache_size",
                                     "enable_bitmapscan",
                                     "enable_gathermerge",
                                     "enable_hashagg",
                                     "enable_hashjoin",
                                     "enable_incremental_sort",
                                     "enable_indexonlyscan",
                                     "enable_indexscan",
                                     "enable_material",
                                     "enable_memoize",
                                     "enable_mergejoin",
                                     "enable_nestloop",
                                     "enable_parallel_append",
                                     "enable_parallel_hash",
                                     "enable_partition_pruning",
                                     "enable_partitionwise_aggregate",
                                     "enable_partitionwise_join",
                                     "enable_seqscan",
                                     "enable_sort",
                                     "enable_tidscan",
                                     "escape_string_warning",
                                     "from_collapse_limit",
                                     "geqo",
                                     "idle_session_timeout",
                                     "jit",
                                     "join_collapse_limit",
                                     "maintenance_work_mem",
                                     "max_parallel_workers_per_gather",
                                     "parallel_setup_cost",
                                     "parallel_tuple_cost",
                                     "plan_cache_mode",
                                     "quote_all_identifiers",
                                     "random_page_cost",
                                     "role",
                                     "row_security",
                                     "seq_page_cost",
                                     "session_replication_role",
                                     "synchronous_commit",
                                     "tcp_keepalives_count",
                                     "tcp_keepalives_idle",
                                     "tcp_keepalives_interval",
                                     "temp_buffers",
                                     "timezone_abbreviations",
                                     "transaction_deferrable",
                                     "work_mem",
                                     "xmloption"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const Known* FindKnown(std::string_view lower) {
  for (const Known& k : kKnown) {
    if (Lower(k.name) == lower) return &k;
  }
  return nullptr;
}

bool IsUtcName(std::string_view v) {
  std::string l = Lower(v);
  return l == "utc" || l == "etc/utc" || l == "gmt" || l == "etc/gmt" || l == "z" || l == "zulu" ||
         l == "uct" || l == "etc/uct" || l == "universal" || l == "etc/universal" || l == "gmt0" ||
         l == "etc/gmt0" || l == "+00" || l == "+00:00" || l == "-00" || l == "00:00" || l == "0" ||
         l == "gmt+0" || l == "gmt-0" || l == "etc/gmt+0" || l == "etc/gmt-0" || l == "greenwich" ||
         l == "etc/zulu";
}

Status Check(const std::string& lower, std::string* value) {
  std::string l = Lower(*value);
  if (lower == "client_encoding") {
    if (l != "utf8" && l != "utf-8" && l != "unicode") {
      return InvalidArgument("client_encoding \"" + *value +
                             "\" is not supported: tarn speaks UTF8 only");
    }
    *value = "UTF8";
  } else if (lower == "timezone") {
    if (!IsUtcName(*value)) {
      return InvalidArgument("time zone \"" + *value +
                             "\" is not supported: tarn's sessions run in UTC; use UTC and "
                             "convert on the client (or AT TIME ZONE in SQL)");
    }
    *value = "UTC";
  } else if (lower == "datestyle") {
    // Accept ISO with any order (MDY/DMY/YMD only affects input of ambiguous dates).
    if (l.find("iso") == std::string::npos) {
      return InvalidArgument("DateStyle \"" + *value +
                             "\" is not supported: tarn writes dates in ISO format only");
    }
    std::string order = l.find("dmy") != std::string::npos   ? "DMY"
                        : l.find("ymd") != std::string::npos ? "YMD"
                                                             : "MDY";
    *value = "ISO, " + order;
  } else if (lower == "intervalstyle") {
    if (l != "postgres") {
      return InvalidArgument("IntervalStyle \"" + *value + "\" is not supported: use postgres");
    }
  } else if (lower == "standard_conforming_strings") {
    if (l != "on" && l != "true" && l != "1") {
      return InvalidArgument("standard_conforming_strings must stay on in tarn");
    }
    *value = "on";
  } else if (lower == "bytea_output") {
    if (l != "hex")
      return InvalidArgument("bytea_output \"" + *value + "\" is not supported: use hex");
  } else if (lower == "extra_float_digits" || lower == "statement_timeout" ||
             lower == "lock_timeout" || lower == "idle_in_transaction_session_timeout") {
    std::string_view digits = *value;
    if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
    // Time settings may carry a unit ("5s", "100ms", "1min").
    size_t n = 0;
    while (n < digits.size() && std::isdigit(static_cast<unsigned char>(digits[n]))) ++n;
    if (n == 0)
      return InvalidArgument("invalid value for parameter \"" + lower + "\": \"" + *value + "\"");
  }
  return Status::OK();
}

}  // namespace

bool ClientParams::IsClientParameter(std::string_view name) {
  std::string lower = Lower(name);
  if (lower == "time zone" || lower.find('.') != std::string::npos || FindKnown(lower)) return true;
  for (const char* a : kAccepted) {
    if (lower == a) return true;
  }
  return false;
}

ClientParams::ClientParams() {
  for (const Known& k : kKnown) defaults_[Lower(k.name)] = k.value;
  ResetAll();
}

std::string ClientParams::CanonicalName(std::string_view name) {
  std::string lower = Lower(name);
  if (const Known* k = FindKnown(lower)) return k->name;
  return lower;
}

Status ClientParams::Set(std::string_view name, std::string_view raw) {
  std::string lower = Lower(name);
  if (lower == "time zone") lower = "timezone";
  if (const Known* k = FindKnown(lower); k && k->read_only) {
    return PermissionDenied("parameter \"" + std::string(k->name) + "\" cannot be changed");
  }
  std::string value(raw);
  TARN_RETURN_IF_ERROR(Check(lower, &value));
  values_[lower] = value;
  return Status::OK();
}

Status ClientParams::SetDefault(std::string_view name, std::string_view value) {
  TARN_RETURN_IF_ERROR(Set(name, value));
  std::string lower = Lower(name);
  if (lower == "time zone") lower = "timezone";
  defaults_[lower] = values_[lower];
  return Status::OK();
}

void ClientParams::Reset(std::string_view name) {
  std::string lower = Lower(name);
  if (lower == "time zone") lower = "timezone";
  auto it = defaults_.find(lower);
  if (it != defaults_.end()) {
    values_[lower] = it->second;
  } else {
    values_.erase(lower);
  }
}

void ClientParams::ResetAll() { values_ = defaults_; }

std::optional<std::string> ClientParams::Get(std::string_view name) const {
  std::string lower = Lower(name);
  if (lower == "time zone") lower = "timezone";
  auto it = values_.find(lower);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, std::string>> ClientParams::All() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [lower, value] : values_) out.emplace_back(CanonicalName(lower), value);
  return out;
}

std::vector<std::pair<std::string, std::string>> ClientParams::TakeReported(bool all) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Known& k : kKnown) {
    if (!k.reported) continue;
    std::string lower = Lower(k.name);
    const std::string& value = values_[lower];
    auto it = reported_.find(lower);
    if (all || it == reported_.end() || it->second != value) {
      out.emplace_back(k.name, value);
      reported_[lower] = value;
    }
  }
  return out;
}

int64_t ClientParams::statement_timeout_ms() const {
  auto it = values_.find("statement_timeout");
  if (it == values_.end()) return 0;
  std::string_view v = it->second;
  int64_t n = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), n);
  std::string_view unit(r.ptr, static_cast<size_t>(v.data() + v.size() - r.ptr));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  std::string u = Lower(unit);
  if (u == "s") return n * 1000;
  if (u == "min") return n * 60000;
  if (u == "h") return n * 3600000;
  if (u == "d") return n * 86400000;
  if (u == "us") return n / 1000;
  return n;  // "ms" or no unit
}

}  // namespace tarn::pgwire
