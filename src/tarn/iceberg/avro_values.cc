// AvroSetter of avro_container.h: thin wrappers over avro-c's value API.

#include "tarn/iceberg/avro_container.h"

namespace tarn::iceberg::internal {

AvroSetter AvroSetter::Field(const char* name) const {
  avro_value_t child{};
  avro_value_t self = v_;
  Check(avro_value_get_by_name(&self, name, &child, nullptr));
  return AvroSetter(child, rc_);
}

AvroSetter AvroSetter::Optional(bool present) const {
  avro_value_t branch{};
  avro_value_t self = v_;
  Check(avro_value_set_branch(&self, present ? 1 : 0, &branch));
  if (!present) Check(avro_value_set_null(&branch));
  return AvroSetter(branch, rc_);
}

AvroSetter AvroSetter::Append() const {
  avro_value_t element{};
  avro_value_t self = v_;
  Check(avro_value_append(&self, &element, nullptr));
  return AvroSetter(element, rc_);
}

void AvroSetter::Bool(bool v) const {
  avro_value_t self = v_;
  Check(avro_value_set_boolean(&self, v ? 1 : 0));
}
void AvroSetter::Int(int32_t v) const {
  avro_value_t self = v_;
  Check(avro_value_set_int(&self, v));
}
void AvroSetter::Long(int64_t v) const {
  avro_value_t self = v_;
  Check(avro_value_set_long(&self, v));
}
void AvroSetter::Float(float v) const {
  avro_value_t self = v_;
  Check(avro_value_set_float(&self, v));
}
void AvroSetter::Double(double v) const {
  avro_value_t self = v_;
  Check(avro_value_set_double(&self, v));
}
void AvroSetter::String(const std::string& v) const {
  avro_value_t self = v_;
  // avro-c counts the terminating NUL in the length.
  Check(avro_value_set_string_len(&self, v.c_str(), v.size() + 1));
}
void AvroSetter::Bytes(std::string_view v) const {
  avro_value_t self = v_;
  Check(avro_value_set_bytes(&self, const_cast<char*>(v.data()), v.size()));
}
void AvroSetter::Fixed(std::string_view v) const {
  avro_value_t self = v_;
  Check(avro_value_set_fixed(&self, const_cast<char*>(v.data()), v.size()));
}

}  // namespace tarn::iceberg::internal
