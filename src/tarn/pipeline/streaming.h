// StreamPipeline: what `tarn stream DATASET` (and `tarn serve --stream DATASET`) runs for a raw
// dataset fed by a stream: a Kafka topic or a PostgreSQL table's changes. The consumer thread
// lands batches exactly once (ingest::StreamSource: KafkaStream, PgCdcStream). When the dataset has
// a promotion spec, a promoter thread takes each landed batch through the quality gate into curated
// (Promote on its partitions), so events are queryable in curated seconds after they land; its
// event_time field drives the watermark (allowed lateness and late alerts from the spec's
// `watermark`; for change events, the envelope's ts_ms), and windows of the spec's `windows` are
// published to serving as the watermark passes their ends, with late data reconciled (windows.h).
// On start, partitions landed but not promoted before (a crash between landing and promotion) are
// promoted first.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "tarn/base/status.h"
#include "tarn/ingest/stream_source.h"

namespace tarn::lake {
class Lake;
}

namespace tarn::pipeline {

struct StreamPipelineOptions {
  int64_t flush_interval_ms = 5 * 60 * 1000;
  int64_t flush_bytes = 128ll << 20;
  bool promote = true;  // false: land only
};

struct StreamPipelineStatus {
  std::string dataset;  // "raw.<name>"
  ingest::StreamMetrics ingest;
  int64_t promotions = 0, partitions_promoted = 0, partitions_quarantined = 0;
  int64_t windows_published = 0, windows_corrected = 0;
  std::optional<UnixMicros> newest_promoted_event;  // event time of the newest promoted event
  std::optional<int64_t> freshness_ms;              // now - newest_promoted_event
  int64_t last_promotion_latency_ms = 0;            // landed -> promoted
  std::string last_error;                           // of the promoter, "" when fine
};

// The status as JSON (GET /datasets/{id}/stream, `tarn stream --status-file`).
std::string StreamStatusToJson(const StreamPipelineStatus& status);

class StreamPipeline {
 public:
  // Errors: ingest::OpenStreamSource's; kFailedPrecondition (a promotion spec that does not
  // parse).
  static Result<std::unique_ptr<StreamPipeline>> Open(lake::Lake& lake, const std::string& dataset_id,
                                                      const StreamPipelineOptions& options);
  ~StreamPipeline();

  // Runs until `stop` is set: lands what is pending, promotes what landed, and returns.
  // Errors: ingest::StreamSource::Run's.
  Status Run(const std::atomic<bool>& stop);

  // A snapshot; thread-safe.
  StreamPipelineStatus Snapshot() const;

 private:
  struct Impl;
  explicit StreamPipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tarn::pipeline
