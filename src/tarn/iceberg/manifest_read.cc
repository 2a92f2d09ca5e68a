// DecodeManifest: the entries of a manifest file (decoded by manifest_entry_decoder.h), with
// sequence number and snapshot id inheritance.
#include "tarn/iceberg/avro_container.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/iceberg/manifest_entry_decoder.h"
#include "tarn/iceberg/manifest_schema.h"

namespace tarn::iceberg {
namespace {

using internal::AvroContainerReader;
using internal::Corruption;
using internal::PartitionTupleType;

// Spec "Sequence Number Inheritance": a null snapshot id is the manifest's; a null sequence
// number is the manifest's for ADDED entries, and in v1 lists (sequence number 0) for all.
// EXISTING/DELETED entries of manifests written before file sequence numbers existed (Java
// < 1.1) have none; their data sequence number stands in for it, the best lower bound known.
Status Inherit(const ManifestFile& manifest, ManifestEntry* e) {
  if (!e->snapshot_id) e->snapshot_id = manifest.added_snapshot_id;
  if (e->status == EntryStatus::kAdded || manifest.sequence_number == 0) {
    if (!e->sequence_number) e->sequence_number = manifest.sequence_number;
    if (!e->file_sequence_number) e->file_sequence_number = manifest.sequence_number;
  }
  if (!e->sequence_number) {
    return Corruption(e->data_file.file_path +
                      ": an existing or deleted entry without a sequence number");
  }
  if (!e->file_sequence_number) e->file_sequence_number = e->sequence_number;
  return Status::OK();
}

Status CheckSpecId(const AvroContainerReader& reader, const PartitionSpec& spec) {
  std::optional<std::string> id = reader.Meta("partition-spec-id");
  if (id && *id != std::to_string(spec.spec_id)) {
    return InvalidArgument("written with partition spec " + *id + ", read with spec " +
                           std::to_string(spec.spec_id));
  }
  return Status::OK();
}

Result<std::vector<ManifestEntry>> DecodeEntries(const std::string& bytes,
                                                 const ManifestFile& manifest,
                                                 const PartitionSpec& spec,
                                                 const schema::Schema& schema) {
  TARN_ASSIGN_OR_RETURN(PartitionTupleType partition, PartitionType(spec, schema));
  TARN_ASSIGN_OR_RETURN(auto reader, AvroContainerReader::Open(bytes));
  TARN_RETURN_IF_ERROR(CheckSpecId(*reader, spec));
  internal::EntryDecoder decoder(reader->root(), partition);
  std::vector<ManifestEntry> out;
  while (true) {
    TARN_ASSIGN_OR_RETURN(bool more, reader->Next());
    if (!more) break;
    if (out.size() == out.capacity()) out.reserve(out.size() + 1 + reader->RecordsLeftHint());
    ManifestEntry& e = out.emplace_back();
    Status st = decoder.Decode(reader->decoder(), &e);
    if (!st.ok()) return st.WithContext("entry " + std::to_string(out.size() - 1));
    TARN_RETURN_IF_ERROR(Inherit(manifest, &e));
  }
  return out;
}

}  // namespace

Result<std::vector<ManifestEntry>> DecodeManifest(const std::string& bytes,
                                                  const ManifestFile& manifest,
                                                  const PartitionSpec& spec,
                                                  const schema::Schema& schema) {
  Result<std::vector<ManifestEntry>> entries = DecodeEntries(bytes, manifest, spec, schema);
  if (!entries.ok()) return entries.status().WithContext("manifest " + manifest.manifest_path);
  return entries;
}

}  // namespace tarn::iceberg
