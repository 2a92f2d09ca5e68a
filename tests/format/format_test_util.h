// Helpers for the format tests: one-field schemas and a Convert that renders the result.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tarn/format/avro_reader.h"
#include "tarn/format/json_to_avro.h"

namespace tarn::format::testing {

// {"type":"record","name":"R","namespace":"t","fields":[{"name":"v","type":<type>,...}]}
inline std::string OneField(const std::string& type, const std::string& extra = "") {
  return R"({"type":"record","name":"R","namespace":"t","fields":[{"name":"v","type":)" + type +
         extra + "}]}";
}

// Converts `json` and returns the rendered value, or "ERROR: <message>".
inline std::string Convert(const std::string& schema, const std::string& json,
                           ValueMode mode = ValueMode::kTyped) {
  auto conv = JsonToAvro::Make(schema);
  if (!conv.ok()) return "SCHEMA ERROR: " + conv.status().message();
  avro_value_t value;
  if (!(*conv)->NewValue(&value).ok()) return "NEWVALUE FAILED";
  Status st = (*conv)->Convert(json, mode, &value);
  std::string out = st.ok() ? AvroValueToJson(value) : "ERROR: " + st.message();
  if (!st.ok() && st.code() != ErrorCode::kInvalidArgument) out = "WRONG CODE: " + st.ToString();
  avro_value_decref(&value);
  return out;
}

// The rendering of field v for {"v": <value>}.
inline std::string V(const std::string& type, const std::string& value,
                     ValueMode mode = ValueMode::kTyped) {
  std::string out = Convert(OneField(type), R"({"v":)" + value + "}", mode);
  const std::string prefix = R"({"v":)";
  if (out.rfind(prefix, 0) == 0) return out.substr(prefix.size(), out.size() - prefix.size() - 1);
  return out;
}

// The rendering of field v for {"v": "<text>"} in kText mode.
inline std::string T(const std::string& type, const std::string& text) {
  return V(type, "\"" + text + "\"", ValueMode::kText);
}

}  // namespace tarn::format::testing
