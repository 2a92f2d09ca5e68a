#include "tarn/pgwire/detachable_stream.h"

namespace tarn::pgwire {

DetachableStream::DetachableStream(std::unique_ptr<query::ResultStream> inner)
    : columns_(inner->columns()), inner_(std::move(inner)) {}

Result<bool> DetachableStream::Next(query::Row* row) {
  if (!buffered_.empty()) {
    *row = std::move(buffered_.front());
    buffered_.pop_front();
    return true;
  }
  if (inner_) {
    auto more = inner_->Next(row);
    if (!more.ok() || !*more) inner_.reset();
    return more;
  }
  if (end_) return *end_;
  return false;
}

void DetachableStream::Detach(size_t max_bytes) {
  if (!inner_) return;
  size_t bytes = 0, rows = 0;
  query::Row row;
  while (true) {
    auto more = inner_->Next(&row);
    if (!more.ok()) {
      end_ = more.status();
      break;
    }
    if (!*more) break;
    for (const auto& v : row) bytes += (v ? v->size() : 0) + 16;
    buffered_.push_back(std::move(row));
    ++rows;
    if (bytes > max_bytes) {
      end_ = FailedPrecondition(
          "this result was cut off after " + std::to_string(rows) +
          " more rows: another statement ran on the connection while it was open, and tarn "
          "streams one result per connection at a time (it kept " +
          std::to_string(max_bytes >> 20) +
          " MiB of it). Read results to the end before running the next statement, or use a "
          "second connection");
      break;
    }
  }
  inner_.reset();
}

}  // namespace tarn::pgwire
