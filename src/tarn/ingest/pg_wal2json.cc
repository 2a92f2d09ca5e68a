#include "tarn/ingest/pg_wal2json.h"

#include <nlohmann/json.hpp>

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

// A column value as JSON text, by the column's type (numbers that are not integers arrive as
// text, ParseExact).
std::string ValueJson(const json& column) {
  const json& v = column.contains("value") ? column["value"] : json(nullptr);
  if (!v.is_string()) return v.dump();
  std::string out;
  pg::AppendValue(&out, pg::KindOf(column.value("typeoid", Oid{0})),
                  v.get_ref<const std::string&>(), /*numeric_as_string=*/true);
  return out;
}

// A "columns" / "identity" array as a row image.
Result<RowImage> ImageOf(const json& columns) {
  RowImage image;
  if (!columns.is_array()) return InvalidArgument("wal2json: columns are not an array");
  for (const json& c : columns) {
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string()) {
      return InvalidArgument("wal2json: a column without a name");
    }
    image.emplace_back(c["name"].get<std::string>(), ValueJson(c));
  }
  return image;
}

Result<int64_t> LsnField(const json& message, const char* field) {
  if (!message.contains(field) || !message[field].is_string()) {
    return InvalidArgument(std::string("wal2json: message without '") + field + "'");
  }
  return ParseLsn(message[field].get<std::string>());
}

class Wal2JsonDecoder : public WalDecoder {
 public:
  explicit Wal2JsonDecoder(std::vector<std::string> key) : key_(std::move(key)) {}

  Result<WalMessage> Decode(int64_t, int64_t xid, std::string_view data, int64_t now_ms) override {
    json m = ParseExact(data);
    if (!m.is_object() || !m.contains("action") || !m["action"].is_string() ||
        m["action"].get_ref<const std::string&>().size() != 1) {
      return InvalidArgument("wal2json: not a format-version 2 message");
    }
    WalMessage out;
    char action = m["action"].get<std::string>()[0];
    if (action == 'B' || action == 'C') {
      out.action = action;
      TARN_ASSIGN_OR_RETURN(out.lsn, LsnField(m, "nextlsn"));
    } else if (action == 'I' || action == 'U' || action == 'D') {
      out.action = action;
      TARN_ASSIGN_OR_RETURN(out.events, Events(m, action, xid, now_ms));
    } else if (action == 'T') {
      out.action = action;
    }
    return out;
  }

 private:
  Result<std::vector<std::string>> Events(const json& m, char action, int64_t xid, int64_t now_ms) {
    ChangeSource source;
    TARN_ASSIGN_OR_RETURN(source.lsn, LsnField(m, "lsn"));
    if (m.contains("timestamp") && m["timestamp"].is_string()) {
      auto t = ParseIsoTimestamp(m["timestamp"].get<std::string>());
      if (t.ok()) source.ts_ms = *t / 1000;
    }
    source.table = m.value("schema", "") + "." + m.value("table", "");
    source.xid = xid;
    std::optional<RowImage> before, after;
    if (m.contains("identity")) {
      TARN_ASSIGN_OR_RETURN(before, ImageOf(m["identity"]));
    }
    if (m.contains("columns")) {
      TARN_ASSIGN_OR_RETURN(after, ImageOf(m["columns"]));
    }
    auto events = ChangeEvents(action, std::move(before), std::move(after), source, key_, now_ms);
    if (!events.ok()) return events.status().WithContext("wal2json");
    return events;
  }

  std::vector<std::string> key_;
};

}  // namespace

std::unique_ptr<WalDecoder> MakeWal2JsonDecoder(std::vector<std::string> key) {
  return std::make_unique<Wal2JsonDecoder>(std::move(key));
}

}  // namespace tarn::ingest
