// Avro schema resolution (can data written with one schema be read with another?) and the
// Confluent Schema Registry's compatibility modes on top of it. Works on Avro schema JSON text.
// Stateless functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::schema {

enum class CompatibilityMode {
  kBackward,
  kBackwardTransitive,
  kForward,
  kForwardTransitive,
  kFull,
  kFullTransitive,
  kNone,
};

// "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL",
// "FULL_TRANSITIVE", "NONE".
std::string_view ToString(CompatibilityMode mode);
// Parses the names ToString returns (exact, upper case); false if `text` is none of them.
bool ParseCompatibilityMode(std::string_view text, CompatibilityMode* mode);

// One reason why data written with one schema cannot be read with another.
//   path:     where, by reader field names: "address.zip", "tags[]" (array items), "attrs{}"
//             (map values), "orders[].sku"; "(root)" for the top-level type.
//   old_type: the type in the previous version (the writer for CheckReadable), "(missing)" for
//             a field that version does not have; new_type: the same in the candidate (reader).
//   rule:     which resolution rule is violated, one of
//               type_mismatch              the types cannot be resolved (e.g. string vs long)
//               type_narrowing             a numeric type narrowed (long -> int, double -> float)
//               name_mismatch              record/enum/fixed names differ (unqualified, aliases
//                                          of the reader considered)
//               reader_field_missing_default  a reader field the writer lacks has no default
//               enum_symbol_missing        a writer symbol is unknown to a reader enum without
//                                          a default
//               fixed_size_mismatch        fixed sizes differ
//               missing_union_branch       a writer (branch) type no reader (branch) can read
//               decimal_scale_mismatch     decimal scales differ
//               decimal_precision_narrowed the reader's decimal precision is below the writer's
//   message:  a sentence for people.
struct Incompatibility {
  std::string path;
  std::string old_type;
  std::string new_type;
  std::string rule;
  std::string message;
};

// Can data written with `writer_avro` be read with `reader_avro` (Avro's "Schema Resolution")?
// Returns every problem found, not just the first; empty means readable. Rules:
//   - records match by unqualified name or a reader alias; reader fields match writer fields by
//     name, then by the reader field's aliases; a reader field the writer lacks needs a default;
//     writer fields the reader lacks are skipped;
//   - promotions int -> long/float/double, long -> float/double, float -> double,
//     string <-> bytes;
//   - enums: writer symbols the reader lacks need a reader enum default; fixed: same name and
//     size; arrays and maps: items and values resolve;
//   - a writer union: every branch must resolve to the reader (to some branch of a reader
//     union); a non-union writer against a reader union: some branch must resolve;
//   - logical types are ignored except decimal against decimal, which follows Avro's rule:
//     the scales must be equal and the reader's precision >= the writer's;
//   - recursive types are compared coinductively (a pair being compared is assumed to match).
// old_type is the writer's type, new_type the reader's. Errors: kInvalidArgument (a schema is
// not valid Avro schema JSON; the message says which).
Result<std::vector<Incompatibility>> CheckReadable(const std::string& reader_avro,
                                                   const std::string& writer_avro);

// Confluent semantics, `previous_avro` oldest first:
//   BACKWARD: the candidate (reader) reads data of the latest previous version (writer);
//   FORWARD: the latest previous version reads candidate data; FULL: both;
//   *_TRANSITIVE: the same against every previous version; NONE: always compatible.
// No previous versions: compatible. Every incompatibility of every checked pair is returned;
// messages say which direction and which previous version ("previous #2 of 3", oldest = #1).
// old_type is the type in the previous version, new_type the type in the candidate.
// Errors: kInvalidArgument (the candidate, or a previous version that is checked, is not valid
// Avro schema JSON).
Result<std::vector<Incompatibility>> CheckCompatibility(
    const std::string& candidate_avro, const std::vector<std::string>& previous_avro,
    CompatibilityMode mode);

}  // namespace tarn::schema
