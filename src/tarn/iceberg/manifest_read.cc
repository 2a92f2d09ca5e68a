// DecodeManifest: the entries of a manifest file, read by field id, with sequence number and
// snapshot id inheritance.
#include <set>
#include <type_traits>

#include "tarn/iceberg/avro_container.h"
#include "tarn/iceberg/manifest.h"
#include "tarn/iceberg/manifest_schema.h"

namespace tarn::iceberg {
namespace {

using internal::AvroContainerReader;
using internal::Corruption;
using internal::PartitionTupleType;

// Field reads by id for one file; absent, null and mistyped fields read as nullopt.
class EntryReader {
 public:
  EntryReader(const AvroContainerReader& r, const PartitionTupleType& partition)
      : r_(r), partition_(partition) {}

  Result<ManifestEntry> Entry(const avro_value_t& rec) const;

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
  static Status Missing(const char* name, int id) {
    return Corruption("missing required field " + std::string(name) + " (id " + std::to_string(id) +
                      ")");
  }

  Result<DataFile> File(const avro_value_t& rec) const;
  Result<std::vector<Literal>> Partition(const avro_value_t& rec) const;
  // Calls fn(element) for each element of the array field `id`, if present.
  template <typename Fn>
  void ForEach(const avro_value_t& rec, int id, Fn fn) const;
  template <typename T>
  void Map(const avro_value_t& rec, int id, std::map<int, T>* out) const;

  const AvroContainerReader& r_;
  const PartitionTupleType& partition_;
};

template <typename Fn>
void EntryReader::ForEach(const avro_value_t& rec, int id, Fn fn) const {
  avro_value_t array;
  size_t n = 0;
  if (!r_.Field(rec, id, &array) || avro_value_get_size(&array, &n) != 0) return;
  for (size_t i = 0; i < n; ++i) {
    avro_value_t element;
    if (avro_value_get_by_index(&array, i, &element, nullptr) == 0) fn(element);
  }
}

template <typename T>
void EntryReader::Map(const avro_value_t& rec, int id, std::map<int, T>* out) const {
  internal::MapIds ids = internal::MapIdsOf(id);
  ForEach(rec, id, [&](const avro_value_t& entry) {
    std::optional<int64_t> key = Long(entry, ids.key);
    std::optional<T> value;
    if constexpr (std::is_same_v<T, std::string>) {
      value = Bytes(entry, ids.value);
    } else {
      value = Long(entry, ids.value);
    }
    if (key && value) (*out)[static_cast<int>(*key)] = std::move(*value);
  });
}

// The tuple in spec order, matched by partition field id (by name for fields without ids).
Result<std::vector<Literal>> EntryReader::Partition(const avro_value_t& rec) const {
  avro_value_t tuple;
  std::vector<Literal> out;
  bool present = r_.Field(rec, internal::kPartitionId, &tuple);
  const std::map<int, size_t>* ids = present ? r_.FieldIds(tuple) : nullptr;
  std::set<int> known;
  for (const auto& [field, type] : partition_) {
    known.insert(field.field_id);
    avro_value_t v;
    bool found = false;
    if (ids != nullptr && ids->count(field.field_id) != 0) {
      found = r_.Field(tuple, field.field_id, &v);
    } else if (present) {
      std::string name = internal::AvroFieldName(field.name);
      found = AvroContainerReader::FieldByName(tuple, name.c_str(), &v);
    }
    if (!found) {
      out.push_back(Literal::Null(type));
      continue;
    }
    Result<Literal> value = internal::ReadPartitionValue(v, type);
    if (!value.ok()) return value.status().WithContext("partition field " + field.name);
    out.push_back(std::move(value).value());
  }
  if (ids == nullptr) return out;
  for (const auto& [id, pos] : *ids) {
    if (known.count(id) == 0) {
      return InvalidArgument("partition field id " + std::to_string(id) +
                             " is not in the partition spec");
    }
  }
  return out;
}

Result<DataFile> EntryReader::File(const avro_value_t& rec) const {
  DataFile d;
  int64_t content = Long(rec, internal::kContentId).value_or(0);
  if (content < 0 || content > 2) return Corruption("bad content " + std::to_string(content));
  d.content = static_cast<FileContent>(content);
  std::optional<std::string> path = Bytes(rec, internal::kFilePathId);
  if (!path) return Missing("file_path", internal::kFilePathId);
  d.file_path = std::move(*path);
  std::optional<std::string> format = Bytes(rec, internal::kFileFormatId);
  if (!format) return Missing("file_format", internal::kFileFormatId);
  d.file_format = std::move(*format);
  Result<std::vector<Literal>> partition = Partition(rec);
  if (!partition.ok()) return partition.status().WithContext(d.file_path);
  d.partition = std::move(partition).value();
  std::optional<int64_t> records = Long(rec, internal::kRecordCountId);
  std::optional<int64_t> size = Long(rec, internal::kFileSizeId);
  if (!records) return Missing("record_count", internal::kRecordCountId);
  if (!size) return Missing("file_size_in_bytes", internal::kFileSizeId);
  d.record_count = *records;
  d.file_size_in_bytes = *size;
  Map(rec, internal::kColumnSizesId, &d.column_sizes);
  Map(rec, internal::kValueCountsId, &d.value_counts);
  Map(rec, internal::kNullValueCountsId, &d.null_value_counts);
  Map(rec, internal::kNanValueCountsId, &d.nan_value_counts);
  Map(rec, internal::kLowerBoundsId, &d.lower_bounds);
  Map(rec, internal::kUpperBoundsId, &d.upper_bounds);
  ForEach(rec, internal::kSplitOffsetsId, [&](avro_value_t v) {
    int64_t x = 0;
    if (internal::ReadLong(v, &x)) d.split_offsets.push_back(x);
  });
  ForEach(rec, internal::kEqualityIdsId, [&](avro_value_t v) {
    int64_t x = 0;
    if (internal::ReadLong(v, &x)) d.equality_ids.push_back(static_cast<int>(x));
  });
  if (auto order = Long(rec, internal::kSortOrderId)) d.sort_order_id = static_cast<int>(*order);
  return d;
}

Result<ManifestEntry> EntryReader::Entry(const avro_value_t& rec) const {
  ManifestEntry e;
  std::optional<int64_t> status = Long(rec, internal::kStatusId);
  if (!status) return Missing("status", internal::kStatusId);
  if (*status < 0 || *status > 2) return Corruption("bad status " + std::to_string(*status));
  e.status = static_cast<EntryStatus>(*status);
  e.snapshot_id = Long(rec, internal::kSnapshotId);
  e.sequence_number = Long(rec, internal::kSequenceNumberId);
  e.file_sequence_number = Long(rec, internal::kFileSequenceNumberId);
  avro_value_t file;
  if (!r_.Field(rec, internal::kDataFileId, &file)) {
    return Missing("data_file", internal::kDataFileId);
  }
  TARN_ASSIGN_OR_RETURN(e.data_file, File(file));
  return e;
}

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
  EntryReader entries(*reader, partition);
  std::vector<ManifestEntry> out;
  while (true) {
    TARN_ASSIGN_OR_RETURN(const avro_value_t* rec, reader->Next());
    if (rec == nullptr) break;
    Result<ManifestEntry> e = entries.Entry(*rec);
    if (!e.ok()) return e.status().WithContext("entry " + std::to_string(out.size()));
    TARN_RETURN_IF_ERROR(Inherit(manifest, &e.value()));
    out.push_back(std::move(e).value());
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
