// EncodeManifest: manifest entries to an Avro manifest file plus its manifest-list entry.
// (DecodeManifest is in manifest_read.cc, manifest lists in manifest_list.cc.)
#include "tarn/iceberg/manifest.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "tarn/iceberg/avro_container.h"
#include "tarn/iceberg/manifest_schema.h"

namespace tarn::iceberg {
namespace {

using internal::AvroSetter;
using internal::PartitionTupleType;

// Maps and lists are written as null when empty: "not collected" and "none" read the same.
void SetLongMap(const AvroSetter& field, const std::map<int, int64_t>& map) {
  AvroSetter array = field.Optional(!map.empty());
  for (const auto& [key, value] : map) {
    AvroSetter entry = array.Append();
    entry.Field("key").Int(key);
    entry.Field("value").Long(value);
  }
}

void SetBytesMap(const AvroSetter& field, const std::map<int, std::string>& map) {
  AvroSetter array = field.Optional(!map.empty());
  for (const auto& [key, value] : map) {
    AvroSetter entry = array.Append();
    entry.Field("key").Int(key);
    entry.Field("value").Bytes(value);
  }
}

template <typename T>
void SetList(const AvroSetter& field, const std::vector<T>& list) {
  AvroSetter array = field.Optional(!list.empty());
  for (T v : list) {
    if constexpr (sizeof(T) == 8) {
      array.Append().Long(v);
    } else {
      array.Append().Int(v);
    }
  }
}

void SetOptionalLong(const AvroSetter& field, const std::optional<int64_t>& v) {
  AvroSetter branch = field.Optional(v.has_value());
  if (v) branch.Long(*v);
}

void SetDataFile(const AvroSetter& f, const DataFile& d, const PartitionTupleType& partition) {
  f.Field("content").Int(static_cast<int32_t>(d.content));
  f.Field("file_path").String(d.file_path);
  f.Field("file_format").String(d.file_format);
  AvroSetter tuple = f.Field("partition");
  for (size_t i = 0; i < partition.size(); ++i) {
    const auto& [field, type] = partition[i];
    internal::SetPartitionValue(tuple.Field(internal::AvroFieldName(field.name).c_str()), type,
                                d.partition[i]);
  }
  f.Field("record_count").Long(d.record_count);
  f.Field("file_size_in_bytes").Long(d.file_size_in_bytes);
  SetLongMap(f.Field("column_sizes"), d.column_sizes);
  SetLongMap(f.Field("value_counts"), d.value_counts);
  SetLongMap(f.Field("null_value_counts"), d.null_value_counts);
  SetLongMap(f.Field("nan_value_counts"), d.nan_value_counts);
  SetBytesMap(f.Field("lower_bounds"), d.lower_bounds);
  SetBytesMap(f.Field("upper_bounds"), d.upper_bounds);
  f.Field("key_metadata").Optional(false);
  SetList(f.Field("split_offsets"), d.split_offsets);
  SetList(f.Field("equality_ids"), d.equality_ids);
  AvroSetter sort = f.Field("sort_order_id").Optional(d.sort_order_id.has_value());
  if (d.sort_order_id) sort.Int(*d.sort_order_id);
  f.Field("referenced_data_file").Optional(false);
}

void SetEntry(const AvroSetter& rec, const ManifestEntry& e, const PartitionTupleType& partition) {
  rec.Field("status").Int(static_cast<int32_t>(e.status));
  SetOptionalLong(rec.Field("snapshot_id"), e.snapshot_id);
  SetOptionalLong(rec.Field("sequence_number"), e.sequence_number);
  SetOptionalLong(rec.Field("file_sequence_number"), e.file_sequence_number);
  SetDataFile(rec.Field("data_file"), e.data_file, partition);
}

// Every entry's partition tuple must match the spec's partition type, and only ADDED entries
// may leave their data sequence number to inheritance (spec "Sequence Number Inheritance").
Status CheckEntries(const std::vector<ManifestEntry>& entries, const PartitionTupleType& partition,
                    int spec_id) {
  for (const ManifestEntry& e : entries) {
    const std::vector<Literal>& tuple = e.data_file.partition;
    std::string where = "data file " + e.data_file.file_path;
    if (e.status != EntryStatus::kAdded && !e.sequence_number) {
      return InvalidArgument(where + ": an existing or deleted entry needs its sequence number");
    }
    if (tuple.size() != partition.size()) {
      return InvalidArgument(where + ": partition tuple has " + std::to_string(tuple.size()) +
                             " values; spec " + std::to_string(spec_id) + " has " +
                             std::to_string(partition.size()) + " fields");
    }
    for (size_t i = 0; i < tuple.size(); ++i) {
      Status st = internal::CheckPartitionValue(partition[i].second, tuple[i]);
      if (!st.ok()) return st.WithContext(where + ": partition field " + partition[i].first.name);
    }
  }
  return Status::OK();
}

// The spec's manifest key-value metadata: schema, schema-id, partition-spec (the fields
// array), partition-spec-id, format-version, content.
std::vector<std::pair<std::string, std::string>> ManifestMetadata(const ManifestContext& ctx) {
  nlohmann::json spec = nlohmann::json::parse(PartitionSpecToJson(*ctx.spec), nullptr, false);
  std::string spec_fields =
      spec.is_object() && spec.contains("fields") ? spec["fields"].dump() : "[]";
  return {{"schema", schema::SchemaToIcebergJson(*ctx.schema, ctx.schema_id)},
          {"schema-id", std::to_string(ctx.schema_id)},
          {"partition-spec", spec_fields},
          {"partition-spec-id", std::to_string(ctx.spec->spec_id)},
          {"format-version", "2"},
          {"content", ctx.content == FileContent::kData ? "data" : "deletes"}};
}

// Lower/upper bounds of the non-null, non-NaN values of partition field `i`, nulls and NaNs
// noted. contains_nan is written for every type (false where NaN cannot occur), as Java does.
FieldSummary Summarize(const std::vector<ManifestEntry>& entries, size_t i) {
  FieldSummary s;
  s.contains_nan = false;
  const Literal* lower = nullptr;
  const Literal* upper = nullptr;
  for (const ManifestEntry& e : entries) {
    const Literal& v = e.data_file.partition[i];
    bool floating = v.type.id == schema::TypeId::kFloat || v.type.id == schema::TypeId::kDouble;
    if (v.is_null) {
      s.contains_null = true;
    } else if (floating && std::isnan(v.d)) {
      s.contains_nan = true;
    } else {
      if (lower == nullptr || Compare(v, *lower) < 0) lower = &v;
      if (upper == nullptr || Compare(v, *upper) > 0) upper = &v;
    }
  }
  if (lower != nullptr) s.lower_bound = ToBinary(*lower);
  if (upper != nullptr) s.upper_bound = ToBinary(*upper);
  return s;
}

// Counts by status and the lowest data sequence number of live entries; an unset one is
// inherited from the manifest, so it counts as `sequence_number`.
void CountEntries(const std::vector<ManifestEntry>& entries, int64_t sequence_number,
                  ManifestFile* m) {
  m->min_sequence_number = sequence_number;
  for (const ManifestEntry& e : entries) {
    int64_t rows = e.data_file.record_count;
    switch (e.status) {
      case EntryStatus::kAdded:
        ++m->added_files_count, m->added_rows_count += rows;
        break;
      case EntryStatus::kExisting:
        ++m->existing_files_count, m->existing_rows_count += rows;
        break;
      case EntryStatus::kDeleted:
        ++m->deleted_files_count, m->deleted_rows_count += rows;
        break;
    }
    if (e.status != EntryStatus::kDeleted) {
      m->min_sequence_number =
          std::min(m->min_sequence_number, e.sequence_number.value_or(sequence_number));
    }
  }
}

// The manifest's bytes; errors without the manifest's path.
Result<std::string> EncodeEntries(const ManifestContext& ctx,
                                  const std::vector<ManifestEntry>& entries,
                                  const PartitionTupleType& partition) {
  TARN_RETURN_IF_ERROR(CheckEntries(entries, partition, ctx.spec->spec_id));
  TARN_ASSIGN_OR_RETURN(
      auto writer, internal::AvroContainerWriter::Make(internal::ManifestEntryAvroSchema(partition),
                                                       ManifestMetadata(ctx)));
  for (const ManifestEntry& e : entries) {
    SetEntry(writer->NewRecord(), e, partition);
    Status st = writer->Append();
    if (!st.ok()) return st.WithContext(e.data_file.file_path);
  }
  return writer->Finish();
}

// The list entry of a manifest holding `entries`.
ManifestFile Describe(const ManifestContext& ctx, const std::vector<ManifestEntry>& entries,
                      size_t partition_fields, int64_t snapshot_id, int64_t sequence_number) {
  ManifestFile m;
  m.partition_spec_id = ctx.spec->spec_id;
  // The list stores 0 (data) or 1 (deletes); keep what a reader of the list will see.
  m.content =
      ctx.content == FileContent::kData ? FileContent::kData : FileContent::kPositionDeletes;
  m.sequence_number = sequence_number;
  m.added_snapshot_id = snapshot_id;
  CountEntries(entries, sequence_number, &m);
  for (size_t i = 0; i < partition_fields; ++i) m.partitions.push_back(Summarize(entries, i));
  return m;
}

}  // namespace

Result<std::pair<std::string, ManifestFile>> EncodeManifest(
    const ManifestContext& ctx, const std::vector<ManifestEntry>& entries, const std::string& path,
    int64_t snapshot_id, int64_t sequence_number) {
  std::string where = "manifest " + path;
  if (ctx.schema == nullptr || ctx.spec == nullptr) {
    return InvalidArgument(where + ": the context needs a schema and a spec");
  }
  Result<PartitionTupleType> partition = PartitionType(*ctx.spec, *ctx.schema);
  if (!partition.ok()) return partition.status().WithContext(where);
  Result<std::string> bytes = EncodeEntries(ctx, entries, *partition);
  if (!bytes.ok()) return bytes.status().WithContext(where);
  ManifestFile m = Describe(ctx, entries, partition->size(), snapshot_id, sequence_number);
  m.manifest_path = path;
  m.manifest_length = static_cast<int64_t>(bytes->size());
  return std::make_pair(std::move(bytes).value(), std::move(m));
}

}  // namespace tarn::iceberg
