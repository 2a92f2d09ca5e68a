// Schema inference: a first Avro schema for a dataset from a sample of its JSON records, so a
// source can land data before anyone writes a schema. Stateless; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/format/record.h"

namespace tarn::format {

// Infers a top-level Avro record schema named `record_name` (namespace "tarn.inferred") from
// sample JSON objects; the result is accepted by JsonToAvro and takes every sample.
//   - Every field is nullable: ["null", T] with default null; array items are ["null", T] too.
//   - T: boolean, long, double (longs and doubles mixed), string (anything else mixed, and
//     fields only ever null). In kText mode strings are read as kText conversion reads them:
//     all integers -> long (but "007" stays text), all numbers -> double, all true/false/t/f
//     -> boolean, "" counts as null.
//   - Nested objects become nested records named after the field path ("address",
//     "user_address", "orders_item" for objects inside the array "orders"); arrays become
//     arrays of the inferred element type (string when every sample array is empty).
//   - Field order is the order of first appearance. JSON keys that are not Avro names
//     ("user-id", "1st") become sanitized names ("user_id", "_1st") with the original key in
//     the field's "tarn.json_name", which JsonToAvro reads from.
// A record_name that is not an Avro name is sanitized the same way ("user-events" ->
// "user_events"). Errors: kInvalidArgument (no samples, a sample that is not a JSON object).
Result<std::string> InferAvroSchema(const std::vector<std::string>& json_samples, ValueMode mode,
                                    const std::string& record_name);

}  // namespace tarn::format
