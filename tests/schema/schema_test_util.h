// Builders for schema-model values in tests.
#pragma once

#include <memory>
#include <string>

#include "tarn/schema/schema.h"

namespace tarn::schema::testing {

inline std::shared_ptr<const Type> Prim(TypeId id) {
  auto t = std::make_shared<Type>();
  t->id = id;
  return t;
}

inline NestedField F(int id, std::string name, bool required, std::shared_ptr<const Type> type) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.required = required;
  f.type = std::move(type);
  return f;
}

}  // namespace tarn::schema::testing
