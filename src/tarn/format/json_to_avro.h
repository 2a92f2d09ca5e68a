// JsonToAvro: validates JSON records against one Avro schema and fills avro-c values, with a
// reason naming the field path for every rejection. Rules (see README.md): Avro's
// JSON-to-schema rules field by field, defaults for missing fields, unions by first matching
// branch (or Avro's tagged {"type": value} form), logical types from integers or ISO-8601 text,
// and in ValueMode::kText every scalar may arrive as a string.
#pragma once

#include <avro.h>

#include <memory>
#include <string>
#include <string_view>

#include "tarn/base/status.h"
#include "tarn/format/record.h"

namespace tarn::format {

namespace internal {
class SchemaPlan;
class Converter;
}  // namespace internal

// Converts JSON records to Avro values of one schema, explaining every rejection.
// Immutable after Make except for Convert's scratch buffers: Convert is NOT thread-safe (it
// reuses a parser and buffers); use one JsonToAvro per thread.
class JsonToAvro {
 public:
  // schema_json: an Avro schema document with a record at the top. The schema's defaults are
  // checked against their fields' types here.
  // Errors: kInvalidArgument (not JSON, not a record, rejected by avro-c with its message, a
  // default that does not fit its field, unsupported decimal precision).
  static Result<std::unique_ptr<JsonToAvro>> Make(const std::string& schema_json);
  ~JsonToAvro();
  JsonToAvro(const JsonToAvro&) = delete;
  JsonToAvro& operator=(const JsonToAvro&) = delete;

  // Validates `json` (one JSON object) and fills `out`, a value of this schema's generic class
  // (NewValue, or an AvroFileWriter's). `out` is reset first; after an error it holds a partial
  // record and must not be written.
  // Errors: kInvalidArgument with a reason naming the field path (JSON keys; [i] for array
  // items, ["k"] for map values), e.g.
  //   "field user_id: expected long, got string \"abc\"",
  //   "field address.zip: missing required field", "not valid JSON: ...",
  //   "field ts: '2024-13-01' is not a timestamp; expected ...";
  // kInternal if avro-c refuses a value it should take.
  Status Convert(std::string_view json, ValueMode mode, avro_value_t* out);

  // The schema document re-serialized compactly (every attribute kept, key order kept): the
  // text to embed in container files.
  const std::string& schema_json() const;

  // The avro-c schema and generic value class; borrowed, valid while this object lives.
  avro_schema_t avro_schema() const;
  avro_value_iface_t* value_class() const { return iface_; }
  // A fresh value of the schema; release it with avro_value_decref. Errors: kInternal.
  Status NewValue(avro_value_t* out) const;

 private:
  JsonToAvro() = default;

  std::unique_ptr<internal::SchemaPlan> plan_;
  avro_value_iface_t* iface_ = nullptr;
  std::unique_ptr<internal::Converter> converter_;
};

}  // namespace tarn::format
