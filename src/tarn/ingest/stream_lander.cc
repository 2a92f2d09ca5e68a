#include "tarn/ingest/stream_lander.h"

#include <avro.h>

#include <filesystem>

#include "tarn/base/ids.h"
#include "tarn/base/log.h"
#include "tarn/format/avro_writer.h"
#include "tarn/format/json_to_avro.h"
#include "tarn/ingest/raw_files.h"
#include "tarn/schema/schema.h"

namespace tarn::ingest {
namespace {

using catalog::PartitionInput;
using catalog::StreamBatch;

constexpr int64_t kMicrosPerMilli = 1000;

// Reads the event time from a converted record: the top-level field at `index` of `type`.
class EventTimeReader {
 public:
  static Result<EventTimeReader> Make(const std::string& schema_json, const std::string& field) {
    TARN_ASSIGN_OR_RETURN(schema::Schema s, schema::SchemaFromAvro(schema_json));
    const auto& fields = s.fields();
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name != field) continue;
      const schema::Type& t = *fields[i].type;
      switch (t.id) {
        case schema::TypeId::kTimestamp:
        case schema::TypeId::kTimestampTz:
        case schema::TypeId::kLong:
        case schema::TypeId::kInt:
        case schema::TypeId::kString:
        case schema::TypeId::kDate:
          return EventTimeReader(i, t.id, t.avro_millis);
        default:
          return FailedPrecondition("event-time field " + field + " is a " +
                                    std::string(schema::TypeIdName(t.id)) +
                                    "; it must be a timestamp, date, long, int or string");
      }
    }
    return FailedPrecondition("event-time field " + field + " is not in the dataset's schema");
  }

  // nullopt when the field is null or its text is not a timestamp.
  std::optional<UnixMicros> Read(avro_value_t* record) const {
    avro_value_t v;
    if (avro_value_get_by_index(record, index_, &v, nullptr) != 0) return std::nullopt;
    if (avro_value_get_type(&v) == AVRO_UNION) {
      avro_value_t branch;
      if (avro_value_get_current_branch(&v, &branch) != 0) return std::nullopt;
      v = branch;
    }
    switch (avro_value_get_type(&v)) {
      case AVRO_INT64: {
        int64_t x = 0;
        avro_value_get_long(&v, &x);
        bool millis = type_ == schema::TypeId::kLong || millis_;
        return millis ? x * kMicrosPerMilli : x;
      }
      case AVRO_INT32: {
        int32_t x = 0;
        avro_value_get_int(&v, &x);
        if (type_ == schema::TypeId::kDate) return int64_t{x} * 86'400'000'000;
        return int64_t{x} * kMicrosPerMilli;
      }
      case AVRO_STRING: {
        const char* s = nullptr;
        size_t size = 0;
        avro_value_get_string(&v, &s, &size);
        auto t = ParseIsoTimestamp(std::string_view(s, size ? size - 1 : 0));
        if (!t.ok()) return std::nullopt;
        return *t;
      }
      default:
        return std::nullopt;
    }
  }

 private:
  EventTimeReader(size_t index, schema::TypeId type, bool millis)
      : index_(index), type_(type), millis_(millis) {}
  size_t index_;
  schema::TypeId type_;
  bool millis_;
};

// One staged Avro file of a partition's batch, and the event-time range of its records.
struct StagedFile {
  std::unique_ptr<format::AvroFileWriter> writer;
  std::optional<UnixMicros> min_event, max_event;

  void Note(std::optional<UnixMicros> t) {
    if (!t) return;
    if (!min_event || *t < *min_event) min_event = t;
    if (!max_event || *t > *max_event) max_event = t;
  }
};

// A stream partition: where its stored position is, and its pending records.
struct PartState {
  std::optional<int64_t> stored;  // the catalog's position when the batch began
  bool needs_reset = false;       // its records were dropped: the consumer must seek back
  std::optional<int64_t> first, last;  // offsets added to the pending batch
  StagedFile on_time, late;
};

std::optional<UnixMicros> Later(std::optional<UnixMicros> a, std::optional<UnixMicros> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

}  // namespace

