// The typed schema model: Iceberg-style types whose every field (and list element, map key and
// value) has a stable integer id, with conversions from and to Avro schema JSON (ids as
// Iceberg's Avro properties) and Iceberg's table-spec schema JSON.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::schema {

enum class TypeId {
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kDecimal,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kString,
  kUuid,
  kBinary,
  kFixed,
  kStruct,
  kList,
  kMap,
};

struct Type;

// A struct field, list element ("element"), or map key ("key") / value ("value"). Plain value.
//   id:           stable field id; 0 = not assigned yet.
//   required:     false = may be null (Avro: a union with "null").
//   default_json: the Avro default (also Iceberg's initial-/write-default), as JSON text.
//   aliases:      Avro aliases (former names, for renames).
//   extra_props:  other properties of the Avro field (e.g. "tarn.json_name"), name -> JSON
//                 text; written back by SchemaToAvro.
struct NestedField {
  int id = 0;
  std::string name;
  bool required = false;
  std::shared_ptr<const Type> type;
  std::string doc;
  std::optional<std::string> default_json;
  std::vector<std::string> aliases;
  std::map<std::string, std::string> extra_props;
};

// A type. Plain value, shared immutably through NestedField::type.
//   precision/scale: decimal. length: fixed size; also the fixed size of an Avro fixed-backed
//                    decimal or uuid (0 = bytes-backed decimal, string uuid).
//   fields: struct. element: list. key/value: map.
//   enum_symbols/enum_default: an Avro enum (TypeId kString) keeps its symbols and default.
//   avro_name: full name of an Avro record/enum/fixed, to round-trip; avro_aliases likewise.
//   avro_millis: a time/timestamp stored in Avro at millisecond precision (time-millis is an
//                Avro int); otherwise microseconds.
struct Type {
  TypeId id = TypeId::kString;
  int precision = 0, scale = 0, length = 0;
  std::vector<NestedField> fields;
  NestedField element;
  NestedField key, value;
  std::vector<std::string> enum_symbols;
  std::optional<std::string> enum_default;
  std::string avro_name;
  std::vector<std::string> avro_aliases;
  bool avro_millis = false;
};

// Lower-case Iceberg names: "boolean", ..., "timestamptz", "binary", "struct", "list", "map".
std::string_view TypeIdName(TypeId id);

// Iceberg-style rendering: "long", "decimal(12,2)", "fixed[16]", "list<long>",
// "map<string, double>", "struct<a: long, b: optional string>".
std::string TypeToString(const Type& type);

// Parses a primitive type: boolean, int, long, float, double, date, time, timestamp,
// timestamptz, string, uuid, binary (or bytes), decimal(P,S) (1 <= P <= 38, 0 <= S <= P;
// spaces allowed), fixed[N]. Errors: kInvalidArgument (anything else).
Result<std::shared_ptr<const Type>> ParsePrimitiveType(std::string_view text);

// An immutable schema: the top-level struct's fields plus Iceberg identifier field ids.
// Copies are cheap and share the type tree; thread-safe for concurrent const use.
// Field ids are unique except where an Avro named type is used more than once (its fields
// then share ids); FindById returns the first in depth-first order.
class Schema {
 public:
  Schema();  // no fields

  // Validates and builds. Errors: kInvalidArgument (a field without a name or a type, two
  // fields of one struct with the same name, a negative id, a default that is not JSON, a
  // decimal outside 1 <= P <= 38 / 0 <= S <= P, a fixed of length 0, an identifier id that
  // is no field's id).
  static Result<Schema> Make(std::vector<NestedField> fields,
                             std::vector<int> identifier_field_ids = {});

  const std::vector<NestedField>& fields() const { return root_->fields; }
  const std::vector<int>& identifier_field_ids() const { return identifier_ids_; }
  // The largest id of any field, element, key or value; 0 if none is assigned.
  int highest_field_id() const { return highest_; }
  // The field (element, key, value) with `id`, or null. Ids <= 0 are never found.
  const NestedField* FindById(int id) const;
  // By dotted path of names: "address.zip"; list elements and map keys/values are "element",
  // "key", "value" ("tags.element", "attrs.value.n"), and a list of structs may also be
  // walked through directly ("orders.sku"). Null when there is no such field.
  const NestedField* FindByName(std::string_view dotted) const;
  // The dotted path (as FindByName takes it) of the field with `id`; "" if none.
  std::string PathOf(int id) const;

 private:
  std::shared_ptr<const Type> root_;  // a kStruct
  std::vector<int> identifier_ids_;
  std::shared_ptr<const std::map<int, std::pair<const NestedField*, std::string>>> by_id_;
  int highest_ = 0;
};

// From an Avro schema document whose top level is a record. Optional = a union with null
// (["null", T] or [T, "null"]); logical types: date -> date; time-millis/-micros -> time;
// timestamp-millis/-micros -> timestamptz (unless "adjust-to-utc": false, Iceberg's way of
// writing timestamp); local-timestamp-millis/-micros -> timestamp; decimal (bytes or fixed);
// uuid (string or fixed(16)); other logical types are ignored. Enums become strings that keep
// their symbols. Ids come from "field-id" (record fields), "element-id" (arrays), "key-id" /
// "value-id" (maps); absent ids are 0. An array of key/value records with logicalType "map"
// (Iceberg's non-string-key map) becomes a map.
// Errors: kInvalidArgument (not a valid Avro schema; top level not a record; unions other than
// [null, T]; a type that is "null" alone; a recursive type; an id property that is not a
// non-negative integer).
Result<Schema> SchemaFromAvro(const std::string& avro_json);

// An Avro schema document: a record named `record_name` (may be dotted: "ns.Name") with
// field-id/element-id/key-id/value-id properties (ids of 0 are left out), docs, defaults,
// aliases and extra properties. Optional types are ["null", T], or [T, "null"] when the
// default is not null (Avro defaults match the first branch). Structs without an avro_name
// are named "r<field id>" (or after the field when it has no id); a named type used twice
// with identical definitions is written once and then referenced by name; a different
// definition under a name already used gets a "_2", "_3"... suffix. Maps with non-string keys
// are written as Iceberg does (an array of key/value records, logicalType "map").
std::string SchemaToAvro(const Schema& schema, const std::string& record_name);

// From an Iceberg table-spec schema object ({"type": "struct", "fields": [{"id", "name",
// "required", "type", "doc"?, "initial-default"?, "write-default"?}], "identifier-field-ids"?}).
// Types: the primitives of ParsePrimitiveType except "bytes", and list/map/struct objects.
// Defaults are kept as JSON text without conversion between Iceberg's and Avro's value
// encodings. Errors: kInvalidArgument (not JSON, missing or mistyped keys, unsupported types
// such as timestamp_ns or variant).
Result<Schema> SchemaFromIcebergJson(const std::string& json);

// The Iceberg schema JSON with "schema-id": schema_id; defaults are written as both
// "initial-default" and "write-default". Avro-only details (enum symbols, names, aliases,
// extra properties) are not written.
std::string SchemaToIcebergJson(const Schema& schema, int schema_id);

}  // namespace tarn::schema
