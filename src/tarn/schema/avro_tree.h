// Internal to tarn_schema: a parsed Avro schema document (the tree the compatibility checker
// and the Avro <-> Schema conversion walk). Not part of the module's public API.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::schema::internal {

using Json = nlohmann::ordered_json;

enum class AvroKind {
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
  kFixed,
  kUnion,
};

struct AvroNode;

// One record field. `json` points at the field's object inside the owning AvroTree's document.
struct AvroField {
  std::string name;
  std::vector<std::string> aliases;
  const AvroNode* type = nullptr;
  const Json* json = nullptr;
  bool has_default() const { return json->contains("default"); }
};

// One type. A named type referenced by name elsewhere is the same node (the tree may be cyclic
// through records). `json` is the type's object in the document, or null for a bare name.
struct AvroNode {
  AvroKind kind = AvroKind::kNull;
  std::string full_name;             // record, enum, fixed
  std::vector<std::string> aliases;  // record, enum, fixed: as written
  std::string logical_type;          // "" when none (or on a bare primitive name)
  int precision = 0, scale = 0;      // decimal
  int size = 0;                      // fixed
  std::vector<AvroField> fields;     // record
  std::vector<std::string> symbols;  // enum
  std::optional<std::string> enum_default;
  const AvroNode* items = nullptr;        // array items, map values
  std::vector<const AvroNode*> branches;  // union
  const Json* json = nullptr;
};

// The unqualified part of a (possibly dotted) Avro name: "a.b.Rec" -> "Rec".
std::string ShortName(const std::string& name);

// "int", "decimal(10,2)", "record Address", "array<long>", "union[null, string]"...
std::string DescribeAvro(const AvroNode* node);

// An immutable parsed schema document; owns the nodes and the JSON they point into.
// Move-only; thread-compatible (const use from many threads is safe).
class AvroTree {
 public:
  // Parses and validates an Avro schema document: names, namespaces and references (a named
  // type used by name after its definition), records, enums, fixed, arrays, maps, unions (no
  // nested unions, no two branches of one unnamed kind or one name), decimal parameters.
  // Errors: kInvalidArgument (not JSON, or not a valid Avro schema; the message names where).
  static Result<AvroTree> Parse(const std::string& text);

  const AvroNode* root() const { return root_; }
  const Json& document() const { return *doc_; }

 private:
  friend class AvroParser;
  std::unique_ptr<Json> doc_;
  std::vector<std::unique_ptr<AvroNode>> nodes_;
  const AvroNode* root_ = nullptr;
};

}  // namespace tarn::schema::internal
