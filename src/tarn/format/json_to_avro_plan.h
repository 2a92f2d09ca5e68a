// SchemaPlan: an Avro schema document compiled once into a tree the converter walks without
// name lookups: kinds, logical types, field tables with their JSON keys and parsed defaults,
// union branch tables, and the matching avro-c schema of every node. Internal to the format
// module. Immutable after Build; safe to read from several threads.
#pragma once

#include <avro.h>
#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::format::internal {

enum class AvroKind : uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kString,
  kBytes,
  kFixed,
  kEnum,
  kArray,
  kMap,
  kRecord,
  kUnion,
};

enum class LogicalType : uint8_t {
  kNone,
  kDate,
  kTimeMillis,
  kTimeMicros,
  kTimestampMillis,
  kTimestampMicros,
  kLocalTimestampMillis,
  kLocalTimestampMicros,
  kUuid,
  kDecimal,
};

struct PlanNode;

struct PlanField {
  std::string name;       // the Avro field name
  std::string json_name;  // the key read from JSON: "tarn.json_name" if given, else `name`
  const PlanNode* type = nullptr;
  bool has_default = false;
  simdjson::dom::element default_value;  // points into the plan's own parsed defaults
};

struct PlanNode {
  AvroKind kind = AvroKind::kNull;
  LogicalType logical = LogicalType::kNone;
  std::string full_name;  // named types (record, enum, fixed)
  std::string display;    // "long", "timestamp-millis", "decimal(10,2)", "record tarn.User"
  size_t fixed_size = 0;
  int precision = 0;
  int scale = 0;
  std::vector<std::string> symbols;
  std::unordered_map<std::string_view, int> symbol_index;
  const PlanNode* items = nullptr;  // array items, map values
  std::vector<PlanField> fields;
  std::unordered_map<std::string_view, int> field_index;  // by json_name
  std::vector<const PlanNode*> branches;
  int null_branch = -1;
  avro_schema_t avro = nullptr;  // borrowed from the plan's root schema

  bool nullable() const { return kind == AvroKind::kNull || null_branch >= 0; }
  int FieldIndex(std::string_view json_name) const {
    auto it = field_index.find(json_name);
    return it == field_index.end() ? -1 : it->second;
  }
  // The branch a tagged union value {"<tag>": v} names: a type name ("long", "array") or a named
  // type's full or short name. -1 if none.
  int BranchByTag(std::string_view tag) const;
};

class SchemaPlan {
 public:
  // Errors: kInvalidArgument (not JSON, not a record, rejected by avro-c with its message,
  // unsupported logical type parameters), kInternal (avro-c and the plan disagree).
  static Result<std::unique_ptr<SchemaPlan>> Build(const std::string& schema_json);
  ~SchemaPlan();
  SchemaPlan(const SchemaPlan&) = delete;
  SchemaPlan& operator=(const SchemaPlan&) = delete;

  const PlanNode& root() const { return *root_; }
  avro_schema_t avro_schema() const { return avro_schema_; }
  const std::string& canonical_json() const { return canonical_json_; }
  // Every record node, for default validation.
  const std::vector<const PlanNode*>& records() const { return records_; }

 private:
  SchemaPlan() = default;
  friend class PlanBuilder;

  std::vector<std::unique_ptr<PlanNode>> nodes_;
  std::vector<const PlanNode*> records_;
  const PlanNode* root_ = nullptr;
  avro_schema_t avro_schema_ = nullptr;
  std::string canonical_json_;
  simdjson::dom::parser defaults_parser_;
  simdjson::padded_string defaults_json_;
};

std::string_view KindName(AvroKind kind);

}  // namespace tarn::format::internal
