#include "tarn/engine/duckdb_engine.h"

#include <duckdb.h>

#include <cctype>
#include <optional>

#include "tarn/engine/iceberg_functions.h"

namespace tarn::engine {
namespace {

// DuckDB's message, with a code by the kind of error its prefix names.
Status DuckDbError(const char* message) {
  std::string msg = message ? message : "unknown DuckDB error";
  auto starts = [&](std::string_view p) { return msg.rfind(p, 0) == 0; };
  if (starts("Permission Error") ||
      msg.find("the configuration has been locked") != std::string::npos) {
    return PermissionDenied(msg);
  }
  if (starts("Out of Memory Error")) return ResourceExhausted(msg);
  if (starts("INTERRUPT Error") || starts("Interrupt")) return Unavailable("canceled");
  return InvalidArgument(msg);
}

// Where a cursor's output column comes from: a VARCHAR column of the result, or a BLOB column
// rendered as hex digits.
struct Source {
  idx_t column = 0;
  bool hex = false;
};

void AppendHex(const char* bytes, size_t n, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    out->push_back(kHex[c >> 4]);
    out->push_back(kHex[c & 15]);
  }
}

// Rows of a started statement, whose handles it owns. Its output columns are the result's,
// unless Select chooses others.
class DuckDbCursor final : public QueryCursor {
 public:
  DuckDbCursor(duckdb_prepared_statement stmt, duckdb_pending_result pending, duckdb_result result)
      : stmt_(stmt), pending_(pending), result_(result), ncols_(duckdb_column_count(&result_)) {
    for (idx_t c = 0; c < ncols_; ++c) sources_.push_back(Source{c, false});
  }
  ~DuckDbCursor() override {
    if (chunk_) duckdb_destroy_data_chunk(&chunk_);
    duckdb_destroy_result(&result_);
    duckdb_destroy_pending(&pending_);
    duckdb_destroy_prepare(&stmt_);
  }

  duckdb_result* result() { return &result_; }
  void Select(std::vector<Source> sources) { sources_ = std::move(sources); }

  Status CheckVarchar() {
    for (idx_t c = 0; c < ncols_; ++c) {
      if (duckdb_column_type(&result_, c) != DUCKDB_TYPE_VARCHAR) {
        return InvalidArgument(std::string("column ") + duckdb_column_name(&result_, c) +
                               " is not VARCHAR; cast it in the query");
      }
    }
    return Status::OK();
  }

  Result<bool> Next(Row* row) override {
    while (!chunk_ || pos_ >= size_) {
      if (done_) return false;
      if (chunk_) duckdb_destroy_data_chunk(&chunk_);
      chunk_ = duckdb_fetch_chunk(result_);
      pos_ = 0;
      if (!chunk_) {
        done_ = true;
        if (const char* err = duckdb_result_error(&result_)) return DuckDbError(err);
        return false;
      }
      size_ = duckdb_data_chunk_get_size(chunk_);
      data_.resize(ncols_);
      validity_.resize(ncols_);
      for (idx_t c = 0; c < ncols_; ++c) {
        duckdb_vector v = duckdb_data_chunk_get_vector(chunk_, c);
        data_[c] = static_cast<duckdb_string_t*>(duckdb_vector_get_data(v));
        validity_[c] = duckdb_vector_get_validity(v);
      }
    }
    row->resize(sources_.size());
    for (size_t c = 0; c < sources_.size(); ++c) {
      const Source& source = sources_[c];
      uint64_t* validity = validity_[source.column];
      if (validity && !duckdb_validity_row_is_valid(validity, pos_)) {
        (*row)[c].reset();
        continue;
      }
      duckdb_string_t* s = &data_[source.column][pos_];
      if (source.hex) {
        (*row)[c].emplace();
        AppendHex(duckdb_string_t_data(s), duckdb_string_t_length(*s), &*(*row)[c]);
      } else {
        (*row)[c].emplace(duckdb_string_t_data(s), duckdb_string_t_length(*s));
      }
    }
    ++pos_;
    return true;
  }

 private:
  duckdb_prepared_statement stmt_;
  duckdb_pending_result pending_;
  duckdb_result result_;
  idx_t ncols_;
  duckdb_data_chunk chunk_ = nullptr;
  idx_t pos_ = 0, size_ = 0;
  bool done_ = false;
  std::vector<Source> sources_;
  std::vector<duckdb_string_t*> data_;
  std::vector<uint64_t*> validity_;
};

}  // namespace

