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
using internal::AvroSetter;
using internal::Corruption;

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

// Field reads by id for one list; absent, null and mistyped fields read as nullopt.
class ListReader {
 public:
  explicit ListReader(const AvroContainerReader& r) : r_(r) {}

  Result<ManifestFile> Entry(const avro_value_t& rec) const;

 private:
  std::optional<int64_t> Long(const avro_value_t& rec, int id) const {
    avro_value_t v;
    int64_t x = 0;
    if (!r_.Field(rec, id, &v) || !internal::ReadLong(v, &x)) return std::nullopt;
    return x;
  }
  std::optional<std::string> Bytes(const avro_value_t& rec, int id) const {
    avro_value_t v;
    std::string s;
    if (!r_.Field(rec, id, &v) || !internal::ReadBytes(v, &s)) return std::nullopt;
    return s;
  }
  std::optional<bool> Bool(const avro_value_t& rec, int id) const {
    avro_value_t v;
    bool b = false;
    if (!r_.Field(rec, id, &v) || !internal::ReadBool(v, &b)) return std::nullopt;
    return b;
  }
  std::vector<FieldSummary> Summaries(const avro_value_t& rec) const;

  const AvroContainerReader& r_;
};

std::vector<FieldSummary> ListReader::Summaries(const avro_value_t& rec) const {
  std::vector<FieldSummary> out;
  avro_value_t array;
  size_t n = 0;
  if (!r_.Field(rec, internal::kPartitionsId, &array) || avro_value_get_size(&array, &n) != 0) {
    return out;
  }
  for (size_t i = 0; i < n; ++i) {
    avro_value_t e;
    if (avro_value_get_by_index(&array, i, &e, nullptr) != 0) continue;
    FieldSummary s;
    s.contains_null = Bool(e, internal::kContainsNullId).value_or(false);
    s.contains_nan = Bool(e, internal::kContainsNanId);
    s.lower_bound = Bytes(e, internal::kLowerBoundId);
    s.upper_bound = Bytes(e, internal::kUpperBoundId);
    out.push_back(std::move(s));
  }
  return out;
}

Result<ManifestFile> ListReader::Entry(const avro_value_t& rec) const {
  ManifestFile m;
  std::optional<std::string> path = Bytes(rec, internal::kManifestPathId);
  std::optional<int64_t> length = Long(rec, internal::kManifestLengthId);
  std::optional<int64_t> spec_id = Long(rec, internal::kSpecId);
  std::optional<int64_t> snapshot_id = Long(rec, internal::kAddedSnapshotId);
  if (!path || !length || !spec_id || !snapshot_id) {
    return Corruption(
        "missing one of the required fields manifest_path (500), "
        "manifest_length (501), partition_spec_id (502), added_snapshot_id (503)");
  }
  m.manifest_path = std::move(*path);
  m.manifest_length = *length;
  m.partition_spec_id = static_cast<int>(*spec_id);
  m.added_snapshot_id = *snapshot_id;
  int64_t content = Long(rec, internal::kManifestContentId).value_or(0);
  if (content != 0 && content != 1) return Corruption("bad content " + std::to_string(content));
  m.content = static_cast<FileContent>(content);
  m.sequence_number = Long(rec, internal::kListSequenceNumberId).value_or(0);
  m.min_sequence_number = Long(rec, internal::kMinSequenceNumberId).value_or(0);
  m.added_files_count = static_cast<int>(Long(rec, internal::kAddedFilesId).value_or(0));
  m.existing_files_count = static_cast<int>(Long(rec, internal::kExistingFilesId).value_or(0));
  m.deleted_files_count = static_cast<int>(Long(rec, internal::kDeletedFilesId).value_or(0));
  m.added_rows_count = Long(rec, internal::kAddedRowsId).value_or(0);
  m.existing_rows_count = Long(rec, internal::kExistingRowsId).value_or(0);
  m.deleted_rows_count = Long(rec, internal::kDeletedRowsId).value_or(0);
  m.partitions = Summaries(rec);
  m.key_metadata = Bytes(rec, internal::kListKeyMetadataId);
  return m;
}

Result<std::vector<ManifestFile>> DecodeEntries(const std::string& bytes) {
  TARN_ASSIGN_OR_RETURN(auto reader, AvroContainerReader::Open(bytes));
  ListReader entries(*reader);
  std::vector<ManifestFile> out;
  while (true) {
    TARN_ASSIGN_OR_RETURN(const avro_value_t* rec, reader->Next());
    if (rec == nullptr) break;
    Result<ManifestFile> m = entries.Entry(*rec);
    if (!m.ok()) return m.status().WithContext("entry " + std::to_string(out.size()));
    out.push_back(std::move(m).value());
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
