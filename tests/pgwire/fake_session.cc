#include "pgwire/fake_session.h"

#include <chrono>

#include "tarn/pgwire/result_writer.h"

namespace tarn::pgwire::testing {
namespace {

using query::Column;
using query::ColumnType;
using query::Row;

Column Col(std::string name, ColumnType type, std::string type_sql = "") {
  Column c;
  c.name = std::move(name);
  c.type = type;
  c.type_sql = std::move(type_sql);
  return c;
}

std::vector<Column> TypesColumns() {
  std::vector<Column> c = {
      Col("b", ColumnType::kBoolean),    Col("i2", ColumnType::kSmallInt),
      Col("i4", ColumnType::kInteger),   Col("i8", ColumnType::kBigInt),
      Col("f4", ColumnType::kFloat),     Col("f8", ColumnType::kDouble),
      Col("d", ColumnType::kDecimal),    Col("s", ColumnType::kVarchar),
      Col("bl", ColumnType::kBlob),      Col("u", ColumnType::kUuid),
      Col("dt", ColumnType::kDate),      Col("t", ColumnType::kTime),
      Col("ts", ColumnType::kTimestamp), Col("tz", ColumnType::kTimestampTz),
      Col("iv", ColumnType::kInterval),  Col("li", ColumnType::kList),
      Col("ls", ColumnType::kList),      Col("st", ColumnType::kStruct),
      Col("h", ColumnType::kHugeInt),    Col("n", ColumnType::kInteger),
  };
  c[6].precision = 10;
  c[6].scale = 2;
  c[15].element = ColumnType::kInteger;
  c[16].element = ColumnType::kVarchar;
  return c;
}

Row TypesRow() {
  return {"true",
          "-3",
          "42",
          "9000000000",
          "1.5",
          "0.1",
          "-12.50",
          "h\xc3\xa9llo",
          "01ff",
          "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
          "2024-01-15",
          "10:00:01.5",
          "2024-01-15 10:00:00.123",
          "2024-01-15 10:00:00+00",
          "1 year 2 months 3 days 04:05:06",
          "[1, 2, NULL]",
          "[a, 'b,c']",
          "{'a': 1}",
          "170141183460469231731687303715884105727",
          std::nullopt};
}

bool StartsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

int CountParams(const std::string& sql) {
  int n = 0;
  for (size_t i = 0; i + 1 < sql.size(); ++i) {
    if (sql[i] == '$' && sql[i + 1] >= '1' && sql[i + 1] <= '9') ++n;
  }
  return n;
}

class NumbersStream : public query::ResultStream {
 public:
  NumbersStream(int64_t n, std::shared_ptr<int> generation)
      : n_(n),
        generation_(std::move(generation)),
        created_(*generation_),
        columns_{Col("n", ColumnType::kBigInt)} {}
  const std::vector<Column>& columns() const override { return columns_; }
  Result<bool> Next(Row* row) override {
    if (*generation_ != created_) {
      return InvalidArgument(
          "Invalid Input Error: Attempting to execute an unsuccessful or "
          "closed pending query result");
    }
    if (next_ >= n_) return false;
    row->resize(1);
    (*row)[0] = std::to_string(next_++);
    return true;
  }

 private:
  int64_t n_;
  std::shared_ptr<int> generation_;
  int created_;
  int64_t next_ = 0;
  std::vector<Column> columns_;
};

class FailingStream : public query::ResultStream {
 public:
  FailingStream() : columns_{Col("n", ColumnType::kBigInt)} {}
  const std::vector<Column>& columns() const override { return columns_; }
  Result<bool> Next(Row* row) override {
    if (next_ >= 2) return Status(ErrorCode::kResourceExhausted, "memory limit of 1 MiB exceeded");
    *row = {std::to_string(next_++)};
    return true;
  }

 private:
  int next_ = 0;
  std::vector<Column> columns_;
};

}  // namespace

class SleepStream : public query::ResultStream {
 public:
  SleepStream(std::shared_ptr<FakeLog> log, std::shared_ptr<void> state, std::mutex* mu,
              std::condition_variable* cv, bool* interrupted)
      : log_(std::move(log)),
        state_(std::move(state)),
        mu_(mu),
        cv_(cv),
        interrupted_(interrupted),
        columns_{Col("slept", ColumnType::kBoolean)} {}
  const std::vector<Column>& columns() const override { return columns_; }
  Result<bool> Next(Row* row) override {
    std::unique_lock<std::mutex> lock(*mu_);
    ++log_->sleeping;
    bool woke = cv_->wait_for(lock, std::chrono::seconds(20), [this] { return *interrupted_; });
    --log_->sleeping;
    *interrupted_ = false;
    if (woke) return Status(ErrorCode::kUnavailable, "canceled");
    return Status(ErrorCode::kInternal, "the test never canceled the sleep");
  }