std::string DuckDbVersion() { return duckdb_library_version(); }

// The column type (name left empty) of a DuckDB logical type.
Column DescribeType(duckdb_logical_type t) {
  struct Simple {
    duckdb_type id;
    ColumnType type;
    const char* sql;
  };
  static const Simple kSimple[] = {
      {DUCKDB_TYPE_BOOLEAN, ColumnType::kBoolean, "BOOLEAN"},
      {DUCKDB_TYPE_TINYINT, ColumnType::kTinyInt, "TINYINT"},
      {DUCKDB_TYPE_SMALLINT, ColumnType::kSmallInt, "SMALLINT"},
      {DUCKDB_TYPE_INTEGER, ColumnType::kInteger, "INTEGER"},
      {DUCKDB_TYPE_BIGINT, ColumnType::kBigInt, "BIGINT"},
      {DUCKDB_TYPE_HUGEINT, ColumnType::kHugeInt, "HUGEINT"},
      {DUCKDB_TYPE_UTINYINT, ColumnType::kUTinyInt, "UTINYINT"},
      {DUCKDB_TYPE_USMALLINT, ColumnType::kUSmallInt, "USMALLINT"},
      {DUCKDB_TYPE_UINTEGER, ColumnType::kUInteger, "UINTEGER"},
      {DUCKDB_TYPE_UBIGINT, ColumnType::kUBigInt, "UBIGINT"},
      {DUCKDB_TYPE_FLOAT, ColumnType::kFloat, "FLOAT"},
      {DUCKDB_TYPE_DOUBLE, ColumnType::kDouble, "DOUBLE"},
      {DUCKDB_TYPE_VARCHAR, ColumnType::kVarchar, "VARCHAR"},
      {DUCKDB_TYPE_BLOB, ColumnType::kBlob, "BLOB"},
      {DUCKDB_TYPE_UUID, ColumnType::kUuid, "UUID"},
      {DUCKDB_TYPE_DATE, ColumnType::kDate, "DATE"},
      {DUCKDB_TYPE_TIME, ColumnType::kTime, "TIME"},
      {DUCKDB_TYPE_TIMESTAMP, ColumnType::kTimestamp, "TIMESTAMP"},
      {DUCKDB_TYPE_TIMESTAMP_TZ, ColumnType::kTimestampTz, "TIMESTAMP WITH TIME ZONE"},
      {DUCKDB_TYPE_INTERVAL, ColumnType::kInterval, "INTERVAL"},
      {DUCKDB_TYPE_STRUCT, ColumnType::kStruct, "STRUCT"},
      {DUCKDB_TYPE_MAP, ColumnType::kMap, "MAP"},
  };
  Column col;
  duckdb_type id = duckdb_get_type_id(t);
  for (const Simple& s : kSimple) {
    if (s.id == id) {
      col.type = s.type;
      col.type_sql = s.sql;
      return col;
    }
  }
  if (id == DUCKDB_TYPE_DECIMAL) {
    col.type = ColumnType::kDecimal;
    col.precision = duckdb_decimal_width(t);
    col.scale = duckdb_decimal_scale(t);
    col.type_sql = "DECIMAL(" + std::to_string(col.precision) + "," + std::to_string(col.scale) + ")";
  } else if (id == DUCKDB_TYPE_LIST) {
    duckdb_logical_type child = duckdb_list_type_child_type(t);
    Column element = DescribeType(child);
    duckdb_destroy_logical_type(&child);
    col.type = ColumnType::kList;
    col.type_sql = element.type_sql + "[]";
    if (element.type != ColumnType::kList && element.type != ColumnType::kStruct &&
        element.type != ColumnType::kMap) {
      col.element = element.type;
    }
  } else {
    col.type = ColumnType::kOther;
    col.type_sql = "VARCHAR";
  }
  return col;
}

struct DuckDb::Handles {
  duckdb_database db = nullptr;
  duckdb_connection conn = nullptr;
  ~Handles() {
    if (conn) duckdb_disconnect(&conn);
    if (db) duckdb_close(&db);
  }
};

DuckDb::DuckDb(std::unique_ptr<Handles> h) : h_(std::move(h)) {}
DuckDb::~DuckDb() = default;

Result<std::unique_ptr<DuckDb>> DuckDb::Open() { return OpenWith({}); }

