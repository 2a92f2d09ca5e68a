// Differences between two schema versions, computed by field id (Iceberg style), so a rename
// is a rename and not a drop plus an add. Stateless; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "tarn/schema/schema.h"

namespace tarn::schema {

// Names are dotted paths as Schema::FindByName takes them ("address.zip", "tags.element");
// types as TypeToString renders them.
struct DiffField {
  int id = 0;
  std::string name;
  std::string type;
};
struct DiffRename {
  int id = 0;
  std::string from, to;  // full paths in the old and new schema
};
struct DiffTypeChange {
  int id = 0;
  std::string name;      // path in the new schema
  std::string from, to;  // types
};

// What changed from one schema to another. Plain value.
//   added/removed: fields only one side has (not the children of an added/removed field).
//   renamed:       same id, different own name (children of a renamed struct are not listed).
//   promoted:      a primitive type changed to one that can read it (int -> long/float/double,
//                  long -> float/double, float -> double, decimal precision up with the same
//                  scale, string <-> binary); type_changed: any other type change.
//   made_optional / made_required: the required flag changed.
//   reordered:     two fields kept in one struct changed their relative order.
struct SchemaDiff {
  std::vector<DiffField> added, removed;
  std::vector<DiffRename> renamed;
  std::vector<DiffTypeChange> promoted, type_changed;
  std::vector<DiffField> made_optional, made_required;
  bool reordered = false;
  bool empty() const;
};

// Fields are matched by id; fields without an id (0) are matched by path.
SchemaDiff DiffSchemas(const Schema& from, const Schema& to);

// {"added":[{"id","name","type"}],"removed":[...],"renamed":[{"id","from","to"}],
//  "promoted":[{"id","name","from","to"}],"type_changed":[...],"made_optional":[{"id","name",
//  "type"}],"made_required":[...],"reordered":bool}
std::string SchemaDiffToJson(const SchemaDiff& diff);

}  // namespace tarn::schema