struct StreamLander::Impl {
  catalog::CatalogService& catalog;
  storage::ObjectStore& store;
  catalog::Dataset dataset;
  catalog::SchemaVersion schema;
  std::string stream;
  StreamLanderOptions options;
  std::unique_ptr<format::JsonToAvro> converter;
  avro_value_t value{};
  std::optional<EventTimeReader> event_time;
  std::map<int32_t, PartState> parts;
  std::string batch_id = NewUuid();  // names staging files and the run
  std::unique_ptr<DeadLetters> dead;
  size_t pending_records = 0;
  int64_t pending_bytes = 0, pending_rejected = 0, pending_late = 0;
  UnixMicros batch_started = 0;
  std::optional<UnixMicros> watermark, batch_min_event, batch_max_event;

  Impl(catalog::CatalogService& c, storage::ObjectStore& s) : catalog(c), store(s) {}
  ~Impl() {
    Clear();
    if (value.iface) avro_value_decref(&value);
  }

  std::string Staging(const std::string& name) const {
    return store.staging_dir() + "/" + batch_id + "-" + name;
  }

  // Drops the staged files of a partition.
  static void ClearPart(PartState& p) {
    for (StagedFile* f : {&p.on_time, &p.late}) {
      if (!f->writer) continue;
      std::string path = f->writer->path();
      f->writer.reset();
      std::filesystem::remove(path);
      *f = StagedFile{};
    }
    p.first.reset();
    p.last.reset();
  }

  void Clear() {
    for (auto& [_, p] : parts) ClearPart(p);
    if (dead) {
      std::string path = dead->path();
      dead.reset();
      std::filesystem::remove(path);
    }
    pending_records = 0;
    pending_bytes = pending_rejected = pending_late = 0;
    batch_min_event.reset();
    batch_max_event.reset();
    batch_id = NewUuid();
  }

  Status Reject(int32_t partition, int64_t offset, std::string_view reason,
                std::string_view payload) {
    if (!dead) dead = std::make_unique<DeadLetters>(Staging("deadletter.jsonl"));
    ++pending_rejected;
    return dead->Add(stream + "/" + std::to_string(partition) + "@" + std::to_string(offset),
                     reason, stream, payload);
  }

  Status Append(int32_t partition, StagedFile& f, bool late) {
    if (!f.writer) {
      format::AvroWriterOptions wo;
      wo.codec = options.codec;
      std::string name = std::to_string(partition) + (late ? "-late.avro" : ".avro");
      TARN_ASSIGN_OR_RETURN(f.writer,
                            format::AvroFileWriter::Create(Staging(name), schema.schema_json, wo));
    }
    return f.writer->AppendValue(&value);
  }

  Status Add(int32_t partition, int64_t offset, std::string_view payload) {
    auto it = parts.find(partition);
    if (it == parts.end()) {
      return FailedPrecondition("stream " + stream + " partition " + std::to_string(partition) +
                                " is not assigned to this lander");
    }
    PartState& p = it->second;
    if (p.needs_reset) {
      return FailedPrecondition("stream " + stream + " partition " + std::to_string(partition) +
                                " lost its pending records; seek it back to its stored position");
    }
    if (p.last && (offset < *p.last || (offset == *p.last && !options.shared_offsets))) {
      return Status::OK();
    }
    if (!p.last && p.stored && offset < *p.stored) return Status::OK();
    if (pending_records == 0 && !dead) batch_started = Clock::System().Now();
    if (!p.first) p.first = offset;
    p.last = offset;
    ++pending_records;
    pending_bytes += static_cast<int64_t>(payload.size());
    Status st = converter->Convert(payload, format::ValueMode::kTyped, &value);
    if (st.code() == ErrorCode::kInvalidArgument) return Reject(partition, offset, st.message(), payload);
    TARN_RETURN_IF_ERROR(st);
    std::optional<UnixMicros> t = event_time ? event_time->Read(&value) : std::nullopt;
    bool late = t && watermark && *t < *watermark;
    StagedFile& f = late ? p.late : p.on_time;
    st = Append(partition, f, late);
    if (st.code() == ErrorCode::kInvalidArgument) return Reject(partition, offset, st.message(), payload);
    TARN_RETURN_IF_ERROR(st);
    f.Note(t);
    batch_max_event = Later(batch_max_event, t);
    if (t && (!batch_min_event || *t < *batch_min_event)) batch_min_event = t;
    if (late) ++pending_late;
    return Status::OK();
  }

