#include "tarn/ingest/raw_ingestor.h"

#include <filesystem>

#include "tarn/base/encoding.h"
#include "tarn/base/log.h"
#include "tarn/format/avro_writer.h"
#include "tarn/format/schema_inference.h"
#include "tarn/ingest/connectors.h"
#include "tarn/ingest/raw_files.h"

namespace tarn::ingest {
namespace {

using catalog::IngestRun;
using catalog::PartitionInput;

// One ingestion in progress: the source, the schema, the open part file, the counters.
class Landing {
 public:
  Landing(storage::ObjectStore& store, IngestRun& run, const catalog::Dataset& dataset,
          const catalog::SchemaVersion& schema, const IngestOptions& options)
      : store_(store), run_(run), dataset_(dataset), schema_(schema), options_(options),
        dir_("raw/" + dataset.name + "/" + HourKey(run.started_at)),
        dead_(store.staging_dir() + "/" + run.id + "-deadletter.jsonl") {}

  ~Landing() {
    // Whatever was not published stays out of the lake.
    for (const auto& p : staged_) std::filesystem::remove(p);
    std::filesystem::remove(dead_.path());
  }

  Status Consume(std::vector<format::SourceRecord>& batch, format::ValueMode mode) {
    for (format::SourceRecord& r : batch) {
      if (!r.error.empty()) {
        TARN_RETURN_IF_ERROR(Reject(r, r.error));
        continue;
      }
      if (!writer_) TARN_RETURN_IF_ERROR(StartPart());
      const std::string& json = r.json.empty() ? r.payload : r.json;
      Status st = writer_->Append(json, mode);
      if (st.code() == ErrorCode::kInvalidArgument) {
        TARN_RETURN_IF_ERROR(Reject(r, st.message()));
        continue;
      }
      TARN_RETURN_IF_ERROR(st);
      ++run_.records_accepted;
      part_bytes_ += static_cast<int64_t>(json.size());
      if (part_bytes_ >= options_.target_file_bytes) TARN_RETURN_IF_ERROR(FinishPart());
    }
    return Status::OK();
  }

  // Publishes the last part and the dead letters; returns the partitions to register.
  Result<std::vector<PartitionInput>> Finish() {
    TARN_RETURN_IF_ERROR(FinishPart());
    TARN_ASSIGN_OR_RETURN(bool has_rejects, dead_.Close());
    if (has_rejects) {
      std::string key = "raw/" + dataset_.name + "/_deadletter/" + HourKey(run_.started_at) + "/" +
                        run_.window_key + ".jsonl";
      TARN_RETURN_IF_ERROR(Publish(dead_.path(), key));
      run_.deadletter_path = key;
    }
    run_.files_written = static_cast<int>(parts_.size());
    return parts_;
  }

 private:
  Status Reject(const format::SourceRecord& r, std::string_view reason) {
    ++run_.records_rejected;
    return dead_.Add(r.position, reason, run_.window_key, r.payload);
  }

  Status StartPart() {
    std::string path = store_.staging_dir() + "/" + run_.id + "-" + std::to_string(parts_.size()) +
                       ".avro";
    format::AvroWriterOptions wo;
    wo.codec = options_.codec;
    TARN_ASSIGN_OR_RETURN(writer_, format::AvroFileWriter::Create(path, schema_.schema_json, wo));
    staged_.push_back(path);
    part_bytes_ = 0;
    return Status::OK();
  }

  // Closes the open part; publishes it if it holds rows.
  Status FinishPart() {
    if (!writer_) return Status::OK();
    int64_t rows = writer_->rows();
    TARN_ASSIGN_OR_RETURN(int64_t size, writer_->Close());
    writer_.reset();
    if (rows == 0) return Status::OK();
    char part[16];
    std::snprintf(part, sizeof part, "%05zu", parts_.size());
    std::string key = dir_ + "/" + run_.window_key + "-" + part + ".avro";
    PartitionInput p{HourKey(run_.started_at), key, catalog::FileFormat::kAvro, rows, size,
                     schema_.id};
    TARN_RETURN_IF_ERROR(Publish(staged_.back(), key, &p));
    parts_.push_back(std::move(p));
    return Status::OK();
  }

  Status Publish(const std::string& local, const std::string& key, PartitionInput* p = nullptr) {
    return PublishRawFile(store_, local, key, p);
  }

