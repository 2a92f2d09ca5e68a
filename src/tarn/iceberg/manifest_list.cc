// Manifest lists: EncodeManifestList / DecodeManifestList (fields matched by id, so v1 lists
// and the old added_data_files_count names read too).
#include <cstdio>
#include <cstdlib>

#include "tarn/iceberg/avro_container.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/iceberg/manifest_schema.h"

namespace tarn::iceberg {
namespace {

using internal::AvroContainerReader;
using internal::AvroDecoder;
using internal::AvroNode;
using internal::AvroSetter;
using internal::AvroType;
using internal::Corruption;
using internal::RecordPlan;

void SetOptionalBytes(const AvroSetter& field, const std::optional<std::string>& v) {
  AvroSetter branch = field.Optional(v.has_value());
  if (v) branch.Bytes(*v);
}

void SetSummaries(const AvroSetter& field, const std::vector<FieldSummary>& summaries) {
  // Java writes an empty array for unpartitioned specs; keep that (it is not "unknown").
  AvroSetter array = field.Optional(true);
  for (const FieldSummary& s : summaries) {
    AvroSetter e = array.Append();
    e.Field("contains_null").Bool(s.contains_null);
    AvroSetter nan = e.Field("contains_nan").Optional(s.contains_nan.has_value());
    if (s.contains_nan) nan.Bool(*s.contains_nan);
    SetOptionalBytes(e.Field("lower_bound"), s.lower_bound);
    SetOptionalBytes(e.Field("upper_bound"), s.upper_bound);
  }
}

void SetManifestFile(const AvroSetter& rec, const ManifestFile& m) {
  rec.Field("manifest_path").String(m.manifest_path);
  rec.Field("manifest_length").Long(m.manifest_length);
  rec.Field("partition_spec_id").Int(m.partition_spec_id);
  rec.Field("content").Int(m.content == FileContent::kData ? 0 : 1);
  rec.Field("sequence_number").Long(m.sequence_number);
  rec.Field("min_sequence_number").Long(m.min_sequence_number);
  rec.Field("added_snapshot_id").Long(m.added_snapshot_id);
  rec.Field("added_files_count").Int(m.added_files_count);
  rec.Field("existing_files_count").Int(m.existing_files_count);
  rec.Field("deleted_files_count").Int(m.deleted_files_count);
  rec.Field("added_rows_count").Long(m.added_rows_count);
  rec.Field("existing_rows_count").Long(m.existing_rows_count);
  rec.Field("deleted_rows_count").Long(m.deleted_rows_count);
  SetSummaries(rec.Field("partitions"), m.partitions);
  SetOptionalBytes(rec.Field("key_metadata"), m.key_metadata);
}

// Encoding a manifest list can only fail through a bug in tarn's own schema or filling code
// (every value is an integer, a string or bytes); the API therefore returns plain bytes, and
// such a bug stops the process rather than writing a broken list.
void CheckOk(const Status& st) {
  if (st.ok()) return;
  std::fprintf(stderr, "tarn: internal error encoding a manifest list: %s\n",
               st.ToString().c_str());
  std::abort();
}

// What a field of manifest_file or of a partition summary (r508) fills.
enum Slot : uint8_t {
  kSkipSlot = 0,
  kPathSlot,
  kLengthSlot,
  kSpecIdSlot,
  kSnapshotIdSlot,
  kContentSlot,
  kSequenceNumberSlot,
  kMinSequenceNumberSlot,
  kAddedFilesSlot,
  kExistingFilesSlot,
  kDeletedFilesSlot,
  kAddedRowsSlot,
  kExistingRowsSlot,
  kDeletedRowsSlot,
  kPartitionsSlot,
  kKeyMetadataSlot,
  kContainsNullSlot,
  kContainsNanSlot,
  kLowerBoundSlot,
  kUpperBoundSlot,
};

std::optional<std::string> OptionalBytes(const internal::AvroScalar& v) {
  std::optional<std::string_view> b = internal::AsBytes(v);
  if (!b) return std::nullopt;
  return std::string(*b);
}

// Decodes manifest_file records of one writer schema; absent, null and mistyped fields read
// as absent.
class ListDecoder {
 public:
  explicit ListDecoder(const AvroNode* root);

