// The baseline for the partition listing: the SELECT the catalog store issues, run
// straight on the database (sqlite3 or libpq, prepared once) and every cell read as text. The
// API's overhead is its latency over this one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tarn/base/status.h"

namespace tarn::bench {

class DirectQuery {
 public:
  virtual ~DirectQuery() = default;
  // "sqlite:PATH" or "postgresql://...". Errors: kUnavailable, kIOError.
  static Result<std::unique_ptr<DirectQuery>> Open(const std::string& catalog_url);

  // The dataset's partitions with key_from <= key < key_to in (key, id) order, at most
  // `limit` + 1 rows as the store asks for. Returns the number of rows read.
  virtual Result<int64_t> Run(const std::string& dataset_id, const std::string& key_from,
                              const std::string& key_to, int limit) = 0;
};

}  // namespace tarn::bench
