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
#include <map>
#include <memory>
#include <mutex>
#include <thread>
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

// A raw dataset's event-time progress as JSON (GET /datasets/{id}/watermark, `tarn watermark`):
// min/max event time seen, watermark, allowed lateness, events and late events, each window's
// publication frontier, and the event-time partitions of the curated target (hourly when the
// spec partitions by hours, else daily; the newest 1000) with `complete` = the watermark passed
// their end. Errors: kNotFound (dataset).
Result<std::string> WatermarkJson(lake::Lake& lake, const std::string& raw_dataset_id);

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

// Streams running as long-lived jobs of one process (`tarn serve --stream DATASET`), each
// StreamPipeline on its own thread. Thread-safe.
class StreamRunner {
 public:
  explicit StreamRunner(lake::Lake& lake) : lake_(lake) {}
  ~StreamRunner();  // StopAll

  // Opens the dataset's pipeline and starts it. Errors: StreamPipeline::Open's,
  // kAlreadyExists (already running here).
  Status Start(const std::string& dataset_id, const StreamPipelineOptions& options);
  // The status of the dataset's stream in this process, if it was started here (a stream that
  // failed says so in last_error).
  std::optional<StreamPipelineStatus> Snapshot(const std::string& dataset_id) const;
  // Stops every stream (each lands and promotes what is pending) and waits for them.
  void StopAll();

 private:
  struct Job {
    std::unique_ptr<StreamPipeline> pipeline;
    std::atomic<bool> stop{false};
    std::thread thread;
  };
  lake::Lake& lake_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Job>> jobs_;
};

}  // namespace tarn::pipeline
