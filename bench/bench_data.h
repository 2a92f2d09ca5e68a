// The catalog benchmark's data: a deterministic population of datasets with hourly partitions,
// bulk-loaded straight into a migrated catalog (SQLite or PostgreSQL) with SQL, bypassing the
// API for speed. Rows look like what tarn writes: UUIDv7-like ids (time-ordered in load order,
// so every index grows at its right edge), ISO / timestamptz times, keys "dt=YYYY-MM-DD/hour=HH".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/base/time.h"

namespace tarn::bench {

struct Scale {
  int datasets = 5000;
  int partitions_per_dataset = 10000;  // consecutive hours from kFirstHour
  int64_t rows() const { return int64_t{datasets} * partitions_per_dataset; }
  // "5000x10000", used to key cached catalogs.
  std::string Name() const;
};

// The first partition's hour: 2024-01-01T00:00:00Z.
inline constexpr UnixMicros kFirstHour = 1704067200LL * 1'000'000;
inline constexpr UnixMicros kMicrosPerHour = 3'600'000'000LL;

// "ds_00042".
std::string DatasetName(int index);
// "dt=2024-01-15/hour=03" for hour `h` counted from kFirstHour (h may exceed the scale).
std::string HourKey(int64_t h);
// "raw/ds_00042/dt=2024-01-15/hour=03/part-0000.avro".
std::string PartitionPath(int dataset_index, int64_t h);

// Loads `scale` into an empty, migrated catalog: one source, the datasets (raw zone), then the
// partitions in (dataset, key) order in big transactions, printing progress to stderr.
// The catalog must not be open elsewhere (SQLite switches journaling off during the load).
Status LoadSqlite(const std::string& db_path, const Scale& scale);
Status LoadPostgres(const std::string& url, const Scale& scale);

// The benchmark datasets' ids in index order (ds_00000 first). Errors: kFailedPrecondition if
// the catalog holds some other number of them.
Result<std::vector<std::string>> DatasetIds(const std::string& catalog_url, const Scale& scale);

// Deletes every partition the registration benchmark added (keys at or after the scale's last
// hour), so a cached catalog stays as generated. Returns the number of rows deleted.
Result<int64_t> DeleteRegistered(const std::string& catalog_url, const Scale& scale,
                                 const std::vector<std::string>& dataset_ids);

}  // namespace tarn::bench
