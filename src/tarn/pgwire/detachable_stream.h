// A session result that can be cut loose from its session. A session streams one result at a
// time (its DuckDB connection runs one statement), but PostgreSQL clients may leave a portal
// or cursor half read and run another statement meanwhile. Before that statement runs, the
// connection detaches the open result: the rest of its rows (up to a byte budget) move into
// memory, and the session's cursor is released. A result larger than the budget ends with
// kFailedPrecondition after the buffered rows, saying why. Not thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "tarn/query/query_service.h"

namespace tarn::pgwire {

class DetachableStream final : public query::ResultStream {
 public:
  explicit DetachableStream(std::unique_ptr<query::ResultStream> inner);

  const std::vector<query::Column>& columns() const override { return columns_; }
  Result<bool> Next(query::Row* row) override;

  // Reads the remaining rows into memory, up to `max_bytes` of values, and releases the
  // session's cursor. No-op once detached or finished.
  void Detach(size_t max_bytes);
  bool live() const { return inner_ != nullptr; }

 private:
  std::vector<query::Column> columns_;
  std::unique_ptr<query::ResultStream> inner_;
  std::deque<query::Row> buffered_;
  std::optional<Status> end_;  // the error after the buffered rows, if it was cut off or failed
};

}  // namespace tarn::pgwire
