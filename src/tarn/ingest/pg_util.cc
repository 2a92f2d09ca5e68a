#include "tarn/ingest/pg_util.h"

#include <cctype>
#include <cstring>

namespace tarn::ingest::pg {
namespace {

// Drops whitespace outside strings: PostgreSQL's json keeps the input's layout and jsonb prints
// ", " and ": ". Numbers stay as written.
void AppendMinifiedJson(std::string* out, std::string_view json) {
  bool in_string = false, escaped = false;
  for (char c : json) {
    if (in_string) {
      in_string = escaped || c != '"';
      escaped = !escaped && c == '\\';
    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    } else {
      in_string = c == '"';
    }
    out->push_back(c);
  }
}

// The password `dsn` carries ("" if none). Errors: kInvalidArgument (malformed).
Result<std::string> PasswordOf(const std::string& dsn) {
  if (!dsn.starts_with("postgresql://") && !dsn.starts_with("postgres://") &&
      dsn.find('=') == std::string::npos) {
    return std::string();  // a bare database name
  }
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(dsn.c_str(), &err);
  if (parsed == nullptr) {
    // libpq's parse error may quote part of the string, password included: withhold it.
    if (err) PQfreemem(err);
    return InvalidArgument(
        "malformed PostgreSQL connection string (details withheld; it may contain a password)");
  }
  std::string password;
  for (PQconninfoOption* o = parsed; o->keyword; ++o) {
    if (std::strcmp(o->keyword, "password") == 0 && o->val) password = o->val;
  }
  PQconninfoFree(parsed);
  return password;
}

}  // namespace

Kind KindOf(Oid type) {
  if (type == 16) return Kind::kBool;                                 // bool
  if (type == 20 || type == 21 || type == 23) return Kind::kInteger;  // int8, int2, int4
  if (type == 700 || type == 701) return Kind::kFloat;                // float4/8
  if (type == 1700) return Kind::kNumeric;                            // numeric
  if (type == 114 || type == 3802) return Kind::kJson;                // json, jsonb
  if (type == 1114 || type == 1184) return Kind::kTimestamp;          // timestamp[tz]
  return Kind::kText;
}

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(ch);
    } else if (c == '\n') {
      *out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      *out += "\\u00";
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(ch);
    }
  }
  out->push_back('"');
}

void AppendValue(std::string* out, Kind kind, std::string_view text, bool numeric_as_string) {
  bool digit_first = !text.empty() && std::isdigit(static_cast<unsigned char>(text[0]));
  bool finite = text.find_first_of("NI") == std::string_view::npos;  // not NaN, [-]Infinity
  if (kind == Kind::kBool) {
    *out += text == "t" ? "true" : "false";
  } else if (kind == Kind::kInteger || (kind == Kind::kFloat && finite) ||
             (kind == Kind::kNumeric && finite && !numeric_as_string)) {
    *out += text;
  } else if (kind == Kind::kJson) {
    AppendMinifiedJson(out, text);
  } else if (kind == Kind::kTimestamp && digit_first && text.find(' ') != std::string_view::npos) {
    // "2024-01-15 03:00:00+00" -> "2024-01-15T03:00:00+00"; "infinity" stays as is.
    std::string iso(text);
    iso[iso.find(' ')] = 'T';
    AppendJsonString(out, iso);
  } else {
    AppendJsonString(out, text);
  }
}

std::string TrimMessage(std::string_view text) {
  std::string msg;
  for (char c : text) {
    bool space = c == '\n' || c == '\t' || c == ' ';
    if (!space) {
      msg.push_back(c);
    } else if (!msg.empty() && msg.back() != ' ') {
      msg.push_back(' ');
    }
  }
  if (!msg.empty() && msg.back() == ' ') msg.pop_back();
  return msg;
}

Status Error(PGconn* conn, const PGresult* res, std::string_view what) {
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string msg = std::string(what) + ": " +
                    TrimMessage(primary ? primary
                                : res   ? PQresultErrorMessage(res)
                                        : PQerrorMessage(conn));
  const char* hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : nullptr;
  if (hint) msg += " (hint: " + TrimMessage(hint) + ")";  // e.g. how to allow a decoding plugin
  if (PQstatus(conn) != CONNECTION_OK) return Unavailable(msg);
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string_view code = state ? state : "";
  std::string_view cls = code.substr(0, 2);
  if (code == "42501") return PermissionDenied(msg);
  if (cls == "08" || cls == "57" || cls == "53") return Unavailable(msg);
  // Rejected SQL, bad values, and writes attempted by a query (the read is READ ONLY).
  if (cls == "42" || cls == "22" || cls == "0A" || cls == "34" || code == "25006") {
    return InvalidArgument(msg);
  }
  return IOError(msg);
}

Result<ResultPtr> Exec(PGconn* conn, const std::string& sql, const std::vector<std::string>& params,
                       std::string_view what) {
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  ResultPtr res(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0),
                &PQclear);
  ExecStatusType st = PQresultStatus(res.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Error(conn, res.get(), what);
  return res;
}

Status ValidateIdentifier(std::string_view name, std::string_view what) {
  if (name.empty()) return InvalidArgument(std::string(what) + " name is empty");
  if (name.size() > 63) {
    return InvalidArgument(std::string(what) +
                           " name is longer than 63 bytes: " + std::string(name));
  }
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgument(std::string(what) + " name contains control characters");
    }
  }
  return Status::OK();
}

Result<std::string> QuoteIdentifier(PGconn* conn, std::string_view name, std::string_view what) {
  TARN_RETURN_IF_ERROR(ValidateIdentifier(name, what));
  char* quoted = PQescapeIdentifier(conn, name.data(), name.size());
  if (quoted == nullptr) {
    return InvalidArgument("unsafe " + std::string(what) +
                           " name: " + TrimMessage(PQerrorMessage(conn)));
  }
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

bool HasPassword(const std::string& dsn) {
  auto password = PasswordOf(dsn);
  return !password.ok() || !password->empty();
}

Result<PGconn*> Connect(const std::string& dsn, const std::map<std::string, std::string>& extra) {
  TARN_ASSIGN_OR_RETURN(std::string password, PasswordOf(dsn));
  // Parameters before dbname are defaults the DSN may override; those after override it.
  std::vector<const char*> keys = {"connect_timeout", "fallback_application_name", "dbname"};
  std::vector<const char*> values = {"10", "tarn-ingest", dsn.c_str()};
  for (const auto& [k, v] : extra) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (conn == nullptr) return Unavailable("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) == CONNECTION_OK) return conn;
  std::string msg = TrimMessage(PQerrorMessage(conn));
  PQfinish(conn);
  if (!password.empty()) {
    for (size_t at; (at = msg.find(password)) != std::string::npos;)
      msg.replace(at, password.size(), "***");
  }
  return Unavailable("cannot connect to PostgreSQL: " + msg);
}

}  // namespace tarn::ingest::pg
