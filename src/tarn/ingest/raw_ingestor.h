// RawIngestor: lands one window of a raw dataset's source in the raw zone. Records are
// validated against the dataset's current schema (inferred and registered as version 1 when
// there is none) and written as Avro object container files under
// raw/<dataset>/dt=YYYY-MM-DD/hour=HH/<window-key>-<part>.avro (ingestion time); rejects go to
// raw/<dataset>/_deadletter/dt=.../hour=.../<window-key>.jsonl with position and reason. Files
// are published atomically and registered, with the run's counters and the source cursor, in
// one catalog transaction. The same window again lands nothing new; an unfinished window is
// completed by the next run. Thread-safe (each Run is independent).
#pragma once

#include <functional>
#include <string>

#include "tarn/catalog/catalog_service.h"
#include "tarn/storage/object_store.h"

namespace tarn::ingest {

struct IngestProgress {
  int64_t records_accepted = 0;
  int64_t records_rejected = 0;
  int64_t bytes_read = 0;
  int files_written = 0;
};

struct IngestOptions {
  // A JSON object whose keys override the source's connection_config for this run
  // (e.g. {"path": "/data/in/2024-01-15.jsonl"}); "" or "{}" for none.
  std::string overrides_json;
  size_t batch_records = 8192;
  // A raw file is closed and a new one started once this much input went into it.
  int64_t target_file_bytes = 256ll << 20;
  // Records sampled to infer a schema when the dataset has none.
  size_t inference_sample = 1000;
  std::string codec = "snappy";
  // Called after every batch (from the calling thread).
  std::function<void(const IngestProgress&)> on_progress;
  // Called once the run record exists (before any record is read).
  std::function<void(const catalog::IngestRun&)> on_start;
};

class RawIngestor {
 public:
  RawIngestor(catalog::CatalogService& catalog, storage::ObjectStore& store)
      : catalog_(catalog), store_(store) {}

  // Runs the ingestion and returns its run record: succeeded, or failed with its error (a
  // failed run registers nothing). Errors before a run starts: kNotFound (dataset),
  // kFailedPrecondition (not a raw dataset, no or bad connector configuration, unresolvable
  // credentials), kUnavailable (source unreachable), kInvalidArgument (bad overrides).
  Result<catalog::IngestRun> Run(const std::string& dataset_id, const IngestOptions& options);

 private:
  catalog::CatalogService& catalog_;
  storage::ObjectStore& store_;
};

}  // namespace tarn::ingest