  // Closes and publishes one staged file; appends its partition and batch row.
  Status PublishFile(int32_t partition, const PartState& p, StagedFile& f, bool late,
                     const std::string& hour, catalog::StreamLanding* landing) {
    if (!f.writer) return Status::OK();
    int64_t rows = f.writer->rows();
    std::string local = f.writer->path();
    TARN_ASSIGN_OR_RETURN(int64_t size, f.writer->Close());
    f.writer.reset();
    if (rows == 0) {
      std::filesystem::remove(local);
      return Status::OK();
    }
    std::string key = "raw/" + dataset.name + "/" + hour + "/" + stream + "-" +
                      std::to_string(partition) + "-" + std::to_string(*p.first) + "-" +
                      std::to_string(*p.last) + (late ? "-late" : "") + ".avro";
    PartitionInput in{hour, key, catalog::FileFormat::kAvro, rows, size, schema.id};
    TARN_RETURN_IF_ERROR(PublishRawFile(store, local, key, &in));
    StreamBatch b;
    b.stream = stream;
    b.partition = partition;
    b.first_offset = *p.first;
    b.last_offset = *p.last;
    b.records = in.row_count;
    b.late = late;
    b.min_event_time = f.min_event;
    b.max_event_time = f.max_event;
    landing->partitions.push_back(std::move(in));
    landing->batches.push_back(std::move(b));
    return Status::OK();
  }

  // Drops everything pending; every partition must be Reset (sought back) before more records.
  void DropAll() {
    Clear();
    for (auto& [_, p] : parts) p.needs_reset = true;
  }

  Result<LandedBatch> Flush() {
    auto landed = Land();
    if (!landed.ok()) DropAll();
    return landed;
  }

  Result<LandedBatch> Land() {
    LandedBatch out;
    if (pending_records == 0) return out;
    UnixMicros now = Clock::System().Now();
    std::string hour = HourKey(now);
    catalog::StreamLanding landing;
    catalog::IngestRun& run = landing.run;
    run.id = batch_id;
    run.dataset_id = dataset.id;
    run.started_at = batch_started;
    std::string ranges;
    for (auto& [partition, p] : parts) {
      if (!p.first) continue;
      TARN_RETURN_IF_ERROR(PublishFile(partition, p, p.on_time, false, hour, &landing));
      TARN_RETURN_IF_ERROR(PublishFile(partition, p, p.late, true, hour, &landing));
      landing.advances.push_back({stream, partition, p.stored, *p.last + 1});
      ranges += (ranges.empty() ? "" : ", ") + std::to_string(partition) + ":[" +
                std::to_string(*p.first) + ", " + std::to_string(*p.last) + "]";
    }
    run.window_key = (stream + "@" + ranges).substr(0, 255);
    run.window_description = "stream " + stream + " partition:[first, last] offsets " + ranges;
    run.files_written = static_cast<int>(landing.partitions.size());
    run.records_rejected = pending_rejected;
    run.records_accepted = static_cast<int64_t>(pending_records) - pending_rejected;
    run.bytes_read = pending_bytes;
    if (dead) {
      TARN_ASSIGN_OR_RETURN(bool has_rejects, dead->Close());
      if (has_rejects) {
        std::string key = "raw/" + dataset.name + "/_deadletter/" + hour + "/" + stream + "-" +
                          batch_id + ".jsonl";
        TARN_RETURN_IF_ERROR(PublishRawFile(store, dead->path(), key));
        run.deadletter_path = key;
      }
    }
    std::optional<UnixMicros> next_watermark = watermark;
    if (event_time) {
      if (batch_max_event) {
        next_watermark = Later(watermark, *batch_max_event - options.event_time->allowed_lateness_us);
      }
      catalog::StreamWatermark wm;
      wm.dataset_id = dataset.id;
      wm.min_event_time = batch_min_event;
      wm.max_event_time = batch_max_event;
      wm.watermark = next_watermark;
      wm.allowed_lateness_us = options.event_time->allowed_lateness_us;
      wm.events = run.records_accepted;
      wm.late_events = pending_late;
      landing.watermark = wm;
    }
    auto landed = catalog.store().CompleteStreamLanding(landing);
    if (!landed.ok()) {
      return landed.status().WithContext("landing stream " + stream + " of " + dataset.name);
    }
    out.run_id = run.id;
    out.files = std::move(*landed);
    out.records = run.records_accepted;
    out.rejected = pending_rejected;
    out.late = pending_late;
    out.bytes = pending_bytes;
    out.max_event_time = batch_max_event;
    out.watermark = next_watermark;
    out.latency_us = Clock::System().Now() - batch_started;
    watermark = next_watermark;
    for (auto& [_, p] : parts) {
      if (p.last) p.stored = *p.last + 1;
      p.first.reset();
      p.last.reset();
    }
    dead.reset();
    Clear();
    return out;
  }
};

