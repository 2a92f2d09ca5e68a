// StreamLander: lands records consumed from a stream — the partitions of a Kafka topic, a
// PostgreSQL replication slot — in the raw zone exactly once.
//
// Records are validated against the dataset's current schema as they arrive and appended to a
// staging Avro file per stream partition (a second one for late events). Flush publishes them
// as raw/<dataset>/dt=YYYY-MM-DD/hour=HH/<stream>-<partition>-<first>-<last>[-late].avro
// (ingestion hour; first/last are the partition's offsets in the batch), rejects in one
// dead-letter file (_deadletter/<hour>/<stream>-<run id>.jsonl, position
// "<stream>/<partition>@<offset>"), and commits the files, a run record, the new stream
// positions and the watermark in ONE catalog transaction (CatalogStore::CompleteStreamLanding).
// Nothing is acknowledged before that commit, so a crash anywhere loses nothing: the records
// are consumed again from the stored positions. A position that another consumer moved
// meanwhile (a rebalance, a stalled process) makes Flush fail with kConflict and drop the
// batch; the caller re-reads StoredPositions and seeks there.
//
// Event time (optional): the dataset's event-time field is read from each converted record
// (timestamp types; long/int as epoch milliseconds; ISO-8601 strings). A record whose event
// time is behind the watermark committed before its batch is late: it goes to the -late file,
// still landed and promoted (never dropped), and counted. After each batch, watermark =
// max(event time seen) - allowed lateness; it only moves forward.
//
// Not thread-safe: one thread adds and flushes.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/catalog/catalog_service.h"
#include "tarn/storage/object_store.h"

namespace tarn::ingest {

struct EventTimeOptions {
  std::string field;                 // a top-level field of the raw schema
  int64_t allowed_lateness_us = 0;
};

struct StreamLanderOptions {
  std::string codec = "snappy";
  std::optional<EventTimeOptions> event_time;
  // Records may share an offset (consecutive records only), e.g. the changes of one database
  // transaction at its commit LSN. The caller must then add all records of an offset before
  // a Flush: the stored position moves past it, and re-read records below it are skipped.
  bool shared_offsets = false;
};

// What one Flush landed.
struct LandedBatch {
  std::string run_id;
  std::vector<catalog::StreamBatch> files;  // with their partition ids
  int64_t records = 0, rejected = 0, late = 0, bytes = 0;
  std::optional<UnixMicros> max_event_time;  // of this batch
  std::optional<UnixMicros> watermark;       // after this batch
  int64_t latency_us = 0;                    // first record added -> committed
};

class StreamLander {
 public:
  // Errors: kNotFound (dataset), kFailedPrecondition (not a raw dataset, no schema registered,
  // an event-time field the schema does not have or cannot hold a time).
  static Result<std::unique_ptr<StreamLander>> Open(catalog::CatalogService& catalog,
                                                    storage::ObjectStore& store,
                                                    const std::string& dataset_id,
                                                    std::string stream,
                                                    const StreamLanderOptions& options);
  ~StreamLander();

  // The stored position (next offset to land) of each partition of this stream that has one.
  Result<std::map<int32_t, int64_t>> StoredPositions();

  // (Re)starts a partition at `stored`, its stored position (nullopt: none yet). Call it on
  // assignment and after DropAll, seeking the consumer there too. A partition with pending
  // records drops the whole batch (as DropAll).
  void Reset(int32_t partition, std::optional<int64_t> stored);
  // Forgets every partition and its pending records (all revoked; flush first to keep them).
  void Forget();
  // Drops every pending record; each partition must then be Reset before it takes records
  // again (a failed Flush does this too).
  void DropAll();

  // Validates and stages one record. A record that does not fit the schema is dead-lettered
  // (not an error). Offsets below the stored position, and at or below one already added for
  // the partition, are ignored (with shared_offsets: below one already added).
  // Errors: kFailedPrecondition (partition not Reset), kIOError.
  Status Add(int32_t partition, int64_t offset, std::string_view payload);

  size_t pending_records() const;
  int64_t pending_bytes() const;
  // The committed watermark, if any event time was seen.
  std::optional<UnixMicros> watermark() const;

  // Lands the pending records (nothing pending: an empty batch, no commit).
  // Errors: kConflict (positions moved; the batch is dropped), kIOError, the catalog's.
  Result<LandedBatch> Flush();

 private:
  struct Impl;
  explicit StreamLander(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::ingest
