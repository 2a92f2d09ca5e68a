// AvroSetter and the typed reads of avro_container.h: thin wrappers over avro-c's value API.

#include "tarn/iceberg/avro_container.h"

namespace tarn::iceberg::internal {

// --- AvroSetter ---

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

// --- typed reads ---

bool ReadBool(avro_value_t v, bool* out) {
  int b = 0;
  if (avro_value_get_type(&v) != AVRO_BOOLEAN || avro_value_get_boolean(&v, &b) != 0) {
    return false;
  }
  *out = b != 0;
  return true;
}

bool ReadLong(avro_value_t v, int64_t* out) {
  switch (avro_value_get_type(&v)) {
    case AVRO_INT32: {
      int32_t i = 0;
      if (avro_value_get_int(&v, &i) != 0) return false;
      *out = i;
      return true;
    }
    case AVRO_INT64:
      return avro_value_get_long(&v, out) == 0;
    default:
      return false;
  }
}

bool ReadDouble(avro_value_t v, double* out) {
  switch (avro_value_get_type(&v)) {
    case AVRO_FLOAT: {
      float f = 0;
      if (avro_value_get_float(&v, &f) != 0) return false;
      *out = f;
      return true;
    }
    case AVRO_DOUBLE:
      return avro_value_get_double(&v, out) == 0;
    default:
      return false;
  }
}

bool ReadBytes(avro_value_t v, std::string* out) {
  const void* p = nullptr;
  size_t size = 0;
  switch (avro_value_get_type(&v)) {
    case AVRO_STRING: {
      const char* s = nullptr;
      if (avro_value_get_string(&v, &s, &size) != 0) return false;
      out->assign(s != nullptr ? s : "", size > 0 ? size - 1 : 0);  // size counts the NUL
      return true;
    }
    case AVRO_BYTES:
      if (avro_value_get_bytes(&v, &p, &size) != 0) return false;
      break;
    case AVRO_FIXED:
      if (avro_value_get_fixed(&v, &p, &size) != 0) return false;
      break;
    default:
      return false;
  }
  out->assign(static_cast<const char*>(p), size);
  return true;
}

}  // namespace tarn::iceberg::internal
