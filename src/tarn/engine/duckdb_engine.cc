#include "tarn/engine/duckdb_engine.h"

#include <duckdb.h>

#include "tarn/engine/iceberg_functions.h"

namespace tarn::engine {
namespace {

class DuckDbCursor final : public QueryCursor {
 public:
  DuckDbCursor(duckdb_prepared_statement stmt, duckdb_pending_result pending, duckdb_result result)
      : stmt_(stmt), pending_(pending), result_(result), ncols_(duckdb_column_count(&result_)) {}
  ~DuckDbCursor() override {
    if (chunk_) duckdb_destroy_data_chunk(&chunk_);
    duckdb_destroy_result(&result_);
    duckdb_destroy_pending(&pending_);
    duckdb_destroy_prepare(&stmt_);
  }

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
        if (const char* err = duckdb_result_error(&result_)) return InvalidArgument(err);
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
    row->resize(ncols_);
    for (idx_t c = 0; c < ncols_; ++c) {
      if (validity_[c] && !duckdb_validity_row_is_valid(validity_[c], pos_)) {
        (*row)[c].reset();
      } else {
        duckdb_string_t* s = &data_[c][pos_];
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
  std::vector<duckdb_string_t*> data_;
  std::vector<uint64_t*> validity_;
};

}  // namespace

std::string DuckDbVersion() { return duckdb_library_version(); }

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

Result<std::unique_ptr<DuckDb>> DuckDb::Open() {
  auto h = std::make_unique<Handles>();
  char* error = nullptr;
  duckdb_config config = nullptr;
  duckdb_create_config(&config);
  // Nothing is downloaded: httpfs and friends are not bundled and the network is not ours.
  duckdb_set_config(config, "autoinstall_known_extensions", "false");
  duckdb_set_config(config, "autoload_known_extensions", "false");
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

Status DuckDb::Exec(const std::string& sql) {
  duckdb_result result;
  Status st;
  if (duckdb_query(h_->conn, sql.c_str(), &result) != DuckDBSuccess) {
    st = InvalidArgument(duckdb_result_error(&result));
  }
  duckdb_destroy_result(&result);
  return st;
}

Result<std::unique_ptr<QueryCursor>> DuckDb::Execute(const std::string& sql,
                                                     const std::vector<std::string>& params) {
  duckdb_prepared_statement stmt = nullptr;
  if (duckdb_prepare(h_->conn, sql.c_str(), &stmt) != DuckDBSuccess) {
    Status err = InvalidArgument(duckdb_prepare_error(stmt));
    duckdb_destroy_prepare(&stmt);
    return err;
  }
  for (size_t i = 0; i < params.size(); ++i) duckdb_bind_varchar(stmt, i + 1, params[i].c_str());
  duckdb_pending_result pending = nullptr;
  if (duckdb_pending_prepared_streaming(stmt, &pending) != DuckDBSuccess) {
    Status err = InvalidArgument(duckdb_pending_error(pending));
    duckdb_destroy_pending(&pending);
    duckdb_destroy_prepare(&stmt);
    return err;
  }
  duckdb_result result;
  if (duckdb_execute_pending(pending, &result) != DuckDBSuccess) {
    Status err = InvalidArgument(duckdb_result_error(&result));
    duckdb_destroy_result(&result);
    duckdb_destroy_pending(&pending);
    duckdb_destroy_prepare(&stmt);
    return err;
  }
  auto cursor = std::make_unique<DuckDbCursor>(stmt, pending, result);
  TARN_RETURN_IF_ERROR(cursor->CheckVarchar());
  return std::unique_ptr<QueryCursor>(std::move(cursor));
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