  // Errors: kCorruption (undecodable data, a missing required field, a bad content).
  Status Decode(AvroDecoder& d, ManifestFile* m) const;

 private:
  void Field(AvroDecoder& d, uint8_t slot, const AvroNode* type, ManifestFile* m) const;
  void Summaries(AvroDecoder& d, const AvroNode* type, std::vector<FieldSummary>* out) const;

  const AvroNode* root_;
  RecordPlan list_, summary_;
  const AvroNode* summaries_ = nullptr;  // the partitions field's array type
};

ListDecoder::ListDecoder(const AvroNode* root) : root_(root) {
  list_ = internal::PlanRecord(root, {{internal::kManifestPathId, kPathSlot},
                                      {internal::kManifestLengthId, kLengthSlot},
                                      {internal::kSpecId, kSpecIdSlot},
                                      {internal::kAddedSnapshotId, kSnapshotIdSlot},
                                      {internal::kManifestContentId, kContentSlot},
                                      {internal::kListSequenceNumberId, kSequenceNumberSlot},
                                      {internal::kMinSequenceNumberId, kMinSequenceNumberSlot},
                                      {internal::kAddedFilesId, kAddedFilesSlot},
                                      {internal::kExistingFilesId, kExistingFilesSlot},
                                      {internal::kDeletedFilesId, kDeletedFilesSlot},
                                      {internal::kAddedRowsId, kAddedRowsSlot},
                                      {internal::kExistingRowsId, kExistingRowsSlot},
                                      {internal::kDeletedRowsId, kDeletedRowsSlot},
                                      {internal::kPartitionsId, kPartitionsSlot},
                                      {internal::kListKeyMetadataId, kKeyMetadataSlot}});
  int pos = internal::FieldWithId(list_.record, internal::kPartitionsId);
  if (pos < 0) return;
  summaries_ = internal::ContainerOf(list_.record->fields[static_cast<size_t>(pos)].type);
  if (summaries_ == nullptr) return;
  const AvroNode* item = summaries_->items;
  summary_ = internal::PlanRecord(item->type == AvroType::kRecord ? item : nullptr,
                                  {{internal::kContainsNullId, kContainsNullSlot},
                                   {internal::kContainsNanId, kContainsNanSlot},
                                   {internal::kLowerBoundId, kLowerBoundSlot},
                                   {internal::kUpperBoundId, kUpperBoundSlot}});
}

Status ListDecoder::Decode(AvroDecoder& d, ManifestFile* m) const {
  std::optional<int64_t> length, spec_id, snapshot_id, content;  // checked once read
  bool path = false;
  auto field = [&](uint8_t slot, const AvroNode* type) {
    std::optional<int64_t>* checked = slot == kLengthSlot       ? &length
                                      : slot == kSpecIdSlot     ? &spec_id
                                      : slot == kSnapshotIdSlot ? &snapshot_id
                                      : slot == kContentSlot    ? &content
                                                                : nullptr;
    if (checked != nullptr) {
      *checked = internal::AsLong(d.Scalar(type));
    } else if (slot == kPathSlot) {
      std::string_view v;
      path = d.ReadBytes(type, &v);
      if (path) m->manifest_path.assign(v.data(), v.size());
    } else {
      Field(d, slot, type, m);
    }
  };
  if (list_.record == nullptr) {
    d.Skip(root_);
  } else {
    internal::DecodeFields(d, list_, field);
  }
  if (!d.ok()) return Corruption("undecodable Avro record (truncated or corrupt data)");
  if (!path || !length || !spec_id || !snapshot_id) {
    return Corruption(
        "missing one of the required fields manifest_path (500), "
        "manifest_length (501), partition_spec_id (502), added_snapshot_id (503)");
  }
  m->manifest_length = *length;
  m->partition_spec_id = static_cast<int>(*spec_id);
  m->added_snapshot_id = *snapshot_id;
  int64_t c = content.value_or(0);
  if (c != 0 && c != 1) return Corruption("bad content " + std::to_string(c));
  m->content = static_cast<FileContent>(c);
  return Status::OK();
}

// The fields that need no checks: counts and sequence numbers (0 when absent), summaries,
// key metadata.
void ListDecoder::Field(AvroDecoder& d, uint8_t slot, const AvroNode* type, ManifestFile* m) const {
  if (slot == kPartitionsSlot) return Summaries(d, type, &m->partitions);
  internal::AvroScalar v = d.Scalar(type);
  if (slot == kKeyMetadataSlot) {
    m->key_metadata = OptionalBytes(v);
    return;
  }
  int64_t x = internal::AsLong(v).value_or(0);
  switch (slot) {
    case kSequenceNumberSlot:
      m->sequence_number = x;
      break;
    case kMinSequenceNumberSlot:
      m->min_sequence_number = x;
      break;
    case kAddedFilesSlot:
      m->added_files_count = static_cast<int>(x);
      break;
    case kExistingFilesSlot:
      m->existing_files_count = static_cast<int>(x);
      break;
    case kDeletedFilesSlot:
      m->deleted_files_count = static_cast<int>(x);
      break;
    case kAddedRowsSlot:
      m->added_rows_count = x;
      break;
    case kExistingRowsSlot:
      m->existing_rows_count = x;
      break;
    case kDeletedRowsSlot:
      m->deleted_rows_count = x;
      break;
    default:
      break;
  }
}

// One summary per array item; items that are not the planned record read as defaults.
void ListDecoder::Summaries(AvroDecoder& d, const AvroNode* type,
                            std::vector<FieldSummary>* out) const {
  const AvroNode* v = d.Resolve(type);
  if (v != summaries_) return d.Skip(v);
  internal::ForEachItem(d, v, [&] {
    FieldSummary& s = out->emplace_back();
    if (summary_.record == nullptr) return d.Skip(v->items);
    internal::DecodeFields(d, summary_, [&](uint8_t slot, const AvroNode* field) {
      internal::AvroScalar x = d.Scalar(field);
      if (slot == kContainsNullSlot) s.contains_null = internal::AsBool(x).value_or(false);
      if (slot == kContainsNanSlot) s.contains_nan = internal::AsBool(x);
      if (slot == kLowerBoundSlot) s.lower_bound = OptionalBytes(x);
      if (slot == kUpperBoundSlot) s.upper_bound = OptionalBytes(x);
    });
  });
}

Result<std::vector<ManifestFile>> DecodeEntries(const std::string& bytes) {
  TARN_ASSIGN_OR_RETURN(auto reader, AvroContainerReader::Open(bytes));
  ListDecoder decoder(reader->root());
  std::vector<ManifestFile> out;
  while (true) {
    TARN_ASSIGN_OR_RETURN(bool more, reader->Next());
    if (!more) break;
    if (out.size() == out.capacity()) out.reserve(out.size() + 1 + reader->RecordsLeftHint());
    Status st = decoder.Decode(reader->decoder(), &out.emplace_back());
    if (!st.ok()) return st.WithContext("entry " + std::to_string(out.size() - 1));
  }
  return out;
}

}  // namespace

std::string EncodeManifestList(const std::vector<ManifestFile>& manifests, int64_t snapshot_id,
                               std::optional<int64_t> parent_snapshot_id, int64_t sequence_number) {
  std::vector<std::pair<std::string, std::string>> metadata = {
      {"snapshot-id", std::to_string(snapshot_id)},
      {"parent-snapshot-id",
       parent_snapshot_id ? std::to_string(*parent_snapshot_id) : std::string("null")},
      {"sequence-number", std::to_string(sequence_number)},
      {"format-version", "2"}};
  auto writer = internal::AvroContainerWriter::Make(internal::ManifestListAvroSchema(), metadata);
  CheckOk(writer.status());
  for (const ManifestFile& m : manifests) {
    SetManifestFile((*writer)->NewRecord(), m);
    CheckOk((*writer)->Append());
  }
  return (*writer)->Finish();
}

Result<std::vector<ManifestFile>> DecodeManifestList(const std::string& bytes) {
  Result<std::vector<ManifestFile>> out = DecodeEntries(bytes);
  if (!out.ok()) return out.status().WithContext("manifest list");
  return out;
}

}  // namespace tarn::iceberg
