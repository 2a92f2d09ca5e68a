// PostgresSource over libpq: one connection, one REPEATABLE READ READ ONLY transaction, one
// server-side cursor fetched `batch_rows` at a time. Values arrive in text format and are
// rendered to JSON by column type OID.
#include "tarn/ingest/postgres_source.h"

#include <libpq-fe.h>

#include <cctype>
#include <cstring>
#include <set>

#include "tarn/base/ids.h"
#include "tarn/ingest/pg_util.h"

namespace tarn::ingest {
namespace {

using PgResultPtr = pg::ResultPtr;
using pg::AppendJsonString;
using pg::AppendValue;
using pg::Connect;
using pg::Exec;
using pg::Kind;
using pg::KindOf;
using pg::QuoteIdentifier;
using pg::ValidateIdentifier;

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
    return pg::Error(conn, setup.get(), "configuring the PostgreSQL session");
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
