// The writer schema of an Avro container file as a tree the decoder walks (internal to the
// iceberg module): named types resolved to the nodes that define them, Iceberg's field-id
// attributes kept on record fields. Built from the JSON in a file's header; immutable after
// Parse, so one schema serves any number of concurrent readers.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::iceberg::internal {

inline Status Corruption(std::string m) { return {ErrorCode::kCorruption, std::move(m)}; }

enum class AvroType : uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

struct AvroNode;

struct AvroField {
  std::string name;
  bool has_id = false;  // the field carries Iceberg's "field-id"
  int id = 0;
  const AvroNode* type = nullptr;
};

struct AvroNode {
  AvroType type = AvroType::kNull;
  // Every value encodes to zero bytes (null, fixed of size 0, records of such fields).
  bool empty = false;
  int64_t size = 0;                       // fixed: bytes
  std::string name;                       // named types: the name without its namespace
  std::vector<AvroField> fields;          // record
  std::vector<const AvroNode*> branches;  // union
  const AvroNode* items = nullptr;        // array items, map values
};

class AvroSchema {
 public:
  // Parses a schema in Avro's JSON form. Schemas are memoized process-wide by their text (a
  // table's files share a handful), so parsing the same text again is a lookup.
  // Errors: kCorruption (not JSON, not a valid Avro schema: an unknown type name, a named
  // type defined twice, a record without fields, nesting over 64 levels).
  static Result<std::shared_ptr<const AvroSchema>> Parse(std::string_view json);

  const AvroNode* root() const { return root_; }

 private:
  friend class AvroSchemaParser;
  std::deque<AvroNode> nodes_;  // stable addresses; nodes point at each other
  const AvroNode* root_ = nullptr;
};

}  // namespace tarn::iceberg::internal
