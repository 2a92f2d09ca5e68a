#include "tarn/schema/field_ids.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace tarn::schema {
namespace {

using Json = nlohmann::ordered_json;

// Walks the candidate document beside the previous schema's types; single use.
class Assigner {
 public:
  explicit Assigner(int highest) : highest_(highest) {}

  int highest() const { return highest_; }

  // A type position (field type, array items, map values); `prev` is the previous type there.
  void Slot(Json& t, const Type* prev) {
    if (t.is_array()) {  // a union: ids go into its non-null branches
      for (Json& branch : t) Slot(branch, prev);
      return;
    }
    if (!t.is_object() || !t.contains("type")) return;  // a primitive or named-type reference
    Json& kind = t["type"];
    if (kind.is_object() || kind.is_array()) return Slot(kind, prev);
    if (kind == "record" || kind == "error") {
      return Record(t, prev && prev->id == TypeId::kStruct ? &prev->fields : nullptr);
    }
    if (kind == "array" && t.value("logicalType", Json()) == "map") return EntryArray(t, prev);
    if (kind == "array") {
      const NestedField* element = prev && prev->id == TypeId::kList ? &prev->element : nullptr;
      t["element-id"] = Keep(element);
      if (t.contains("items")) Slot(t["items"], element ? element->type.get() : nullptr);
    } else if (kind == "map") {
      bool was_map = prev && prev->id == TypeId::kMap;
      t["key-id"] = Keep(was_map ? &prev->key : nullptr);
      t["value-id"] = Keep(was_map ? &prev->value : nullptr);
      if (t.contains("values")) Slot(t["values"], was_map ? prev->value.type.get() : nullptr);
    }
  }

 private:
  int Keep(const NestedField* prev) { return prev && prev->id > 0 ? prev->id : ++highest_; }

  void Record(Json& record, const std::vector<NestedField>* prev) {
    if (!record.contains("fields") || !record["fields"].is_array()) return;
    Json& fields = record["fields"];
    std::vector<const NestedField*> match(fields.size(), nullptr);
    std::set<const NestedField*> claimed;
    auto claim = [&](size_t i, const std::string& name) {
      for (const NestedField& p : *prev) {
        if (p.name == name && !claimed.count(&p)) {
          claimed.insert(&p);
          match[i] = &p;
          return true;
        }
      }
      return false;
    };
    if (prev) {
      for (size_t i = 0; i < fields.size(); ++i) claim(i, fields[i].value("name", ""));
      for (size_t i = 0; i < fields.size(); ++i) {
        if (match[i] || !fields[i].contains("aliases")) continue;
        for (const Json& alias : fields[i]["aliases"]) {
          if (alias.is_string() && claim(i, ShortAlias(alias.get<std::string>()))) break;
        }
      }
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      fields[i]["field-id"] = Keep(match[i]);
      Slot(fields[i]["type"], match[i] ? match[i]->type.get() : nullptr);
    }
  }

  // Iceberg's map with non-string keys: array<record{key, value}> with logicalType "map".
  void EntryArray(Json& t, const Type* prev) {
    if (!t.contains("items")) return;
    std::vector<NestedField> entry;
    if (prev && prev->id == TypeId::kMap) entry = {prev->key, prev->value};
    Json& items = t["items"];
    if (items.is_object() && items.value("type", Json()) == "record") {
      Record(items, prev && prev->id == TypeId::kMap ? &entry : nullptr);
    }
  }

  static std::string ShortAlias(const std::string& alias) {
    size_t dot = alias.rfind('.');
    return dot == std::string::npos ? alias : alias.substr(dot + 1);
  }

  int highest_;
};

}  // namespace

Result<AssignedIds> AssignFieldIds(const std::string& candidate_avro,
                                   const std::optional<Schema>& previous, int highest_ever) {
  TARN_RETURN_IF_ERROR(SchemaFromAvro(candidate_avro).status());  // supported and valid
  int start = std::max(highest_ever, previous ? previous->highest_field_id() : 0);
  try {
    Json doc = Json::parse(candidate_avro);
    Assigner assign(start);
    std::shared_ptr<Type> prev_root;
    if (previous) {
      prev_root = std::make_shared<Type>();
      prev_root->id = TypeId::kStruct;
      prev_root->fields = previous->fields();
    }
    assign.Slot(doc, prev_root.get());
    std::string text = doc.dump(-1, ' ', false, Json::error_handler_t::replace);
    return AssignedIds{std::move(text), assign.highest()};
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("schema: ") + e.what());
  }
}

}  // namespace tarn::schema
