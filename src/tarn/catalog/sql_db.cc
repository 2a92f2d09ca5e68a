#include "tarn/catalog/sql_db.h"

#include <cstdlib>

namespace tarn::catalog {

const std::string& SqlRow::Text(size_t i) const {
  static const std::string kEmpty;
  const auto& c = cells_.at(i);
  return c ? *c : kEmpty;
}

int64_t SqlRow::Int(size_t i) const { return OptInt(i).value_or(0); }

std::optional<int64_t> SqlRow::OptInt(size_t i) const {
  const auto& c = cells_.at(i);
  if (!c) return std::nullopt;
  return std::strtoll(c->c_str(), nullptr, 10);
}

std::optional<double> SqlRow::OptDouble(size_t i) const {
  const auto& c = cells_.at(i);
  if (!c) return std::nullopt;
  return std::strtod(c->c_str(), nullptr);
}

bool SqlRow::Bool(size_t i) const {
  const std::string& t = Text(i);
  return t == "1" || t == "t" || t == "true";
}

UnixMicros SqlRow::Time(size_t i) const {
  auto parsed = ParseIsoTimestamp(Text(i));
  return parsed.ok() ? *parsed : 0;
}

namespace {

class MaterializedRowView final : public SqlRowView {
 public:
  explicit MaterializedRowView(const SqlRow& row) : row_(row) {}
  bool IsNull(size_t i) const override { return row_.IsNull(i); }
  std::string_view Text(size_t i) const override { return row_.Text(i); }
  int64_t Int(size_t i) const override { return row_.Int(i); }

 private:
  const SqlRow& row_;
};

}  // namespace

Status SqlConnection::QueryEach(std::string_view sql, const SqlParams& params,
                                const std::function<Status(const SqlRowView&)>& fn) {
  TARN_ASSIGN_OR_RETURN(SqlResult result, Query(sql, params));
  for (const SqlRow& row : result.rows) TARN_RETURN_IF_ERROR(fn(MaterializedRowView(row)));
  return Status::OK();
}

Result<std::unique_ptr<SqlConnection>> OpenSqlConnection(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) return OpenSqliteConnection(url.substr(7));
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return OpenPostgresConnection(url);
  }
  return InvalidArgument("catalog URL must start with sqlite: or postgresql://");
}

Result<std::unique_ptr<SqlPool>> SqlPool::Open(const std::string& url, int size) {
  TARN_ASSIGN_OR_RETURN(auto first, OpenSqlConnection(url));
  std::unique_ptr<SqlPool> pool(new SqlPool(url, first->dialect(), size < 1 ? 1 : size));
  pool->open_ = 1;
  pool->idle_.push_back(std::move(first));
  return pool;
}

Result<std::unique_ptr<SqlConnection>> SqlPool::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  ++open_;
  lock.unlock();
  auto conn = OpenSqlConnection(url_);
  if (!conn.ok()) {
    std::lock_guard relock(mu_);
    --open_;
    cv_.notify_one();
  }
  return conn;
}

void SqlPool::Release(std::unique_ptr<SqlConnection> conn) {
  std::lock_guard lock(mu_);
  if (conn) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  cv_.notify_one();
}

Status SqlPool::Run(bool transaction, const std::function<Status(SqlConnection&)>& fn) {
  TARN_ASSIGN_OR_RETURN(auto conn, Acquire());
  Status st;
  if (!transaction) {
    st = fn(*conn);
  } else if ((st = conn->Begin()).ok()) {
    st = fn(*conn);
    if (st.ok()) {
      st = conn->Commit();
    } else {
      (void)conn->Rollback();
    }
  }
  // A connection that lost its server is dropped rather than handed to the next caller.
  if (st.code() == ErrorCode::kUnavailable) conn.reset();
  Release(std::move(conn));
  return st;
}

}  // namespace tarn::catalog
