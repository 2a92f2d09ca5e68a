#include "tarn/iceberg/manifest_schema.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

namespace tarn::iceberg::internal {
namespace {

// ordered_json keeps "name", "type", "field-id" in the order Java writes them.
using Json = nlohmann::ordered_json;
using schema::TypeId;

Json Required(const char* name, Json type, int id) {
  return Json{{"name", name}, {"type", std::move(type)}, {"field-id", id}};
}

Json Optional(const std::string& name, Json type, int id) {
  return Json{{"name", name},
              {"type", Json::array({"null", std::move(type)})},
              {"default", nullptr},
              {"field-id", id}};
}

// Iceberg writes maps with int keys as arrays of key/value records (logicalType "map"),
// named k<key id>_v<value id>; the ids sit on the key and value fields.
Json MapOf(int map_field_id, const char* value_type) {
  MapIds ids = MapIdsOf(map_field_id);
  std::string name = "k" + std::to_string(ids.key) + "_v" + std::to_string(ids.value);
  Json entry{{"type", "record"},
             {"name", name},
             {"fields", Json::array({Required("key", "int", ids.key),
                                     Required("value", value_type, ids.value)})}};
  return Json{{"type", "array"}, {"items", std::move(entry)}, {"logicalType", "map"}};
}

Json ListOf(const char* element_type, int element_id) {
  return Json{{"type", "array"}, {"items", element_type}, {"element-id", element_id}};
}

// A named fixed type; Avro allows each name to be defined once, later uses refer to it.
Json NamedFixed(Json fixed, std::set<std::string>* defined) {
  std::string name = fixed["name"];
  if (!defined->insert(name).second) return name;
  return fixed;
}

// Avro primitive type names of the partition types that need no logical type; else null.
const char* PlainAvroType(TypeId id) {
  switch (id) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt:
      return "int";
    case TypeId::kLong:
      return "long";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kString:
      return "string";
    case TypeId::kBinary:
      return "bytes";
    default:
      return nullptr;
  }
}

// A decimal as Java writes it: a fixed of the fewest bytes that hold the precision.
Json DecimalFixed(const PrimitiveType& t) {
  return Json{{"type", "fixed"},
              {"name", "decimal_" + std::to_string(t.precision) + "_" + std::to_string(t.scale)},
              {"size", DecimalFixedSize(t.precision)},
              {"logicalType", "decimal"},
              {"precision", t.precision},
              {"scale", t.scale}};
}

// Avro types of partition values, as Java's AvroSchemaUtil writes them.
Json PartitionAvroType(const PrimitiveType& t, std::set<std::string>* defined) {
  if (const char* plain = PlainAvroType(t.id)) return plain;
  switch (t.id) {
    case TypeId::kDate:
      return Json{{"type", "int"}, {"logicalType", "date"}};
    case TypeId::kTime:
      return Json{{"type", "long"}, {"logicalType", "time-micros"}};
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return Json{{"type", "long"},
                  {"logicalType", "timestamp-micros"},
                  {"adjust-to-utc", t.id == TypeId::kTimestampTz}};
    case TypeId::kFixed:
      return NamedFixed(
          {{"type", "fixed"}, {"name", "fixed_" + std::to_string(t.length)}, {"size", t.length}},
          defined);
    case TypeId::kUuid:
      return NamedFixed(
          {{"type", "fixed"}, {"name", "uuid_fixed"}, {"size", 16}, {"logicalType", "uuid"}},
          defined);
    case TypeId::kDecimal:
      return NamedFixed(DecimalFixed(t), defined);
    default:
      return "null";  // nested types are never partition values
  }
}

Json PartitionRecord(const PartitionTupleType& partition) {
  Json fields = Json::array();
  std::set<std::string> defined;
  for (const auto& [field, type] : partition) {
    fields.push_back(
        Optional(AvroFieldName(field.name), PartitionAvroType(type, &defined), field.field_id));
  }
  return Json{{"type", "record"}, {"name", "r102"}, {"fields", std::move(fields)}};
}

Json DataFileRecord(const PartitionTupleType& partition) {
  Json fields = Json::array({
      Required("content", "int", kContentId),
      Required("file_path", "string", kFilePathId),
      Required("file_format", "string", kFileFormatId),
      Required("partition", PartitionRecord(partition), kPartitionId),
      Required("record_count", "long", kRecordCountId),
      Required("file_size_in_bytes", "long", kFileSizeId),
      Optional("column_sizes", MapOf(kColumnSizesId, "long"), kColumnSizesId),
      Optional("value_counts", MapOf(kValueCountsId, "long"), kValueCountsId),
      Optional("null_value_counts", MapOf(kNullValueCountsId, "long"), kNullValueCountsId),
      Optional("nan_value_counts", MapOf(kNanValueCountsId, "long"), kNanValueCountsId),
      Optional("lower_bounds", MapOf(kLowerBoundsId, "bytes"), kLowerBoundsId),
      Optional("upper_bounds", MapOf(kUpperBoundsId, "bytes"), kUpperBoundsId),
      Optional("key_metadata", "bytes", kKeyMetadataId),
      Optional("split_offsets", ListOf("long", kSplitOffsetElementId), kSplitOffsetsId),
      Optional("equality_ids", ListOf("int", kEqualityIdElementId), kEqualityIdsId),
      Optional("sort_order_id", "int", kSortOrderId),
      Optional("referenced_data_file", "string", kReferencedDataFileId),
  });
  return Json{{"type", "record"}, {"name", "r2"}, {"fields", std::move(fields)}};
}

// Minimal big-endian two's complement (the Literal form) sign-extended to `size` bytes.
std::string SignExtend(const std::string& minimal, size_t size) {
  char pad = !minimal.empty() && (static_cast<unsigned char>(minimal[0]) & 0x80) ? '\xff' : '\0';
  return std::string(size > minimal.size() ? size - minimal.size() : 0, pad) + minimal;
}

// The fewest bytes of a big-endian two's complement value: drops redundant sign bytes.
std::string Minimal(std::string b) {
  size_t i = 0;
  while (i + 1 < b.size()) {
    auto c = static_cast<unsigned char>(b[i]);
    bool next_negative = (static_cast<unsigned char>(b[i + 1]) & 0x80) != 0;
    if (!((c == 0x00 && !next_negative) || (c == 0xff && next_negative))) break;
    ++i;
  }
  b.erase(0, i);
  if (b.empty()) b.push_back('\0');
  return b;
}

}  // namespace

