// PostgreSQL driver over libpq: statements are prepared once per connection and executed with
// text parameters; the session runs in UTC so timestamps read back in one format.
#include <libpq-fe.h>

#include <string>
#include <unordered_map>

#include "tarn/catalog/sql_db.h"

namespace tarn::catalog {
namespace {

// Rewrites '?' placeholders to $1..$n, leaving quoted text alone.
std::string RewritePlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
    } else if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Status PgError(PGconn* conn, const PGresult* res, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  const char* detail = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  msg += detail ? detail : "unknown error";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (PQstatus(conn) != CONNECTION_OK) return Unavailable(msg);
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string_view code = state ? state : "";
  if (code == "23505") return AlreadyExists(msg);
  if (code.substr(0, 2) == "23") return FailedPrecondition(msg);
  if (code == "40001" || code == "40P01") return Conflict(msg);
  if (code.substr(0, 2) == "08" || code.substr(0, 2) == "57") return Unavailable(msg);
  return Internal(msg);
}

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }

  Status Execute(std::string_view script) override {
    std::string s(script);
    PGresult* res = PQexec(conn_, s.c_str());
    ExecStatusType st = PQresultStatus(res);
    Status status = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
                        ? Status::OK()
                        : PgError(conn_, res, "postgres exec");
    PQclear(res);
    return status;
  }

  Result<SqlResult> Query(std::string_view sql, const SqlParams& params) override {
    TARN_ASSIGN_OR_RETURN(const std::string* name, Prepare(sql));
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) continue;
      if (std::holds_alternative<int64_t>(v)) {
        texts[i] = std::to_string(std::get<int64_t>(v));
      } else if (std::holds_alternative<double>(v)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", std::get<double>(v));
        texts[i] = buf;
      } else if (std::holds_alternative<bool>(v)) {
        texts[i] = std::get<bool>(v) ? "t" : "f";
      } else {
        texts[i] = std::get<std::string>(v);
      }
      values[i] = texts[i].c_str();
    }
    PGresult* res = PQexecPrepared(conn_, name->c_str(), static_cast<int>(params.size()),
                                   values.data(), nullptr, nullptr, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      Status err = PgError(conn_, res, "postgres query");
      PQclear(res);
      return err;
    }
    SqlResult result;
    int nrows = PQntuples(res), ncols = PQnfields(res);
    result.rows.reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
      std::vector<std::optional<std::string>> cells(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (!PQgetisnull(res, r, c)) cells[c].emplace(PQgetvalue(res, r, c), PQgetlength(res, r, c));
      }
      result.rows.emplace_back(std::move(cells));
    }
    const char* affected = PQcmdTuples(res);
    result.affected = affected && *affected ? std::stoll(affected) : 0;
    PQclear(res);
    return result;
  }

  Status Begin() override { return Execute("BEGIN"); }
  Status Commit() override { return Execute("COMMIT"); }
  Status Rollback() override { return Execute("ROLLBACK"); }

 private:
  Result<const std::string*> Prepare(std::string_view sql) {
    std::string key(sql);
    auto it = names_.find(key);
    if (it != names_.end()) return &it->second;
    std::string name = "s" + std::to_string(names_.size());
    std::string rewritten = RewritePlaceholders(sql);
    PGresult* res = PQprepare(conn_, name.c_str(), rewritten.c_str(), 0, nullptr);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      Status err = PgError(conn_, res, "postgres prepare");
      PQclear(res);
      return err;
    }
    PQclear(res);
    return &names_.emplace(std::move(key), std::move(name)).first->second;
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> names_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    // The message from libpq names host and port, never the password.
    std::string msg = std::string("cannot connect to the PostgreSQL catalog: ") + PQerrorMessage(conn);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    PQfinish(conn);
    return Unavailable(msg);
  }
  auto pg = std::make_unique<PostgresConnection>(conn);
  TARN_RETURN_IF_ERROR(pg->Execute("SET TIME ZONE 'UTC'; SET client_min_messages = warning"));
  return std::unique_ptr<SqlConnection>(std::move(pg));
}

}  // namespace tarn::catalog
