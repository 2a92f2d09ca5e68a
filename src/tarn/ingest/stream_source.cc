#include "tarn/ingest/stream_source.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tarn/ingest/kafka_stream.h"
#include "tarn/ingest/pg_cdc_stream.h"

namespace tarn::ingest {

void CountLanded(const LandedBatch& batch, StreamMetrics* m) {
  m->events += batch.records;
  m->bytes += batch.bytes;
  m->rejected += batch.rejected;
  m->late += batch.late;
  m->batches += 1;
  m->last_batch_latency_ms = batch.latency_us / 1000;
  m->watermark = batch.watermark;
  double secs = std::max(1e-6, (Clock::System().Now() - m->started_at) / 1e6);
  m->events_per_second = m->events / secs;
  m->bytes_per_second = m->bytes / secs;
}

Result<std::unique_ptr<StreamSource>> OpenStreamSource(catalog::CatalogService& catalog,
                                                       storage::ObjectStore& store,
                                                       const std::string& dataset_id,
                                                       const StreamOptions& options) {
  TARN_ASSIGN_OR_RETURN(auto dataset, catalog.GetDataset(dataset_id));
  TARN_ASSIGN_OR_RETURN(auto source, catalog.GetSource(dataset.source_id));
  auto config = nlohmann::json::parse(source.connection_config, nullptr, false);
  std::string connector = config.is_object() ? config.value("connector", "") : "";
  if (connector == "kafka") {
    TARN_ASSIGN_OR_RETURN(auto stream, KafkaStream::Open(catalog, store, dataset_id, options));
    return std::unique_ptr<StreamSource>(std::move(stream));
  }
  if (connector == "postgres_cdc") {
    TARN_ASSIGN_OR_RETURN(auto stream, PgCdcStream::Open(catalog, store, dataset_id, options));
    return std::unique_ptr<StreamSource>(std::move(stream));
  }
  return FailedPrecondition("source " + source.name + " of " + dataset.name +
                            " is not a stream: its connection_config.connector is \"" + connector +
                            "\", not kafka or postgres_cdc");
}

}  // namespace tarn::ingest
