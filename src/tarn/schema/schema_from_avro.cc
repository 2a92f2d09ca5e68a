// SchemaFromAvro: a parsed Avro document (AvroTree) to the typed model.
#include <cstdint>
#include <set>

#include "tarn/schema/avro_tree.h"
#include "tarn/schema/schema.h"

namespace tarn::schema {
namespace {

using internal::AvroField;
using internal::AvroKind;
using internal::AvroNode;
using internal::AvroTree;
using internal::Json;

const std::set<std::string>& KnownFieldKeys() {
  static const std::set<std::string> kKeys = {"name",    "type",    "doc",
                                              "default", "aliases", "field-id"};
  return kKeys;
}

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

// Reads an id property; 0 when absent.
Status ReadId(const Json* j, const char* key, const std::string& where, int* id) {
  *id = 0;
  if (!j) return Status::OK();
  auto it = j->find(key);
  if (it == j->end()) return Status::OK();
  if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > INT32_MAX) {
    return InvalidArgument(where + ": \"" + key + "\" must be a non-negative integer");
  }
  *id = it->get<int>();
  return Status::OK();
}

// Converts a parsed Avro tree into Types; single use.
class FromAvro {
 public:
  Result<NestedField> Field(const AvroField& f, const std::string& path) {
    NestedField out;
    std::string where = Join(path, f.name);
    out.name = f.name;
    out.aliases = f.aliases;
    TARN_RETURN_IF_ERROR(ReadId(f.json, "field-id", where, &out.id));
    TARN_ASSIGN_OR_RETURN(out.type, Slot(f.type, where, &out.required));
    for (const auto& [key, value] : f.json->items()) {
      if (key == "doc" && value.is_string()) {
        out.doc = value.get<std::string>();
      } else if (key == "default") {
        out.default_json = value.dump();
      } else if (!KnownFieldKeys().count(key)) {
        out.extra_props[key] = value.dump();
      }
    }
    return out;
  }

  // A field/element/value type: unwraps [null, T] into T and `required` = false.
  Result<std::shared_ptr<const Type>> Slot(const AvroNode* n, const std::string& where,
                                           bool* required) {
    *required = true;
    if (n->kind == AvroKind::kUnion) {
      const AvroNode* value = nullptr;
      bool has_null = false;
      for (const AvroNode* b : n->branches) {
        if (b->kind == AvroKind::kNull) {
          has_null = true;
        } else {
          value = value ? nullptr : b;
          if (!value) break;
        }
      }
      if (n->branches.size() != 2 || !has_null || !value) {
        return InvalidArgument(where + ": unions other than [null, T] are not supported");
      }
      *required = false;
      n = value;
    }
    if (n->kind == AvroKind::kNull) {
      return InvalidArgument(where + ": type null is only supported in [null, T]");
    }
    return Convert(n, where);
  }

 private:
  Result<std::shared_ptr<const Type>> Convert(const AvroNode* n, const std::string& where) {
    auto t = std::make_shared<Type>();
    if (!n->full_name.empty()) {
      t->avro_name = n->full_name;
      t->avro_aliases = n->aliases;
    }
    switch (n->kind) {
      case AvroKind::kRecord:
        TARN_RETURN_IF_ERROR(Record(n, where, t.get()));
        break;
      case AvroKind::kArray:
        TARN_RETURN_IF_ERROR(Array(n, where, t.get()));
        break;
      case AvroKind::kMap:
        TARN_RETURN_IF_ERROR(Map(n, where, t.get()));
        break;
      case AvroKind::kEnum:
        t->id = TypeId::kString;
        t->enum_symbols = n->symbols;
        t->enum_default = n->enum_default;
        break;
      default:
        Primitive(n, t.get());
    }
    return std::shared_ptr<const Type>(std::move(t));
  }

  Status Record(const AvroNode* n, const std::string& where, Type* t) {
    if (in_progress_.count(n)) {
      return InvalidArgument(where + ": recursive type " + n->full_name + " is not supported");
    }
    in_progress_.insert(n);
    t->id = TypeId::kStruct;
    for (const AvroField& f : n->fields) {
      TARN_ASSIGN_OR_RETURN(NestedField field, Field(f, where));
      t->fields.push_back(std::move(field));
    }
    in_progress_.erase(n);
    return Status::OK();
  }

