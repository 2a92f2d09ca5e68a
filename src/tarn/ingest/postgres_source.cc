// PostgresSource over libpq: one connection, one REPEATABLE READ READ ONLY transaction, one
// server-side cursor fetched `batch_rows` at a time. Values arrive in text format and are
// rendered to JSON by column type OID.
#include "tarn/ingest/postgres_source.h"

#include <libpq-fe.h>

#include <cctype>
#include <cstring>
#include <set>

#include "tarn/base/ids.h"

namespace tarn::ingest {
namespace {

using PgResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

// How a column's text output becomes JSON.
enum class Kind { kBool, kInteger, kDecimal, kJson, kTimestamp, kText };

Kind KindOf(Oid type) {
  if (type == 16) return Kind::kBool;                                     // bool
  if (type == 20 || type == 21 || type == 23) return Kind::kInteger;      // int8, int2, int4
  if (type == 700 || type == 701 || type == 1700) return Kind::kDecimal;  // float4/8, numeric
  if (type == 114 || type == 3802) return Kind::kJson;                    // json, jsonb
  if (type == 1114 || type == 1184) return Kind::kTimestamp;              // timestamp[tz]
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

void AppendValue(std::string* out, Kind kind, std::string_view text) {
  bool digit_first = !text.empty() && std::isdigit(static_cast<unsigned char>(text[0]));
  if (kind == Kind::kBool) {
    *out += text == "t" ? "true" : "false";
  } else if (kind == Kind::kInteger ||
             (kind == Kind::kDecimal && text.find_first_of("NI") == std::string_view::npos)) {
    *out += text;  // NaN and infinities, which have no JSON number form, fall through to strings
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

// One line: libpq's multi-line messages ("...failed: Connection refused\n\tIs the server...").
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

// Maps a failed command to a Status: lost connections are kUnavailable, rejected SQL
// kInvalidArgument, missing privileges kPermissionDenied, anything else kIOError.
Status PgError(PGconn* conn, const PGresult* res, std::string_view what) {
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string msg = std::string(what) + ": " +
                    TrimMessage(primary ? primary
                                : res   ? PQresultErrorMessage(res)
                                        : PQerrorMessage(conn));
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

// Runs one statement with text parameters whose types PostgreSQL infers from their use.
Result<PgResultPtr> Exec(PGconn* conn, const std::string& sql,
                         const std::vector<std::string>& params, std::string_view what) {
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  PgResultPtr res(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0),
                  &PQclear);
  ExecStatusType st = PQresultStatus(res.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return PgError(conn, res.get(), what);
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

// Connects with a 10 s connect timeout unless the DSN sets one. libpq's messages name host,
// port, user and database, never the password; any occurrence is masked all the same.
Result<PGconn*> Connect(const std::string& dsn) {
  std::string password;
  if (dsn.starts_with("postgresql://") || dsn.starts_with("postgres://") ||
      dsn.find('=') != std::string::npos) {
    char* err = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(dsn.c_str(), &err);
    if (parsed == nullptr) {
      // libpq's parse error may quote part of the string, password included: withhold it.
      if (err) PQfreemem(err);
      return InvalidArgument(
          "malformed PostgreSQL connection string (details withheld; it may "
          "contain a password)");
    }
    for (PQconninfoOption* o = parsed; o->keyword; ++o) {
      if (std::strcmp(o->keyword, "password") == 0 && o->val) password = o->val;
    }
    PQconninfoFree(parsed);
  }
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"10", "tarn-ingest", dsn.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
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

std::string SanitizeKeyPart(std::string_view s, size_t max_len) {
  std::string out;
  for (char c : s.substr(0, max_len)) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out;
}

}  // namespace

struct PostgresSource::Impl {
  ~Impl() { PQfinish(conn); }
  PGconn* conn = nullptr;
  std::vector<Kind> kinds;
  int cursor_index = -1;
  PgResultPtr rows{nullptr, &PQclear};  // the current fetched batch
  int next_row = 0;
  bool cursor_done = false;  // the last FETCH returned fewer rows than asked
  bool finished = false;     // every row handed out and the transaction committed
  Status failed;             // a read error, returned again on later calls
};

PostgresSource::PostgresSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresSource::~PostgresSource() = default;

Result<std::unique_ptr<PostgresSource>> PostgresSource::Open(const PostgresSourceOptions& options) {
  std::string query = options.query;
  while (!query.empty() &&
         (std::isspace(static_cast<unsigned char>(query.back())) || query.back() == ';')) {
    query.pop_back();
  }
  if (options.table.empty() == query.empty()) {
    return InvalidArgument("a PostgreSQL source needs exactly one of table and query");
  }
  if (options.batch_rows == 0) return InvalidArgument("batch_rows must be positive");
  if (!options.cursor_column.empty()) {
    TARN_RETURN_IF_ERROR(ValidateIdentifier(options.cursor_column, "cursor column"));
  }
  if (options.after_cursor && options.cursor_column.empty()) {
    return InvalidArgument("after_cursor is set but no cursor column is");
  }

  auto impl = std::make_unique<Impl>();
  TARN_ASSIGN_OR_RETURN(impl->conn, Connect(options.dsn));
  PGconn* conn = impl->conn;
  PgResultPtr setup(PQexec(conn,
                           "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; "
                           "SET client_encoding = 'UTF8'; SET extra_float_digits = 3; "
                           "SET client_min_messages = warning"),
                    &PQclear);
  if (PQresultStatus(setup.get()) != PGRES_COMMAND_OK) {
    return PgError(conn, setup.get(), "configuring the PostgreSQL session");
  }

  std::string label, from;
  if (!options.table.empty()) {
    label = options.table;
    size_t dot = options.table.find('.');
    if (dot != std::string::npos && options.table.find('.', dot + 1) != std::string::npos) {
      return InvalidArgument("table must be \"schema.table\" or \"table\": " + options.table);
    }
    if (dot != std::string::npos) {
      TARN_ASSIGN_OR_RETURN(std::string schema,
                            QuoteIdentifier(conn, options.table.substr(0, dot), "schema"));
      from = schema + ".";
    }
    TARN_ASSIGN_OR_RETURN(std::string table,
                          QuoteIdentifier(conn, options.table.substr(dot + 1), "table"));
    from += table;
    TARN_ASSIGN_OR_RETURN(PgResultPtr found,
                          Exec(conn, "SELECT to_regclass($1)", {from}, "looking up the table"));
    if (PQgetisnull(found.get(), 0, 0)) return InvalidArgument("unknown table " + options.table);
  } else {
    label = "query";
    from = "(" + query + ") AS _tarn_query";
  }

  TARN_ASSIGN_OR_RETURN(PgResultPtr begin,
                        Exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", {},
                             "starting the read transaction"));
  TARN_ASSIGN_OR_RETURN(PgResultPtr shape, Exec(conn, "SELECT * FROM " + from + " LIMIT 0", {},
                                                "reading the columns of " + label));
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (int c = 0; c < PQnfields(shape.get()); ++c) {
    names.emplace_back(PQfname(shape.get(), c));
    impl->kinds.push_back(KindOf(PQftype(shape.get(), c)));
    if (!seen.insert(names.back()).second) {
      return InvalidArgument(label + " returns column " + names.back() + " more than once");
    }
    if (names.back() == options.cursor_column) impl->cursor_index = c;
  }

  std::optional<std::string> upper;
  std::string select = "SELECT * FROM " + from;
  std::vector<std::string> params;
  if (!options.cursor_column.empty()) {
    if (impl->cursor_index < 0) {
      return InvalidArgument(label + " has no column " + options.cursor_column);
    }
    TARN_ASSIGN_OR_RETURN(std::string col,
                          QuoteIdentifier(conn, options.cursor_column, "cursor column"));
    std::string lower;
    if (options.after_cursor) {
      lower = " WHERE " + col + " > $1";
      params.push_back(*options.after_cursor);
    }
    TARN_ASSIGN_OR_RETURN(
        PgResultPtr max, Exec(conn, "SELECT max(" + col + ")::text FROM " + from + lower, params,
                              "finding the upper bound of " + label + "." + options.cursor_column));
    if (!PQgetisnull(max.get(), 0, 0)) upper = PQgetvalue(max.get(), 0, 0);
    params.push_back(upper.value_or(""));
    select += (lower.empty() ? " WHERE " : lower + " AND ") + col + " <= $" +
              std::to_string(params.size()) + " ORDER BY " + col;
  }
  if (!options.cursor_column.empty() && !upper) {
    // An empty window: nothing to read.
    TARN_ASSIGN_OR_RETURN(PgResultPtr commit, Exec(conn, "COMMIT", {}, "ending the read"));
    impl->finished = true;
  } else {
    TARN_ASSIGN_OR_RETURN(PgResultPtr declare,
                          Exec(conn, "DECLARE tarn_rows NO SCROLL CURSOR FOR " + select, params,
                               "opening a cursor over " + label));
  }

  std::unique_ptr<PostgresSource> source(new PostgresSource(std::move(impl)));
  source->options_ = options;
  source->options_.query = query;
  source->label_ = std::move(label);
  source->column_names_ = std::move(names);
  source->upper_bound_ = std::move(upper);
  return source;
}

std::string PostgresSource::WindowKey() const {
  std::string id = options_.table.empty() ? "query:" + options_.query : "table:" + options_.table;
  id += '\n' + options_.cursor_column + '\n';
  id += options_.after_cursor ? "after:" + *options_.after_cursor : "start";
  id += '\n';
  id += upper_bound_ ? "upper:" + *upper_bound_ : "empty";
  std::string name = options_.source_name.empty() ? "postgres" : options_.source_name;
  return SanitizeKeyPart(name, 107) + "-" + Sha256Hex(id).substr(0, 12);
}

std::string PostgresSource::WindowDescription() const {
  const std::string& col = options_.cursor_column;
  if (col.empty()) return label_ + ": all rows";
  std::string lower = options_.after_cursor ? *options_.after_cursor : "start";
  if (!upper_bound_) {
    return label_ + ": no rows with " + col +
           (options_.after_cursor ? " > " + *options_.after_cursor : " set");
  }
  return label_ + ": " + col + " in (" + lower + ", " + *upper_bound_ + "]";
}

Status PostgresSource::Fetch() {
  impl_->rows.reset();
  impl_->next_row = 0;
  std::string sql = "FETCH FORWARD " + std::to_string(options_.batch_rows) + " FROM tarn_rows";
  auto rows = Exec(impl_->conn, sql, {}, "reading " + label_);
  if (!rows.ok()) return rows.status();
  impl_->rows = std::move(rows).value();
  if (static_cast<size_t>(PQntuples(impl_->rows.get())) < options_.batch_rows) {
    impl_->cursor_done = true;
  }
  return Status::OK();
}

void PostgresSource::AppendRow(int row, std::vector<format::SourceRecord>* batch) {
  const PGresult* res = impl_->rows.get();
  format::SourceRecord record;
  std::string& json = record.payload;
  json.push_back('{');
  for (int c = 0; c < static_cast<int>(column_names_.size()); ++c) {
    if (c > 0) json.push_back(',');
    AppendJsonString(&json, column_names_[c]);
    json.push_back(':');
    if (PQgetisnull(res, row, c)) {
      json += "null";
      continue;
    }
    std::string_view text(PQgetvalue(res, row, c), PQgetlength(res, row, c));
    bytes_read_ += static_cast<int64_t>(text.size());
    AppendValue(&json, impl_->kinds[c], text);
  }
  json.push_back('}');
  record.json = json;
  ++rows_read_;
  if (impl_->cursor_index >= 0) {
    record.position =
        label_ + " " + options_.cursor_column + "=" + PQgetvalue(res, row, impl_->cursor_index);
  } else {
    record.position = label_ + " row " + std::to_string(rows_read_);
  }
  batch->push_back(std::move(record));
}

Result<bool> PostgresSource::Next(std::vector<format::SourceRecord>* batch, size_t max_records) {
  if (!impl_->failed.ok()) return impl_->failed;
  for (size_t added = 0;;) {
    if (impl_->finished) return false;
    bool buffered = impl_->rows && impl_->next_row < PQntuples(impl_->rows.get());
    if (buffered) {
      if (added == max_records) return true;
      AppendRow(impl_->next_row++, batch);
      ++added;
      continue;
    }
    Status st;
    if (impl_->cursor_done) {
      impl_->rows.reset();
      auto commit = Exec(impl_->conn, "COMMIT", {}, "ending the read of " + label_);
      st = commit.status();
      impl_->finished = st.ok();
    } else if (added == max_records) {
      return true;
    } else {
      st = Fetch();
    }
    if (!st.ok()) {
      impl_->failed = st;
      return st;
    }
  }
}

}  // namespace tarn::ingest
