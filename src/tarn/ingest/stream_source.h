// StreamSource: a stream landed in a raw dataset exactly once (StreamLander) — a Kafka topic
// (KafkaStream) or a PostgreSQL replication slot (PgCdcStream) — chosen by the connector of the
// dataset's source. What `tarn stream` runs, with the metrics it reports.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tarn/catalog/catalog_service.h"
#include "tarn/ingest/stream_lander.h"
#include "tarn/storage/object_store.h"

namespace tarn::ingest {

struct StreamOptions {
  int64_t flush_interval_ms = 5 * 60 * 1000;  // a batch lands this long after its first record
  int64_t flush_bytes = 128ll << 20;          // ... or once this much payload is pending
  StreamLanderOptions lander;
  // Called on the consumer thread after each landed batch.
  std::function<void(const LandedBatch&)> on_landed;
};

struct PartitionLag {
  int32_t partition = 0;
  int64_t landed = -1;          // next offset to land (stored position); -1: none
  int64_t high_watermark = -1;  // the source's end offset, as last fetched; -1: unknown
  int64_t lag = -1;             // high_watermark - landed, when both are known
};

struct StreamMetrics {
  UnixMicros started_at = 0;
  int64_t consumed = 0;  // records taken from the source, landed or pending
  int64_t events = 0, bytes = 0, rejected = 0, late = 0, batches = 0, conflicts = 0;
  double events_per_second = 0, bytes_per_second = 0;  // landed, since start
  int64_t last_batch_latency_ms = 0;                   // first record -> commit
  std::optional<UnixMicros> watermark;
  std::vector<PartitionLag> partitions;  // assigned to this member
};

// Adds a landed batch to the counters and rates of `m`.
void CountLanded(const LandedBatch& batch, StreamMetrics* m);

// Lifetime: Run once; Metrics from any thread meanwhile.
class StreamSource {
 public:
  virtual ~StreamSource() = default;

  // Lands the stream until `stop` is set; then lands what is pending and returns. Failed
  // landings are retried from the stored positions; only a fatal source error ends it early.
  // Errors: kUnavailable (fatal), kFailedPrecondition (the source cannot continue as set up).
  virtual Status Run(const std::atomic<bool>& stop) = 0;

  // A snapshot; thread-safe.
  virtual StreamMetrics Metrics() const = 0;
};

// Opens the stream of the dataset's source by its connection_config.connector: "kafka"
// (kafka_stream.h) or "postgres_cdc" (pg_cdc_stream.h).
// Errors: kFailedPrecondition (another connector, a bad config), those of the stream's Open.
Result<std::unique_ptr<StreamSource>> OpenStreamSource(catalog::CatalogService& catalog,
                                                       storage::ObjectStore& store,
                                                       const std::string& dataset_id,
                                                       const StreamOptions& options);

}  // namespace tarn::ingest
