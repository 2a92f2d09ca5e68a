// KafkaStream: a consumer-group member that lands a Kafka topic in a raw dataset exactly once
// (StreamLander), for a source whose connection_config is
//   {"connector": "kafka", "bootstrap": "host:port,...", "topic": "...", "group": "...",
//    "format": "json", "start": "earliest|latest", "properties": {"session.timeout.ms": "6000"}}
// ("start": where a partition with no stored position begins; "properties": extra librdkafka
// settings). Offsets live in the catalog, not in Kafka: on every assignment the consumer seeks
// each partition to the position stored with the last landed batch, and a batch's files and
// offsets are committed together. Offsets are also committed to Kafka after each landing, for
// the usual lag tools; they are never read back. The assignor is eager (range, roundrobin):
// on a revocation the pending batch is landed first, then every partition is given up.
// Several processes with the same group share the topic's partitions.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tarn/catalog/catalog_service.h"
#include "tarn/ingest/stream_lander.h"
#include "tarn/storage/object_store.h"

namespace tarn::ingest {

struct KafkaSourceConfig {
  std::string bootstrap, topic, group;
  std::string format = "json";
  std::string start = "earliest";
  std::map<std::string, std::string> properties;
};

// Errors: kFailedPrecondition naming the missing or bad option.
Result<KafkaSourceConfig> ParseKafkaConfig(const std::string& connection_config);

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
  int64_t high_watermark = -1;  // the broker's log end offset, as last fetched; -1: unknown
  int64_t lag = -1;             // high_watermark - landed, when both are known
};

struct StreamMetrics {
  UnixMicros started_at = 0;
  int64_t consumed = 0;  // messages taken from Kafka, landed or pending
  int64_t events = 0, bytes = 0, rejected = 0, late = 0, batches = 0, conflicts = 0;
  double events_per_second = 0, bytes_per_second = 0;  // landed, since start
  int64_t last_batch_latency_ms = 0;                    // first record -> commit
  std::optional<UnixMicros> watermark;
  std::vector<PartitionLag> partitions;  // assigned to this member
};

class KafkaStream {
 public:
  // Errors: StreamLander::Open's, kFailedPrecondition (the source is not a kafka source, a
  // bad config, librdkafka refusing a property).
  static Result<std::unique_ptr<KafkaStream>> Open(catalog::CatalogService& catalog,
                                                   storage::ObjectStore& store,
                                                   const std::string& dataset_id,
                                                   const StreamOptions& options);
  ~KafkaStream();
  KafkaStream(const KafkaStream&) = delete;
  KafkaStream& operator=(const KafkaStream&) = delete;

  // Consumes and lands until `stop` is set; then lands what is pending, leaves the group and
  // returns. Failed landings are retried from the stored positions (records are consumed
  // again); only a fatal consumer error ends it early. Errors: kUnavailable (fatal).
  Status Run(const std::atomic<bool>& stop);

  // A snapshot; thread-safe.
  StreamMetrics Metrics() const;

 private:
  struct Impl;
  explicit KafkaStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::ingest