Result<std::unique_ptr<DuckDb>> DuckDb::OpenWith(
    const std::vector<std::pair<std::string, std::string>>& settings) {
  auto h = std::make_unique<Handles>();
  char* error = nullptr;
  duckdb_config config = nullptr;
  duckdb_create_config(&config);
  // Nothing is downloaded: httpfs and friends are not bundled and the network is not ours.
  duckdb_set_config(config, "autoinstall_known_extensions", "false");
  duckdb_set_config(config, "autoload_known_extensions", "false");
  for (const auto& [name, value] : settings) {
    if (duckdb_set_config(config, name.c_str(), value.c_str()) != DuckDBSuccess) {
      duckdb_destroy_config(&config);
      return Internal("DuckDB refused the setting " + name + "=" + value);
    }
  }
  duckdb_state st = duckdb_open_ext(nullptr, &h->db, config, &error);
  duckdb_destroy_config(&config);
  if (st != DuckDBSuccess) {
    std::string msg = error ? error : "unknown error";
    duckdb_free(error);
    return Internal("starting DuckDB: " + msg);
  }
  if (duckdb_connect(h->db, &h->conn) != DuckDBSuccess) return Internal("connecting to DuckDB");
  TARN_RETURN_IF_ERROR(RegisterIcebergFunctions(h->conn));
  return std::unique_ptr<DuckDb>(new DuckDb(std::move(h)));
}

Result<std::unique_ptr<DuckDb>> DuckDb::OpenSandboxed(const SandboxOptions& options) {
  std::vector<std::pair<std::string, std::string>> settings;
  if (options.memory_limit_bytes > 0) {
    settings.emplace_back("memory_limit", std::to_string(options.memory_limit_bytes) + "B");
  }
  if (options.threads > 0) settings.emplace_back("threads", std::to_string(options.threads));
  // No copy of the file bytes read in this database's memory: the OS page cache holds them once
  // for every session. The cache's bookkeeping also leaves the heap of the thread that ran the
  // queries fragmented, which made its later statements' planning ~50% slower.
  settings.emplace_back("enable_external_file_cache", "false");
  TARN_ASSIGN_OR_RETURN(auto db, OpenWith(settings));
  // Order matters: the readable directories first, then external access off, then the lock.
  std::string dirs;
  for (const std::string& d : options.readable_directories) {
    std::string quoted;
    for (char c : d) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    dirs += (dirs.empty() ? "'" : ", '") + quoted + "'";
  }
  for (const std::string& sql :
       {std::string("SET TimeZone = 'UTC'"), "SET allowed_directories = [" + dirs + "]",
        std::string("SET enable_external_access = false"),
        std::string("SET allow_community_extensions = false"),
        std::string("SET lock_configuration = true")}) {
    Status st = db->Exec(sql);
    if (!st.ok()) return Internal("sandboxing DuckDB: " + st.message());
  }
  return db;
}

void DuckDb::Interrupt() { duckdb_interrupt(h_->conn); }

bool IsNumeric(ColumnType t) {
  switch (t) {
    case ColumnType::kTinyInt: case ColumnType::kSmallInt: case ColumnType::kInteger:
    case ColumnType::kBigInt: case ColumnType::kHugeInt: case ColumnType::kUTinyInt:
    case ColumnType::kUSmallInt: case ColumnType::kUInteger: case ColumnType::kUBigInt:
    case ColumnType::kFloat: case ColumnType::kDouble: case ColumnType::kDecimal:
      return true;
    default:
      return false;
  }
}

namespace {

class DuckDbAppender final : public Appender {
 public:
  explicit DuckDbAppender(duckdb_appender a) : a_(a) {}
  ~DuckDbAppender() override { duckdb_appender_destroy(&a_); }
  void Null() override { Track(duckdb_append_null(a_)); }
  void Bool(bool v) override { Track(duckdb_append_bool(a_, v)); }
  void Int32(int32_t v) override { Track(duckdb_append_int32(a_, v)); }
  void Int64(int64_t v) override { Track(duckdb_append_int64(a_, v)); }
  void Float(float v) override { Track(duckdb_append_float(a_, v)); }
  void Double(double v) override { Track(duckdb_append_double(a_, v)); }
  void Varchar(std::string_view v) override {
    Track(duckdb_append_varchar_length(a_, v.data(), v.size()));
  }
  Status EndRow() override {
    if (!failed_) Track(duckdb_appender_end_row(a_));
    return Check();
  }
  Status Close() override {
    if (!failed_) Track(duckdb_appender_close(a_));
    return Check();
  }

