// SourceRecord: one record as a source hands it to the raw-zone writer. The writer validates
// it against the dataset's Avro schema, writes it, or dead-letters it with `position` and the
// reason; `payload` is what the dead letter keeps, byte for byte.
#pragma once

#include <string>

namespace tarn::format {

struct SourceRecord {
  // The original bytes as read: a JSON line, a CSV line, a row rendered as JSON, an API item.
  std::string payload;
  // The record as a JSON object, when it differs from `payload` (CSV and database rows);
  // empty means `payload` is itself the JSON object.
  std::string json;
  // Where it came from: "events.jsonl:12", "public.orders id=42", "page 3 item 5".
  std::string position;
  // Set when the source itself could not make a record of the bytes (a CSV line with the
  // wrong number of fields): the record is dead-lettered with this reason.
  std::string error;
};

// How the writer reads values. kTyped: JSON types must match the schema (JSON lines, APIs).
// kText: values arrive as strings and are parsed into the schema's types; "" is null where the
// field allows null (CSV, database text output).
enum class ValueMode { kTyped, kText };

}  // namespace tarn::format
