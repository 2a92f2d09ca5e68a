// Reading records written under one schema version with another, by field id (Iceberg-style
// projection): renamed fields keep their data, new fields read as defaults, dropped fields
// vanish, numbers widen. Stateless; thread-safe.
#pragma once

#include <string>

#include "tarn/base/status.h"
#include "tarn/schema/schema.h"

namespace tarn::schema {

// Projects one JSON record (as format::ReadAvroRecordsAsJson renders it: unions unwrapped)
// written under `written` onto `read`. The output object has the read schema's fields in
// order, each under its name (or its "tarn.json_name" property when it has one, as the Avro
// reader renders it). Each value comes from the written field with the same id in the
// corresponding struct, at any nesting (structs, list elements, map values); where either
// side has no id (0) fields match by name, then by the read field's aliases. A read field
// with no written counterpart (or absent from the record) reads as its default, else null.
// Written fields the read schema lacks are dropped. Ints read as long stay integers; integers
// read as float/double become JSON floating-point numbers; a non-string read as string
// becomes its JSON text; other values pass through unchanged.
// Errors: kInvalidArgument (record_json is not a JSON object).
Result<std::string> ProjectRecord(const std::string& record_json, const Schema& written,
                                  const Schema& read);

}  // namespace tarn::schema