 private:
  void Track(duckdb_state st) { failed_ = failed_ || st != DuckDBSuccess; }
  Status Check() {
    if (!failed_) return Status::OK();
    const char* err = duckdb_appender_error(a_);
    return InvalidArgument(std::string("appending: ") + (err ? err : "unknown error"));
  }
  duckdb_appender a_;
  bool failed_ = false;
};

}  // namespace

Result<std::unique_ptr<Appender>> DuckDb::Append(const std::string& table) {
  duckdb_appender a = nullptr;
  if (duckdb_appender_create(h_->conn, nullptr, table.c_str(), &a) != DuckDBSuccess) {
    std::string err = a && duckdb_appender_error(a) ? duckdb_appender_error(a) : "no such table";
    duckdb_appender_destroy(&a);
    return InvalidArgument("appending to " + table + ": " + err);
  }
  return std::unique_ptr<Appender>(std::make_unique<DuckDbAppender>(a));
}

Status DuckDb::Exec(const std::string& sql) {
  duckdb_result result;
  Status st;
  if (duckdb_query(h_->conn, sql.c_str(), &result) != DuckDBSuccess) {
    st = DuckDbError(duckdb_result_error(&result));
  }
  duckdb_destroy_result(&result);
  return st;
}

Result<std::unique_ptr<QueryCursor>> DuckDb::Execute(const std::string& sql,
                                                     const std::vector<std::string>& params) {
  return ExecuteParams(sql, Params(params.begin(), params.end()));
}

namespace {

Result<duckdb_prepared_statement> Prepare(duckdb_connection conn, const std::string& sql) {
  duckdb_prepared_statement stmt = nullptr;
  if (duckdb_prepare(conn, sql.c_str(), &stmt) != DuckDBSuccess) {
    Status err = DuckDbError(duckdb_prepare_error(stmt));
    duckdb_destroy_prepare(&stmt);
    return err;
  }
  return stmt;
}

// Binds `params` to `stmt` and starts it streaming; the cursor owns `stmt`, which is destroyed
// on errors.
Result<std::unique_ptr<DuckDbCursor>> Start(duckdb_prepared_statement stmt, const Params& params) {
  if (params.size() != duckdb_nparams(stmt)) {
    Status err = InvalidArgument("the statement takes " + std::to_string(duckdb_nparams(stmt)) +
                                 " parameters, " + std::to_string(params.size()) + " given");
    duckdb_destroy_prepare(&stmt);
    return err;
  }
  for (size_t i = 0; i < params.size(); ++i) {
    duckdb_state bound = params[i] ? duckdb_bind_varchar(stmt, i + 1, params[i]->c_str())
                                   : duckdb_bind_null(stmt, i + 1);
    if (bound != DuckDBSuccess) {
      duckdb_destroy_prepare(&stmt);
      return InvalidArgument("parameter $" + std::to_string(i + 1) + " cannot be bound");
    }
  }
  duckdb_pending_result pending = nullptr;
  if (duckdb_pending_prepared_streaming(stmt, &pending) != DuckDBSuccess) {
    Status err = DuckDbError(duckdb_pending_error(pending));
    duckdb_destroy_pending(&pending);
    duckdb_destroy_prepare(&stmt);
    return err;
  }
  duckdb_result result;
  if (duckdb_execute_pending(pending, &result) != DuckDBSuccess) {
    Status err = DuckDbError(duckdb_result_error(&result));
    duckdb_destroy_result(&result);
    duckdb_destroy_pending(&pending);
    duckdb_destroy_prepare(&stmt);
    return err;
  }
  return std::make_unique<DuckDbCursor>(stmt, pending, result);
}

// Result column `c` of a prepared statement, named.
Column PreparedColumn(duckdb_prepared_statement stmt, idx_t c) {
  duckdb_logical_type t = duckdb_prepared_statement_column_logical_type(stmt, c);
  Column col = DescribeType(t);
  duckdb_destroy_logical_type(&t);
  const char* name = duckdb_prepared_statement_column_name(stmt, c);  // ours to free
  col.name = name ? name : "";
  duckdb_free(const_cast<char*>(name));
  return col;
}

// Column `c` of a started statement (its types known also where the prepared statement's
// were not: parameters DuckDB types only when bound).
Column ResultColumn(duckdb_result* result, idx_t c) {
  duckdb_logical_type t = duckdb_column_logical_type(result, c);
  Column col = DescribeType(t);
  duckdb_destroy_logical_type(&t);
  const char* name = duckdb_column_name(result, c);  // the result's
  col.name = name ? name : "";
  return col;
}

// Whether a subquery may have renamed the column: DuckDB makes duplicate names unique by
// appending _1, _2, ...
bool MayBeRenamed(const std::string& name) {
  size_t digits = name.size();
  while (digits > 0 && std::isdigit(static_cast<unsigned char>(name[digits - 1]))) --digits;
  return digits < name.size() && digits > 0 && name[digits - 1] == '_';
}

}  // namespace