StreamLander::StreamLander(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamLander::~StreamLander() = default;

Result<std::unique_ptr<StreamLander>> StreamLander::Open(catalog::CatalogService& catalog,
                                                         storage::ObjectStore& store,
                                                         const std::string& dataset_id,
                                                         std::string stream,
                                                         const StreamLanderOptions& options) {
  auto impl = std::make_unique<Impl>(catalog, store);
  TARN_ASSIGN_OR_RETURN(impl->dataset, catalog.GetDataset(dataset_id));
  if (impl->dataset.zone != catalog::Zone::kRaw) {
    return FailedPrecondition("dataset " + impl->dataset.name +
                              " is not in the raw zone; streams land in raw");
  }
  TARN_ASSIGN_OR_RETURN(auto versions, catalog.ListSchemas(dataset_id));
  bool found = false;
  for (auto& v : versions) {
    if (v.is_current) {
      impl->schema = v;
      found = true;
    }
  }
  if (!found) {
    return FailedPrecondition("raw dataset " + impl->dataset.name +
                              " has no schema; register one before streaming into it "
                              "(tarn schema register)");
  }
  impl->stream = std::move(stream);
  impl->options = options;
  TARN_ASSIGN_OR_RETURN(impl->converter, format::JsonToAvro::Make(impl->schema.schema_json));
  TARN_RETURN_IF_ERROR(impl->converter->NewValue(&impl->value));
  if (options.event_time) {
    TARN_ASSIGN_OR_RETURN(auto reader,
                          EventTimeReader::Make(impl->schema.schema_json, options.event_time->field));
    impl->event_time = reader;
    TARN_ASSIGN_OR_RETURN(auto wm, catalog.store().GetWatermark(dataset_id));
    if (wm) impl->watermark = wm->watermark;
  }
  return std::unique_ptr<StreamLander>(new StreamLander(std::move(impl)));
}

Result<std::map<int32_t, int64_t>> StreamLander::StoredPositions() {
  TARN_ASSIGN_OR_RETURN(auto positions, impl_->catalog.store().ListStreamPositions(impl_->dataset.id));
  std::map<int32_t, int64_t> out;
  for (const auto& p : positions) {
    if (p.stream == impl_->stream) out[p.partition] = p.next_offset;
  }
  return out;
}

void StreamLander::Reset(int32_t partition, std::optional<int64_t> stored) {
  PartState& p = impl_->parts[partition];
  if (p.first) impl_->DropAll();  // its records are in the batch's counters: drop them all
  p.stored = stored;
  p.needs_reset = false;
}

void StreamLander::Forget() {
  impl_->Clear();
  impl_->parts.clear();
}

void StreamLander::DropAll() { impl_->DropAll(); }

Status StreamLander::Add(int32_t partition, int64_t offset, std::string_view payload) {
  return impl_->Add(partition, offset, payload);
}

size_t StreamLander::pending_records() const { return impl_->pending_records; }
int64_t StreamLander::pending_bytes() const { return impl_->pending_bytes; }
std::optional<UnixMicros> StreamLander::watermark() const { return impl_->watermark; }

Result<LandedBatch> StreamLander::Flush() { return impl_->Flush(); }

}  // namespace tarn::ingest
