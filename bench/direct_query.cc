#include "direct_query.h"

#include <libpq-fe.h>
#include <sqlite3.h>

namespace tarn::bench {
namespace {

// CatalogStore::ListPartitions with a from/to filter, no status and no cursor. The store reads
// every column of a partition (kPartitionCols), so `*` keeps this baseline equal to it as
// columns are added.
constexpr const char* kSqliteSql =
    "SELECT * FROM partitions WHERE dataset_id = ? AND partition_key >= ? AND "
    "partition_key < ? ORDER BY partition_key, id LIMIT ?";
constexpr const char* kPostgresSql =
    "SELECT * FROM partitions WHERE dataset_id = $1 AND partition_key >= $2 AND "
    "partition_key < $3 ORDER BY partition_key, id LIMIT $4";

class SqliteQuery final : public DirectQuery {
 public:
  ~SqliteQuery() override {
    sqlite3_finalize(stmt_);
    sqlite3_close_v2(db_);
  }

  Status Open(const std::string& path) {
    int rc =
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db_, kSqliteSql, -1, &stmt_, nullptr);
    if (rc != SQLITE_OK) return IOError("sqlite " + path + ": " + sqlite3_errmsg(db_));
    return Status::OK();
  }

  Result<int64_t> Run(const std::string& dataset_id, const std::string& key_from,
                      const std::string& key_to, int limit) override {
    sqlite3_bind_text(stmt_, 1, dataset_id.data(), static_cast<int>(dataset_id.size()),
                      SQLITE_STATIC);
    sqlite3_bind_text(stmt_, 2, key_from.data(), static_cast<int>(key_from.size()), SQLITE_STATIC);
    sqlite3_bind_text(stmt_, 3, key_to.data(), static_cast<int>(key_to.size()), SQLITE_STATIC);
    sqlite3_bind_int64(stmt_, 4, int64_t{limit} + 1);
    int64_t rows = 0, bytes = 0;
    int rc, columns = sqlite3_column_count(stmt_);
    while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) {
      for (int c = 0; c < columns; ++c) {
        const unsigned char* text = sqlite3_column_text(stmt_, c);
        bytes += sqlite3_column_bytes(stmt_, c) + (text ? text[0] : 0);
      }
      ++rows;
    }
    sqlite3_reset(stmt_);
    if (rc != SQLITE_DONE) return Internal(std::string("sqlite step: ") + sqlite3_errmsg(db_));
    sink_ += bytes;
    return rows;
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int64_t sink_ = 0;
};

class PostgresQuery final : public DirectQuery {
 public:
  ~PostgresQuery() override { PQfinish(conn_); }

  Status Open(const std::string& url) {
    conn_ = PQconnectdb(url.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) return Unavailable(PQerrorMessage(conn_));
    // As tarn's driver sets up its sessions.
    PQclear(PQexec(conn_, "SET TIME ZONE 'UTC'"));
    PGresult* res = PQprepare(conn_, "list", kPostgresSql, 0, nullptr);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) return Internal(std::string("prepare: ") + PQerrorMessage(conn_));
    return Status::OK();
  }

  Result<int64_t> Run(const std::string& dataset_id, const std::string& key_from,
                      const std::string& key_to, int limit) override {
    std::string limit_text = std::to_string(limit + 1);
    const char* values[] = {dataset_id.c_str(), key_from.c_str(), key_to.c_str(),
                            limit_text.c_str()};
    PGresult* res = PQexecPrepared(conn_, "list", 4, values, nullptr, nullptr, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      std::string msg = std::string("query: ") + PQerrorMessage(conn_);
      PQclear(res);
      return Internal(msg);
    }
    int rows = PQntuples(res), columns = PQnfields(res);
    int64_t bytes = 0;
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < columns; ++c) bytes += PQgetlength(res, r, c) + PQgetvalue(res, r, c)[0];
    }
    PQclear(res);
    sink_ += bytes;
    return int64_t{rows};
  }

 private:
  PGconn* conn_ = nullptr;
  int64_t sink_ = 0;
};

}  // namespace

Result<std::unique_ptr<DirectQuery>> DirectQuery::Open(const std::string& catalog_url) {
  if (catalog_url.rfind("sqlite:", 0) == 0) {
    auto q = std::make_unique<SqliteQuery>();
    TARN_RETURN_IF_ERROR(q->Open(catalog_url.substr(7)));
    return std::unique_ptr<DirectQuery>(std::move(q));
  }
  auto q = std::make_unique<PostgresQuery>();
  TARN_RETURN_IF_ERROR(q->Open(catalog_url));
  return std::unique_ptr<DirectQuery>(std::move(q));
}

}  // namespace tarn::bench