  Status Array(const AvroNode* n, const std::string& where, Type* t) {
    const AvroNode* items = n->items;
    if (n->logical_type == "map" && items->kind == AvroKind::kRecord && items->fields.size() == 2 &&
        items->fields[0].name == "key" && items->fields[1].name == "value") {
      t->id = TypeId::kMap;  // Iceberg's map with non-string keys
      TARN_ASSIGN_OR_RETURN(t->key, Field(items->fields[0], where));
      TARN_ASSIGN_OR_RETURN(t->value, Field(items->fields[1], where));
      return Status::OK();
    }
    t->id = TypeId::kList;
    t->element.name = "element";
    TARN_RETURN_IF_ERROR(ReadId(n->json, "element-id", where, &t->element.id));
    TARN_ASSIGN_OR_RETURN(t->element.type, Slot(items, where + "[]", &t->element.required));
    return Status::OK();
  }

  Status Map(const AvroNode* n, const std::string& where, Type* t) {
    t->id = TypeId::kMap;
    t->key.name = "key";
    t->key.required = true;
    auto key = std::make_shared<Type>();
    key->id = TypeId::kString;
    t->key.type = std::move(key);
    t->value.name = "value";
    TARN_RETURN_IF_ERROR(ReadId(n->json, "key-id", where, &t->key.id));
    TARN_RETURN_IF_ERROR(ReadId(n->json, "value-id", where, &t->value.id));
    TARN_ASSIGN_OR_RETURN(t->value.type, Slot(n->items, where + "{}", &t->value.required));
    return Status::OK();
  }

  // long-based logical types.
  static TypeId LongType(const std::string& lt, bool utc) {
    if (lt == "time-micros") return TypeId::kTime;
    if (lt == "timestamp-millis" || lt == "timestamp-micros") {
      return utc ? TypeId::kTimestampTz : TypeId::kTimestamp;
    }
    if (lt == "local-timestamp-millis" || lt == "local-timestamp-micros") return TypeId::kTimestamp;
    return TypeId::kLong;
  }

  static void Primitive(const AvroNode* n, Type* t) {
    const std::string& lt = n->logical_type;
    bool utc = !(n->json && n->json->value("adjust-to-utc", true) == false);
    t->avro_millis =
        lt == "time-millis" || lt == "timestamp-millis" || lt == "local-timestamp-millis";
    switch (n->kind) {
      case AvroKind::kBoolean:
        t->id = TypeId::kBoolean;
        return;
      case AvroKind::kInt:
        t->id = lt == "date" ? TypeId::kDate : lt == "time-millis" ? TypeId::kTime : TypeId::kInt;
        return;
      case AvroKind::kLong:
        t->id = LongType(lt, utc);
        return;
      case AvroKind::kFloat:
        t->id = TypeId::kFloat;
        return;
      case AvroKind::kDouble:
        t->id = TypeId::kDouble;
        return;
      case AvroKind::kString:
        t->id = lt == "uuid" ? TypeId::kUuid : TypeId::kString;
        return;
      default:
        break;
    }
    // bytes or fixed
    t->length = n->kind == AvroKind::kFixed ? n->size : 0;
    if (lt == "decimal") {
      t->id = TypeId::kDecimal;
      t->precision = n->precision;
      t->scale = n->scale;
    } else if (lt == "uuid" && n->size == 16) {
      t->id = TypeId::kUuid;
    } else {
      t->id = n->kind == AvroKind::kFixed ? TypeId::kFixed : TypeId::kBinary;
    }
  }

  std::set<const AvroNode*> in_progress_;
};
}  // namespace

Result<Schema> SchemaFromAvro(const std::string& avro_json) {
  TARN_ASSIGN_OR_RETURN(AvroTree tree, AvroTree::Parse(avro_json));
  const AvroNode* root = tree.root();
  if (root->kind != AvroKind::kRecord) {
    return InvalidArgument("the top-level Avro schema must be a record, not " +
                           internal::DescribeAvro(root));
  }
  FromAvro convert;
  std::vector<NestedField> fields;
  try {
    for (const AvroField& f : root->fields) {
      TARN_ASSIGN_OR_RETURN(NestedField field, convert.Field(f, ""));
      fields.push_back(std::move(field));
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("schema: ") + e.what());
  }
  return Schema::Make(std::move(fields));
}

}  // namespace tarn::schema
