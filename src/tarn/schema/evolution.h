// Schema evolution without touching data (Iceberg's rules): columns are added, renamed,
// widened, made optional, dropped and moved by field id. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/schema/schema.h"

namespace tarn::schema {

// One operation. Plain value.
//   op:           add_column | rename_column | widen_type | make_optional | drop_column |
//                 move_column
//   column:       dotted path (Schema::FindByName); for add_column the path of the new column
//                 ("address.country" adds country to the struct address)
//   new_name:     rename_column: the new name (same parent)
//   type:         add_column / widen_type: a primitive type as ParsePrimitiveType reads it
//                 ("long", "double", "decimal(12,2)", "string", ...)
//   required:     add_column: a required column (needs a default)
//   after:        move_column (and optionally add_column): a sibling's name; "" = first
//                 (for add_column, "" = last)
//   default_json: add_column: the default as JSON text
//   doc:          add_column: the column's doc
struct EvolutionOp {
  std::string op;
  std::string column;
  std::string new_name;
  std::string type;
  bool required = false;
  std::string after;
  std::optional<std::string> default_json;
  std::string doc;
};

// Applies `ops` in order, each to the result of the previous one. Rules:
//   add_column:    the parent must exist and be a struct (a list of structs is walked through);
//                  the name must be new in it; the column gets id ++*highest_ever; it is
//                  optional with default null unless a default is given; required needs one;
//                  the default must be JSON of the column's type.
//   rename_column: keeps the id and records the old name as an Avro alias; the new name must
//                  be free in the parent.
//   widen_type:    only int -> long, float -> double, decimal(P,S) -> decimal(P',S) with P' > P
//                  (a fixed-backed decimal must still fit its fixed size).
//   make_optional: required -> optional (already optional: no change); never the reverse.
//   drop_column:   removes the column and everything under it; its ids are never reused.
//                  Identifier fields cannot be dropped.
//   move_column:   reorders within the parent struct: after sibling `after`, or first.
// `*highest_ever` is the highest id any version ever used (raised to the schema's own highest
// id if lower); it is updated only on success. Errors: kFailedPrecondition naming the column
// and the rule (no such column, name taken, not a widening, ...), kInvalidArgument (unknown
// op, unparseable type or default, null highest_ever).
Result<Schema> ApplyEvolution(const Schema& schema, const std::vector<EvolutionOp>& ops,
                              int* highest_ever);

}  // namespace tarn::schema