  storage::ObjectStore& store_;
  IngestRun& run_;
  const catalog::Dataset& dataset_;
  const catalog::SchemaVersion& schema_;
  const IngestOptions& options_;
  std::string dir_;
  DeadLetters dead_;
  std::unique_ptr<format::AvroFileWriter> writer_;
  int64_t part_bytes_ = 0;
  std::vector<std::string> staged_;
  std::vector<PartitionInput> parts_;
};

// The dataset's current schema; with none, one inferred from `sample` and registered as v1.
Result<catalog::SchemaVersion> SchemaFor(catalog::CatalogService& cat, const catalog::Dataset& d,
                                         const std::vector<format::SourceRecord>& sample,
                                         format::ValueMode mode) {
  TARN_ASSIGN_OR_RETURN(auto versions, cat.ListSchemas(d.id));
  for (const auto& v : versions) {
    if (v.is_current) return v;
  }
  std::vector<std::string> jsons;
  for (const auto& r : sample) {
    if (r.error.empty()) jsons.push_back(r.json.empty() ? r.payload : r.json);
  }
  if (jsons.empty()) {
    return FailedPrecondition("dataset " + d.name +
                              " has no schema and the source gave no records to infer one from");
  }
  auto inferred = format::InferAvroSchema(jsons, mode, d.name);
  if (!inferred.ok()) return inferred.status().WithContext("inferring a schema for " + d.name);
  TARN_ASSIGN_OR_RETURN(auto reg, cat.RegisterSchema(d.id, *inferred, true));
  LogInfo("dataset " + d.name + ": inferred and registered schema version " +
          std::to_string(reg.version.version) + " from " + std::to_string(jsons.size()) + " records");
  return reg.version;
}

}  // namespace

Result<IngestRun> RawIngestor::Run(const std::string& dataset_id, const IngestOptions& options) {
  TARN_ASSIGN_OR_RETURN(auto dataset, catalog_.GetDataset(dataset_id));
  if (dataset.zone != catalog::Zone::kRaw) {
    return FailedPrecondition("dataset " + std::string(catalog::ToString(dataset.zone)) + "." +
                              dataset.name + " is not in the raw zone; ingestion lands in raw");
  }
  TARN_ASSIGN_OR_RETURN(auto source, catalog_.GetSource(dataset.source_id));
  TARN_ASSIGN_OR_RETURN(std::string config,
                        ApplyOverrides(source.connection_config, options.overrides_json));
  TARN_ASSIGN_OR_RETURN(auto cursor, catalog_.store().GetSourceCursor(dataset.id));
  TARN_ASSIGN_OR_RETURN(auto src, OpenSource(source.name, config, cursor));

  // The same window again: landed already (nothing to do) or interrupted (finish it, with the
  // same run, ingestion hour and file names).
  TARN_ASSIGN_OR_RETURN(auto previous, catalog_.store().FindIngestRun(dataset.id, src->WindowKey()));
  if (previous && previous->status == catalog::IngestStatus::kSucceeded) {
    if (options.on_start) options.on_start(*previous);
    return *previous;
  }
  IngestRun run;
  if (previous) {
    run = *previous;
    run.files_written = 0;
    run.records_accepted = run.records_rejected = run.bytes_read = 0;
    run.error.reset();
  } else {
    IngestRun fresh;
    fresh.dataset_id = dataset.id;
    fresh.window_key = src->WindowKey();
    fresh.window_description = src->WindowDescription();
    TARN_ASSIGN_OR_RETURN(run, catalog_.store().StartIngestRun(fresh));
  }
  run.end_cursor = src->EndCursor();
  if (options.on_start) options.on_start(run);

  auto fail = [&](const Status& st) -> Result<IngestRun> {
    run.error = st.ToString();
    run.bytes_read = src->bytes_read();
    Status recorded = catalog_.store().FailIngestRun(run);
    if (!recorded.ok()) LogError("ingest " + run.id + ": recording the failure: " + recorded.ToString());
    run.status = catalog::IngestStatus::kFailed;
    return run;
  };

  std::vector<format::SourceRecord> batch;
  auto more = src->Next(&batch, std::max(options.batch_records, options.inference_sample));
  if (!more.ok()) return fail(more.status());
  auto schema = SchemaFor(catalog_, dataset, batch, src->value_mode());
  if (!schema.ok()) return fail(schema.status());

  Landing landing(store_, run, dataset, *schema, options);
  while (true) {
    Status st = landing.Consume(batch, src->value_mode());
    if (!st.ok()) return fail(st);
    run.bytes_read = src->bytes_read();
    if (options.on_progress) {
      options.on_progress({run.records_accepted, run.records_rejected, run.bytes_read,
                           run.files_written});
    }
    if (!*more) break;
    batch.clear();
    more = src->Next(&batch, options.batch_records);
    if (!more.ok()) return fail(more.status());
  }
  auto parts = landing.Finish();
  if (!parts.ok()) return fail(parts.status());
  auto landed = catalog_.store().CompleteIngestRun(run, *parts);
  if (!landed.ok()) return fail(landed.status());
  return landed;
}

}  // namespace tarn::ingest
