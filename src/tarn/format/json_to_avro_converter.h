// Converter: the walk behind JsonToAvro::Convert. It follows a SchemaPlan and a simdjson DOM
// in step, setting avro-c values (or, with a null value, only checking: schema defaults); on a
// rejection it records the reason and the field path while unwinding, so the success path builds no
// strings. Internal to the format module; borrows the plan; not thread-safe (one parser and scratch
// buffers per instance).
#pragma once

#include <avro.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/format/json_to_avro_plan.h"
#include "tarn/format/record.h"

namespace tarn::format::internal {

class Converter {
 public:
  explicit Converter(const SchemaPlan* plan) : plan_(plan) {}

  // Errors: kInvalidArgument (the reason), kInternal (avro-c refused a value).
  Status Convert(std::string_view json, ValueMode mode, avro_value_t* out);
  // Checks that a schema default (Avro JSON, kTyped) converts into field.type (a dry run).
  // Errors: kInvalidArgument (the reason).
  Status ConvertDefault(const PlanField& field);

 private:
  using Element = simdjson::dom::element;

  bool Value(const PlanNode& n, Element e, avro_value_t* out, bool stringify = true);
  bool Record(const PlanNode& n, Element e, avro_value_t* out);
  bool Missing(const PlanField& f, avro_value_t* out);
  bool Union(const PlanNode& n, Element e, avro_value_t* out);
  bool TryBranch(const PlanNode& n, int branch, Element e, avro_value_t* out, bool stringify);
  bool Array(const PlanNode& n, Element e, avro_value_t* out);
  bool Map(const PlanNode& n, Element e, avro_value_t* out);
  // Scalars (json_to_avro_values.cc).
  bool Null(const PlanNode& n, Element e, avro_value_t* out);
  bool Boolean(const PlanNode& n, Element e, avro_value_t* out);
  bool Int(const PlanNode& n, Element e, avro_value_t* out);
  bool Long(const PlanNode& n, Element e, avro_value_t* out);
  bool Floating(const PlanNode& n, Element e, avro_value_t* out);
  bool String(const PlanNode& n, Element e, avro_value_t* out, bool stringify);
  bool BytesOrFixed(const PlanNode& n, Element e, avro_value_t* out);
  bool Decimal(const PlanNode& n, Element e, avro_value_t* out);
  bool Enum(const PlanNode& n, Element e, avro_value_t* out);

  // avro-c navigation; each records a failure and returns false. `out == nullptr` is a dry
  // run: *child is null too.
  bool Child(avro_value_t* out, size_t index, avro_value_t* storage, avro_value_t** child);
  bool Branch(avro_value_t* out, int branch, avro_value_t* storage, avro_value_t** child);
  // Whether `e` is the empty string that kText reads as "no value".
  bool IsEmptyText(Element e) const;
  // Failure helpers: record the reason and return false.
  bool Fail(std::string reason);
  bool Expected(const PlanNode& n, Element e);
  bool EmptyValue(const PlanNode& n);
  bool AvroFailed(int rc);
  Status TakeError();

  const SchemaPlan* plan_;
  bool text_ = false;
  simdjson::dom::parser parser_;
  std::vector<char> json_buf_;
  std::string scratch_;
  std::vector<uint8_t> seen_;
  size_t seen_top_ = 0;
  bool failed_internal_ = false;
  std::string error_;
  std::vector<std::string> error_path_;  // innermost segment first
};

// "string \"abc\"", "number 3.5", "object" ... for messages.
std::string DescribeJson(simdjson::dom::element e);

}  // namespace tarn::format::internal