MapIds MapIdsOf(int map_field_id) {
  switch (map_field_id) {
    case kColumnSizesId:
      return {117, 118};
    case kValueCountsId:
      return {119, 120};
    case kNullValueCountsId:
      return {121, 122};
    case kNanValueCountsId:
      return {138, 139};
    case kLowerBoundsId:
      return {126, 127};
    case kUpperBoundsId:
      return {129, 130};
    default:
      return {};
  }
}

std::string ManifestEntryAvroSchema(const PartitionTupleType& partition) {
  Json fields = Json::array({
      Required("status", "int", kStatusId),
      Optional("snapshot_id", "long", kSnapshotId),
      Optional("sequence_number", "long", kSequenceNumberId),
      Optional("file_sequence_number", "long", kFileSequenceNumberId),
      Required("data_file", DataFileRecord(partition), kDataFileId),
  });
  return Json{{"type", "record"}, {"name", "manifest_entry"}, {"fields", std::move(fields)}}.dump();
}

std::string ManifestListAvroSchema() {
  Json summary_fields = Json::array({
      Required("contains_null", "boolean", kContainsNullId),
      Optional("contains_nan", "boolean", kContainsNanId),
      Optional("lower_bound", "bytes", kLowerBoundId),
      Optional("upper_bound", "bytes", kUpperBoundId),
  });
  Json summary{{"type", "record"}, {"name", "r508"}, {"fields", std::move(summary_fields)}};
  Json summaries{{"type", "array"}, {"items", std::move(summary)}, {"element-id", kFieldSummaryId}};
  Json fields = Json::array({
      Required("manifest_path", "string", kManifestPathId),
      Required("manifest_length", "long", kManifestLengthId),
      Required("partition_spec_id", "int", kSpecId),
      Required("content", "int", kManifestContentId),
      Required("sequence_number", "long", kListSequenceNumberId),
      Required("min_sequence_number", "long", kMinSequenceNumberId),
      Required("added_snapshot_id", "long", kAddedSnapshotId),
      Required("added_files_count", "int", kAddedFilesId),
      Required("existing_files_count", "int", kExistingFilesId),
      Required("deleted_files_count", "int", kDeletedFilesId),
      Required("added_rows_count", "long", kAddedRowsId),
      Required("existing_rows_count", "long", kExistingRowsId),
      Required("deleted_rows_count", "long", kDeletedRowsId),
      Optional("partitions", std::move(summaries), kPartitionsId),
      Optional("key_metadata", "bytes", kListKeyMetadataId),
  });
  return Json{{"type", "record"}, {"name", "manifest_file"}, {"fields", std::move(fields)}}.dump();
}

