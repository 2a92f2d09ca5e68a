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
// Several processes with the same group share the topic's partitions. Kafka tombstones (null
// values, e.g. Debezium's after a delete) carry no record and are skipped.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "tarn/catalog/catalog_service.h"
#include "tarn/ingest/stream_source.h"
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

class KafkaStream : public StreamSource {
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
  Status Run(const std::atomic<bool>& stop) override;

  StreamMetrics Metrics() const override;

 private:
  struct Impl;
  explicit KafkaStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::ingest