 private:
  std::shared_ptr<FakeLog> log_;
  std::shared_ptr<void> state_;
  std::mutex* mu_;
  std::condition_variable* cv_;
  bool* interrupted_;
  std::vector<Column> columns_;
};

Result<query::StatementInfo> FakeSession::Describe(const std::string& sql) {
  {
    std::lock_guard<std::mutex> lock(log_->mu);
    log_->described.push_back(sql);
  }
  ++*generation_;
  query::StatementInfo info;
  info.parameter_count = CountParams(sql);
  info.parameter_types.assign(static_cast<size_t>(info.parameter_count), ColumnType::kVarchar);
  if (StartsWith(sql, "SELECT * FROM numbers(")) {
    info.columns = {Col("n", ColumnType::kBigInt)};
    if (info.parameter_count > 0) info.parameter_types[0] = ColumnType::kInteger;
    return info;
  }
  if (sql == "SELECT types") {
    info.columns = TypesColumns();
    return info;
  }
  if (StartsWith(sql, "SELECT echo")) {
    for (int i = 0; i < info.parameter_count; ++i) {
      info.columns.push_back(Col("p" + std::to_string(i + 1), ColumnType::kVarchar));
    }
    return info;
  }
  auto stream = Execute(sql, std::vector<std::optional<std::string>>(info.parameter_count));
  if (!stream.ok()) return stream.status();
  info.columns = (*stream)->columns();
  return info;
}

Result<std::unique_ptr<query::ResultStream>> FakeSession::Execute(
    const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  {
    std::lock_guard<std::mutex> lock(log_->mu);
    log_->executed.push_back(sql);
    log_->params.push_back(params);
  }
  ++*generation_;
  if (StartsWith(sql, "SELECT * FROM numbers(")) {
    std::string arg = sql.substr(22, sql.find(')') - 22);
    int64_t n = arg.rfind("$", 0) == 0 ? std::stoll(params.at(0).value()) : std::stoll(arg);
    return std::unique_ptr<query::ResultStream>(std::make_unique<NumbersStream>(n, generation_));
  }
  if (sql == "SELECT types") {
    return std::unique_ptr<query::ResultStream>(
        std::make_unique<RowsInMemory>(TypesColumns(), std::vector<Row>{TypesRow()}));
  }
  if (StartsWith(sql, "SELECT echo")) {
    std::vector<Column> cols;
    Row row;
    for (size_t i = 0; i < params.size(); ++i) {
      cols.push_back(Col("p" + std::to_string(i + 1), ColumnType::kVarchar));
      row.push_back(params[i]);
    }
    return std::unique_ptr<query::ResultStream>(
        std::make_unique<RowsInMemory>(cols, std::vector<Row>{row}));
  }
  if (sql == "SELECT sleep") {
    auto st = interrupts_;
    return std::unique_ptr<query::ResultStream>(
        std::make_unique<SleepStream>(log_, st, &st->mu, &st->cv, &st->interrupted));
  }
  if (sql == "SELECT fail_midway") {
    return std::unique_ptr<query::ResultStream>(std::make_unique<FailingStream>());
  }
  if (sql.find("serving.") != std::string::npos) {
    return PermissionDenied(
        "permission denied for zone 'serving': the token has no "
        "serving:read grant");
  }
  if (sql.find("curated.missing") != std::string::npos) {
    return NotFound("table curated.missing does not exist");
  }
  if (sql.find("bad") != std::string::npos) {
    return InvalidArgument("Parser Error: syntax error at or near \"bad\"");
  }
  return InvalidArgument("Catalog Error: Table with name " + sql + " does not exist!");
}

void FakeSession::Interrupt() {
  ++log_->interrupts;
  std::lock_guard<std::mutex> lock(interrupts_->mu);
  if (log_->sleeping == 0) return;  // nothing running
  interrupts_->interrupted = true;
  interrupts_->cv.notify_all();
}

}  // namespace tarn::pgwire::testing
