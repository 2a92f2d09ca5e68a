#include "tarn/iceberg/manifest_entry_decoder.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <type_traits>

namespace tarn::iceberg::internal {
namespace {

// What a field of manifest_entry or data_file fills.
enum Slot : uint8_t {
  kSkipSlot = 0,
  kStatusSlot,
  kSnapshotIdSlot,
  kSequenceNumberSlot,
  kFileSequenceNumberSlot,
  kDataFileSlot,
  kContentSlot,
  kFilePathSlot,
  kFileFormatSlot,
  kPartitionSlot,
  kRecordCountSlot,
  kFileSizeSlot,
  kSplitOffsetsSlot,
  kEqualityIdsSlot,
  kSortOrderIdSlot,
  kColumnSizesSlot,  // the six maps, in the order of kMapIds
  kValueCountsSlot,
  kNullValueCountsSlot,
  kNanValueCountsSlot,
  kLowerBoundsSlot,
  kUpperBoundsSlot,
};

constexpr int kMapIds[] = {kColumnSizesId,    kValueCountsId, kNullValueCountsId,
                           kNanValueCountsId, kLowerBoundsId, kUpperBoundsId};

Status Missing(const char* name, int id) {
  return Corruption("missing required field " + std::string(name) + " (id " + std::to_string(id) +
                    ")");
}

bool ReadString(AvroDecoder& d, const AvroNode* type, std::string* out) {
  std::string_view v;
  if (!d.ReadBytes(type, &v)) return false;
  out->assign(v.data(), v.size());
  return true;
}

// Reads a map value: a long (int64_t) or bytes (std::string_view into the block).
bool ReadValue(AvroDecoder& d, const AvroNode* type, int64_t* out) { return d.ReadLong(type, out); }
bool ReadValue(AvroDecoder& d, const AvroNode* type, std::string_view* out) {
  return d.ReadBytes(type, out);
}

// Writers emit map keys in ascending order, so appending at the end is the common case.
template <typename T>
void Insert(std::map<int, T>* m, int key, T value) {
  if (m->empty() || std::prev(m->end())->first < key) {
    m->emplace_hint(m->end(), key, std::move(value));
  } else {
    (*m)[key] = std::move(value);
  }
}

template <typename T>
void DecodeMap(AvroDecoder& d, const AvroNode* type, const MapPlan& p, std::map<int, T>* out) {
  const AvroNode* v = d.Resolve(type);
  if (v != p.container) return d.Skip(v);
  using Value = std::conditional_t<std::is_same_v<T, std::string>, std::string_view, int64_t>;
  ForEachItem(d, v, [&] {
    if (p.entry == nullptr) return d.Skip(v->items);
    int64_t key = 0;
    Value value{};
    bool has_key = false, has_value = false;
    const std::vector<AvroField>& fields = p.entry->fields;
    for (int i = 0; i < static_cast<int>(fields.size()) && d.ok(); ++i) {
      if (i == p.key) {
        has_key = d.ReadLong(fields[i].type, &key);
      } else if (i == p.value) {
        has_value = ReadValue(d, fields[i].type, &value);
      } else {
        d.Skip(fields[i].type);
      }
    }
    if (has_key && has_value) Insert(out, static_cast<int>(key), T(value));
  });
}

template <typename T>
void DecodeList(AvroDecoder& d, const AvroNode* type, std::vector<T>* out) {
  const AvroNode* v = d.Resolve(type);
  if (v->type != AvroType::kArray && v->type != AvroType::kMap) return d.Skip(v);
  ForEachItem(d, v, [&] {
    int64_t x = 0;
    if (d.ReadLong(v->items, &x)) out->push_back(static_cast<T>(x));
  });
}

MapPlan PlanMap(const AvroNode* file, int map_id) {
  MapPlan p;
  int pos = FieldWithId(file, map_id);
  if (pos < 0) return p;
  p.container = ContainerOf(file->fields[static_cast<size_t>(pos)].type);
  if (p.container == nullptr) return p;
  if (p.container->items->type == AvroType::kRecord) p.entry = p.container->items;
  MapIds ids = MapIdsOf(map_id);
  p.key = FieldWithId(p.entry, ids.key);
  p.value = FieldWithId(p.entry, ids.value);
  return p;
}

int FieldNamed(const AvroNode* record, const std::string& name) {
  for (size_t i = 0; i < record->fields.size(); ++i) {
    if (record->fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

PartitionPlan PlanPartition(const AvroNode* file, const PartitionTupleType& partition) {
  PartitionPlan p;
  std::set<int> known;
  for (const auto& [field, type] : partition) {
    p.nulls.push_back(Literal::Null(type));
    known.insert(field.field_id);
  }
  int pos = FieldWithId(file, kPartitionId);
  if (pos < 0) return p;
  p.record = RecordOf(file->fields[static_cast<size_t>(pos)].type);
  if (p.record == nullptr) return p;
  p.targets.resize(p.record->fields.size());
  for (size_t i = 0; i < partition.size(); ++i) {
    const PartitionField& field = partition[i].first;
    int at = FieldWithId(p.record, field.field_id);
    if (at < 0) at = FieldNamed(p.record, AvroFieldName(field.name));
    if (at >= 0) p.targets[static_cast<size_t>(at)].push_back(i);
  }
  for (const AvroField& f : p.record->fields) {
    if (f.has_id && known.count(f.id) == 0 && (!p.unknown_id || f.id < *p.unknown_id)) {
      p.unknown_id = f.id;
    }
  }
  return p;
}

}  // namespace

// Per data_file: what must be checked once the record is decoded (in the order the checks
// report errors).
struct EntryDecoder::FileState {
  int64_t content = 0;
  bool path = false, format = false, records = false, size = false;
  Status partition;
  size_t partition_index = std::numeric_limits<size_t>::max();  // of the partition error
};

EntryDecoder::EntryDecoder(const AvroNode* root, const PartitionTupleType& partition)
    : root_(root), partition_type_(partition) {
  entry_ = PlanRecord(root, {{kStatusId, kStatusSlot},
                             {kSnapshotId, kSnapshotIdSlot},
                             {kSequenceNumberId, kSequenceNumberSlot},
                             {kFileSequenceNumberId, kFileSequenceNumberSlot},
                             {kDataFileId, kDataFileSlot}});
  int pos = FieldWithId(entry_.record, kDataFileId);
  const AvroNode* file = pos < 0 ? nullptr : RecordOf(entry_.record->fields[pos].type);
  file_ = PlanRecord(file, {{kContentId, kContentSlot},
                            {kFilePathId, kFilePathSlot},
                            {kFileFormatId, kFileFormatSlot},
                            {kPartitionId, kPartitionSlot},
                            {kRecordCountId, kRecordCountSlot},
                            {kFileSizeId, kFileSizeSlot},
                            {kSplitOffsetsId, kSplitOffsetsSlot},
                            {kEqualityIdsId, kEqualityIdsSlot},
                            {kSortOrderId, kSortOrderIdSlot},
                            {kMapIds[0], kColumnSizesSlot},
                            {kMapIds[1], kValueCountsSlot},
                            {kMapIds[2], kNullValueCountsSlot},
                            {kMapIds[3], kNanValueCountsSlot},
                            {kMapIds[4], kLowerBoundsSlot},
                            {kMapIds[5], kUpperBoundsSlot}});
  partition_ = PlanPartition(file_.record, partition);
  for (size_t i = 0; i < std::size(kMapIds); ++i) maps_[i] = PlanMap(file_.record, kMapIds[i]);
}

Status EntryDecoder::Decode(AvroDecoder& d, ManifestEntry* e) const {
  std::optional<int64_t> status;
  bool has_file = false;
  FileState file;
  if (entry_.record == nullptr) {
    d.Skip(root_);
  } else {
    DecodeFields(d, entry_, [&](uint8_t slot, const AvroNode* type) {
      if (slot == kDataFileSlot) {
        has_file = File(d, type, &e->data_file, &file);
        return;
      }
      int64_t x = 0;
      std::optional<int64_t> v;
      if (d.ReadLong(type, &x)) v = x;
      if (slot == kStatusSlot) status = v;
      if (slot == kSnapshotIdSlot) e->snapshot_id = v;
      if (slot == kSequenceNumberSlot) e->sequence_number = v;
      if (slot == kFileSequenceNumberSlot) e->file_sequence_number = v;
    });
  }
  if (!d.ok()) return Corruption("undecodable Avro record (truncated or corrupt data)");
  if (!status) return Missing("status", kStatusId);
  if (*status < 0 || *status > 2) return Corruption("bad status " + std::to_string(*status));
  e->status = static_cast<EntryStatus>(*status);
  if (!has_file) return Missing("data_file", kDataFileId);
  return Check(file, &e->data_file);
}

// False when the value is null. A value that is not the planned record reads as a data file
// without fields.
bool EntryDecoder::File(AvroDecoder& d, const AvroNode* type, DataFile* f, FileState* st) const {
  f->partition = partition_.nulls;
  const AvroNode* v = d.Resolve(type);
  if (v != file_.record) {
    d.Skip(v);
    return v->type != AvroType::kNull;
  }
  DecodeFields(d, file_,
               [&](uint8_t slot, const AvroNode* field) { FileField(d, slot, field, f, st); });
  return true;
}

void EntryDecoder::FileField(AvroDecoder& d, uint8_t slot, const AvroNode* type, DataFile* f,
                             FileState* st) const {
  switch (slot) {
    case kContentSlot:
      if (!d.ReadLong(type, &st->content)) st->content = 0;
      return;
    case kFilePathSlot:
      st->path = ReadString(d, type, &f->file_path);
      return;
    case kFileFormatSlot:
      st->format = ReadString(d, type, &f->file_format);
      return;
    case kPartitionSlot:
      return Partition(d, type, f, st);
    case kRecordCountSlot:
      st->records = d.ReadLong(type, &f->record_count);
      return;
    case kFileSizeSlot:
      st->size = d.ReadLong(type, &f->file_size_in_bytes);
      return;
    case kSplitOffsetsSlot:
      return DecodeList(d, type, &f->split_offsets);
    case kEqualityIdsSlot:
      return DecodeList(d, type, &f->equality_ids);
    case kSortOrderIdSlot: {
      int64_t v = 0;
      if (d.ReadLong(type, &v)) f->sort_order_id = static_cast<int>(v);
      return;
    }
    default:
      break;
  }
  std::map<int, int64_t>* longs[] = {&f->column_sizes, &f->value_counts, &f->null_value_counts,
                                     &f->nan_value_counts};
  size_t map = slot - kColumnSizesSlot;
  if (map < std::size(longs)) return DecodeMap(d, type, maps_[map], longs[map]);
  DecodeMap(d, type, maps_[map], map == 4 ? &f->lower_bounds : &f->upper_bounds);
}

// The tuple in spec order; a value that is null, absent or not the planned record leaves the
// spec's fields null.
void EntryDecoder::Partition(AvroDecoder& d, const AvroNode* type, DataFile* f,
                             FileState* st) const {
  const AvroNode* v = d.Resolve(type);
  if (v != partition_.record) return d.Skip(v);
  for (size_t i = 0; i < v->fields.size() && d.ok(); ++i) {
    const std::vector<size_t>& targets = partition_.targets[i];
    if (targets.empty()) {
      d.Skip(v->fields[i].type);
      continue;
    }
    AvroScalar value = d.Scalar(v->fields[i].type);
    if (value.type == AvroType::kNull) continue;
    for (size_t t : targets) {
      const auto& [field, field_type] = partition_type_[t];
      Result<Literal> literal = ReadPartitionValue(value, field_type);
      if (literal.ok()) {
        f->partition[t] = std::move(literal).value();
      } else if (t < st->partition_index) {  // the first error in spec order is reported
        st->partition = literal.status().WithContext("partition field " + field.name);
        st->partition_index = t;
      }
    }
  }
  if (st->partition.ok() && partition_.unknown_id) {
    st->partition = InvalidArgument("partition field id " + std::to_string(*partition_.unknown_id) +
                                    " is not in the partition spec");
  }
}

Status EntryDecoder::Check(const FileState& st, DataFile* f) {
  if (st.content < 0 || st.content > 2)
    return Corruption("bad content " + std::to_string(st.content));
  f->content = static_cast<FileContent>(st.content);
  if (!st.path) return Missing("file_path", kFilePathId);
  if (!st.format) return Missing("file_format", kFileFormatId);
  if (!st.partition.ok()) return st.partition.WithContext(f->file_path);
  if (!st.records) return Missing("record_count", kRecordCountId);
  if (!st.size) return Missing("file_size_in_bytes", kFileSizeId);
  return Status::OK();
}

}  // namespace tarn::iceberg::internal
