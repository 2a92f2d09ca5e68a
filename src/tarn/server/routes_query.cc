// POST /query: SQL over the curated and serving tables the caller's grants allow read.
// Body: {"sql": "...", "params": ["text" | number | null, ...], "max_rows": 10000}.
// Answers {"columns": [{"name", "type"}], "rows": [[...]], "row_count": n, "truncated": bool};
// bulk results belong to the PostgreSQL protocol or `tarn sql --out`, so a reply holds at most
// max_rows rows (≤ 100000) and says when it stopped early.
#include "tarn/base/encoding.h"
#include "tarn/query/query_service.h"
#include "tarn/query/result_format.h"
#include "tarn/server/routes.h"

namespace tarn::server {
namespace {

constexpr int64_t kMaxRows = 100000;

Result<std::vector<std::optional<std::string>>> Params(const JsonBody& body) {
  std::vector<std::optional<std::string>> out;
  if (!body.Has("params")) return out;
  const Json& params = body.json()["params"];
  if (!params.is_array()) return InvalidArgument("params must be an array");
  for (const Json& p : params) {
    if (p.is_null()) {
      out.emplace_back(std::nullopt);
    } else if (p.is_string()) {
      out.emplace_back(p.get<std::string>());
    } else if (p.is_number() || p.is_boolean()) {
      out.emplace_back(p.dump());
    } else {
      return InvalidArgument("params must hold strings, numbers, booleans or nulls");
    }
  }
  return out;
}

Result<Reply> RunQuery(const query::QueryService& service, const Call& call) {
  TARN_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(call.body));
  TARN_RETURN_IF_ERROR(body.CheckKnown({"sql", "params", "max_rows"}));
  TARN_ASSIGN_OR_RETURN(std::string sql, body.String("sql", true));
  TARN_ASSIGN_OR_RETURN(auto params, Params(body));
  TARN_ASSIGN_OR_RETURN(int64_t max_rows, body.Int("max_rows", 10000));
  if (max_rows < 0 || max_rows > kMaxRows) {
    return FailedPrecondition("max_rows must be between 0 and " + std::to_string(kMaxRows));
  }
  std::vector<std::string> statements = query::SplitStatements(sql);
  if (statements.size() != 1) return InvalidArgument("sql must hold exactly one statement");
  TARN_ASSIGN_OR_RETURN(auto session, service.OpenSession(call.grants));
  TARN_ASSIGN_OR_RETURN(auto stream, session->Execute(statements[0], params));
  const auto& columns = stream->columns();
  std::string out = "{\"columns\":[";
  for (size_t c = 0; c < columns.size(); ++c) {
    out += c ? ",{\"name\":" : "{\"name\":";
    AppendJsonString(&out, columns[c].name);
    out += ",\"type\":";
    AppendJsonString(&out, columns[c].type_sql);
    out += '}';
  }
  out += "],\"rows\":[";
  int64_t n = 0;
  bool truncated = false;
  query::Row row;
  while (true) {
    TARN_ASSIGN_OR_RETURN(bool more, stream->Next(&row));
    if (!more) break;
    if (n == max_rows) {
      truncated = true;
      break;
    }
    out += n ? ",[" : "[";
    query::AppendJsonValues(columns, row, &out);
    out += ']';
    ++n;
  }
  out += "],\"row_count\":" + std::to_string(n) + ",\"truncated\":" + (truncated ? "true" : "false") + "}";
  Reply reply;
  reply.text = std::move(out);
  return reply;
}

}  // namespace

std::vector<Route> QueryRoutes(const query::QueryService& service) {
  const query::QueryService* s = &service;
  return {{"POST", "/query", true, [s](const Call& call) { return RunQuery(*s, call); }}};
}

}  // namespace tarn::server
