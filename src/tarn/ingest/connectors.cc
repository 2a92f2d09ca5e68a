#include "tarn/ingest/connectors.h"

#include <nlohmann/json.hpp>

#include "tarn/ingest/credentials.h"
#include "tarn/ingest/file_source.h"
#include "tarn/ingest/http_source.h"
#include "tarn/ingest/postgres_source.h"

namespace tarn::ingest {
namespace {

using nlohmann::json;

Status Bad(const std::string& message) { return FailedPrecondition("connection_config." + message); }

// Reads an optional field of type T; a wrong type is an error naming the field.
template <typename T>
Status Read(const json& j, const char* key, T* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Status::OK();
  try {
    *out = it->get<T>();
  } catch (const json::exception&) {
    return Bad(std::string(key) + ": has the wrong type");
  }
  return Status::OK();
}

Result<char> OneChar(const json& j, const char* key, char fallback) {
  std::string s(1, fallback);
  TARN_RETURN_IF_ERROR(Read(j, key, &s));
  if (s == "\\t") s = "\t";
  if (s.size() != 1) return Bad(std::string(key) + ": must be one character");
  return s[0];
}

Result<std::unique_ptr<RecordSource>> OpenFile(const std::string& name, const json& c) {
  FileSourceOptions o;
  o.source_name = name;
  TARN_RETURN_IF_ERROR(Read(c, "path", &o.path));
  TARN_RETURN_IF_ERROR(Read(c, "format", &o.format));
  TARN_RETURN_IF_ERROR(Read(c, "header", &o.header));
  TARN_ASSIGN_OR_RETURN(o.delimiter, OneChar(c, "delimiter", ','));
  TARN_ASSIGN_OR_RETURN(o.quote, OneChar(c, "quote", '"'));
  if (o.path.empty()) return Bad("path: is required for the file connector");
  if (o.format.empty()) return Bad("format: is required (jsonl, csv or parquet)");
  auto src = FileSource::Open(o);
  if (!src.ok()) return FailedPrecondition(src.status().message());
  return std::unique_ptr<RecordSource>(std::move(src).value());
}

Result<std::unique_ptr<RecordSource>> OpenPostgres(const std::string& name, const json& c,
                                                   const std::optional<std::string>& after) {
  PostgresSourceOptions o;
  o.source_name = name;
  o.after_cursor = after;
  std::string dsn_ref;
  TARN_RETURN_IF_ERROR(Read(c, "dsn", &dsn_ref));
  TARN_RETURN_IF_ERROR(Read(c, "table", &o.table));
  TARN_RETURN_IF_ERROR(Read(c, "query", &o.query));
  TARN_RETURN_IF_ERROR(Read(c, "cursor_column", &o.cursor_column));
  TARN_RETURN_IF_ERROR(Read(c, "batch_rows", &o.batch_rows));
  if (dsn_ref.empty()) return Bad("dsn: is required (a reference such as env:PG_DSN)");
  auto dsn = ResolveSecret(dsn_ref);
  if (!dsn.ok()) return dsn.status().WithContext("connection_config.dsn");
  o.dsn = std::move(dsn).value();
  TARN_ASSIGN_OR_RETURN(auto src, PostgresSource::Open(o));
  return std::unique_ptr<RecordSource>(std::move(src));
}

Result<std::unique_ptr<RecordSource>> OpenHttp(const std::string& name, const json& c) {
  HttpSourceOptions o;
  o.source_name = name;
  TARN_RETURN_IF_ERROR(Read(c, "url", &o.url));
  if (o.url.empty()) return Bad("url: is required for the http connector");
  std::string auth_ref;
  TARN_RETURN_IF_ERROR(Read(c, "auth_header", &auth_ref));
  if (!auth_ref.empty()) {
    auto auth = ResolveSecret(auth_ref);
    if (!auth.ok()) return auth.status().WithContext("connection_config.auth_header");
    o.auth_header = std::move(auth).value();
  }
  TARN_RETURN_IF_ERROR(Read(c, "max_retries", &o.max_retries));
  if (auto p = c.find("pagination"); p != c.end() && p->is_object()) {
    HttpPagination& g = o.pagination;
    for (auto [key, field] : {std::pair{"type", &g.type}, {"items_path", &g.items_path},
                              {"cursor_param", &g.cursor_param}, {"cursor_path", &g.cursor_path},
                              {"page_param", &g.page_param}, {"page_size_param", &g.page_size_param},
                              {"next_path", &g.next_path}}) {
      TARN_RETURN_IF_ERROR(Read(*p, key, field).WithContext("pagination"));
    }
    TARN_RETURN_IF_ERROR(Read(*p, "page_start", &g.page_start));
    TARN_RETURN_IF_ERROR(Read(*p, "page_size", &g.page_size));
    TARN_RETURN_IF_ERROR(Read(*p, "max_pages", &g.max_pages));
  }
  TARN_ASSIGN_OR_RETURN(auto src, HttpSource::Open(o));
  return std::unique_ptr<RecordSource>(std::move(src));
}

}  // namespace

Result<std::string> ApplyOverrides(const std::string& base, const std::string& overrides) {
  json b = json::parse(base.empty() ? "{}" : base, nullptr, false);
  json o = json::parse(overrides.empty() ? "{}" : overrides, nullptr, false);
  if (!b.is_object()) return InvalidArgument("connection_config is not a JSON object");
  if (!o.is_object()) return InvalidArgument("overrides must be a JSON object");
  for (const auto& [k, v] : o.items()) b[k] = v;
  return b.dump();
}

Result<std::unique_ptr<RecordSource>> OpenSource(const std::string& source_name,
                                                 const std::string& config_json,
                                                 const std::optional<std::string>& after_cursor) {
  json c = json::parse(config_json, nullptr, false);
  if (!c.is_object()) return Bad("is not a JSON object");
  std::string connector;
  TARN_RETURN_IF_ERROR(Read(c, "connector", &connector));
  if (connector == "file") return OpenFile(source_name, c);
  if (connector == "postgres") return OpenPostgres(source_name, c, after_cursor);
  if (connector == "http") return OpenHttp(source_name, c);
  if (connector.empty()) {
    return Bad("connector: source " + source_name + " names no connector (file, postgres, http)");
  }
  return Bad("connector: '" + connector + "' is not one of file, postgres, http");
}

}  // namespace tarn::ingest
