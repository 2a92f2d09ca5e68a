// SchemaFromIcebergJson and SchemaToIcebergJson.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "tarn/schema/schema.h"

namespace tarn::schema {
namespace {

using Json = nlohmann::ordered_json;

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

// Throws std::invalid_argument naming where (a field path, or the schema itself).
[[noreturn]] void Fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument((where.empty() ? std::string("schema") : "field " + where) + ": " +
                              what);
}

const Json& Need(const Json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) Fail(where, std::string("missing \"") + key + "\"");
  return *it;
}

int NeedId(const Json& j, const char* key, const std::string& where) {
  const Json& v = Need(j, key, where);
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > INT32_MAX) {
    Fail(where, std::string("\"") + key + "\" must be a non-negative integer");
  }
  return v.get<int>();
}

bool NeedBool(const Json& j, const char* key, const std::string& where) {
  const Json& v = Need(j, key, where);
  if (!v.is_boolean()) Fail(where, std::string("\"") + key + "\" must be a boolean");
  return v.get<bool>();
}

// Parses Iceberg JSON; throws std::invalid_argument (caught at the API boundary).
class FromIceberg {
 public:
  std::shared_ptr<const Type> ParseType(const Json& j, const std::string& where) {
    if (j.is_string()) {
      std::string text = j.get<std::string>();
      if (text == "bytes") Fail(where, "unknown type 'bytes'");
      auto t = ParsePrimitiveType(text);
      if (!t.ok()) Fail(where, t.status().message());
      return *t;
    }
    if (!j.is_object()) Fail(where, "a type must be a string or object");
    const Json& kind = Need(j, "type", where);
    auto t = std::make_shared<Type>();
    if (kind == "struct") {
      t->id = TypeId::kStruct;
      t->fields = Fields(j, where);
    } else if (kind == "list") {
      t->id = TypeId::kList;
      t->element = Child(j, "element", "element-id", "element-required", where);
    } else if (kind == "map") {
      t->id = TypeId::kMap;
      t->key = Child(j, "key", "key-id", nullptr, where);
      t->value = Child(j, "value", "value-id", "value-required", where);
    } else {
      Fail(where, "unsupported type " + kind.dump());
    }
    return t;
  }

  std::vector<NestedField> Fields(const Json& j, const std::string& where) {
    const Json& fields = Need(j, "fields", where);
    if (!fields.is_array()) Fail(where, "\"fields\" must be an array");
    std::vector<NestedField> out;
    for (const Json& f : fields) {
      if (!f.is_object()) Fail(where, "a field must be an object");
      NestedField field;
      const Json& name = Need(f, "name", where);
      if (!name.is_string()) Fail(where, "\"name\" must be a string");
      field.name = name.get<std::string>();
      std::string path = Join(where, field.name);
      field.id = NeedId(f, "id", path);
      field.required = NeedBool(f, "required", path);
      field.type = ParseType(Need(f, "type", path), path);
      if (auto doc = f.find("doc"); doc != f.end() && doc->is_string()) field.doc = *doc;
      if (auto d = f.find("initial-default"); d != f.end()) {
        field.default_json = d->dump();
      } else if (auto w = f.find("write-default"); w != f.end()) {
        field.default_json = w->dump();
      }
      out.push_back(std::move(field));
    }
    return out;
  }

 private:
  NestedField Child(const Json& j, const char* name, const char* id_key, const char* required_key,
                    const std::string& where) {
    NestedField f;
    f.name = name;
    f.id = NeedId(j, id_key, where);
    f.required = required_key ? NeedBool(j, required_key, where) : true;
    f.type = ParseType(Need(j, name, where), Join(where, name));
    return f;
  }
};

Json TypeJson(const Type& t);

Json FieldJson(const NestedField& f) {
  Json out = Json::object();
  out["id"] = f.id;
  out["name"] = f.name;
  out["required"] = f.required;
  out["type"] = TypeJson(*f.type);
  if (!f.doc.empty()) out["doc"] = f.doc;
  if (f.default_json) {
    Json d = Json::parse(*f.default_json, nullptr, false);
    out["initial-default"] = d;
    out["write-default"] = d;
  }
  return out;
}

Json FieldsJson(const std::vector<NestedField>& fields) {
  Json list = Json::array();
  for (const NestedField& f : fields) list.push_back(FieldJson(f));
  return list;
}

Json TypeJson(const Type& t) {
  switch (t.id) {
    case TypeId::kDecimal:
      return "decimal(" + std::to_string(t.precision) + ", " + std::to_string(t.scale) + ")";
    case TypeId::kStruct:
      return Json{{"type", "struct"}, {"fields", FieldsJson(t.fields)}};
    case TypeId::kList:
      return Json{{"type", "list"},
                  {"element-id", t.element.id},
                  {"element", TypeJson(*t.element.type)},
                  {"element-required", t.element.required}};
    case TypeId::kMap:
      return Json{{"type", "map"},
                  {"key-id", t.key.id},
                  {"key", TypeJson(*t.key.type)},
                  {"value-id", t.value.id},
                  {"value", TypeJson(*t.value.type)},
                  {"value-required", t.value.required}};
    default:
      return TypeToString(t);
  }
}

}  // namespace

Result<Schema> SchemaFromIcebergJson(const std::string& text) {
  try {
    Json j = Json::parse(text);
    if (!j.is_object() || j.value("type", Json()) != "struct") {
      return InvalidArgument("an Iceberg schema must be an object with \"type\": \"struct\"");
    }
    FromIceberg parse;
    std::vector<NestedField> fields = parse.Fields(j, "");
    std::vector<int> identifiers;
    if (auto ids = j.find("identifier-field-ids"); ids != j.end()) {
      if (!ids->is_array()) return InvalidArgument("\"identifier-field-ids\" must be an array");
      for (const Json& id : *ids) {
        if (!id.is_number_integer())
          return InvalidArgument("identifier field ids must be integers");
        identifiers.push_back(id.get<int>());
      }
    }
    return Schema::Make(std::move(fields), std::move(identifiers));
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("Iceberg schema: ") + e.what());
  } catch (const std::invalid_argument& e) {
    return InvalidArgument(std::string("Iceberg schema: ") + e.what());
  }
}

std::string SchemaToIcebergJson(const Schema& schema, int schema_id) {
  Json out = Json::object();
  out["type"] = "struct";
  out["schema-id"] = schema_id;
  if (!schema.identifier_field_ids().empty()) {
    out["identifier-field-ids"] = schema.identifier_field_ids();
  }
  out["fields"] = FieldsJson(schema.fields());
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);  // never throws
}

}  // namespace tarn::schema
