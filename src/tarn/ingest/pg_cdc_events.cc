#include "tarn/ingest/pg_cdc_events.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "tarn/base/time.h"
#include "tarn/ingest/pg_util.h"

namespace tarn::ingest {
namespace {

using nlohmann::json;

// Parses like json::parse but keeps non-integer numbers as their text, in strings: a double
// cannot hold every digit of a numeric. (json_sax_dom_parser is nlohmann's own DOM builder.)
class ExactNumbers : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  using json_sax_dom_parser::json_sax_dom_parser;
  bool number_float(json::number_float_t, const json::string_t& text) {
    json::string_t copy = text;
    return json_sax_dom_parser::string(copy);
  }
};

json ParseExact(std::string_view text) {
  json out;
  ExactNumbers sax(out, /*allow_exceptions=*/false);
  if (!json::sax_parse(text, &sax, json::input_format_t::json, /*strict=*/true,
                       /*ignore_comments=*/false)) {
    return json();
  }
  return out;
}

// A wal2json column value as JSON text, by the column's type (numbers that are not integers
// arrive as text, ParseExact).
std::string ValueJson(const json& column) {
  const json& v = column.contains("value") ? column["value"] : json(nullptr);
  if (v.is_null() || v.is_boolean() || v.is_number()) return v.dump();
  if (!v.is_string()) return v.dump();
  Oid oid = column.value("typeoid", Oid{0});
  std::string out;
  pg::AppendValue(&out, pg::KindOf(oid), v.get_ref<const std::string&>(),
                  /*numeric_as_string=*/true);
  return out;
}

// The columns of a wal2json "columns" / "identity" array as (name, JSON value) pairs.
using Image = std::vector<std::pair<std::string, std::string>>;

Result<Image> ImageOf(const json& columns) {
  Image image;
  if (!columns.is_array()) return InvalidArgument("wal2json: columns are not an array");
  for (const json& c : columns) {
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string()) {
      return InvalidArgument("wal2json: a column without a name");
    }
    image.emplace_back(c["name"].get<std::string>(), ValueJson(c));
  }
  return image;
}

const std::string* Find(const Image& image, const std::string& name) {
  for (const auto& [n, v] : image) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::string ObjectJson(const Image& image) {
  std::string out = "{";
  for (const auto& [name, value] : image) {
    if (out.size() > 1) out += ',';
    pg::AppendJsonString(&out, name);
    out += ':' + value;
  }
  return out + "}";
}

std::string Envelope(char op, const std::string& before, const std::string& after,
                     const std::string& source, int64_t now_ms) {
  return std::string("{\"op\":\"") + op + "\",\"before\":" + before + ",\"after\":" + after +
         ",\"source\":" + source + ",\"ts_ms\":" + std::to_string(now_ms) + "}";
}

std::string SourceJson(int64_t lsn, std::optional<int64_t> ts_ms, const std::string& table,
                       std::optional<int64_t> xid) {
  json source = {{"lsn", lsn},
                 {"ts_ms", ts_ms ? json(*ts_ms) : json(nullptr)},
                 {"table", table},
                 {"txId", xid ? json(*xid) : json(nullptr)}};
  return source.dump();
}

Result<int64_t> LsnField(const json& message, const char* field) {
  if (!message.contains(field) || !message[field].is_string()) {
    return InvalidArgument(std::string("wal2json: message without '") + field + "'");
  }
  return ParseLsn(message[field].get<std::string>());
}

// The events of an I, U or D message.
Result<std::vector<std::string>> ChangeEvents(const json& m, char action,
                                              const std::vector<std::string>& key, int64_t xid,
                                              int64_t now_ms) {
  TARN_ASSIGN_OR_RETURN(int64_t lsn, LsnField(m, "lsn"));
  std::optional<int64_t> ts_ms;
  if (m.contains("timestamp") && m["timestamp"].is_string()) {
    auto t = ParseIsoTimestamp(m["timestamp"].get<std::string>());
    if (t.ok()) ts_ms = *t / 1000;
  }
  std::string table = m.value("schema", "") + "." + m.value("table", "");
  std::string source = SourceJson(lsn, ts_ms, table, xid);
  std::optional<Image> before, after;
  if (m.contains("identity")) {
    TARN_ASSIGN_OR_RETURN(before, ImageOf(m["identity"]));
  }
  if (action != 'D') {
    if (!m.contains("columns"))
      return InvalidArgument("wal2json: an insert or update without columns");
    TARN_ASSIGN_OR_RETURN(after, ImageOf(m["columns"]));
  }
  if (action == 'I')
    return std::vector<std::string>{Envelope('c', "null", ObjectJson(*after), source, now_ms)};
  if (action == 'D') {
    if (!before) return InvalidArgument("wal2json: a delete without identity");
    return std::vector<std::string>{Envelope('d', ObjectJson(*before), "null", source, now_ms)};
  }
  if (!before)
    return std::vector<std::string>{Envelope('u', "null", ObjectJson(*after), source, now_ms)};
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

Result<WalMessage> DecodeWalMessage(std::string_view text, const std::vector<std::string>& key,
                                    int64_t xid, int64_t now_ms) {
  json m = ParseExact(text);
  if (!m.is_object() || !m.contains("action") || !m["action"].is_string() ||
      m["action"].get_ref<const std::string&>().size() != 1) {
    return InvalidArgument("wal2json: not a format-version 2 message");
  }
  WalMessage out;
  out.action = m["action"].get<std::string>()[0];
  switch (out.action) {
    case 'B':
    case 'C': {
      TARN_ASSIGN_OR_RETURN(out.commit_lsn, LsnField(m, "nextlsn"));
      return out;
    }
    case 'I':
    case 'U':
    case 'D': {
      TARN_ASSIGN_OR_RETURN(out.events, ChangeEvents(m, out.action, key, xid, now_ms));
      return out;
    }
    default:
      return out;  // messages, truncates: nothing to land
  }
}

std::string SnapshotEvent(const std::string& row, const std::string& table, int64_t now_ms) {
  return Envelope('r', "null", row, SourceJson(0, now_ms, table, std::nullopt), now_ms);
}

}  // namespace tarn::ingest