Result<std::unique_ptr<QueryCursor>> DuckDb::ExecuteParams(const std::string& sql,
                                                           const Params& params) {
  TARN_ASSIGN_OR_RETURN(duckdb_prepared_statement stmt, Prepare(h_->conn, sql));
  TARN_ASSIGN_OR_RETURN(auto cursor, Start(stmt, params));
  TARN_RETURN_IF_ERROR(cursor->CheckVarchar());
  return std::unique_ptr<QueryCursor>(std::move(cursor));
}

Result<TextResult> DuckDb::ExecuteText(const std::string& sql, const Params& params) {
  // One statement gives the columns and their text: the columns themselves (for their names and
  // types, and BLOBs' bytes) followed by their VARCHAR casts.
  auto stmt = Prepare(h_->conn, "SELECT *, CAST(COLUMNS(*) AS VARCHAR) FROM (" + sql +
                                    "\n) AS __tarn_q");
  if (!stmt.ok()) {
    // DuckDB's message about the statement as written, not about the wrapper.
    TARN_RETURN_IF_ERROR(Describe(sql).status());
    return stmt.status();
  }
  // A subquery makes duplicate column names unique (a, a -> a, a_1): then the names come from
  // the statement alone, prepared before this one starts (a prepare ends a running statement).
  std::optional<StatementShape> own;
  for (idx_t c = 0; c < duckdb_prepared_statement_column_count(*stmt) / 2 && !own; ++c) {
    if (!MayBeRenamed(PreparedColumn(*stmt, c).name)) continue;
    auto shape = Describe(sql);
    if (!shape.ok()) {
      duckdb_destroy_prepare(&*stmt);
      return shape.status();
    }
    own = std::move(*shape);
  }
  TARN_ASSIGN_OR_RETURN(auto cursor, Start(*stmt, params));
  TextResult out;
  idx_t n = duckdb_column_count(cursor->result()) / 2;
  std::vector<Source> sources;
  for (idx_t c = 0; c < n; ++c) {
    Column col = ResultColumn(cursor->result(), c);
    if (own && own->columns.size() == n) col.name = own->columns[c].name;
    bool blob = col.type == ColumnType::kBlob;
    sources.push_back(Source{blob ? c : n + c, blob});
    out.columns.push_back(std::move(col));
  }
  cursor->Select(std::move(sources));
  out.cursor = std::move(cursor);
  return out;
}

Result<StatementShape> DuckDb::Describe(const std::string& sql) {
  TARN_ASSIGN_OR_RETURN(duckdb_prepared_statement stmt, Prepare(h_->conn, sql));
  StatementShape shape;
  for (idx_t i = 1; i <= duckdb_nparams(stmt); ++i) {
    duckdb_logical_type t = duckdb_param_logical_type(stmt, i);
    shape.parameter_types.push_back(t ? DescribeType(t).type : ColumnType::kVarchar);
    if (shape.parameter_types.back() == ColumnType::kOther) {
      shape.parameter_types.back() = ColumnType::kVarchar;
    }
    if (t) duckdb_destroy_logical_type(&t);
  }
  for (idx_t c = 0; c < duckdb_prepared_statement_column_count(stmt); ++c) {
    shape.columns.push_back(PreparedColumn(stmt, c));
  }
  duckdb_destroy_prepare(&stmt);
  return shape;
}

Status DuckDb::Query(const std::string& sql, const std::vector<std::string>& params,
                     const std::function<Status(const Row&)>& fn) {
  TARN_ASSIGN_OR_RETURN(auto cursor, Execute(sql, params));
  Row row;
  while (true) {
    TARN_ASSIGN_OR_RETURN(bool more, cursor->Next(&row));
    if (!more) return Status::OK();
    TARN_RETURN_IF_ERROR(fn(row));
  }
}

}  // namespace tarn::engine
