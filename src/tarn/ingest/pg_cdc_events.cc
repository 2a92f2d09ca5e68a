#include "tarn/ingest/pg_cdc_events.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tarn/ingest/pg_util.h"

namespace tarn::ingest {
namespace {

const std::string* Find(const RowImage& image, const std::string& name) {
  for (const auto& [n, v] : image) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::string ObjectJson(const RowImage& image) {
  std::string out = "{";
  for (const auto& [name, value] : image) {
    if (out.size() > 1) out += ',';
    pg::AppendJsonString(&out, name);
    out += ':' + value;
  }
  return out + "}";
}

std::string Envelope(char op, const std::string& before, const std::string& after,
                     const ChangeSource& source, int64_t now_ms) {
  using nlohmann::json;
  json s = {{"lsn", source.lsn},
            {"ts_ms", source.ts_ms ? json(*source.ts_ms) : json(nullptr)},
            {"table", source.table},
            {"txId", source.xid ? json(*source.xid) : json(nullptr)}};
  return std::string("{\"op\":\"") + op + "\",\"before\":" + before + ",\"after\":" + after +
         ",\"source\":" + s.dump() + ",\"ts_ms\":" + std::to_string(now_ms) + "}";
}

}  // namespace

Result<int64_t> ParseLsn(std::string_view text) {
  unsigned hi = 0, lo = 0;
  int consumed = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%X/%X%n", &hi, &lo, &consumed) != 2 ||
      consumed != static_cast<int>(s.size())) {
    return InvalidArgument("'" + s + "' is not an LSN (X/Y)");
  }
  return static_cast<int64_t>((static_cast<uint64_t>(hi) << 32) | lo);
}

std::string FormatLsn(int64_t lsn) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(static_cast<uint64_t>(lsn) >> 32),
                static_cast<unsigned>(lsn & 0xffffffff));
  return buf;
}

Result<std::vector<std::string>> ChangeEvents(char action, std::optional<RowImage> before,
                                              std::optional<RowImage> after,
                                              const ChangeSource& source,
                                              const std::vector<std::string>& key, int64_t now_ms) {
  if (action != 'D' && !after) return InvalidArgument("an insert or update without its new row");
  if (action == 'I') {
    return std::vector<std::string>{Envelope('c', "null", ObjectJson(*after), source, now_ms)};
  }
  if (action == 'D') {
    if (!before) return InvalidArgument("a delete without its old row");
    return std::vector<std::string>{Envelope('d', ObjectJson(*before), "null", source, now_ms)};
  }
  if (!before) {
    return std::vector<std::string>{Envelope('u', "null", ObjectJson(*after), source, now_ms)};
  }
  for (const auto& [name, value] : *before) {
    if (!Find(*after, name)) after->emplace_back(name, value);  // unchanged, not logged again
  }
  bool key_changed = false;
  for (const std::string& k : key) {
    const std::string* old_value = Find(*before, k);
    const std::string* new_value = Find(*after, k);
    key_changed = key_changed || (old_value && new_value && *old_value != *new_value);
  }
  if (!key_changed) {
    return std::vector<std::string>{
        Envelope('u', ObjectJson(*before), ObjectJson(*after), source, now_ms)};
  }
  return std::vector<std::string>{Envelope('d', ObjectJson(*before), "null", source, now_ms),
                                  Envelope('c', "null", ObjectJson(*after), source, now_ms)};
}

std::string SnapshotEvent(const std::string& row, const std::string& table, int64_t now_ms) {
  return Envelope('r', "null", row, ChangeSource{0, now_ms, table, std::nullopt}, now_ms);
}

}  // namespace tarn::ingest
