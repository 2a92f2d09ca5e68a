#include "tarn/ingest/raw_reader.h"

#include <map>

#include "tarn/format/avro_reader.h"
#include "tarn/schema/projection.h"
#include "tarn/schema/schema.h"

namespace tarn::ingest {
namespace {

// Stops the file reader early without reporting an error.
const Status kLimitReached(ErrorCode::kResourceExhausted, "limit reached");

}  // namespace

Status ReadPartitionRecords(catalog::CatalogService& catalog, const catalog::Partition& p,
                            const schema::Schema* written, const schema::Schema& read,
                            const std::function<Status(const std::string&)>& fn) {
  if (p.format != catalog::FileFormat::kAvro) {
    return FailedPrecondition("partition " + p.partition_key + " is " +
                              std::string(catalog::ToString(p.format)) + ", not Avro");
  }
  // A file without a recorded version was written under the version it embeds.
  std::optional<schema::Schema> embedded;
  std::string path = catalog.lake().Resolve(p.file_path);
  if (!written) {
    TARN_ASSIGN_OR_RETURN(auto summary, format::ReadAvroSummary(path));
    TARN_ASSIGN_OR_RETURN(embedded, schema::SchemaFromAvro(summary.schema_json));
    written = &*embedded;
  }
  Status st = format::ReadAvroRecordsAsJson(path, [&](const std::string& record) -> Status {
    TARN_ASSIGN_OR_RETURN(std::string projected, schema::ProjectRecord(record, *written, read));
    return fn(projected);
  });
  return st.code() == ErrorCode::kResourceExhausted ? st : st.WithContext(p.file_path);
}

Status ReadRaw(catalog::CatalogService& catalog, const std::string& dataset_id,
               const RawReadOptions& options, const std::function<Status(const std::string&)>& fn) {
  if (!catalog.lake().is_local()) {
    return FailedPrecondition("reading raw files of a lake on object storage is not supported yet");
  }
  TARN_ASSIGN_OR_RETURN(auto dataset, catalog.GetDataset(dataset_id));
  TARN_ASSIGN_OR_RETURN(auto versions, catalog.ListSchemas(dataset.id));
  std::map<std::string, schema::Schema> by_id;  // schema_version_id -> parsed schema
  const catalog::SchemaVersion* target = nullptr;
  for (const auto& v : versions) {
    TARN_ASSIGN_OR_RETURN(auto parsed, schema::SchemaFromAvro(v.schema_json));
    by_id.emplace(v.id, std::move(parsed));
    if (options.version ? v.version == *options.version : v.is_current) target = &v;
  }
  if (!target) {
    return options.version ? NotFound("dataset " + dataset.name + " has no schema version " +
                                      std::to_string(*options.version))
                           : FailedPrecondition("dataset " + dataset.name + " has no schema");
  }
  const schema::Schema& read = by_id.at(target->id);
  int64_t emitted = 0;
  catalog::PartitionListSpec spec;
  spec.limit = catalog::CatalogService::kMaxPartitionPage;
  while (true) {
    TARN_ASSIGN_OR_RETURN(auto page, catalog.ListPartitions(dataset, spec));
    for (const auto& p : page.partitions) {
      if (p.format != catalog::FileFormat::kAvro) continue;
      const schema::Schema* written =
          p.schema_version_id && by_id.count(*p.schema_version_id) ? &by_id.at(*p.schema_version_id) : nullptr;
      Status st = ReadPartitionRecords(catalog, p, written, read, [&](const std::string& record) -> Status {
        if (options.limit >= 0 && emitted >= options.limit) return kLimitReached;
        ++emitted;
        return fn(record);
      });
      if (st.code() == ErrorCode::kResourceExhausted) return Status::OK();
      TARN_RETURN_IF_ERROR(st);
    }
    if (!page.next_cursor) return Status::OK();
    spec.cursor = page.next_cursor;
  }
}

}  // namespace tarn::ingest
