// Field-id assignment across schema versions (Iceberg style): ids follow fields through
// versions and renames, and an id is never reused. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "tarn/base/status.h"
#include "tarn/schema/schema.h"

namespace tarn::schema {

struct AssignedIds {
  std::string avro_json;  // the candidate document with every id property set
  int highest_id = 0;     // max(highest_ever, every id now in use)
};

// Returns `candidate_avro` with "field-id" on every record field, "element-id" on every array
// and "key-id"/"value-id" on every map (ids already in the candidate are replaced: the registry
// owns them). The document is otherwise unchanged (key order, namespaces, other properties).
// A candidate field keeps the id of the `previous` field it matches, walking both schemas
// together from the top: first by name within the matched parent, then by one of the
// candidate field's Avro aliases naming a previous field (a declared rename); each previous
// field is matched at most once. A list element / map key and value keep their ids when the
// parent matched and is still a list / map. Any other field gets a new id above
// max(highest_ever, previous->highest_field_id()), so ids of dropped fields are never reused
// (a field dropped and re-added under the same name gets a new id). Fields of a named type
// used more than once share the ids of its definition. No previous: every field is new.
// Errors: kInvalidArgument (the candidate is not a schema SchemaFromAvro accepts).
Result<AssignedIds> AssignFieldIds(const std::string& candidate_avro,
                                   const std::optional<Schema>& previous, int highest_ever);

}  // namespace tarn::schema