std::string AvroFieldName(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    bool letter = std::isalpha(c) || c == '_';
    if (letter || (i > 0 && std::isdigit(c))) {
      out.push_back(static_cast<char>(c));
    } else if (std::isdigit(c)) {
      out += "_" + std::string(1, static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "_x%X", c);
      out += hex;
    }
  }
  return out.empty() ? "_" : out;
}

int DecimalFixedSize(int precision) {
  int size = 1;
  while (std::floor((8.0 * size - 1) * std::log10(2.0)) < precision) ++size;
  return size;
}

Status CheckPartitionValue(const PrimitiveType& type, const Literal& value) {
  if (value.is_null) return Status::OK();
  std::string what = value.ToString() + " of type " + value.type.ToString();
  if (value.type.id != type.id) return InvalidArgument(what + " is not a " + type.ToString());
  bool bad_size = false;
  switch (type.id) {
    case TypeId::kDecimal:
      if (value.type.scale != type.scale) return InvalidArgument(what + ": scale differs");
      bad_size = value.s.size() > static_cast<size_t>(DecimalFixedSize(type.precision));
      break;
    case TypeId::kFixed:
      bad_size = value.s.size() != static_cast<size_t>(type.length);
      break;
    case TypeId::kUuid:
      bad_size = value.s.size() != 16;
      break;
    default:
      break;
  }
  if (bad_size) return InvalidArgument(what + " does not fit " + type.ToString());
  return Status::OK();
}

void SetPartitionValue(const AvroSetter& field, const PrimitiveType& type, const Literal& value) {
  AvroSetter v = field.Optional(!value.is_null);
  if (value.is_null) return;
  switch (type.id) {
    case TypeId::kBoolean:
      v.Bool(value.i != 0);
      break;
    case TypeId::kInt:
    case TypeId::kDate:
      v.Int(static_cast<int32_t>(value.i));
      break;
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      v.Long(value.i);
      break;
    case TypeId::kFloat:
      v.Float(static_cast<float>(value.d));
      break;
    case TypeId::kDouble:
      v.Double(value.d);
      break;
    case TypeId::kString:
      v.String(value.s);
      break;
    case TypeId::kBinary:
      v.Bytes(value.s);
      break;
    case TypeId::kFixed:
    case TypeId::kUuid:
      v.Fixed(value.s);
      break;
    case TypeId::kDecimal:
      v.Fixed(SignExtend(value.s, DecimalFixedSize(type.precision)));
      break;
    default:
      break;  // nested types are never partition values
  }
}

// Int, long, date, time and timestamps read from Avro ints or longs; float and double from
// floats or doubles; string, binary, fixed, uuid and decimal from bytes, string or fixed.
Result<Literal> ReadPartitionValue(const AvroScalar& value, const PrimitiveType& type) {
  Literal out;
  out.type = type;
  out.is_null = false;
  bool ok = false;
  std::optional<std::string_view> bytes;
  switch (type.id) {
    case TypeId::kBoolean:
      ok = AsBool(value).has_value();
      out.i = value.i != 0 ? 1 : 0;
      break;
    case TypeId::kFloat:
    case TypeId::kDouble:
      ok = AsDouble(value).has_value();
      out.d = value.d;
      break;
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed:
    case TypeId::kUuid:
    case TypeId::kDecimal:
      bytes = AsBytes(value);
      ok = bytes.has_value();
      if (ok) out.s.assign(*bytes);
      if (type.id == TypeId::kFixed || type.id == TypeId::kUuid) {
        ok = ok && out.s.size() == static_cast<size_t>(type.id == TypeId::kUuid ? 16 : type.length);
      }
      if (type.id == TypeId::kDecimal) out.s = Minimal(std::move(out.s));
      break;
    default:
      ok = AsLong(value).has_value();
      out.i = value.i;
      break;  // int, long, date, time, timestamps
  }
  if (!ok) return Corruption("partition value does not hold a " + type.ToString());
  return out;
}

}  // namespace tarn::iceberg::internal
